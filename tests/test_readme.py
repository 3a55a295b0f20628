"""The README's emulator example runs as written, through the public API only, and never
sleeps for real."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from together_batches import _clock

from ._doc_blocks import README, python_blocks


def _examples() -> list[str]:
    return [b.code for b in python_blocks(README, "Testing your own code without the API")]


def test_the_emulator_example_in_the_readme_runs_in_no_real_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def slept_for_real(seconds: float) -> None:
        raise AssertionError(f"the README example slept {seconds}s for real")

    # Only a guard: the example itself must make its sleeps fake, with `fast_forward`.
    monkeypatch.setattr(_clock, "sleep", slept_for_real)
    namespace: dict[str, object] = {}
    exec(compile(_examples()[0], str(README), "exec"), namespace)
    job: Any = namespace["job"]
    clock: Any = namespace["clock"]
    assert job.status == "COMPLETED"
    moved = clock.now() - dt.datetime(2025, 1, 15, tzinfo=dt.UTC)
    assert moved >= dt.timedelta(seconds=3605)  # the hour-long job ran on the fake clock
    assert _clock.sleep is slept_for_real  # restored when the example's block ended


def test_the_fixture_example_in_the_readme_yields_a_fast_forwarded_clock() -> None:
    namespace: dict[str, object] = {}
    exec(compile(_examples()[1], str(README), "exec"), namespace)
    fixture: Any = namespace["clock"]
    generator = fixture.__wrapped__()  # pytest keeps the undecorated function
    try:
        clock = next(generator)
        _clock.sleep(30)
        assert clock.now() - clock.start == dt.timedelta(seconds=30)
    finally:
        generator.close()  # leaves the `with fast_forward(...)` block
    assert _clock.sleep is time.sleep
