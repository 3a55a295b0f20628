"""When a wait's round asks one list instead of a get per job (`_wait.listing`), and how the
wait core (`_wait.core.WaitCore`) runs a list round: tables, pure, no I/O.

The engines' part (send the list, settle its answer, call back) is played by hand here, as in
tests/test_wait_run.py; the same rounds over both twins against the emulator are in
tests/test_wait_list_rounds.py.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import httpx
import pytest

from together_batches import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BatchJob,
    BatchStatus,
)
from together_batches._exceptions import status_error_class
from together_batches._http import calls as _calls
from together_batches._wait.callbacks import PollFailure
from together_batches_api.types import InvalidPayload

from . import _wait_core as P

NOW = dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC)
REQUEST = P.REQUEST_OVERHEAD_BYTES + P.RATE_SLOT_BYTES  # a request's own cost: 64 KiB


def zero() -> float:
    return 0.0


def job(batch_job_id: str, status: str = "IN_PROGRESS", **fields: Any) -> BatchJob:
    return BatchJob(id=batch_job_id, status=BatchStatus(status), **fields)


def status_error(code: int, **headers: str) -> Exception:
    response = httpx.Response(code, headers=headers, request=httpx.Request("GET", "https://x/"))
    return status_error_class(code)("nope", response=response, body=None)


def size(jobs: int, size: int, asked: int, found: int, at: float = 0.0) -> P.ListSize:
    return P.ListSize(jobs=jobs, size=size, asked=asked, found=found, at=at)


# --- the decision ----------------------------------------------------------------------------

TEN_K = size(10_000, 4_200_000, 100, 100)  # an account of 10,000 jobs, 420 bytes each
HALF_FOUND = size(10_000, 4_200_000, 100, 50)  # the last list held half the jobs it stood for
HUGE_JOBS = size(10, 10_000_000, 6, 6)  # 1 MB a job: bytes alone would never list
SMALL = size(100, 42_000, 40, 20)  # exactly half found: no re-probe
EMPTY = size(0, 4, 40, 0)  # `null`: none of the wait's jobs listed
NONE_ASKED = size(5, 2_000, 0, 0)


@pytest.mark.parametrize(
    ("due", "last", "now", "expected"),
    [
        # Before any list: only a round of PROBE_JOBS tries one (its size is unknown).
        (0, None, 0.0, False),
        (1, None, 0.0, False),
        (31, None, 0.0, False),
        (32, None, 0.0, True),
        (1000, None, 0.0, True),
        # A 10,000-job list costs 64 KiB + 4.2 MB; a get 64 KiB + 420 bytes: 65 gets cost more.
        (64, TEN_K, 0.0, False),
        (65, TEN_K, 0.0, True),
        (1000, TEN_K, 0.0, True),
        # Half of them missing from it: each missing one costs a get as well.
        (129, HALF_FOUND, 0.0, False),
        (130, HALF_FOUND, 0.0, True),
        # The jobs waited on are most of the list: it wins whatever its bytes.
        (6, HUGE_JOBS, 0.0, True),
        (5, HUGE_JOBS, 0.0, False),
        # A list of one job is never asked for one job (MIN_LIST_JOBS), but for two it is.
        (1, size(1, 400, 1, 1), 0.0, False),
        (2, size(1, 400, 1, 1), 0.0, True),
        # Half found: the estimate of the missing ones, without a re-probe.
        (2, SMALL, 1000.0, False),
        (3, SMALL, 1000.0, False),
        (4, SMALL, 1000.0, True),
        (40, SMALL, 1000.0, True),
        # None of the wait's jobs listed: gets, until REPROBE_AFTER has passed.
        (40, EMPTY, 0.0, False),
        (40, EMPTY, 299.9, False),
        (40, EMPTY, 300.0, True),
        (31, EMPTY, 300.0, False),
        (40, size(0, 4, 40, 0, at=50.0), 349.0, False),
        (40, size(0, 4, 40, 0, at=50.0), 350.0, True),
        # A measure of a list that stood for no job expects none listed.
        (40, NONE_ASKED, 0.0, False),
        (40, size(1, 400, 0, 0), 0.0, False),
        # Stale and fewer than half found (15 of 40): probed again, whatever the cost says.
        (40, size(10_000, 4_200_000, 40, 15), 299.0, False),
        (40, size(10_000, 4_200_000, 40, 15), 300.0, True),
        # A get costs about one job of the list: 10 kB jobs make 150 gets dearer than the list.
        (150, size(1000, 10_000_000, 150, 150), 0.0, True),
        (133, size(1000, 10_000_000, 150, 150), 0.0, False),
        # Equal costs: gets (64 KiB + 128 KiB for the list, 2 x (64 KiB + 32 KiB) for the gets).
        (2, size(4, 131_072, 2, 2), 0.0, False),
    ],
)
def test_use_list(due: int, last: P.ListSize | None, now: float, expected: bool) -> None:
    assert P.use_list(due, last, now) is expected


def test_the_costs_behind_the_decision() -> None:
    # A request is priced at 64 KiB: its own overhead (48 KiB) and its rate-limit slot (16).
    assert (P.REQUEST_OVERHEAD_BYTES, P.RATE_SLOT_BYTES) == (48 * 1024, 16 * 1024)
    assert (P.MIN_LIST_JOBS, P.PROBE_JOBS, P.REPROBE_AFTER) == (2, 32, 300.0)
    # The break-even of the 10,000-job list, from the formula: 64 KiB + 4.2 MB < n gets.
    get = REQUEST + 420
    assert (REQUEST + 4_200_000) / get == pytest.approx(64.67, abs=0.01)


# --- the round -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "interval", "now", "expected"),
    [
        (10.0, None, 10.0, True),  # due: in
        (10.0, None, 9.99, False),  # before the first poll there is no jitter to allow
        (10.0, 2.0, 9.8, True),  # due within a tenth of its interval: in
        (10.0, 2.0, 9.79, False),
        (10.0, 60.0, 4.0, True),
        (10.0, 60.0, 3.9, False),
    ],
)
def test_in_round(due: float, interval: float | None, now: float, expected: bool) -> None:
    tracker = P.Tracker("a", started=0.0, deadline=1e9, due=due, interval=interval)
    assert P.in_round(tracker, now) is expected


def test_take_until_and_restore_keep_the_queue_order() -> None:
    queue = P.DueQueue()
    for key, due in [("a", 5.0), ("b", 1.0), ("c", 5.0), ("d", 3.0), ("e", 9.0)]:
        queue.push(key, due)
    taken = queue.take_until(5.0)
    assert [e[2] for e in taken] == ["b", "d", "a", "c"] and len(queue) == 1
    assert queue.take_until(0.5) == []
    queue.restore(e for e in taken if e[2] in "ac")
    assert [queue.pop() for _ in range(3)] == ["a", "c", "e"]  # ties still: first queued


# --- a failed list ---------------------------------------------------------------------------


def validation_error() -> Exception:
    return APIResponseValidationError("item 3: id is required", status_code=200, body="[...]")


@pytest.mark.parametrize(
    ("error", "rule"),
    [
        (APIConnectionError("refused"), P.ListFailure.EACH),
        (APITimeoutError("slow"), P.ListFailure.EACH),
        (status_error(408), P.ListFailure.EACH),
        (status_error(429), P.ListFailure.EACH),
        (status_error(500), P.ListFailure.EACH),
        (status_error(503), P.ListFailure.EACH),
        (status_error(401), P.ListFailure.EACH),
        (status_error(400), P.ListFailure.GETS),
        (status_error(403), P.ListFailure.GETS),
        (status_error(404), P.ListFailure.GETS),
        (status_error(501), P.ListFailure.GETS),
        (validation_error(), P.ListFailure.GETS),
        (ValueError("not ours"), P.ListFailure.GETS),
    ],
)
def test_list_failure(error: Exception, rule: P.ListFailure) -> None:
    assert P.list_failure(error) is rule


# --- reading the list ------------------------------------------------------------------------


def test_read_list_keeps_the_jobs_by_id_and_the_size() -> None:
    body = json.dumps([{"id": "a", "status": "COMPLETED"}, {"id": "b", "status": "X"}]).encode()
    listed = P.read_list(200, httpx.Headers(), body)
    assert sorted(listed.jobs) == ["a", "b"] and (listed.count, listed.size) == (2, len(body))
    assert listed.jobs["a"].status is BatchStatus.COMPLETED
    assert P.read_list(200, httpx.Headers(), b"null") == P.Listed({}, 0, 4)
    with pytest.raises(InvalidPayload, match=r"^response is not JSON$"):
        P.read_list(200, httpx.Headers(), b"<html>")
    with pytest.raises(InvalidPayload):
        P.read_list(200, httpx.Headers(), b'[{"status": "COMPLETED"}]')


def test_the_list_call_is_the_list_endpoint_read_with_the_key_masked() -> None:
    call = P.list_call()
    assert call.request == _calls.list_batches().request and call.idempotent
    key = "sk-listing-5b1e0c9a7d"
    request = httpx.Request(
        "GET", "https://x/v1/batches", headers={"Authorization": f"Bearer {key}"}
    )
    body = json.dumps([{"id": "a", "status": "FAILED", "error": f"bad key {key}"}]).encode()
    listed = _calls.decode(call, httpx.Response(200, content=body, request=request))
    assert listed.jobs["a"].error == "bad key ***" and listed.size == len(body) - len(key) + 3
    with pytest.raises(APIResponseValidationError):
        _calls.decode(call, httpx.Response(200, content=b"{", request=request))
    with pytest.raises(AuthenticationError):
        _calls.decode(call, httpx.Response(401, json={"error": "no"}, request=request))
    # Every answer goes to `parse_answer`; `parse` says so if it is ever called.
    with pytest.raises(AssertionError, match=r"^unreachable: read_list reads the list's answers$"):
        call.parse([])


# --- the wait core's list rounds -------------------------------------------------------------

IDS = [f"j{i}" for i in range(40)]


def make_run(ids: list[str] = IDS, *, single: bool = False, **options: Any) -> P.WaitCore:
    return P.WaitCore(ids, P.WaitOptions(**options), single=single, mono_now=100.0, rand=zero)


def listed(*jobs: BatchJob, extra: int = 0, size: int = 1000) -> P.Listed:
    return P.Listed({str(j.id): j for j in jobs}, len(jobs) + extra, size)


def test_a_large_round_asks_one_list_for_every_due_job() -> None:
    run = make_run()
    assert not run.list_round(99.9)  # nothing due yet
    assert run.list_round(100.0) and run.round == IDS and len(run.queue) == 0
    # While it is in flight, no get starts and no second list; the sleep ends at the deadline.
    assert not run.due_now(1e6) and not run.list_round(100.0)
    assert run.sleep_for(100.0) == run.deadline - 100.0
    answer = listed(*(job(i, progress=1.0) for i in IDS[1:]), extra=60, size=40_000)
    steps = run.settle_list(answer, mono_now=101.0, wall_now=NOW)
    assert run.round is None
    assert [s.tracker.batch_job_id for s, _ in steps] == IDS[1:]
    assert all(e is None and s.notify and s.tracker.polls == 1 for s, e in steps)
    assert run.measured == P.ListSize(jobs=99, size=40_000, asked=40, found=39, at=101.0)
    # The job missing from the list is due at once, for a get, before any other round.
    assert list(run.for_gets) == ["j0"] and run.due_now(101.0) and run.sleep_for(101.0) == 0
    assert not run.list_round(101.0)
    assert run.pop_due() == "j0" and not run.for_gets
    step, _ = run.settle("j0", job("j0"), mono_now=101.5, wall_now=NOW)
    assert step.tracker.polls == 1 and len(run.queue) == 40


def test_a_list_ends_the_jobs_it_shows_ended() -> None:
    run = make_run(raise_on_failure=True)
    assert run.list_round(100.0)
    ends = NOW + dt.timedelta(hours=2)
    answer = listed(
        job("j0", "COMPLETED"), job("j1", "FAILED"), *(job(i, job_deadline=ends) for i in IDS[2:])
    )
    steps = run.settle_list(answer, mono_now=101.0, wall_now=NOW)
    # The wall clock of the list's answer places each job's deadline (plus 10 minutes' grace).
    assert run.trackers["j2"].deadline == 101.0 + 2 * 3600 + 600
    assert steps[0][0].finished is not None and steps[1][0].error is not None
    assert all(error is None for _, error in steps)  # a job's failure is its own, in the group
    assert list(run.jobs) == ["j0"] and list(run.errors) == ["j1"] and len(run.pending) == 38


def test_the_next_round_takes_the_jobs_within_their_jitter() -> None:
    # Jitter spread the jobs' next polls over [now + 1.8, now + 2]: one list for them all.
    rands = iter([i / 40 for i in range(40)])
    run = P.WaitCore(IDS, P.WaitOptions(), single=False, mono_now=100.0, rand=lambda: next(rands))
    assert run.list_round(100.0)
    run.settle_list(listed(*(job(i) for i in IDS)), mono_now=101.0, wall_now=NOW)
    first = run.queue.next_due()
    assert first == pytest.approx(101.0 + 2.0 * (1 - 0.1 * 39 / 40))
    assert not run.list_round(first - 0.001)
    assert run.list_round(first) and sorted(run.round or []) == sorted(IDS)


def test_a_job_not_yet_in_reach_waits_for_its_own_round() -> None:
    run = make_run()
    assert run.list_round(100.0)
    # j0 moved (back to the 2 s interval); the others did not (3 s).
    first = [job(i, progress=1.0) for i in IDS]
    run.settle_list(listed(*first), mono_now=100.0, wall_now=NOW)
    run.settle_list(listed(), mono_now=100.0, wall_now=NOW)  # no list in flight: a no-op
    assert run.list_round(102.0)
    answer = listed(job("j0", progress=2.0), *first[1:])
    run.settle_list(answer, mono_now=102.0, wall_now=NOW)
    dues = {i: run.trackers[i].due for i in IDS}
    assert dues["j0"] == 104.0 and dues["j1"] == 105.0
    # At 104 only j0 is due (the others are 0.3 s within reach at 104.7): one job, a get.
    assert not run.list_round(104.0)
    assert list(run.for_gets) == ["j0"] and len(run.queue) == 39
    assert run.pop_due() == "j0"
    assert not run.list_round(104.5)  # nothing due: the others are not pulled in early
    assert run.list_round(105.0) and run.round == IDS[1:]
    # j0's get answers while the list is in flight; when j0 falls due again it waits for it.
    run.settle("j0", job("j0", progress=3.0), mono_now=105.0, wall_now=NOW)
    assert run.queue.next_due() == 107.0
    assert not run.due_now(107.0) and run.sleep_for(107.0) == run.deadline - 107.0


def test_a_round_too_small_for_a_list_goes_to_gets_in_order() -> None:
    run = make_run(IDS[:31])
    assert not run.list_round(100.0) and run.round is None and not run.for_gets
    assert [run.pop_due() for _ in range(31)] == IDS[:31]
    # With a measure that prefers gets, the due jobs are handed to gets, the rest stay.
    many = [f"k{i}" for i in range(100)]
    run = make_run(many)
    run.measured = TEN_K
    run.queue = P.DueQueue()
    for index, batch_job_id in enumerate(many):
        run.queue.push(batch_job_id, 100.0 + index)
    assert not run.list_round(99.0)  # nothing due
    assert not run.list_round(101.0)  # two due: a 10,000-job list costs more than two gets
    assert list(run.for_gets) == ["k0", "k1"] and len(run.queue) == 98
    assert not run.list_round(102.0)  # the gets go first: no round is looked at till then
    assert list(run.for_gets) == ["k0", "k1"] and len(run.queue) == 98
    assert [run.pop_due(), run.pop_due()] == ["k0", "k1"]
    # 40 due of 100 queued: 100 would list, 40 do not (without the measure, 40 would probe).
    run = make_run(many)
    run.measured = TEN_K
    run.queue = P.DueQueue()
    for index, batch_job_id in enumerate(many):
        run.queue.push(batch_job_id, 100.0 if index < 40 else 200.0)
    assert not run.list_round(100.0) and list(run.for_gets) == many[:40]
    # Fewer queued than would ever list: not even a look at the round.
    run = make_run(many)
    run.measured = TEN_K
    run.queue = P.DueQueue()
    for batch_job_id in many[:64]:
        run.queue.push(batch_job_id, 100.0)
    assert not run.list_round(200.0) and not run.for_gets and len(run.queue) == 64


def test_a_stale_measure_that_found_none_is_probed_again() -> None:
    run = make_run()
    run.measured = size(0, 4, 40, 0, at=100.0)
    assert not run.list_round(100.0) and not run.for_gets  # no list yet: a get each
    run = make_run()
    run.measured = size(0, 4, 40, 0, at=100.0)
    assert run.list_round(400.0) and run.round == IDS  # 300 s later: a list again


def test_a_single_wait_never_lists() -> None:
    run = make_run(["a"], single=True)
    run.measured = size(1, 400, 1, 1)
    assert not run.listing and not run.list_round(100.0)
    run = make_run(IDS, single=True)
    assert not run.list_round(100.0) and run.due_now(100.0)


def test_a_list_that_failed_is_a_failed_poll_of_each_job() -> None:
    run = make_run()
    assert run.list_round(100.0)
    error = status_error(503, **{"retry-after": "7"})
    steps = run.settle_list(error, mono_now=101.0, wall_now=NOW)
    assert [s.tracker.batch_job_id for s, _ in steps] == IDS
    assert all(
        e is None and s.failure == PollFailure(s.tracker.batch_job_id, error, 1, 7.0)  # type: ignore[arg-type]
        for s, e in steps
    )
    assert run.measured is None and len(run.queue) == 40 and run.queue.next_due() == 108.0
    # A 429 holds back every poll, as a get's would.
    assert run.list_round(108.0)
    run.settle_list(status_error(429, **{"retry-after": "30"}), mono_now=108.0, wall_now=NOW)
    assert run.not_before == 138.0 and not run.list_round(137.0) and run.list_round(138.0)


def test_a_bad_key_on_the_list_ends_the_wait_at_its_first_job() -> None:
    run = make_run()
    assert run.list_round(100.0)
    error = status_error(401)
    steps = run.settle_list(error, mono_now=101.0, wall_now=NOW)
    assert len(steps) == 1 and steps[0][1] is error and steps[0][0].abort


@pytest.mark.parametrize("error", [status_error(403), status_error(404), validation_error()])
def test_a_list_this_wait_cannot_use_falls_back_to_gets(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    run = make_run()
    assert run.list_round(100.0)
    with caplog.at_level(logging.DEBUG, logger="together_batches"):
        assert run.settle_list(error, mono_now=101.0, wall_now=NOW) == []
    assert caplog.messages == [
        f"listing batches failed ({type(error).__name__}: {error}); polling each job instead"
    ]
    assert run.listing is False and list(run.for_gets) == IDS
    assert all(t.polls == 0 for t in run.trackers.values())  # no poll of a job failed
    assert [run.pop_due() for _ in IDS] == IDS
    for batch_job_id in IDS:
        run.settle(batch_job_id, job(batch_job_id), mono_now=101.0, wall_now=NOW)
    assert not run.list_round(1e4)  # this wait lists no more


def test_the_deadline_cuts_the_list_in_flight_for_each_job() -> None:
    run = make_run(timeout=30.0, cancel_on_timeout=True)
    assert run.list_round(100.0)
    ending = run.on_deadline([], mono_now=130.0, wall_now=NOW)
    assert [s.tracker.batch_job_id for s in ending.steps] == IDS and run.round is None
    assert all(isinstance(s.failure and s.failure.error, APITimeoutError) for s in ending.steps)
    assert ending.cancel == IDS and sorted(ending.error.pending) == sorted(IDS)
