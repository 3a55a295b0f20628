"""One progress view over all of a workload's parts and rounds, and its time left."""

from __future__ import annotations

import pytest

from together_batches._workload.events import (
    Consumed,
    Created,
    CreateSent,
    Event,
    RoundPlanned,
    Seen,
    Uploaded,
    apply,
    new_workload,
)
from together_batches._workload.progress import (
    STATE_ORDER,
    Sample,
    WorkloadProgress,
    sample,
    snapshot,
    time_left,
)
from together_batches._workload.records import PartFile, Workload


def files(*counts: int) -> list[PartFile]:
    return [PartFile(f"p{i}", n, n, f"{i}" * 64) for i, n in enumerate(counts)]


def workload(retry_failed: int = 0) -> Workload:
    """Four parts: 100 requests, one in each early state."""
    made = new_workload(
        files(40, 30, 20, 10),
        endpoint="e",
        retry_failed=retry_failed,
        max_requests=50,
        max_bytes=100,
    )
    events: list[Event] = [
        Uploaded(1, "f1"),
        CreateSent(1, at=0),
        Created(1, "b1"),
        Uploaded(2, "f2"),
        CreateSent(2, at=0),
        Created(2, "b2"),
        Seen(2, "IN_PROGRESS", 0.5),
        Uploaded(3, "f3"),
    ]
    for event in events:
        made = apply(made, event)
    return made


def test_a_workload_just_started() -> None:
    view = snapshot(workload())
    assert (view.total, view.succeeded, view.failed, view.pending) == (100, 0, 0, 100)
    assert view.processed == 15.0 and view.fraction == 0.15  # half of part 2's 30
    assert dict(view.parts) == {"planned": 1, "uploaded": 1, "created": 1, "IN_PROGRESS": 1}
    assert list(view.parts) == ["planned", "uploaded", "created", "IN_PROGRESS"]
    assert (view.parts_consumed, view.round, view.retry_failed) == (0, 0, 0)
    assert view.time_left is None  # no samples given


def finished(retry_failed: int) -> Workload:
    """Part 1 ended and consumed: 30 of its 40 ok, 10 left over."""
    left = PartFile("left", 10, 10, "l" * 64) if retry_failed else None
    made = apply(workload(retry_failed), Seen(1, "EXPIRED", 0.8, "o1"))
    return apply(made, Consumed(1, 30, left))


def test_failures_of_the_last_round_are_outcomes() -> None:
    view = snapshot(finished(retry_failed=0))
    assert (view.succeeded, view.failed, view.pending) == (30, 10, 60)
    assert view.processed == 40 + 15
    assert dict(view.parts) == {"planned": 1, "uploaded": 1, "IN_PROGRESS": 1, "EXPIRED": 1}
    assert view.parts_consumed == 1


def test_failures_that_will_be_retried_are_pending() -> None:
    view = snapshot(finished(retry_failed=1))
    assert (view.succeeded, view.failed, view.pending) == (30, 0, 70)
    assert view.processed == 30 + 15


def test_a_retry_round_s_parts_count_toward_the_same_total() -> None:
    made = finished(retry_failed=1)
    events: list[Event] = [
        CreateSent(3, at=0),
        Created(3, "b3"),
        Uploaded(4, "f4"),
        CreateSent(4, at=0),
        Created(4, "b4"),
        *(Seen(n, "COMPLETED", 1.0) for n in (2, 3, 4)),
        Consumed(2, 30),
        Consumed(3, 20),
        Consumed(4, 10),
    ]
    for event in events:
        made = apply(made, event)
    made = apply(made, RoundPlanned(1, (PartFile("r1", 10, 10, "r" * 64),)))
    made = apply(made, Uploaded(5, "f5"))
    view = snapshot(made)
    assert (view.total, view.succeeded, view.failed, view.round) == (100, 90, 0, 1)
    assert dict(view.parts) == {"uploaded": 1, "COMPLETED": 3, "EXPIRED": 1}
    made = apply(made, CreateSent(5, at=0))
    made = apply(made, Created(5, "b5"))
    made = apply(made, Seen(5, "COMPLETED", 1.0))
    made = apply(made, Consumed(5, 4))
    view = snapshot(made)
    assert (view.succeeded, view.failed, view.pending, view.processed) == (94, 6, 0, 100.0)
    assert view.fraction == 1.0


@pytest.mark.parametrize(
    ("since", "now", "total", "expected"),
    [
        (Sample(0, 0), Sample(10, 25), 100, 30.0),  # 2.5 a second, 75 to go
        (Sample(100, 50), Sample(110, 60), 100, 40.0),  # the rate since the sample only
        (Sample(0, 10), Sample(10, 10), 100, None),  # no progress: no estimate
        (Sample(0, 20), Sample(10, 10), 100, None),  # backwards (a part consumed, retried)
        (Sample(5, 0), Sample(5, 10), 100, None),  # no time between the samples
        (Sample(0, 0), Sample(10, 100), 100, 0.0),  # all processed
    ],
)
def test_time_left(since: Sample, now: Sample, total: int, expected: float | None) -> None:
    assert time_left(since, now, total) == expected


def test_the_snapshot_estimates_from_the_sample_it_is_given() -> None:
    before = workload()
    start = sample(before, at=1000.0)
    assert start == Sample(1000.0, 15.0)
    later = apply(before, Seen(2, "IN_PROGRESS", 1.0))  # 15 more requests in 30 s
    view = snapshot(later, since=start, now=1030.0)
    assert view.processed == 30.0 and view.time_left == pytest.approx(70 * 2.0)
    assert snapshot(later, since=start).time_left is None  # no "now": no estimate


def test_states_are_listed_in_their_order_unknown_ones_last() -> None:
    assert STATE_ORDER[:4] == ("planned", "uploaded", "creating", "created")
    made = apply(workload(), Seen(1, "PAUSED", 0.0))
    assert list(snapshot(made).parts) == ["planned", "uploaded", "IN_PROGRESS", "PAUSED"]


def test_an_empty_total_is_complete() -> None:
    view = WorkloadProgress(0, 0, 0, 0.0, snapshot(workload()).parts, 0, 0, 0)
    assert view.fraction == 1.0 and view.pending == 0
