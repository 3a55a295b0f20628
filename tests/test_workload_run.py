"""`client.batches.run` over both twins, against the emulator on a fake clock: a workload of
several parts end to end, a crash at each step then a resume (the emulator's request log
shows nothing uploaded or created twice), a manifest that does not match, retry rounds, and
a part that expires."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from together_batches import BatchResult, InputFileError, ManifestError, WaitTimeoutError
from together_batches._workload import session as session_module
from together_batches._workload import split as split_module
from together_batches._workload.manifest import load_manifest, save_manifest
from together_batches._workload.progress import WorkloadProgress
from together_batches._workload.records import Workload
from together_batches._workload.results import UNFINISHED_CODE
from together_batches.testing import Emulator, FakeClock, JobPlan, fast_forward

from ._twins import Twin

KEY = "sk-workload-run-5c7e21"
ENDPOINT = "/v1/chat/completions"
START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
PLAN = JobPlan(validating_seconds=5, running_seconds=60)
COUNT = 8  # with parts of 3: parts of 3, 3 and 2


class Crash(Exception):
    """The process dies here."""


def requests(count: int = COUNT, changed: int | None = None) -> Iterator[tuple[str, Any]]:
    for i in range(count):
        text = "changed" if i == changed else f"q{i}"
        yield f"r{i}", {"model": "org/m", "messages": [{"role": "user", "content": text}]}


class World:
    def __init__(self, twin: Twin, tmp_path: Path) -> None:
        self.clock = FakeClock(start=START)
        self.emulator = Emulator(api_key=KEY, clock=self.clock, strict_files=True, plan=PLAN)
        emulator = self.emulator
        transport = emulator.async_transport() if twin.is_async else emulator.transport()
        self.client = twin.client(transport, api_key=KEY)
        self.manifest = tmp_path / "w.json"
        self.progress: list[WorkloadProgress] = []

    def start(self, count: int = COUNT, **options: Any) -> Iterator[BatchResult]:
        options.setdefault("max_requests", 3)
        results: Iterator[BatchResult] = self.client.batches.run(
            requests(count, options.pop("changed", None)),
            endpoint=ENDPOINT,
            manifest=self.manifest,
            on_progress=options.pop("on_progress", self.progress.append),
            **options,
        )
        return results

    def run(self, count: int = COUNT, **options: Any) -> list[BatchResult]:
        with fast_forward(self.clock):
            return list(self.start(count, **options))

    def routes(self, route: str) -> int:
        return sum(1 for r in self.emulator.requests if r.route == route)

    def workload(self) -> Workload:
        workload = load_manifest(self.manifest)
        assert workload is not None
        return workload


@pytest.fixture
def world(twin: Twin, tmp_path: Path) -> World:
    return World(twin, tmp_path)


def first(results: Iterator[BatchResult]) -> BatchResult | None:
    """The first result: what raises the errors of a run's start in both twins (the async
    twin's start runs in a worker thread once iteration begins)."""
    return next(iter(results), None)


def outcomes(results: list[BatchResult]) -> dict[str, bool]:
    return {result.custom_id: result.ok for result in results}


def test_a_workload_of_several_parts_runs_end_to_end(world: World) -> None:
    results = world.run()
    assert sorted(r.custom_id for r in results) == sorted(f"r{i}" for i in range(COUNT))
    assert all(r.ok for r in results)
    assert world.routes("storage_put") == world.routes("create_batch") == 3
    workload = world.workload()
    assert [p.input.requests for p in workload.parts] == [3, 3, 2]
    assert all(p.consumed and p.status == "COMPLETED" for p in workload.parts)
    last = world.progress[-1]
    assert (last.total, last.succeeded, last.failed, last.parts_consumed) == (COUNT, COUNT, 0, 3)
    assert dict(last.parts) == {"COMPLETED": 3}
    seen = len(world.emulator.requests)
    assert world.run() == []  # finished: nothing is sent, waited for, or handed on again
    assert len(world.emulator.requests) == seen


def test_custom_ids_repeated_across_parts_are_refused_before_anything_is_sent(
    world: World,
) -> None:
    repeated = [*requests(4), ("r1", {"model": "org/m", "messages": []})]
    with pytest.raises(InputFileError, match="r1"):  # async: at the first step
        first(
            world.client.batches.run(
                repeated, endpoint=ENDPOINT, manifest=world.manifest, max_requests=3
            )
        )
    assert world.emulator.requests == []


def test_a_manifest_that_does_not_match_is_refused_before_anything_is_sent(
    world: World,
) -> None:
    world.run()
    seen = len(world.emulator.requests)
    with pytest.raises(ManifestError, match="its part 2"):
        first(world.start(changed=4))
    with pytest.raises(ManifestError, match="retry_failed=0, and this run has 1"):
        first(world.start(retry_failed=1))
    assert len(world.emulator.requests) == seen


Predicate = Callable[[Workload], bool]
# Each crash comes at the first save of a state that the predicate accepts: `before` the
# save (the call was answered, the answer lost) or after it.
CRASHES: dict[str, tuple[Predicate, bool]] = {
    "upload answered, not saved": (lambda w: w.parts[1].file_id is not None, True),
    "uploaded": (lambda w: w.parts[1].file_id is not None, False),
    "create about to be sent": (lambda w: w.parts[1].creating, True),
    "create sent": (lambda w: w.parts[1].creating, False),
    "created, answer not saved": (lambda w: w.parts[1].batch_id is not None, True),
    "created": (lambda w: w.parts[1].batch_id is not None, False),
    "mid-wait": (lambda w: w.parts[0].status == "IN_PROGRESS", False),
    "ended, not saved": (lambda w: w.parts[0].status == "COMPLETED", True),
    "consumed, not saved": (lambda w: w.parts[0].consumed, True),
}


@pytest.mark.parametrize("where", list(CRASHES))
def test_a_crash_then_a_resume_uploads_and_creates_nothing_twice(
    world: World, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    accepts, before = CRASHES[where]

    def crashing(path: Path, workload: Workload) -> None:
        if before and accepts(workload):
            raise Crash(where)
        save_manifest(path, workload)
        if accepts(workload):
            raise Crash(where)

    handed: list[BatchResult] = []
    monkeypatch.setattr(session_module, "save_manifest", crashing)
    with fast_forward(world.clock), pytest.raises(Crash):
        handed.extend(world.start())
    monkeypatch.setattr(session_module, "save_manifest", save_manifest)
    handed.extend(world.run())
    assert outcomes(handed) == {f"r{i}": True for i in range(COUNT)}
    assert world.routes("storage_put") == 3  # a lost upload's answer: the 409 names the file
    assert world.routes("create_batch") == 3  # a lost create's answer: the batch is found
    assert all(p.consumed for p in world.workload().parts)


def test_stopping_mid_results_then_resuming_hands_on_that_part_again(world: World) -> None:
    with fast_forward(world.clock):
        results = world.start()
        first = next(results)
    del results
    handed = [first, *world.run()]
    assert outcomes(handed) == {f"r{i}": True for i in range(COUNT)}
    assert len(handed) == COUNT + 1  # the part being read is read again (at least once)
    assert world.routes("storage_put") == world.routes("create_batch") == 3


def test_retry_rounds_recover_the_failures(world: World) -> None:
    world.emulator.plan_next(*[JobPlan(5, 60, failed_fraction=0.5)] * 3)
    results = world.run(retry_failed=1)
    assert outcomes(results) == {f"r{i}": True for i in range(COUNT)}
    assert len(results) == COUNT  # each request's outcome once: its last attempt's
    workload = world.workload()
    assert workload.round == 1
    retried = sum(p.input.requests for p in workload.parts if p.round == 1)
    assert retried == sum(p.leftover.requests for p in workload.parts if p.leftover) > 0
    assert world.routes("create_batch") == 3 + len([p for p in workload.parts if p.round == 1])


def test_retry_rounds_stop_at_n(world: World) -> None:
    world.emulator.plan_next(*[JobPlan(5, 60, failed_fraction=1.0)] * 20)
    results = world.run(retry_failed=2)
    assert outcomes(results) == {f"r{i}": False for i in range(COUNT)}
    assert len(results) == COUNT
    workload = world.workload()
    assert workload.round == 2
    assert world.routes("create_batch") == 9  # three rounds of three parts, no fourth
    # Each round's parts hold the same bytes as the first's: uploaded once (409 after).
    assert world.routes("storage_put") == 3
    assert world.progress[-1].failed == COUNT


def test_a_part_that_expires_gives_its_unrun_requests_a_failed_record(world: World) -> None:
    # Keyed on a request of part 2, not on the order of the (concurrent) creates.
    expiring = JobPlan(5, running_seconds=1000, expires_after_seconds=505)
    world.emulator.plan_for("r3", expiring)
    results = world.run()
    statuses = [p.status for p in world.workload().parts]
    assert statuses == ["COMPLETED", "EXPIRED", "COMPLETED"]
    assert len(results) == COUNT and set(outcomes(results)) == {f"r{i}" for i in range(COUNT)}
    unrun = [r for r in results if not r.ok]
    assert unrun and all(r.code == UNFINISHED_CODE for r in unrun)
    assert {r.custom_id for r in unrun} <= {"r3", "r4", "r5"}


def test_an_expired_part_is_retried(world: World) -> None:
    expiring = JobPlan(5, running_seconds=1000, expires_after_seconds=505)
    world.emulator.plan_for("r3", expiring)
    results = world.run(retry_failed=1)
    assert outcomes(results) == {f"r{i}": True for i in range(COUNT)}
    assert world.workload().round == 1


def test_the_manifest_is_json_naming_every_part(world: World) -> None:
    world.run()
    data = json.loads(world.manifest.read_text())
    assert [part["status"] for part in data["parts"]] == ["COMPLETED"] * 3
    assert all(part["batch_id"] and part["file_id"] for part in data["parts"])


def test_a_lost_create_answer_is_found_in_the_list_not_created_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crashing(path: Path, workload: Workload) -> None:
        if workload.parts[0].batch_id is not None:
            raise Crash("the create was answered, the answer lost")
        save_manifest(path, workload)

    monkeypatch.setattr(session_module, "save_manifest", crashing)
    with fast_forward(world.clock), pytest.raises(Crash):
        list(world.start())
    monkeypatch.setattr(session_module, "save_manifest", save_manifest)
    world.run()
    assert world.routes("list_batches") >= 1 and world.routes("create_batch") == 3
    parts = world.workload().parts
    assert sorted(p.batch_id or "" for p in parts) == sorted(world.emulator.job_ids)
    for part in parts:  # each found batch is the part's own
        assert part.batch_id is not None
        assert world.emulator.job(part.batch_id)["input_file_id"] == part.file_id


def test_a_resume_does_not_wait_for_or_read_a_consumed_part_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crashing(path: Path, workload: Workload) -> None:
        save_manifest(path, workload)
        if any(part.consumed for part in workload.parts):
            raise Crash("after the first part's results")

    monkeypatch.setattr(session_module, "save_manifest", crashing)
    with fast_forward(world.clock), pytest.raises(Crash):
        list(world.start())
    monkeypatch.setattr(session_module, "save_manifest", save_manifest)
    (consumed,) = [part for part in world.workload().parts if part.consumed]
    world.emulator.requests.clear()
    handed = world.run()
    first = 3 * (consumed.number - 1)  # parts of 3
    assert {r.custom_id for r in handed} == {f"r{i}" for i in range(COUNT)} - {
        f"r{i}" for i in range(first, first + consumed.input.requests)
    }
    touched = {r.path_id for r in world.emulator.requests}
    assert consumed.batch_id not in touched and consumed.output_file_id not in touched


def test_a_run_that_times_out_goes_on_when_run_again(world: World) -> None:
    with fast_forward(world.clock), pytest.raises(WaitTimeoutError):
        list(world.start(timeout=30))  # the jobs take 65 s
    assert world.routes("create_batch") == 3
    results = world.run()
    assert outcomes(results) == {f"r{i}": True for i in range(COUNT)}
    assert world.routes("create_batch") == world.routes("storage_put") == 3


def test_a_jsonl_file_runs_as_its_requests(world: World, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = (json.dumps({"custom_id": cid, "body": body}) for cid, body in requests())
    source.write_text("".join(line + "\n" for line in lines))
    with fast_forward(world.clock):
        results = list(
            world.client.batches.run(
                source, endpoint=ENDPOINT, manifest=world.manifest, max_requests=3
            )
        )
    assert outcomes(results) == {f"r{i}": True for i in range(COUNT)}
    assert len(world.workload().parts) == 3


def test_a_cancelled_part_is_retried(world: World) -> None:
    # Someone cancels part 2's batch while it runs (straight at the emulator, as another
    # program would); the retry round runs its requests again.
    cancelled: list[str] = []

    def cancel_part_2(progress: WorkloadProgress) -> None:
        part = world.workload().parts[1]
        if part.status == "IN_PROGRESS" and part.batch_id and not cancelled:
            cancelled.append(part.batch_id)
            headers = {"authorization": f"Bearer {KEY}", "host": "api.example.test"}
            answer = world.emulator.handle("POST", f"/v1/batches/{part.batch_id}/cancel", headers)
            assert answer.status == 200

    with fast_forward(world.clock):
        results = list(
            world.client.batches.run(
                requests(),
                endpoint=ENDPOINT,
                manifest=world.manifest,
                max_requests=3,
                retry_failed=1,
                on_progress=cancel_part_2,
            )
        )
    assert cancelled
    workload = world.workload()
    assert workload.parts[1].status == "CANCELLED"
    assert workload.parts[1].succeeded is not None and workload.parts[1].succeeded < 3
    assert outcomes(results) == {f"r{i}": True for i in range(COUNT)}
    assert len(results) == COUNT


def test_the_async_twin_splits_and_checks_off_the_event_loop_s_thread(
    world: World, twin: Twin, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    split = split_module.split_requests

    def recording(*args: Any, **options: Any) -> Any:
        threads.append(threading.current_thread())
        return split(*args, **options)

    monkeypatch.setattr(session_module, "split_requests", recording)
    assert len(world.run()) == COUNT
    (thread,) = threads
    # The async twin's loop runs in this thread (tests/_twins.py): its split did not.
    assert (thread is threading.main_thread()) is not twin.is_async
