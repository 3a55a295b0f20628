"""A batch's whole life through the client, against the emulator (both twins).

The emulator runs in-process (`emulator.transport()` / `emulator.async_transport()`) on a
`FakeClock` that the client's own sleeps move forward (`fake_time.listeners`), so a job of
minutes is waited for in no real time and every poll sees the job where it really is. The
last test runs the same over real loopback sockets on a sped-up `SystemClock`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from together_batches import (
    BadRequestError,
    BatchCancelledError,
    BatchErrorGroup,
    BatchFailedError,
    BatchJob,
    BatchStatus,
    FileObject,
)
from together_batches.testing import Emulator, FakeClock, JobPlan, SystemClock

from ._twins import Twin
from .conftest import FakeTime

KEY = "lifecycle-key-0123"
ENDPOINT = "/v1/chat/completions"
MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"
CUSTOM_IDS = [f"req-{i}" for i in range(6)]


def input_jsonl() -> bytes:
    lines = [
        {
            "custom_id": cid,
            "body": {"model": MODEL, "messages": [{"role": "user", "content": f"hi {cid}"}]},
        }
        for cid in CUSTOM_IDS
    ]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


class World:
    """An emulator on a fake clock driven by the client's sleeps, and a client on it."""

    def __init__(self, twin: Twin, fake_time: FakeTime, **emulator: Any) -> None:
        self.clock = FakeClock(start=fake_time.wall)
        fake_time.listeners.append(self.clock.advance)
        self.fake_time = fake_time
        self.emulator = Emulator(api_key=KEY, clock=self.clock, **emulator)
        transport = self.emulator.async_transport() if twin.is_async else self.emulator.transport()
        self.client: Any = twin.client(transport, api_key=KEY, base_url="http://emulator/v1")

    def create(self, plan: JobPlan, file_id: str | None = None) -> BatchJob:
        self.emulator.plan_next(plan)
        if file_id is None:
            file_id = self.emulator.add_file(input_jsonl())
        job = self.client.batches.create_batch(file_id, ENDPOINT)
        assert isinstance(job, BatchJob)
        return job


@pytest.fixture
def world(twin: Twin, fake_time: FakeTime) -> World:
    return World(twin, fake_time)


def read_jsonl(data: bytes) -> list[dict[str, Any]]:
    assert data.endswith(b"\n")
    return [json.loads(line) for line in data.decode().splitlines()]


def test_create_wait_completed_with_rising_progress(world: World) -> None:
    created = world.create(JobPlan(validating_seconds=3, running_seconds=40))
    assert created.status == BatchStatus.VALIDATING and created.progress == 0.0
    assert created.input_file_id is not None and created.endpoint == ENDPOINT
    seen: list[BatchJob] = []
    assert created.id is not None
    job = world.client.batches.wait_until_done(
        created.id, poll_interval=2, max_poll_interval=8, on_progress=seen.append
    )
    assert job.status == BatchStatus.COMPLETED and job.status.is_success
    assert job.progress == 1.0 and job.progress_percent == 100.0
    assert job.created_at is not None and job.completed_at is not None
    assert job.completed_at - job.created_at == dt.timedelta(seconds=43)
    # on_progress: the first poll, every change, and the terminal job, in order.
    assert seen[0].status == BatchStatus.VALIDATING and seen[-1] == job
    assert any(j.status == BatchStatus.IN_PROGRESS and 0 < j.progress < 1 for j in seen)
    progress = [j.progress for j in seen]
    assert progress == sorted(progress) and len(set(progress)) >= 3
    changes = [(j.status, j.progress) for j in seen]
    assert all(a != b for a, b in itertools.pairwise(changes))  # only changes are reported
    # The client's sleeps were the emulator's time: the job was polled while it ran.
    assert 43 <= sum(world.fake_time.sleeps) <= 43 + 8


def test_output_file_is_readable_with_the_documented_lines(world: World) -> None:
    created = world.create(JobPlan(validating_seconds=0, running_seconds=10))
    assert created.id is not None
    job = world.client.batches.wait_until_done(created.id, poll_interval=5)
    assert job.status == BatchStatus.COMPLETED
    assert job.output_file_id is not None and job.error_file_id is None
    meta = world.client.files.retrieve(job.output_file_id)
    content = world.client.files.content(job.output_file_id)
    assert isinstance(meta, FileObject) and isinstance(content, bytes)
    assert meta.id == job.output_file_id and meta.bytes_ == len(content)
    assert meta.purpose == "batch-generated" and meta.file_type == "jsonl"
    assert meta.created is not None and meta.created.tzinfo is not None
    lines = read_jsonl(content)
    # One {"custom_id", "response": {"status_code", "body"}} per request, in any order.
    assert sorted(line["custom_id"] for line in lines) == sorted(CUSTOM_IDS)
    for line in lines:
        assert set(line) == {"custom_id", "response"}
        assert line["response"]["status_code"] == 200
        body = line["response"]["body"]
        assert body["model"] == MODEL
        assert body["choices"][0]["message"]["content"] == f"Echo: hi {line['custom_id']}"


def test_error_file_lists_the_failed_requests(world: World) -> None:
    created = world.create(JobPlan(validating_seconds=0, running_seconds=10, failed_fraction=0.5))
    assert created.id is not None
    job = world.client.batches.wait_until_done(created.id, poll_interval=5)
    assert job.status == BatchStatus.COMPLETED
    assert job.output_file_id is not None and job.error_file_id is not None
    good = read_jsonl(world.client.files.content(job.output_file_id))
    bad = read_jsonl(world.client.files.content(job.error_file_id))
    # One {"custom_id", "error": {"message", "code"}} per failed request.
    for line in bad:
        assert set(line) == {"custom_id", "error"}
        assert isinstance(line["error"]["message"], str) and isinstance(line["error"]["code"], int)
    good_ids = {line["custom_id"] for line in good}
    bad_ids = {line["custom_id"] for line in bad}
    assert len(bad_ids) == 3 and not good_ids & bad_ids and good_ids | bad_ids == set(CUSTOM_IDS)
    meta = world.client.files.retrieve(job.error_file_id)
    assert meta.bytes_ == len(world.client.files.content(job.error_file_id))


@pytest.mark.parametrize(
    ("plan", "status"),
    [
        (JobPlan(validating_seconds=1, running_seconds=100, fail_after_seconds=20), "FAILED"),
        (
            JobPlan(validating_seconds=1, running_seconds=float("inf"), expires_after_seconds=30),
            "EXPIRED",
        ),
    ],
    ids=["failed", "expired"],
)
def test_failed_and_expired_jobs(world: World, plan: JobPlan, status: str) -> None:
    first = world.create(plan)
    second = world.create(plan)
    assert first.id is not None and second.id is not None
    job = world.client.batches.wait_until_done(first.id, poll_interval=2, max_poll_interval=4)
    assert job.status == status and job.status.is_failure and not job.status.is_cancelled
    with pytest.raises(BatchFailedError) as caught:
        world.client.batches.wait_until_done(second.id, raise_on_failure=True, poll_interval=2)
    assert type(caught.value) is BatchFailedError  # not BatchCancelledError
    assert caught.value.job.status == status and second.id in str(caught.value)
    if status == "FAILED":
        assert caught.value.job.error == plan.error and plan.error in str(caught.value)
    else:
        assert caught.value.job.job_deadline == caught.value.job.completed_at


def test_cancel_goes_canceling_then_cancelled(world: World) -> None:
    created = world.create(JobPlan(validating_seconds=0, running_seconds=600, cancel_seconds=5))
    assert created.id is not None
    world.clock.advance(60)
    canceling = world.client.batches.cancel_batch(created.id)
    assert canceling.status == BatchStatus.CANCELING and canceling.progress == 0.1
    seen: list[BatchJob] = []
    job = world.client.batches.wait_until_done(created.id, poll_interval=1, on_progress=seen.append)
    assert [j.status for j in seen] == [BatchStatus.CANCELING, BatchStatus.CANCELLED]
    assert job.status == BatchStatus.CANCELLED and job.status.is_cancelled
    assert job.progress == 0.1  # frozen where the cancel found it
    with pytest.raises(BatchCancelledError) as caught:
        world.client.batches.wait_until_done(created.id, raise_on_failure=True)
    assert caught.value.job.status == BatchStatus.CANCELLED
    # A terminal job cannot be cancelled any more.
    with pytest.raises(BadRequestError, match="Cannot cancel"):
        world.client.batches.cancel_batch(created.id)


def _jobs_finishing_out_of_order(world: World) -> dict[str, str]:
    """Four jobs created in one order, ending in another; returns id -> how it ends."""
    plans = {
        "slow": JobPlan(validating_seconds=0, running_seconds=60),
        "fast": JobPlan(validating_seconds=0, running_seconds=5),
        "fails": JobPlan(validating_seconds=0, running_seconds=100, fail_after_seconds=20),
        "middle": JobPlan(validating_seconds=5, running_seconds=30),
    }
    names: dict[str, str] = {}
    for name, plan in plans.items():
        job = world.create(plan)
        assert job.id is not None
        names[job.id] = name
    return names


def test_as_completed_yields_in_finishing_order(world: World) -> None:
    names = _jobs_finishing_out_of_order(world)
    order = [
        (names[job.id], job.status)
        for job in world.client.batches.as_completed(
            list(names), poll_interval=1, max_poll_interval=3
        )
    ]
    assert order == [
        ("fast", BatchStatus.COMPLETED),
        ("fails", BatchStatus.FAILED),
        ("middle", BatchStatus.COMPLETED),
        ("slow", BatchStatus.COMPLETED),
    ]


def test_wait_all_returns_in_the_order_given(world: World) -> None:
    names = _jobs_finishing_out_of_order(world)
    ids = list(names)
    jobs = world.client.batches.wait_all([*ids, ids[0]], poll_interval=1, max_poll_interval=3)
    assert [j.id for j in jobs] == [*ids, ids[0]]
    assert [j.status for j in jobs] == [
        BatchStatus.COMPLETED,
        BatchStatus.COMPLETED,
        BatchStatus.FAILED,
        BatchStatus.COMPLETED,
        BatchStatus.COMPLETED,
    ]
    assert 60 <= world.fake_time.mono - 1000.0 <= 60 + 3


def test_wait_all_with_raise_on_failure_waits_for_the_others(world: World) -> None:
    names = _jobs_finishing_out_of_order(world)
    with pytest.raises(BatchErrorGroup) as caught:
        world.client.batches.wait_all(list(names), raise_on_failure=True, poll_interval=1)
    group = caught.value
    assert [names[i] for i in group.errors] == ["fails"]
    assert isinstance(next(iter(group.errors.values())), BatchFailedError)
    assert sorted(names[i] for i in group.jobs) == ["fast", "middle", "slow"]


def test_list_batches(world: World) -> None:
    raw = world.emulator.handle("GET", "/v1/batches", {"authorization": f"Bearer {KEY}"})
    assert raw.status == 200 and raw.body == b"null"  # the live API's empty list
    assert world.client.batches.list_batches() == []
    ids = {world.create(JobPlan()).id for _ in range(3)}
    jobs = world.client.batches.list_batches()
    assert len(jobs) == 3 and {j.id for j in jobs} == ids
    assert all(isinstance(j, BatchJob) and j.status == BatchStatus.VALIDATING for j in jobs)


def test_a_made_up_input_and_the_emulators_own_view(world: World) -> None:
    job = world.create(JobPlan(validating_seconds=0, running_seconds=4), file_id="file-unknown")
    assert job.id is not None
    done = world.client.batches.wait_until_done(job.id, poll_interval=1)
    assert done.to_dict() == world.emulator.job(job.id)  # the client's view is the wire's
    assert done.output_file_id is not None
    assert world.client.files.content(done.output_file_id) == world.emulator.file_content(
        done.output_file_id
    )


# --- over real sockets, on real (sped-up) time ------------------------------------------


def test_wait_until_done_over_loopback_on_a_system_clock(twin: Twin) -> None:
    speed = 40.0  # emulated seconds per real second
    emulator = Emulator(
        api_key=KEY,
        clock=SystemClock(speed=speed),
        plan=JobPlan(validating_seconds=4, running_seconds=16),  # 0.5 s of real time
    )
    seen: list[BatchJob] = []
    on_progress: Callable[[BatchJob], object] = seen.append
    with emulator.serve() as base_url:
        client = twin.client(None, api_key=KEY, base_url=base_url, timeout=5.0)
        created = client.batches.create_batch("file-any", ENDPOINT)
        started = time.monotonic()
        job = client.batches.wait_until_done(
            created.id,
            timeout=20,
            poll_interval=0.05,
            max_poll_interval=0.1,
            on_progress=on_progress,
        )
        elapsed = time.monotonic() - started
        files = client.files.content(job.output_file_id)
        client.close()
    assert job.status == BatchStatus.COMPLETED and job.progress == 1.0
    assert seen[-1] == job and len(seen) >= 2
    progress = [j.progress for j in seen]
    assert progress == sorted(progress)
    assert len(read_jsonl(files)) == emulator.synthesized_requests
    assert elapsed < 10.0  # a hang guard only: the job takes ~0.5 s
