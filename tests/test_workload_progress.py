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
    attempt_credit,
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
    # The 10 to retry count their first attempt's share; part 2, half of its round's share.
    assert view.processed == pytest.approx(30 + 10 * 0.9 + 30 * 0.9 * 0.5)


@pytest.mark.parametrize(
    ("round_", "retry_failed", "credit"),
    [
        (0, 0, 0.0),
        (1, 0, 1.0),  # past the last round: final
        (0, 2, 0.0),
        (1, 2, 0.9),
        (2, 2, 0.99),
        (3, 2, 1.0),
    ],
)
def test_attempt_credit(round_: int, retry_failed: int, credit: float) -> None:
    assert attempt_credit(round_, retry_failed) == pytest.approx(credit)


def test_processed_never_goes_back_across_consumes_and_retry_rounds() -> None:
    # Every change a run makes, in order; the percentage went 77 % then 75 % when a part's
    # failures left for a retry round and stopped counting.
    events: list[Event] = [
        Seen(1, "IN_PROGRESS", 0.5),
        Seen(1, "COMPLETED", 1.0),
        Consumed(1, 30, PartFile("l1", 10, 10, "a" * 64)),
        CreateSent(3, at=0),
        Created(3, "b3"),
        Uploaded(4, "f4"),
        CreateSent(4, at=0),
        Created(4, "b4"),
        Seen(2, "COMPLETED", 1.0),
        Consumed(2, 20, PartFile("l2", 10, 10, "b" * 64)),
        *(Seen(n, "COMPLETED", 1.0) for n in (3, 4)),
        Consumed(3, 20),
        Consumed(4, 5, PartFile("l4", 5, 5, "c" * 64)),
        RoundPlanned(1, (PartFile("r1", 25, 25, "r" * 64),)),
        Uploaded(5, "f5"),
        CreateSent(5, at=0),
        Created(5, "b5"),
        Seen(5, "IN_PROGRESS", 0.4),
        Seen(5, "COMPLETED", 1.0),
        Consumed(5, 20, PartFile("l5", 5, 5, "d" * 64)),
        RoundPlanned(2, (PartFile("r2", 5, 5, "s" * 64),)),
        Uploaded(6, "f6"),
        CreateSent(6, at=0),
        Created(6, "b6"),
        Seen(6, "FAILED", 0.0),
        Consumed(6, 0),
    ]
    made = workload(retry_failed=2)
    seen = [snapshot(made).processed]
    for event in events:
        made = apply(made, event)
        seen.append(snapshot(made).processed)
    assert seen == sorted(seen), seen
    view = snapshot(made)
    assert (view.succeeded, view.failed, view.pending) == (95, 5, 0)
    assert view.processed == pytest.approx(100.0)


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
    assert (view.succeeded, view.failed, view.pending) == (94, 6, 0)
    assert view.processed == pytest.approx(100.0) and view.fraction == pytest.approx(1.0)


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
