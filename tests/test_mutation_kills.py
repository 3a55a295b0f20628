"""Tests that kill the mutants `make mutation` found alive in the pure modules.

Each test names the behaviour it pins; tests/MUTATION.md lists the mutants that are left out
of the score (message text, and mutants proven equivalent) and why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import httpx
import pytest

from together_batches import BatchJob, BatchStatus, InvalidFieldError, WaitTimeoutError, _status
from together_batches._exceptions import status_error_class
from together_batches._http.ids import check_id
from together_batches._http.retry import (
    Failure,
    RetryPolicy,
    backoff_delay,
    parse_retry_after,
    retry_delay,
)
from together_batches._models import parse_create, parse_job
from together_batches_api import types as T

from . import _wait_core as P

NOW = dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
WHEN = dt.datetime(2024, 1, 15, 9, 5, 7, tzinfo=dt.UTC)

# One Python value per kind of field, as the constructor takes it, and the wire form it gives.
# A field of a kind not listed here fails the round-trip test below until one is added.
SAMPLES: dict[str, tuple[Any, Any]] = {
    T.STR: ("v", "v"),
    T.INT: (7, 7),
    T.FLOAT: (12.5, 12.5),
    T.BOOL: (True, True),
    T.DATETIME: (WHEN, "2024-01-15T09:05:07Z"),
    T.DATE: (dt.date(2024, 1, 15), "2024-01-15"),
    T.ENUM: (BatchStatus.CANCELLED, "CANCELLED"),
}
REQUIRED = {"id": "b1", "status": "IN_PROGRESS"}


def options(**changes: Any) -> P.WaitOptions:
    args: dict[str, Any] = {
        "timeout": None,
        "poll_interval": 2.0,
        "max_poll_interval": 60.0,
        "raise_on_failure": False,
        "cancel_on_timeout": False,
        "request_timeout": None,
    }
    return P.make_options(**{**args, **changes})


# --- the wait core ------------------------------------------------------------------------------


def zero() -> float:
    return 0.0


def status_error(code: int, **headers: str) -> Exception:
    response = httpx.Response(code, headers=headers, request=httpx.Request("GET", "https://x/"))
    return status_error_class(code)("nope", response=response, body=None)


def test_make_options_keeps_max_concurrency() -> None:
    assert options(max_concurrency=3).max_concurrency == 3
    assert options(max_concurrency=1).max_concurrency == 1  # one at a time is allowed
    assert options().max_concurrency == P.DEFAULT_MAX_CONCURRENCY


def test_make_options_keeps_the_flags_as_bools() -> None:
    made = options(raise_on_failure=1, cancel_on_timeout="yes")
    assert made.raise_on_failure is True and made.cancel_on_timeout is True
    made = options(raise_on_failure=0, cancel_on_timeout="")
    assert made.raise_on_failure is False and made.cancel_on_timeout is False


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"poll_interval": "2"}, TypeError, "poll_interval must be a number of seconds, not str"),
        (
            {"poll_interval": 0},
            ValueError,
            "poll_interval must be a finite number of seconds > 0, got 0",
        ),
        (
            {"max_poll_interval": -1.5},
            ValueError,
            "max_poll_interval must be a finite number of seconds > 0, got -1.5",
        ),
        (
            {"timeout": math.nan},
            ValueError,
            "timeout must be a finite number of seconds > 0, got nan",
        ),
        (
            {"request_timeout": [1]},
            TypeError,
            "request_timeout must be a number of seconds, not list",
        ),
        (
            {"poll_interval": 5, "max_poll_interval": 4},
            ValueError,
            "max_poll_interval must be >= poll_interval",
        ),
        ({"max_concurrency": True}, TypeError, "max_concurrency must be an int"),
        ({"max_concurrency": 0}, ValueError, "max_concurrency must be >= 1"),
        ({"on_progress": "print"}, TypeError, "on_progress must be callable"),
        ({"on_poll_error": 3}, TypeError, "on_poll_error must be callable"),
    ],
)
def test_make_options_says_which_argument_is_wrong(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        options(**changes)
    assert str(raised.value) == message


def test_make_options_keeps_the_callbacks() -> None:
    def progress(job: BatchJob) -> None:  # pragma: no cover - kept, never called
        raise AssertionError

    def failed(failure: object) -> None:  # pragma: no cover - kept, never called
        raise AssertionError

    made = options(on_progress=progress, on_poll_error=failed)
    assert made.on_progress is progress and made.on_poll_error is failed
    assert (options().on_progress, options().on_poll_error) == (None, None)


def test_options_from_picks_the_wait_options_out_of_a_methods_arguments() -> None:
    # A wait method's `locals()`: its own arguments besides the options, and no
    # `max_concurrency` or `on_poll_error` (a method that does not take them).
    arguments: dict[str, Any] = {
        "self": object(),
        "batch_job_id": "b1",
        "timeout": 30,
        "poll_interval": 1,
        "max_poll_interval": 4,
        "raise_on_failure": True,
        "cancel_on_timeout": False,
        "request_timeout": 5,
        "on_progress": print,
    }
    assert P.options_from(arguments) == P.WaitOptions(
        timeout=30.0,
        poll_interval=1.0,
        max_poll_interval=4.0,
        raise_on_failure=True,
        request_timeout=5.0,
        on_progress=print,
    )
    with pytest.raises(ValueError) as raised:
        P.options_from({**arguments, "max_concurrency": 0})
    assert str(raised.value) == "max_concurrency must be >= 1"


def test_check_ids_says_it_wants_a_list() -> None:
    with pytest.raises(TypeError) as raised:
        P.check_ids("b1")
    assert str(raised.value) == "batch_job_ids must be an iterable of ids (a list, not one str)"


def test_a_terminal_poll_records_the_job_the_poll_and_the_deadline() -> None:
    tracker = dataclasses.replace(P.start("b1", P.WaitOptions(), 0.0), polls=4)
    job = BatchJob(id="b1", status="COMPLETED", job_deadline=NOW + H)
    step = P.after_poll(tracker, job, P.WaitOptions(), mono_now=10.0, wall_now=NOW, rand=zero)
    assert step.finished is job and step.tracker.job is job
    assert (step.tracker.polls, step.tracker.deadline) == (5, 10.0 + 3600 + 600)


def test_a_polled_job_is_due_again_after_the_delay() -> None:
    tracker = P.start("b1", P.WaitOptions(), 0.0)
    job = BatchJob(id="b1", status="IN_PROGRESS")
    step = P.after_poll(tracker, job, P.WaitOptions(), mono_now=100.0, wall_now=NOW, rand=zero)
    assert (step.delay, step.tracker.due, step.tracker.interval) == (2.0, 102.0, 2.0)


def test_a_survived_failure_keeps_growing_the_interval() -> None:
    tracker = dataclasses.replace(P.start("b1", P.WaitOptions(), 0.0), interval=4.0)
    step = P.after_poll(
        tracker, status_error(503), P.WaitOptions(), mono_now=50.0, wall_now=NOW, rand=zero
    )
    assert (step.delay, step.tracker.interval, step.tracker.due) == (6.0, 6.0, 56.0)
    assert (step.tracker.failures, step.tracker.polls, step.pause_all) == (1, 1, 0.0)


def test_a_failed_poll_reads_an_http_date_hint_against_the_given_wall_clock() -> None:
    error = status_error(503, **{"retry-after": "Mon, 15 Jan 2024 14:31:00 GMT"})
    tracker = P.start("b1", P.WaitOptions(), 0.0)
    step = P.after_poll(tracker, error, P.WaitOptions(), mono_now=0.0, wall_now=NOW, rand=zero)
    assert step.delay == 60.0 and step.tracker.due == 60.0


def test_exactly_a_millisecond_left_is_not_past() -> None:
    assert P.is_past(0.001, 0.0) is False
    assert P.is_past(0.0009, 0.0) is True


def test_a_single_wait_that_saw_no_job_times_out_with_its_limit_in_words() -> None:
    tracker = P.start("b1", P.WaitOptions(), 0.0)
    error = P.timeout_error([tracker], P.WaitOptions(), single=True)
    assert error.job is None and error.pending == {"b1": None}
    assert str(error) == (
        "batch b1 not finished within the job deadline plus grace "
        "(last status None, 0 polls, 0 failed)"
    )
    many = P.timeout_error(
        [tracker, P.start("b2", P.WaitOptions(), 0.0)], P.WaitOptions(), single=False
    )
    assert (
        str(many)
        == "2 batches not finished within the jobs' deadlines plus grace (0 polls, 0 failed)"
    )


def test_a_wait_on_many_with_one_job_left_has_no_job() -> None:
    last = BatchJob(id="b1", status="IN_PROGRESS")
    one = P.Tracker("b1", started=0.0, deadline=1.0, due=0.0, job=last, polls=3)
    error = P.timeout_error([one], P.WaitOptions(timeout=1.0), single=False)
    assert isinstance(error, WaitTimeoutError)
    assert error.job is None and error.pending == {"b1": last} and error.polls == 3
    assert str(error) == "1 batch not finished within 1s (3 polls, 0 failed)"


@pytest.mark.parametrize("order", [["c", "a", "b"], ["a", "c", "b"], ["b", "a", "c"]])
def test_due_queue_ties_go_in_the_order_given_not_by_id(order: list[str]) -> None:
    queue = P.DueQueue()
    for key in order:
        queue.push(key, 1.0)
    assert [queue.pop() for _ in range(3)] == order
    assert queue.next_due() == math.inf


def test_due_queue_next_due_is_the_earliest_due_time() -> None:
    queue = P.DueQueue()
    queue.push("x", 7.5)
    queue.push("y", 9.0)
    assert queue.next_due() == 7.5 and len(queue) == 2


# --- _retry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "positive"),
    [
        ("Fri, 01 Jan 2100 00:00:00 GMT", True),
        ("Mon, 01 Jan 2001 00:00:00 GMT", False),
        ("Fri, 01 Jan 2100 00:00:00 -0000", True),
    ],
)
def test_an_http_date_hint_reads_the_wall_clock_when_now_is_none(
    value: str, positive: bool
) -> None:
    # now=None is what the client passes: the wall clock is read, timezone-aware.
    seconds = parse_retry_after({"retry-after": value}, None)
    assert seconds is not None
    assert (seconds > 0) is positive and seconds >= 0.0


def test_backoff_stops_doubling_after_thirty_retries() -> None:
    # The exponent is capped so that 2.0 ** retry cannot overflow; with no max_delay to cap
    # the delay, the cap shows.
    policy = RetryPolicy(initial_delay=1.0, max_delay=math.inf)
    assert backoff_delay(10_000, policy, zero) == 2.0**30
    assert backoff_delay(30, policy, zero) == 2.0**30
    assert backoff_delay(29, policy, zero) == 2.0**29


def test_retry_delay_reads_an_http_date_hint_against_the_given_clock() -> None:
    delay = retry_delay(
        failure=Failure.STATUS,
        status=503,
        headers={"retry-after": "Mon, 15 Jan 2024 14:30:20 GMT"},
        retries_done=0,
        idempotent=True,
        policy=RetryPolicy(),
        rand=zero,
        now=NOW,
    )
    assert delay == 20.0


# --- _ids ----------------------------------------------------------------------------------


def test_check_id_names_the_argument() -> None:
    with pytest.raises(ValueError) as raised:
        check_id("..")
    assert (
        str(raised.value) == "batch_job_id must be a non-empty id other than '.' and '..', got '..'"
    )
    with pytest.raises(TypeError) as wrong_type:
        check_id(5, name="file_id")
    assert str(wrong_type.value) == "file_id must be a str, not int"


# --- _status -------------------------------------------------------------------------------


def test_an_unknown_status_prints_as_its_value() -> None:
    status = BatchStatus("MUTATION_NEW_STATUS")
    assert str(status) == f"{status}" == "MUTATION_NEW_STATUS" == status
    assert status.value == status.name == "MUTATION_NEW_STATUS"
    assert "MUTATION_NEW_STATUS" in repr(status)


def test_an_unknown_status_is_logged_with_what_it_means(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="together_batches"):
        BatchStatus("MUTATION_LOGGED")
    assert [r.getMessage() for r in caplog.records] == [
        "unknown batch status 'MUTATION_LOGGED': treated as active (not terminal); "
        "a newer together-batches may know it"
    ]


def test_unknown_statuses_are_remembered_up_to_the_cap() -> None:
    made = [BatchStatus(f"MUTATION_CAP_{i}") for i in range(_status._UNKNOWN_CAP)]
    assert BatchStatus(f"MUTATION_CAP_{_status._UNKNOWN_CAP - 1}") is made[-1]
    over = BatchStatus("MUTATION_CAP_OVER")
    assert over == BatchStatus("MUTATION_CAP_OVER") and over is not BatchStatus("MUTATION_CAP_OVER")
    assert len(_status._unknown) == _status._UNKNOWN_CAP


# --- the BatchJob model --------------------------------------------------------------------


def read(job: BatchJob, attr: str) -> Any:
    return job.progress_percent if attr == "progress" else getattr(job, attr)


@pytest.mark.parametrize("field", BatchJob.FIELDS, ids=lambda f: f.attr)
def test_each_constructor_argument_alone_round_trips(field: T.WireField) -> None:
    value, wire = SAMPLES[field.kind]
    job = BatchJob(**{**REQUIRED, field.attr: value})
    assert read(job, field.attr) == value
    expected = dict.fromkeys(f.name for f in BatchJob.FIELDS) | REQUIRED
    assert job.to_dict() == expected | {field.name: wire}
    assert parse_job(job.to_dict()) == job


def test_the_warning_is_kept_and_compared() -> None:
    body = {"id": "b1", "status": "COMPLETED"}
    assert parse_job(body, warning="w").warning == "w"
    assert parse_job(body).warning is None
    assert parse_job(body, warning="w") != parse_job(body)
    assert parse_job(body, warning="w") == parse_job(dict(body), warning="w")
    assert parse_job(body, warning="w") != parse_job(body, warning="v")
    assert parse_create({"job": body, "warning": "slow"}).warning == "slow"
    assert parse_create({"job": body, "warning": ""}).warning is None


def test_a_create_that_is_not_an_object_says_what_it_got() -> None:
    with pytest.raises(T.InvalidPayload) as raised:
        parse_create([])
    assert str(raised.value) == "a create response should be an object, got list"


def test_integral_floats_pass_and_other_floats_fail_their_read() -> None:
    assert parse_job({**REQUIRED, "file_size_bytes": 3.0}).file_size_bytes == 3
    job = parse_job({**REQUIRED, "file_size_bytes": 3.5, "endpoint": 1})
    with pytest.raises(InvalidFieldError, match="endpoint"):
        _ = job.endpoint
    with pytest.raises(InvalidFieldError, match="file_size_bytes"):
        _ = job.file_size_bytes
