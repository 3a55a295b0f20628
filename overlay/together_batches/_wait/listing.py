"""When one `GET /batches` answers for many jobs of a wait, instead of a get per job.

Part of the wait core: pure, no I/O. The list endpoint answers every job of the account in one
request (no pagination), so a round of many due jobs can ask it once instead of polling each
job. Whether that is cheaper depends on the account: its list may hold 50 jobs or 100,000.
`use_list` decides from what the wait last measured (`ListSize`: the last list's jobs and
bytes, and how many of the jobs it stood for it held), pricing each request at its own
cost, not only its body: its overhead and the rate-limit slot it takes. Table-tested in
tests/test_wait_listing.py.

What a round is, and which jobs a list answers for, is `in_round`; what a failed list means
for the jobs it stood for is `list_failure`; the measured list call is `list_call`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import httpx

from together_batches_api.types import InvalidPayload

from .._exceptions import APIResponseValidationError, AuthenticationError
from .._http import calls as _calls
from .._http import json as _json
from .._models import BatchJob, parse_job_list
from .options import JITTER
from .state import Tracker, is_transient

__all__ = [
    "MIN_LIST_JOBS",
    "PROBE_JOBS",
    "RATE_SLOT_BYTES",
    "REPROBE_AFTER",
    "REQUEST_OVERHEAD_BYTES",
    "ListFailure",
    "ListSize",
    "Listed",
    "in_round",
    "list_call",
    "list_failure",
    "read_list",
    "use_list",
]

# A request's own cost, in the bytes of list body that cost as much. The client's CPU for one
# get (sending it, reading headers, the parse of one job) is about what reading 48 KiB of a
# list costs it (bench: a get ~0.35 ms of client time; a 10,000-job, 4.2 MB list ~25 ms,
# ~6 us per KiB); the bytes on the wire (headers both ways, ~1 KiB) are in it too.
REQUEST_OVERHEAD_BYTES = 48 * 1024
# Each request counts once against the account's rate limit, whatever its size: a list of
# 1,000 jobs takes one slot, 1,000 gets take 1,000. Priced on top of the overhead.
RATE_SLOT_BYTES = 16 * 1024
# A round of fewer due jobs never lists: one job is always a get (a `wait_until_done`, the
# last job of a wait), since the list holds at least that job's bytes too.
MIN_LIST_JOBS = 2
# Before any list is measured its size is unknown (an account may hold 100,000 jobs, 40 MB):
# only a round of this many due jobs tries one, to measure it.
PROBE_JOBS = 32
# A list that held fewer than half of the jobs it stood for (jobs created moments ago may
# not be listed yet) is tried again after this many seconds, if the round is large enough.
REPROBE_AFTER = 300.0
# The body of a get when no list has said how large a job is (a job is ~400-500 bytes).
DEFAULT_JOB_BYTES = 512


@dataclass(frozen=True, slots=True)
class ListSize:
    """What the last list answer measured.

    Attributes:
        jobs: The jobs it held (the account's, not only the wait's).
        size: Its body's length in bytes.
        asked: The wait's jobs it stood for (its round).
        found: How many of those it held.
        at: When it answered (monotonic seconds).
    """

    jobs: int
    size: int
    asked: int
    found: int
    at: float


def use_list(due: int, last: ListSize | None, now: float) -> bool:
    """Whether a round of `due` jobs asks one list instead of a get per job.

    The cost of a request is its `REQUEST_OVERHEAD_BYTES` and `RATE_SLOT_BYTES` plus its body.
    A list round costs one list (the last list's size) plus a get for each job it is not
    expected to hold (in the proportion the last list missed); the other way costs a get
    per job, each about one job's bytes of the last list.

    Args:
        due: The jobs of the round.
        last: The last list's measure, or None before any.
        now: Monotonic seconds (for `REPROBE_AFTER`).

    Returns:
        False for fewer than `MIN_LIST_JOBS`; with no measure, or a stale one that missed
        most of its jobs, True from `PROBE_JOBS` jobs; True when the jobs expected in the list
        are most of it (more than half its jobs); else True when the list round costs less.
    """
    if due < MIN_LIST_JOBS:
        return False
    if last is None or (2 * last.found < last.asked and now - last.at >= REPROBE_AFTER):
        return due >= PROBE_JOBS
    listed = due * last.found / last.asked if last.asked else 0.0
    if 2 * listed > last.jobs:  # the jobs waited on are most of the account's list
        return True
    per_request = REQUEST_OVERHEAD_BYTES + RATE_SLOT_BYTES
    get = per_request + (last.size / last.jobs if last.jobs else DEFAULT_JOB_BYTES)
    return per_request + last.size + (due - listed) * get < due * get


def in_round(tracker: Tracker, now: float) -> bool:
    """Whether a list sent at `now` answers for this job: it is due, or its jitter could
    have made it due by now (due within `JITTER` of its interval). So the jobs polled
    together last time, whose delays the jitter spread over a tenth of their interval,
    are polled together again; a job answered early is at most that much early."""
    return tracker.due - JITTER * (tracker.interval or 0.0) <= now


class ListFailure(enum.Enum):
    """What a failed list means for the jobs it stood for (see `list_failure`)."""

    #: A failed poll of each job: its `on_poll_error`, backoff, `retry-after`, a 429's pause
    #: of every poll; a 401 ends the wait, as a get's would.
    EACH = "each"
    #: Not the jobs' trouble but the list's (a status a get would not see, a body that is
    #: not a list of jobs): the round's jobs are polled by gets at once, and this wait lists
    #: no more.
    GETS = "gets"


def list_failure(error: Exception) -> ListFailure:
    """How a failed list counts for the jobs it stood for.

    A connection error, a timeout, 408, 429 and 5xx (what a get would survive) and 401 (a
    bad key, which a get would meet too) count as that poll failing for each job; any other
    status (400, 403, 404, 501...) and a body that is not a list of jobs say the list cannot
    serve this wait: its jobs fall back to gets, so that a job's own 404 is still its own.
    """
    if isinstance(error, AuthenticationError):
        return ListFailure.EACH
    if isinstance(error, APIResponseValidationError) or not is_transient(error):
        return ListFailure.GETS
    return ListFailure.EACH


@dataclass(frozen=True, slots=True)
class Listed:
    """A list answer: its jobs by id and its body's length.

    Attributes:
        jobs: The listed jobs by id.
        count: The jobs in the answer.
        size: The body's length in bytes.
    """

    jobs: dict[str, BatchJob]
    count: int
    size: int


def read_list(status: int, headers: httpx.Headers, content: bytes) -> Listed:
    """Read a 2xx list answer (the key already masked in `content`), keeping its size.

    Raises:
        InvalidPayload: The body is not JSON, or not a list of jobs.
    """
    try:
        data = _json.loads(content)
    except ValueError:
        raise InvalidPayload("response is not JSON") from None
    jobs = parse_job_list(data)
    return Listed({job.id: job for job in jobs}, len(jobs), len(content))


def _decoded(data: object) -> Listed:
    # `decode` hands every answer of a call with `parse_answer` to it: never to `parse`.
    raise AssertionError("unreachable: read_list reads the list's answers")


def list_call() -> _calls.Call[Listed]:
    """GET /batches, read by `read_list`: the same request as `Batches.list`, its answer
    measured. (`parse_answer` gets the body with the key masked, as every body is read.)"""
    request = _calls.list_batches().request
    return _calls.Call(request, idempotent=True, parse=_decoded, parse_answer=read_list)
