"""The workload's state machine: every event's transition (`apply`), the actions planned
from each state (`next_actions`), the same plan after a crash at each step (the state
read back from its JSON), and the retry rounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from together_batches import BatchJob
from together_batches._workload.events import (
    Consumed,
    Created,
    CreateSent,
    Event,
    NotCreated,
    RoundPlanned,
    Seen,
    Uploaded,
    apply,
    new_workload,
)
from together_batches._workload.manifest import to_json, workload_from_json
from together_batches._workload.plan import (
    Action,
    Consume,
    Create,
    FindBatch,
    PlanRound,
    Upload,
    Wait,
    find_batch,
    leftover_name,
    next_actions,
    parts_directory,
    round_prefix,
    seen,
)
from together_batches._workload.records import Part, PartFile, Workload


def files(*counts: int, round_: int = 0) -> list[PartFile]:
    return [
        PartFile(f"p/{round_}-{i}.jsonl", n, 10 * n, f"{round_}{i}" * 32)
        for i, n in enumerate(counts, start=1)
    ]


def start(*counts: int, retry_failed: int = 0) -> Workload:
    return new_workload(
        files(*counts),
        endpoint="/v1/chat/completions",
        model_id="m",
        retry_failed=retry_failed,
        max_requests=5,
        max_bytes=1000,
    )


def after(workload: Workload, *events: Event) -> Workload:
    for event in events:
        workload = apply(workload, event)
    return workload


def crash(workload: Workload) -> Workload:
    """What a resumed run reads: the state as saved, and nothing else."""
    return workload_from_json(to_json(workload))


def plan(workload: Workload) -> list[tuple[Any, ...]]:
    """The actions, compactly: ("upload", 1), ("wait", 2, 3), ("consume", 1, True), ..."""
    return [_short(action) for action in next_actions(workload)]


def _short(action: Action) -> tuple[Any, ...]:
    if isinstance(action, Upload):
        return ("upload", action.part.number)
    if isinstance(action, Create):
        return ("create", action.part.number)
    if isinstance(action, FindBatch):
        return ("find", action.part.number, tuple(sorted(action.known)))
    if isinstance(action, Wait):
        return ("wait", *(p.number for p in action.parts))
    if isinstance(action, Consume):
        return ("consume", action.part.number, action.final)
    assert isinstance(action, PlanRound)
    return ("round", action.round, *(p.number for p in action.sources))


def up(n: int) -> list[Event]:
    return [Uploaded(n, f"file-{n}")]


def made(n: int) -> list[Event]:
    return [*up(n), CreateSent(n, at=1000.0), Created(n, f"b-{n}")]


def ended(n: int, status: str = "COMPLETED") -> list[Event]:
    return [*made(n), Seen(n, status, 1.0, f"out-{n}", None)]


def done(n: int, succeeded: int, leftover: PartFile | None = None) -> list[Event]:
    return [*ended(n), Consumed(n, succeeded, leftover)]


LEFT = PartFile("p/leftover-00001.jsonl", 1, 10, "l" * 64)

# (events after start(3, 2), the plan): every transition of a part, and each plan's order.
TRANSITIONS: list[tuple[str, list[Event], list[tuple[Any, ...]]]] = [
    ("split", [], [("upload", 1), ("upload", 2)]),
    ("one uploaded", up(1), [("upload", 2), ("create", 1)]),
    ("both uploaded", up(1) + up(2), [("create", 1), ("create", 2)]),
    ("create sent", up(1) + up(2) + [CreateSent(1, at=5.0)], [("find", 1, ()), ("create", 2)]),
    (
        "not created",
        [*up(1), CreateSent(1, at=5.0), NotCreated(1), *up(2)],
        [("create", 1), ("create", 2)],
    ),
    ("created", made(1) + up(2), [("create", 2), ("wait", 1)]),
    (
        "find knows the batches",
        made(1) + up(2) + [CreateSent(2, at=5.0)],
        [("find", 2, ("b-1",)), ("wait", 1)],
    ),
    ("both created", made(1) + made(2), [("wait", 1, 2)]),
    ("seen running", made(1) + made(2) + [Seen(1, "IN_PROGRESS", 0.5)], [("wait", 1, 2)]),
    ("seen canceling", made(1) + made(2) + [Seen(1, "CANCELING", 0.5)], [("wait", 1, 2)]),
    (
        "an unknown status is not terminal",
        made(1) + made(2) + [Seen(2, "PAUSED")],
        [("wait", 1, 2)],
    ),
    ("one ended", ended(1) + made(2), [("consume", 1, True), ("wait", 2)]),
    ("one expired", ended(1, "EXPIRED") + made(2), [("consume", 1, True), ("wait", 2)]),
    ("one cancelled", ended(1, "CANCELLED") + made(2), [("consume", 1, True), ("wait", 2)]),
    ("one failed", ended(1, "FAILED") + made(2), [("consume", 1, True), ("wait", 2)]),
    ("one consumed", done(1, 3) + made(2), [("wait", 2)]),
    ("all consumed, no retry", done(1, 2) + done(2, 1), []),
]


@pytest.mark.parametrize(
    ("events", "expected"), [t[1:] for t in TRANSITIONS], ids=[t[0] for t in TRANSITIONS]
)
def test_each_state_plans_its_actions_the_same_after_a_crash(
    events: list[Event], expected: list[tuple[Any, ...]]
) -> None:
    workload = after(start(3, 2), *events)
    assert plan(workload) == expected
    assert crash(workload) == workload
    assert plan(crash(workload)) == expected


def test_a_crash_at_each_step_repeats_no_upload_or_create_and_no_finished_wait() -> None:
    """Walk one part through its life; after each step, a resumed run's plan never
    uploads or creates what is recorded, nor waits for a part seen terminal."""
    steps: list[tuple[str, Event, tuple[Any, ...] | None]] = [
        ("uploaded", Uploaded(1, "file-1"), ("create", 1)),
        ("create sent, answer lost", CreateSent(1, at=7.0), ("find", 1, ())),
        ("created", Created(1, "b-1"), ("wait", 1)),
        ("mid-wait", Seen(1, "IN_PROGRESS", 0.3), ("wait", 1)),
        ("ended", Seen(1, "COMPLETED", 1.0, "out-1"), ("consume", 1, True)),
        # Mid-results: nothing is recorded until the part's results are all read, so a
        # resumed run reads them again (the state is still "ended").
        ("results read", Consumed(1, 4), None),
    ]
    workload = start(4)
    assert plan(crash(workload)) == [("upload", 1)]
    for name, event, expected in steps:
        workload = crash(apply(workload, event))
        assert plan(workload) == ([] if expected is None else [expected]), name


def test_a_batch_found_after_a_crash_is_recorded_or_the_create_is_sent_again() -> None:
    sent = after(start(2), Uploaded(1, "f"), CreateSent(1, at=9.0))
    assert sent.parts[0].creating and sent.parts[0].create_sent_at == 9.0
    assert sent.parts[0].state == "creating"
    found = apply(sent, Created(1, "b-9"))
    assert (found.parts[0].batch_id, found.parts[0].creating) == ("b-9", False)
    assert found.parts[0].create_sent_at is None
    missing = apply(sent, NotCreated(1))
    assert (missing.parts[0].creating, missing.parts[0].create_sent_at) == (False, None)


def test_seen_records_the_batch_and_keeps_a_terminal_status() -> None:
    workload = after(start(2), *made(1), Seen(1, "IN_PROGRESS", 0.25))
    assert (workload.parts[0].status, workload.parts[0].progress) == ("IN_PROGRESS", 0.25)
    final = apply(workload, Seen(1, "EXPIRED", 0.5, "out", "err"))
    part = final.parts[0]
    assert (part.status, part.output_file_id, part.error_file_id) == ("EXPIRED", "out", "err")
    # A slower poll's older answer, after the end: the terminal status stays.
    assert apply(final, Seen(1, "IN_PROGRESS", 0.4)) is final


@pytest.mark.parametrize(
    "event", [Uploaded(1, "file-1"), Created(1, "b-1"), Seen(1, "COMPLETED", 1.0, "out-1")]
)
def test_an_event_that_changes_nothing_leaves_the_same_state(event: Event) -> None:
    workload = after(start(2), *ended(1))
    assert apply(workload, event) is workload  # the driver need not save


INVALID: list[tuple[list[Event], Event, str]] = [
    ([], Uploaded(3, "f"), "the workload has no part 3"),
    ([], Uploaded(0, "f"), "the workload has no part 0"),
    (up(1), Uploaded(1, "other"), "part 1 is uploaded already, as file-1"),
    ([], CreateSent(1, at=0.0), "part 1 cannot be created: it is planned"),
    (made(1), CreateSent(1, at=0.0), "part 1 cannot be created: it is created"),
    ([], Created(1, "b"), "part 1 cannot become batch b: it is planned"),
    (made(1), Created(1, "other"), "part 1 cannot become batch other: it is created (batch b-1)"),
    (up(1), NotCreated(1), "part 1 was not being created: it is uploaded"),
    (up(1), Seen(1, "COMPLETED"), "part 1 has no batch to be seen: it is uploaded"),
    (made(1), Consumed(1, 0), "part 1's results cannot be consumed: it is created"),
    (
        [*made(1), Seen(1, "IN_PROGRESS")],
        Consumed(1, 0),
        "part 1's results cannot be consumed: it is IN_PROGRESS",
    ),
    (done(1, 3), Consumed(1, 3), "part 1's results cannot be consumed: it is consumed already"),
    (ended(1), Consumed(1, 4), "part 1 has 3 requests, not 4 that succeeded"),
    (ended(1), Consumed(1, -1), "part 1 has 3 requests, not -1 that succeeded"),
    (
        ended(1),
        Consumed(1, 2, PartFile("x", 0, 0, "e" * 64)),
        "an empty leftover is recorded as None",
    ),
]


@pytest.mark.parametrize(("events", "event", "message"), INVALID)
def test_an_event_that_cannot_happen_is_refused(
    events: list[Event], event: Event, message: str
) -> None:
    workload = after(start(3, 2), *events)
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        apply(workload, event)


# --- retry rounds --------------------------------------------------------------------------


def test_a_round_is_planned_from_every_part_s_leftover_once_all_are_consumed() -> None:
    left_1 = PartFile("p/leftover-00001.jsonl", 2, 20, "x" * 64)
    left_3 = PartFile("p/leftover-00003.jsonl", 4, 40, "y" * 64)
    workload = after(start(5, 5, 5, retry_failed=2), *done(1, 3, left_1), *done(2, 5))
    assert plan(workload) == [("upload", 3)]  # the round waits for its last part
    workload = after(workload, *ended(3))
    assert plan(workload) == [("consume", 3, False)]  # round 0 of 2 retries: not final
    workload = apply(workload, Consumed(3, 1, left_3))
    assert plan(crash(workload)) == [("round", 1, 1, 3)]
    # The leftovers (2 + 4 lines, in order) split into parts of 5 and 1.
    workload = crash(apply(workload, RoundPlanned(1, tuple(files(5, 1, round_=1)))))
    new = workload.parts[3:]
    assert [(p.number, p.round, p.sources, p.input.requests) for p in new] == [
        (4, 1, (1, 3), 5),
        (5, 1, (3,), 1),
    ]
    assert workload.round == 1 and workload.requests == 15
    assert plan(workload) == [("upload", 4), ("upload", 5)]


def test_retry_rounds_stop_at_retry_failed() -> None:
    left = PartFile("p/leftover-00001.jsonl", 1, 10, "x" * 64)
    workload = after(start(3, retry_failed=2), *done(1, 2, left))
    workload = apply(workload, RoundPlanned(1, tuple(files(1, round_=1))))
    workload = after(workload, *ended(2))
    assert plan(workload) == [("consume", 2, False)]  # round 1 of 2: still retried
    workload = after(workload, Consumed(2, 0, left))
    workload = apply(workload, RoundPlanned(2, tuple(files(1, round_=2))))
    workload = after(workload, *ended(3))
    assert plan(workload) == [("consume", 3, True)]  # round 2 of 2: final
    assert plan(apply(workload, Consumed(3, 0))) == []


def test_no_round_follows_when_nothing_is_left_to_retry() -> None:
    assert plan(after(start(3, 2, retry_failed=1), *done(1, 3), *done(2, 2))) == []


@pytest.mark.parametrize(
    ("retry_failed", "events", "round_", "parts", "message"),
    [
        (
            0,
            [*done(1, 2, LEFT), *done(2, 2)],
            1,
            (1,),
            "round 1 cannot follow round 0 of 0 retry rounds",
        ),
        (1, [*done(1, 2, LEFT), *done(2, 2)], 2, (1,), "round 2 cannot follow round 0 of 1"),
        (1, [*done(1, 2, LEFT)], 1, (1,), "round 0 has parts whose results are not consumed"),
        (
            1,
            [*done(1, 2, LEFT), *done(2, 2)],
            1,
            (2,),
            "round 1's parts must hold exactly the leftovers of round 0",
        ),
        (1, [*done(1, 3), *done(2, 2)], 1, (), "round 1's parts must hold exactly"),
    ],
)
def test_a_round_that_cannot_be_planned_is_refused(
    retry_failed: int, events: list[Event], round_: int, parts: Sequence[int], message: str
) -> None:
    workload = after(start(3, 2, retry_failed=retry_failed), *events)
    with pytest.raises(ValueError, match=message):
        apply(workload, RoundPlanned(round_, tuple(files(*parts, round_=round_))))


def test_a_new_workload_needs_parts_and_a_retry_count() -> None:
    with pytest.raises(ValueError, match="at least one part"):
        new_workload([], endpoint="e", max_requests=1, max_bytes=1)
    for bad in (-1, True, 1.0):
        with pytest.raises(ValueError, match="retry_failed must be an int >= 0"):
            new_workload(files(1), endpoint="e", retry_failed=bad, max_requests=1, max_bytes=1)  # type: ignore[arg-type]


def test_results_offset_follows_the_consumed_parts() -> None:
    workload = after(start(1, 1), *ended(1), Consumed(1, 1, None, results_offset=120))
    assert workload.results_offset == 120
    workload = after(workload, *ended(2), Consumed(2, 1))  # none given: kept
    assert workload.results_offset == 120


# --- the helpers ---------------------------------------------------------------------------

T0 = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)


def job(id_: str, file_id: str, *, at: float = 0.0, **fields: Any) -> BatchJob:
    created = (T0 + dt.timedelta(seconds=at)).isoformat()
    return BatchJob(
        **{
            "id": id_,
            "input_file_id": file_id,
            "endpoint": "/v1/chat/completions",
            "model_id": "m",
            "created_at": created,
            "status": "VALIDATING",
            **fields,
        }
    )


def test_seen_is_the_event_of_a_job() -> None:
    event = seen(
        2,
        BatchJob(id="b", status="COMPLETED", progress=100.0, output_file_id="o", error_file_id="e"),
    )
    assert event == Seen(2, "COMPLETED", 1.0, "o", "e")


@pytest.mark.parametrize(
    ("jobs", "expected"),
    [
        ([], None),
        ([job("b1", "f1")], "b1"),
        ([job("b0", "f0"), job("b1", "f1", at=5), job("b2", "f1", at=9)], "b2"),  # the newest
        ([job("known", "f1", at=9)], None),  # an earlier part's batch of the same file
        ([job("b1", "f1", endpoint="/v1/completions")], None),  # another workload's
        ([job("b1", "f1", model_id="other")], None),
        ([job("b1", "f1", at=-301)], None),  # created before the create was sent
        ([job("b1", "f1", at=-299)], "b1"),  # ... unless within the clock skew
        ([job("b1", "f1", created_at=None)], "b1"),
    ],
)
def test_find_batch(jobs: list[BatchJob], expected: str | None) -> None:
    part = Part(1, 0, files(1)[0], file_id="f1", creating=True, create_sent_at=T0.timestamp())
    found = find_batch(
        part, jobs, endpoint="/v1/chat/completions", model_id="m", known=frozenset({"known"})
    )
    assert found == expected


def test_find_batch_without_a_model_or_a_send_time_matches_on_the_file() -> None:
    part = Part(1, 0, files(1)[0], file_id="f1", creating=True)
    old = job("b1", "f1", at=-10_000, model_id="any")
    assert (
        find_batch(part, [old], endpoint="/v1/chat/completions", model_id=None, known=frozenset())
        == "b1"
    )


def test_names_of_the_workload_s_files() -> None:
    assert parts_directory(Path("runs/w.json")) == Path("runs/w.json.parts")
    assert parts_directory("w") == Path("w.parts")
    assert [round_prefix(r) for r in (0, 1, 12)] == ["part", "retry1", "retry12"]
    assert leftover_name(Part(7, 0, files(1)[0])) == "leftover-00007.jsonl"
