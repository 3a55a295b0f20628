"""What a workload writes to disk, and when: the manifest is saved at once on every change
but one of batches' progress alone (at most every `PROGRESS_SAVE_INTERVAL` seconds), and a
resumed run leaves the recorded part files alone unless its requests match (then it puts
back only a part file that is missing or differs)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from together_batches import BatchResult, ManifestError, _clock
from together_batches._workload import session as session_module
from together_batches._workload.events import (
    PROGRESS_SAVE_INTERVAL,
    Consumed,
    Created,
    CreateSent,
    RoundPlanned,
    Seen,
    Uploaded,
    apply,
    must_save,
    new_workload,
)
from together_batches._workload.manifest import load_manifest, save_manifest
from together_batches._workload.plan import parts_directory
from together_batches._workload.records import PartFile, Workload
from together_batches.testing import Emulator, FakeClock, JobPlan, fast_forward

from ._twins import Twin
from .test_workload_run import first

KEY = "sk-workload-disk-41d9a0"
ENDPOINT = "/v1/chat/completions"
COUNT = 8  # with parts of 3: parts of 3, 3 and 2


class Crash(Exception):
    """The process dies here."""


def _running() -> Workload:
    workload = new_workload(
        [PartFile("p1", 3, 10, "a"), PartFile("p2", 3, 10, "b")],
        endpoint=ENDPOINT,
        retry_failed=1,
        max_requests=3,
        max_bytes=100,
    )
    for event in (
        Uploaded(1, "file-1"),
        CreateSent(1, at=1.0),
        Created(1, "batch-1"),
        Seen(1, "IN_PROGRESS", 0.1),
    ):
        workload = apply(workload, event)
    return workload


RUNNING = _running()
DONE = apply(RUNNING, Seen(1, "COMPLETED", 1.0, output_file_id="file-out"))
CHANGES: dict[str, tuple[Workload, bool]] = {
    "nothing (the same state)": (RUNNING, False),
    "progress alone": (apply(RUNNING, Seen(1, "IN_PROGRESS", 0.5)), False),
    "a status (and progress)": (apply(RUNNING, Seen(1, "CANCELING", 0.5)), True),
    "a terminal status, an output file": (DONE, True),
    "an upload": (apply(RUNNING, Uploaded(2, "file-2")), True),
    "a part consumed": (apply(DONE, Consumed(1, 3)), True),
    "where the results file ends": (dataclasses.replace(RUNNING, results_offset=10), True),
}


@pytest.mark.parametrize("since", [0.0, PROGRESS_SAVE_INTERVAL - 0.01])
@pytest.mark.parametrize("change", list(CHANGES))
def test_what_is_saved_at_once(change: str, since: float) -> None:
    workload, at_once = CHANGES[change]
    assert must_save(RUNNING, workload, since_saved=since) is at_once


@pytest.mark.parametrize("change", [c for c in CHANGES if c != "nothing (the same state)"])
def test_every_change_is_saved_once_the_interval_has_passed(change: str) -> None:
    workload, _ = CHANGES[change]
    assert must_save(RUNNING, workload, since_saved=PROGRESS_SAVE_INTERVAL)
    assert must_save(RUNNING, workload, since_saved=1.0, interval=1.0)
    assert not must_save(RUNNING, RUNNING, since_saved=PROGRESS_SAVE_INTERVAL)


def test_a_planned_round_is_saved_at_once() -> None:
    consumed = apply(DONE, Consumed(1, 1, leftover=PartFile("l1", 2, 6, "c")))
    both = apply(
        apply(
            apply(apply(consumed, Uploaded(2, "file-2")), CreateSent(2, at=2.0)),
            Created(2, "batch-2"),
        ),
        Seen(2, "COMPLETED", 1.0, "file-o2"),
    )
    done = apply(both, Consumed(2, 3))
    planned = apply(done, RoundPlanned(1, (PartFile("r1", 2, 6, "c"),)))
    assert must_save(done, planned, since_saved=0.0)


def requests(count: int = COUNT, changed: int | None = None) -> Iterator[tuple[str, Any]]:
    for i in range(count):
        text = "changed" if i == changed else f"q{i}"
        yield f"r{i}", {"model": "org/m", "messages": [{"role": "user", "content": text}]}


class World:
    def __init__(self, twin: Twin, tmp_path: Path, plan: JobPlan) -> None:
        self.clock = FakeClock(start=dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC))
        self.emulator = Emulator(api_key=KEY, clock=self.clock, strict_files=True, plan=plan)
        emulator = self.emulator
        transport = emulator.async_transport() if twin.is_async else emulator.transport()
        self.client = twin.client(transport, api_key=KEY)
        self.manifest = tmp_path / "w.json"
        self.parts = parts_directory(self.manifest)

    def start(self, **options: Any) -> Iterator[BatchResult]:
        results: Iterator[BatchResult] = self.client.batches.run(
            requests(changed=options.pop("changed", None)),
            endpoint=ENDPOINT,
            manifest=self.manifest,
            max_requests=3,
            **options,
        )
        return results

    def run(self, **options: Any) -> list[BatchResult]:
        with fast_forward(self.clock):
            return list(self.start(**options))

    def routes(self, route: str) -> int:
        return sum(1 for r in self.emulator.requests if r.route == route)

    def files(self) -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in sorted(self.parts.iterdir())}


def _progress_alone(before: Workload, after: Workload) -> bool:
    """Whether the two differ, and in parts' progress only."""
    unmoved = tuple(
        dataclasses.replace(new, progress=old.progress)
        for new, old in zip(after.parts, before.parts, strict=False)
    )
    return after != before and dataclasses.replace(after, parts=unmoved) == before


def test_a_long_wait_saves_progress_alone_at_most_every_interval(
    twin: Twin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A batch runs 10 minutes: each 2 s poll sees its progress move.
    world = World(twin, tmp_path, JobPlan(validating_seconds=5, running_seconds=600))
    saves: list[tuple[float, Workload]] = []
    changes: list[object] = []

    def saving(path: Path, workload: Workload) -> None:
        saves.append((_clock.monotonic(), workload))
        save_manifest(path, workload)

    monkeypatch.setattr(session_module, "save_manifest", saving)
    with fast_forward(world.clock):
        results = list(world.start(on_progress=changes.append))
    assert sorted(r.custom_id for r in results) == [f"r{i}" for i in range(COUNT)]
    assert len(saves) < len(changes) / 3  # most changes were progress alone, not saved
    gaps = [
        at - before_at
        for (before_at, before), (at, after) in itertools.pairwise(saves)
        if _progress_alone(before, after)
    ]
    assert gaps and min(gaps) >= PROGRESS_SAVE_INTERVAL
    assert load_manifest(world.manifest) == saves[-1][1]
    assert all(part.consumed for part in saves[-1][1].parts)


def test_a_manifest_that_does_not_match_leaves_the_part_files_as_they_were(
    twin: Twin, tmp_path: Path
) -> None:
    world = World(twin, tmp_path, JobPlan(validating_seconds=5, running_seconds=60))
    world.run()
    before = world.files()
    with pytest.raises(ManifestError, match="its part 2"):
        first(world.start(changed=4))
    assert world.files() == before  # not rewritten with the other requests, no scratch left


def _crash_after_the_first_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    def crashing(path: Path, workload: Workload) -> None:
        save_manifest(path, workload)
        if workload.parts[0].file_id is not None:
            raise Crash("the process dies here")

    monkeypatch.setattr(session_module, "save_manifest", crashing)


def test_a_resume_puts_back_a_part_file_that_is_missing_or_differs(
    twin: Twin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(twin, tmp_path, JobPlan(validating_seconds=5, running_seconds=60))
    _crash_after_the_first_upload(monkeypatch)
    with fast_forward(world.clock), pytest.raises(Crash):
        list(world.start())
    monkeypatch.setattr(session_module, "save_manifest", save_manifest)
    recorded = world.files()
    kept = (world.parts / "part-00001.jsonl").stat().st_ino
    (world.parts / "part-00002.jsonl").unlink()
    (world.parts / "part-00003.jsonl").write_bytes(b"not the requests\n")
    (world.parts / ".resume-killed").mkdir()  # a scratch directory a killed resume left
    results = world.run()
    assert sorted(r.custom_id for r in results) == [f"r{i}" for i in range(COUNT)]
    assert all(r.ok for r in results)
    assert world.files() == recorded  # put back, byte for byte; the scratch is gone
    assert (world.parts / "part-00001.jsonl").stat().st_ino == kept  # intact: left alone
    assert world.routes("storage_put") == world.routes("create_batch") == 3
