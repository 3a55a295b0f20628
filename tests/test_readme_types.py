"""Every Python example in the README passes `mypy --strict` as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_readme_example_passes_mypy_strict(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert len(blocks) >= 2
    for index, block in enumerate(blocks):
        (tmp_path / f"readme_example_{index}.py").write_text(block)
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
