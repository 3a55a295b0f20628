"""The docs run as written: every Python block of docs/*.md (but those marked
`<!-- not run: why -->`) runs against the emulator, and the API reference documents every
public name.

Each block runs in a namespace of its own (as mypy checks it on its own), with
`TOGETHER_API_KEY` and `TOGETHER_BASE_URL` pointing at an emulator served on 127.0.0.1 on a
fake clock, and `fast_forward` on that clock, so a block's hour-long wait takes no real time.
A page's blocks run in order, in one working directory (empty at first) and against one
emulator, as a reader who runs them one after another: a block may read a file an earlier
block wrote.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

import together_batches
import together_batches.testing
from together_batches.testing import Emulator, FakeClock, JobPlan, fast_forward

from ._doc_blocks import DOCS, Block, docs_pages, python_blocks

# A key of this test's own (the session's leak check refuses one the package could log).
EMULATOR_KEY = f"sk-test-docs-{secrets.token_hex(8)}"


@pytest.fixture
def emulated_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    clock = FakeClock()
    emulator = Emulator(
        api_key=EMULATOR_KEY, clock=clock, plan=JobPlan(validating_seconds=5, running_seconds=600)
    )
    with emulator.serve() as base_url, fast_forward(clock):
        monkeypatch.setenv("TOGETHER_API_KEY", EMULATOR_KEY)
        monkeypatch.setenv("TOGETHER_BASE_URL", base_url)
        monkeypatch.chdir(tmp_path)
        yield clock


def _pages_with_blocks() -> list[Path]:
    return [page for page in docs_pages() if python_blocks(page)]


@pytest.mark.parametrize("page", _pages_with_blocks(), ids=lambda p: str(p.relative_to(DOCS)))
def test_every_block_of_the_page_runs(page: Path, emulated_api: FakeClock) -> None:
    ran: list[Block] = []
    for block in python_blocks(page):
        if block.run:
            exec(block.compiled(), {"__name__": "__docs__"})
            ran.append(block)
    assert ran, f"{page}: every block is marked not run"


def test_a_block_not_run_says_why_and_the_pages_mostly_run() -> None:
    blocks = [block for page in docs_pages() for block in python_blocks(page)]
    skipped = [block.name for block in blocks if not block.run]
    assert len(skipped) * 4 <= len(blocks), f"too many blocks are not run: {skipped}"
    for page in docs_pages():
        for comment in re.findall(r"<!-- not run.*?-->", page.read_text()):
            assert re.fullmatch(r"<!-- not run: \S.* -->", comment), f"{page}: {comment}"


def _documented() -> set[str]:
    text = "\n".join(path.read_text() for path in sorted((DOCS / "reference").glob("*.md")))
    return set(re.findall(r"^::: ([\w.]+)", text, re.MULTILINE))


@pytest.mark.parametrize("module", [together_batches, together_batches.testing])
def test_the_reference_documents_every_public_name(module: object) -> None:
    name = getattr(module, "__name__", "")
    public = {f"{name}.{item}" for item in getattr(module, "__all__", ()) if item != "__version__"}
    missing = public - _documented()
    assert not missing, f"add to docs/reference/: {sorted(missing)}"


def test_the_reference_names_only_public_paths() -> None:
    # Private module paths move; the reference names what users import, nothing else.
    for target in _documented():
        module, _, item = target.rpartition(".")
        assert module in {"together_batches", "together_batches.testing"}, target
        assert not item.startswith("_"), target
