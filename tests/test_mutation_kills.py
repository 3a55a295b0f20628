"""Tests that kill the mutants `make mutation` found alive in the pure modules.

Each test names the behaviour it pins; tests/MUTATION.md lists the mutants that are left out
of the score (message text, and mutants proven equivalent) and why.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from together_batches import BatchJob, BatchStatus, WaitTimeoutError
from together_batches import _polling as P
from together_batches._models import parse_create, parse_job
from together_batches._retry import parse_retry_after
from together_batches_api import types as T

NOW = dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC)
WHEN = dt.datetime(2024, 1, 15, 9, 5, 7, tzinfo=dt.UTC)

# One Python value per kind of field, as the constructor takes it, and the wire form it gives.
SAMPLES: dict[str, tuple[Any, Any]] = {
    T.STR: ("v", "v"),
    T.INT: (7, 7),
    T.FLOAT: (12.5, 12.5),
    T.DATETIME: (WHEN, "2024-01-15T09:05:07Z"),
    T.ENUM: (BatchStatus.CANCELLED, "CANCELLED"),
}
REQUIRED = {"id": "b1", "status": "IN_PROGRESS"}


def options(**changes: Any) -> P.WaitOptions:
    args: dict[str, Any] = {
        "timeout": None, "poll_interval": 2.0, "max_poll_interval": 60.0,
        "raise_on_failure": False, "cancel_on_timeout": False, "request_timeout": None,
    }  # fmt: skip
    return P.make_options(**{**args, **changes})


# --- _polling ------------------------------------------------------------------------------


def test_make_options_keeps_max_concurrency() -> None:
    assert options(max_concurrency=3).max_concurrency == 3
    assert options().max_concurrency == P.DEFAULT_MAX_CONCURRENCY


def test_a_wait_on_many_with_one_job_left_has_no_job() -> None:
    last = BatchJob(id="b1", status="IN_PROGRESS")
    one = P.Tracker("b1", started=0.0, deadline=1.0, due=0.0, job=last, polls=3)
    error = P.timeout_error([one], P.WaitOptions(timeout=1.0), single=False)
    assert isinstance(error, WaitTimeoutError)
    assert error.job is None and error.pending == {"b1": last} and error.polls == 3
    assert str(error) == "1 batches not finished within 1s (3 polls, 0 failed)"


def test_due_queue_ties_go_in_the_order_given_not_by_id() -> None:
    queue = P.DueQueue()
    for key in ["c", "a", "b"]:
        queue.push(key, 1.0)
    assert [queue.pop() for _ in range(3)] == ["c", "a", "b"]
    assert queue.next_due() == math.inf


# --- _retry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "positive"),
    [("Fri, 01 Jan 2100 00:00:00 GMT", True), ("Mon, 01 Jan 2001 00:00:00 GMT", False),
     ("Fri, 01 Jan 2100 00:00:00 -0000", True)],
)  # fmt: skip
def test_an_http_date_hint_reads_the_wall_clock_when_now_is_none(
    value: str, positive: bool
) -> None:
    # now=None is what the client passes: the wall clock is read, timezone-aware.
    seconds = parse_retry_after({"retry-after": value}, None)
    assert seconds is not None
    assert (seconds > 0) is positive and seconds >= 0.0


# --- _status -------------------------------------------------------------------------------


def test_an_unknown_status_prints_as_its_value() -> None:
    status = BatchStatus("MUTATION_NEW_STATUS")
    assert str(status) == f"{status}" == "MUTATION_NEW_STATUS" == status
    assert status.value == status.name == "MUTATION_NEW_STATUS"
    assert "MUTATION_NEW_STATUS" in repr(status)


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


def test_integral_floats_pass_and_the_keys_after_them_are_checked() -> None:
    assert parse_job({**REQUIRED, "file_size_bytes": 3.0}).file_size_bytes == 3
    with pytest.raises(T.InvalidPayload, match="endpoint"):
        parse_job({**REQUIRED, "file_size_bytes": 3.0, "endpoint": 1})
    with pytest.raises(T.InvalidPayload, match="file_size_bytes"):
        parse_job({**REQUIRED, "file_size_bytes": 3.5})
