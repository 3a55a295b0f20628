"""The Python blocks of README.md and docs/*.md, found once for every test that runs or
type-checks them (tests/test_readme.py, tests/test_readme_types.py, tests/test_docs.py).

A block is a fence that opens with ```` ```python ```` at the start of a line. Every block is
type-checked; a docs page's block is also run, unless the line before its fence is a comment
that says why not: `<!-- not run: ... -->`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import CodeType

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"

NOT_RUN = re.compile(r"<!-- not run: .+ -->")
_FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    """One Python block of a Markdown file.

    Attributes:
        path: The Markdown file.
        line: The line number of the block's first line of code (1-based).
        code: The code, as written.
        run: False when the line before the fence says `<!-- not run: why -->`.
    """

    path: Path
    line: int
    code: str
    run: bool

    @property
    def name(self) -> str:
        """`docs/waiting.md:12`: where the block is, for test ids and messages."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    def compiled(self) -> CodeType:
        """The code compiled so that a traceback names the Markdown file and its line."""
        return compile("\n" * (self.line - 1) + self.code, str(self.path), "exec")


def python_blocks(path: Path, section: str | None = None) -> list[Block]:
    """The Python blocks of `path`, in order; only those under `## section` if given."""
    text = path.read_text()
    blocks = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()]
        if section is not None and _section_of(before) != section:
            continue
        previous = before.rstrip("\n").rsplit("\n", 1)[-1]
        line = before.count("\n") + 2  # the fence's own line, then the code's first
        blocks.append(Block(path, line, match.group(1), not NOT_RUN.fullmatch(previous)))
    return blocks


def _section_of(before: str) -> str | None:
    headings = re.findall(r"^## (.+)$", before, re.MULTILINE)
    return headings[-1] if headings else None


def docs_pages() -> list[Path]:
    """Every Markdown page of docs/, in a stable order."""
    return sorted(DOCS.rglob("*.md"))


def every_block() -> list[Block]:
    """The Python blocks of the README and of every docs page."""
    return [block for path in [README, *docs_pages()] for block in python_blocks(path)]
