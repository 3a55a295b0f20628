"""`batches.run`'s `on_progress` over both twins: a plain function is called with every
change; one that is an `async def` (which nothing in a run awaits) is refused before
anything is written or sent, and one that returns an awaitable anyway fails at its first
call, never left to warn "never awaited" while the workload goes on unwatched."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from together_batches import WorkloadProgress

from ._twins import Twin
from .test_workload_run import ENDPOINT, World, requests


async def watch(progress: WorkloadProgress) -> None:
    raise AssertionError("never called")


class Watcher:
    async def __call__(self, progress: WorkloadProgress) -> None:
        raise AssertionError("never called")


@pytest.mark.parametrize("callback", [watch, Watcher()], ids=["async def", "async __call__"])
def test_an_async_on_progress_is_refused_before_anything_is_written_or_sent(
    twin: Twin, tmp_path: Path, callback: Any
) -> None:
    world = World(twin, tmp_path)
    with pytest.raises(
        TypeError,
        match=r"^on_progress is an async function, which "
        r"batches\.run calls between its steps without awaiting: pass a plain",
    ):
        world.client.batches.run(
            requests(), endpoint=ENDPOINT, manifest=world.manifest, on_progress=callback
        )
    assert world.emulator.requests == []
    assert not world.manifest.exists()


def test_a_callback_returning_an_awaitable_fails_at_its_first_call(
    twin: Twin, tmp_path: Path
) -> None:
    world = World(twin, tmp_path)
    calls: list[WorkloadProgress] = []

    def sneaky(progress: WorkloadProgress) -> Any:
        calls.append(progress)
        return watch(progress)  # a coroutine that `check_plain` could not see coming

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would fail here
        with pytest.raises(TypeError, match=r"^on_progress is an async function"):
            world.run(max_requests=3, on_progress=sneaky)
    assert len(calls) == 1


def test_a_callback_that_is_not_callable_is_refused(twin: Twin, tmp_path: Path) -> None:
    world = World(twin, tmp_path)
    with pytest.raises(TypeError, match=r"^on_progress must be callable$"):
        world.client.batches.run(
            requests(), endpoint=ENDPOINT, manifest=world.manifest, on_progress=5
        )
    assert world.emulator.requests == []
