"""Every Python example in the README and in docs/ passes `mypy --strict` as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from ._doc_blocks import README, ROOT, every_block


def test_every_readme_and_docs_example_passes_mypy_strict(tmp_path: Path) -> None:
    blocks = every_block()
    assert sum(block.path == README for block in blocks) >= 2
    assert len(blocks) > sum(block.path == README for block in blocks)  # docs/ has blocks too
    for block in blocks:
        # One file per block, named after its page, with the block on its page's own lines:
        # mypy's `docs_waiting_12.py:40: error` is line 40 of docs/waiting.md.
        name = re.sub(r"\W", "_", str(block.path.relative_to(ROOT).with_suffix("")))
        padded = "\n" * (block.line - 1) + block.code
        (tmp_path / f"{name}_{block.line}.py").write_text(padded)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            *sorted(map(str, tmp_path.glob("*.py"))),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
    )
    assert result.returncode == 0, result.stdout + result.stderr
