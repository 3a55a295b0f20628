"""The floor plan holds, as rules per folder: what each part may import, which of its
modules do I/O, and what loads at `import together_batches` and what on first use.

Imports are read from the source (every import, including those inside functions) and
followed transitively; what loads is seen in a fresh process.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

OVERLAY = Path(__file__).resolve().parent.parent / "overlay"
PACKAGE = OVERLAY / "together_batches"
ROOT = "together_batches"


@dataclass(frozen=True)
class Folder:
    """One part of the package and its rule.

    Attributes:
        name: The folder, under together_batches.
        shells: Its modules that may do I/O (send, sleep, run threads or tasks, touch the
            disk); every other module of the folder is pure.
    """

    name: str
    shells: frozenset[str]


#: Every folder of the package's parts, with the modules that do I/O: send, sleep, read the
#: clock, run threads or tasks. (Reading and writing local files is not counted: `split`,
#: `manifest`, `lock`, `writer` and `transfer` do, and are tested on disk.)
FOLDERS = (
    Folder("_wait", frozenset({"threads", "tasks"})),
    Folder("_workload", frozenset({"session", "driver", "driver_async"})),
    Folder("_http", frozenset({"sending", "send_sync", "send_async"})),
    Folder("_files", frozenset()),
    Folder("_jsonl", frozenset()),
    Folder(
        "resources", frozenset({"batches", "batches_async", "files", "files_async", "workflow"})
    ),
    Folder(
        "_display",
        frozenset({"plain", "choose", "library", "live", "wait", "workload", "transfer"}),
    ),
)
#: What a pure module may not reach, directly or through another module: what sends, sleeps
#: or reads the clock, and the two outer parts.
IO_ROOMS = frozenset(
    {
        f"{ROOT}._client",
        f"{ROOT}._clock",
        f"{ROOT}._http.sending",
        f"{ROOT}._http.send_sync",
        f"{ROOT}._http.send_async",
        f"{ROOT}._wait.threads",
        f"{ROOT}._wait.tasks",
        f"{ROOT}.resources",
        f"{ROOT}.cli",
        f"{ROOT}.testing",
    }
)
IO_STDLIB = frozenset({"asyncio", "socket", "subprocess", "queue", "time", "selectors"})
#: The top level: the public face and the values every part shares.
TOP_LEVEL_PURE = ("_status", "_models", "_file_models", "_exceptions", "_config", "_lazy")
#: Imports inside a function, and why each one is there; every other import is at the top of
#: its module, and what loads late does so by its folder's rule.
LATE_IMPORTS = {
    # Sync-only programs never load asyncio.
    (f"{ROOT}._clock", "asyncio"),
    (f"{ROOT}.resources.workflow", "asyncio"),
    (f"{ROOT}.testing._clock", "asyncio"),
    # orjson on the first large body (see `_http/json.py`).
    (f"{ROOT}._http.json", "orjson"),
    # The create's request body is an attrs class: attrs stays off the import path.
    (f"{ROOT}._http.calls", "together_batches_api.api.batches"),
    (f"{ROOT}._http.calls", "together_batches_api.models.create_batch_request"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(OVERLAY).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _path(module: str) -> Path | None:
    base = OVERLAY.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _target(node: ast.ImportFrom, package: str) -> str:
    base = package
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    target = node.module or ""
    if node.level:
        target = f"{base}.{target}" if target else base
    return target


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """The nodes of a module that run: an `if TYPE_CHECKING:` block only informs the type
    checker (a folder names its modules there), so its imports are no edges."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(sub) for stmt in node.body for sub in ast.walk(stmt))
    return [node for node in ast.walk(tree) if id(node) not in skipped]


@cache
def _imports(module: str) -> frozenset[str]:
    """The modules `module` imports (absolute names), anywhere in its source. A folder
    reached through its `__getattr__` (`_workload.driver.drive(...)`) is counted as an import
    of the module named, so that the rules see through the lazy loading."""
    path = _path(module)
    assert path is not None, module
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    folders: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _target(node, package)
            named = {f"{target}.{a.name}" for a in node.names if _path(f"{target}.{a.name}")}
            # `from . import calls` imports a module, not a name of the package.
            found.update(named or {target})
            folders.update(f"{target}.{a.asname or a.name}" for a in node.names)
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            candidate = f"{ROOT}.{node.value.id}.{node.attr}".replace(f"{ROOT}.{ROOT}.", f"{ROOT}.")
            if any(candidate.startswith(f + ".") or candidate == f for f in folders) and _path(
                candidate
            ):
                found.add(candidate)
    # A module's parent packages run first whatever it imports: that is no edge of its own.
    parents = {module.rsplit(".", depth)[0] for depth in range(1, module.count(".") + 1)}
    return frozenset(found - parents - {module})


def _reach(module: str) -> set[str]:
    """Every module `module` reaches through the overlay's imports, itself excluded."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in _imports(todo.pop()):
            if name not in seen:
                seen.add(name)
                if name.startswith(ROOT) and _path(name) is not None:
                    todo.append(name)
    return seen


def _within(names: set[str], rooms: frozenset[str] | set[str]) -> set[str]:
    return {n for n in names if any(n == r or n.startswith(r + ".") for r in rooms)}


def _modules_under(folder: Path) -> list[str]:
    return sorted(_module_name(p) for p in folder.rglob("*.py"))


def _folder_modules(folder: str) -> set[str]:
    return {p.stem for p in (PACKAGE / folder).glob("*.py") if p.stem != "__init__"}


def _pure_modules() -> list[str]:
    pure = [f"{ROOT}.{name}" for name in TOP_LEVEL_PURE]
    for folder in FOLDERS:
        pure += [
            f"{ROOT}.{folder.name}.{m}"
            for m in sorted(_folder_modules(folder.name) - folder.shells)
        ]
    return pure


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_each_folders_rule_names_its_modules(folder: Folder) -> None:
    assert folder.shells <= _folder_modules(folder.name), folder.shells - _folder_modules(
        folder.name
    )


@pytest.mark.parametrize("module", _pure_modules())
def test_the_pure_modules_import_no_io_module(module: str) -> None:
    reached = _within(_reach(module), IO_ROOMS) | (_reach(module) & IO_STDLIB)
    assert not reached, f"{module} reaches {sorted(reached)}"


@pytest.mark.parametrize("module", _modules_under(PACKAGE / "testing"))
def test_the_emulator_reaches_no_client_internals(module: str) -> None:
    # It serves the API; the client is what it is tested with. It may use the shared values
    # of the top level (statuses, models, errors) and the client's time source, `_clock`
    # (for `fast_forward`), never a part of the client or the CLI.
    parts = {f"{ROOT}.{f.name}" for f in FOLDERS} | {f"{ROOT}._client", f"{ROOT}.cli"}
    reached = _within(_reach(module), parts)
    assert not reached, f"{module} reaches {sorted(reached)}"


def test_nothing_outside_the_cli_imports_from_it() -> None:
    outside = [m for m in _modules_under(PACKAGE) if not m.startswith(f"{ROOT}.cli")]
    users = [
        m for m in outside if m != f"{ROOT}.__main__" and _within(set(_imports(m)), {f"{ROOT}.cli"})
    ]
    assert users == []


def test_the_async_waiter_does_not_lean_on_the_sync_one() -> None:
    assert f"{ROOT}._wait.threads" not in _reach(f"{ROOT}._wait.tasks")


def test_the_checker_sees_modules_reached_through_a_folder() -> None:
    # AsyncBatches reaches the async waiter as `_wait.tasks` when a wait starts.
    assert f"{ROOT}._wait.tasks" in _imports(f"{ROOT}.resources.batches_async")


def _late_imports(module: str) -> set[tuple[str, str]]:
    path = _path(module)
    assert path is not None
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    late: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Import):
                    late.update((module, a.name) for a in sub.names)
                elif isinstance(sub, ast.ImportFrom):
                    late.add((module, _target(sub, package)))
    return late


def test_no_module_imports_inside_a_function_but_the_listed_few() -> None:
    late = set().union(*(_late_imports(m) for m in _modules_under(PACKAGE)))
    assert late == LATE_IMPORTS


def _rule_of(package: str) -> ModuleType:
    return importlib.import_module(package)


RULED = [f"{ROOT}.{f.name}" for f in FOLDERS] + [f"{ROOT}.cli.commands", f"{ROOT}.cli.views"]


@pytest.mark.parametrize("package", RULED)
def test_each_folder_says_what_loads_at_import_and_what_on_first_use(package: str) -> None:
    rule = _rule_of(package)
    at_import, first_use = set(rule.AT_IMPORT), set(rule.ON_FIRST_USE)
    assert not at_import & first_use
    folder = PACKAGE.joinpath(*package.split(".")[1:])
    assert at_import | first_use == {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    assert (rule.__doc__ or "").count("Loading:") == 1, "the docstring states the rule"


def _loaded_by(statement: str) -> set[str]:
    # httpx imports its own command line (click, pygments and rich) when click is installed,
    # as it is in the dev environment: blocked here, so that what is seen is what we load.
    code = (
        "import json, sys; sys.modules['click'] = None; "
        f"{statement}; print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize(
    ("statement", "packages"),
    [
        ("import together_batches", [p for p in RULED if ".cli." not in p]),
        ("import together_batches.cli", [f"{ROOT}.cli.commands", f"{ROOT}.cli.views"]),
    ],
)
def test_what_loads_is_what_each_folder_says(statement: str, packages: list[str]) -> None:
    loaded = _loaded_by(statement)
    for package in packages:
        rule = _rule_of(package)
        assert {f"{package}.{m}" for m in rule.AT_IMPORT} <= loaded, package
        assert not {f"{package}.{m}" for m in rule.ON_FIRST_USE} & loaded, package
    assert "asyncio" not in loaded  # sync programs never load it
    assert "rich" not in loaded  # only when something is drawn live (and `--help` stays quick)


def test_rich_loads_with_a_live_view_only() -> None:
    assert "rich" not in _loaded_by("import together_batches._display.choose")
    assert "rich" in _loaded_by("import together_batches._display.wait")


def test_the_async_client_loads_the_async_twins() -> None:
    loaded = _loaded_by("import together_batches as t; t.AsyncTogether(api_key='k')")
    assert {f"{ROOT}.resources.batches_async", f"{ROOT}.resources.files_async"} <= loaded


def test_the_top_level_holds_the_public_face_and_shared_values_only() -> None:
    modules = [p for p in PACKAGE.glob("*.py")]
    assert len(modules) <= 15, sorted(p.name for p in modules)


@pytest.mark.parametrize("module", _modules_under(PACKAGE))
def test_no_module_is_over_500_lines(module: str) -> None:
    path = _path(module)
    assert path is not None
    lines = len(path.read_text().splitlines())
    assert lines <= 500, f"{module} has {lines} lines: does it hold more than one concern?"
