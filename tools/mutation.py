"""`make mutation`: mutation testing of the pure modules with mutmut, and their score.

mutmut 3 names a mutated module after its path, with only a `src/` prefix stripped, while
this repository keeps its packages in overlay/ and generated/ (put on sys.path by the editable
install). So the run happens in a scratch copy, build/mutation/, laid out as mutmut expects:
src/together_batches, src/together_batches_api and tests/, with a pyproject.toml holding the
settings below. mutmut puts its mutants/src first on sys.path, so the tests import the mutated
copies, not the editable install.

Only the fast, pure unit tests run (`TEST_FILES`): mutmut runs, for each mutant, the tests that
reached the mutated function, in processes forked from one that has imported everything.

The score leaves out the mutants listed in tests/MUTATION.md (message text, and mutants proven
equivalent): a survivor not in that list is a gap in the tests, and a listed mutant that no
longer survives is reported so that the list stays true.

Usage: python tools/mutation.py [--jobs N] [--fail-under PERCENT] [--report-only]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# mutmut's own reading of its results (its version is pinned in requirements/dev.lock).
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutation"
LIST = ROOT / "tests" / "MUTATION.md"

# Mutated modules, as paths under src/ of the scratch copy. The first nine are the overlay's
# pure modules; the other two hold the runtime of the generated models they build on (the
# type checks and the BatchJob constructor).
MUTATED = (
    "together_batches/_http/retry.py",
    "together_batches/_wait/options.py",
    "together_batches/_wait/state.py",
    "together_batches/_wait/schedule.py",
    "together_batches/_wait/core.py",
    "together_batches/_wait/listing.py",
    "together_batches/_status.py",
    "together_batches/_http/ids.py",
    "together_batches/_models.py",
    "together_batches_api/types.py",
    "together_batches_api/models/batch_job.py",
)
TEST_FILES = (
    "tests/test_retry_rules.py",
    "tests/test_retry_headers.py",
    "tests/test_polling.py",
    "tests/test_models.py",
    "tests/test_surface.py",
    "tests/test_mutation_kills.py",
    "tests/test_mutation_kills_types.py",
    "tests/test_wait_run.py",
    "tests/test_wait_ending.py",
    "tests/test_wait_failures.py",
    "tests/test_wait_listing.py",
)
# mutmut's statuses that count as the tests noticing the mutant.
DETECTED = {"killed", "timeout", "segfault", "suspicious"}


@dataclass(frozen=True)
class Mutant:
    """One mutant and what became of it.

    Attributes:
        name: mutmut's name for it.
        module: The dotted module.
        function: The mutated function (`Class.method` for a method).
        line: Its first changed line in the source (0 when it was not found).
        old: The changed source lines, stripped and joined by a space.
        new: What the mutant has instead.
        status: mutmut's verdict ("killed", "survived", "no tests", ...).
    """

    name: str
    module: str
    function: str
    line: int
    old: str
    new: str
    status: str


@dataclass(frozen=True)
class Excluded:
    """One row of the list in tests/MUTATION.md: a survivor that the score leaves out."""

    module: str
    function: str
    old: str
    new: str
    kind: str


def prepare() -> None:
    """(Re)build the scratch copy, from nothing: mutmut does not refresh copied sources."""
    shutil.rmtree(WORK, ignore_errors=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("overlay/together_batches", "generated/together_batches_api"):
        shutil.copytree(ROOT / package, WORK / "src" / Path(package).name, ignore=skip)
    shutil.copytree(ROOT / "tests", WORK / "tests", ignore=skip)
    (WORK / "pyproject.toml").write_text(settings(), encoding="utf-8")


def settings() -> str:
    """The scratch copy's pyproject.toml: mutmut's settings and the project's pytest ones."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lines = [
        "[tool.mutmut]",
        'source_paths = ["src"]',
        f"only_mutate = {json.dumps([f'src/{path}' for path in MUTATED])}",
        f"pytest_add_cli_args_test_selection = {json.dumps(list(TEST_FILES))}",
        "",
        "[tool.pytest.ini_options]",
    ]
    # JSON spells strings, lists and booleans as TOML does.
    for key, value in project["tool"]["pytest"]["ini_options"].items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def run_mutmut(jobs: int) -> None:
    """Run mutmut in the scratch copy; its progress output goes to a log.

    Raises:
        SystemExit: mutmut failed (its log's end is shown).
    """
    log = WORK / "mutmut.log"
    command = [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(jobs)]
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(command, cwd=WORK, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
        raise SystemExit(f"mutmut failed (exit {done.returncode}); end of {log}:\n{tail}")


def collect() -> list[Mutant]:
    """Every mutant of the last run, with its diff summarised (read in the scratch copy)."""
    os.chdir(WORK)
    mutants = []
    for path in MUTATED:
        source = Path("src") / path
        data = SourceFileMutationData(path=source)
        data.load()
        module = path.removesuffix(".py").replace("/", ".")
        spans = function_spans(source)
        for name, code in data.exit_code_by_key.items():
            function = function_of(name)
            removed, added = changed_lines(get_diff_for_mutant(name, path=source))
            line = find_line(source, spans.get(function, (1, 0)), removed[:1])
            old, new = " ".join(removed), " ".join(added)
            status = status_by_exit_code[code]
            mutants.append(Mutant(name, module, function, line, old, new, status))
    return mutants


def function_of(name: str) -> str:
    """`Class.method` or `function` from a mutmut name (`pkg.mod.xǁClassǁmethod__mutmut_3`)."""
    mangled = name.rpartition(".")[2].partition("__mutmut_")[0]
    if mangled.startswith("x_"):
        return mangled[2:]
    _, cls, method = mangled.split("ǁ")
    return f"{cls}.{method}"


def function_spans(source: Path) -> dict[str, tuple[int, int]]:
    """The first and last lines of each function and method of a source file."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    spans: dict[str, tuple[int, int]] = {}
    for node in tree.body:
        members = node.body if isinstance(node, ast.ClassDef) else [node]
        prefix = f"{node.name}." if isinstance(node, ast.ClassDef) else ""
        for member in members:
            if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                end = member.end_lineno or member.lineno
                spans[prefix + member.name] = (member.lineno, end)
    return spans


def changed_lines(diff: str) -> tuple[list[str], list[str]]:
    """The removed and the added lines of a mutant's diff, stripped."""
    body = [line for line in diff.splitlines() if not line.startswith(("---", "+++", "@@"))]
    old = [line[1:].strip() for line in body if line.startswith("-")]
    new = [line[1:].strip() for line in body if line.startswith("+")]
    return old, new


def find_line(source: Path, span: tuple[int, int], first: list[str]) -> int:
    """The line in `span` of a source file that holds `first` (0 if not found)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    for number in range(span[0], span[1] + 1):
        if first and lines[number - 1].strip() == first[0]:
            return number
    return 0


def load_excluded() -> list[Excluded]:
    """The rows of the table in the "Excluded mutants" section of tests/MUTATION.md.

    A row: | module | line | function | `old` → `new` | kind | why |. The line is for
    readers; a mutant matches a row by module, function and both sides of its change.
    """
    rows = []
    pattern = re.compile(r"^`(?P<old>.*)` → `(?P<new>.*)`$")
    section = LIST.read_text(encoding="utf-8").split("\n## Excluded mutants\n", 1)[-1]
    for raw in section.split("\n## ", 1)[0].splitlines():
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", raw)[1:-1]]
        if len(cells) != 6 or not cells[0].startswith("`"):
            continue
        change = pattern.match(cells[3])
        if change is None:
            raise SystemExit(f"{LIST}: cannot read the change in: {raw}")
        module, function = cells[0].strip("`"), cells[2].strip("`")
        rows.append(Excluded(module, function, change["old"], change["new"], cells[4]))
    return rows


def is_listed(mutant: Mutant, excluded: list[Excluded]) -> Excluded | None:
    for row in excluded:
        if (row.module, row.function, row.old, row.new) == (
            mutant.module,
            mutant.function,
            mutant.old,
            mutant.new,
        ):
            return row
    return None


def report(mutants: list[Mutant], excluded: list[Excluded]) -> float:
    """Print the score per module and every survivor not listed; return the total score."""
    used: set[Excluded] = set()
    rows, gaps = [], []
    totals: Counter[str] = Counter()
    for module in dict.fromkeys(m.module for m in mutants):
        counts: Counter[str] = Counter()
        for mutant in (m for m in mutants if m.module == module):
            counts["all"] += 1
            row = None if mutant.status in DETECTED else is_listed(mutant, excluded)
            if mutant.status in DETECTED:
                counts["killed"] += 1
            elif row is not None:
                used.add(row)
                counts["excluded"] += 1
            else:
                counts["survived"] += 1
                gaps.append(mutant)
        totals.update(counts)
        rows.append((module, counts))
    rows.append(("total", totals))
    print(f"{'module':42} {'mutants':>7} {'killed':>7} {'excluded':>8} {'alive':>6} {'score':>7}")
    for module, counts in rows:
        print(
            f"{module:42} {counts['all']:7} {counts['killed']:7} {counts['excluded']:8} "
            f"{counts['survived']:6} {score(counts):6.1f}%"
        )
    for mutant in gaps:
        print(
            f"ALIVE {mutant.module}:{mutant.line} {mutant.function} ({mutant.status}) "
            f"`{mutant.old}` → `{mutant.new}`  [{mutant.name}]"
        )
    for row in excluded:
        if row not in used:
            print(f"STALE {LIST.name}: {row.module} {row.function} `{row.old}` → `{row.new}`")
    print(
        f"score = killed / (mutants - excluded) = {score(totals):.1f}% "
        f"(excluded mutants: tests/MUTATION.md); {totals['killed']} of {totals['all']} "
        f"killed in all"
    )
    return score(totals)


def score(counts: Counter[str]) -> float:
    judged = counts["all"] - counts["excluded"]
    return 100.0 * counts["killed"] / judged if judged else 100.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--fail-under", type=float, default=95.0, metavar="PERCENT")
    parser.add_argument("--report-only", action="store_true", help="report the last run again")
    args = parser.parse_args()
    if not args.report_only:
        started = time.monotonic()
        prepare()
        run_mutmut(args.jobs)
        print(f"mutmut ran in {time.monotonic() - started:.0f}s with {args.jobs} jobs")
    total = report(collect(), load_excluded())
    if total < args.fail_under:
        raise SystemExit(f"mutation score {total:.1f}% is under {args.fail_under:g}%")


if __name__ == "__main__":
    main()
