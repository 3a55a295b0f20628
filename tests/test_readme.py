"""The README's emulator example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from together_batches import _clock

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_emulator_example_in_the_readme_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    section = README.read_text().split("## Testing your own code without the API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None
    monkeypatch.setattr(_clock, "sleep", lambda seconds: None)  # the 503's retry backoff
    namespace: dict[str, object] = {}
    exec(compile(match.group(1), str(README), "exec"), namespace)
    assert "job" in namespace
