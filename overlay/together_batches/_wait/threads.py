"""The sync waiter: a short I/O loop over the wait core (`_wait.core.WaitCore`).

It starts the polls that are due, at most `max_concurrency` in flight, each one attempt of
the client's send primitive (`_execute` under the wait's deadline) in its own daemon thread:
one list for a round when `WaitCore.list_round` says so, else a get per job; settles each
answer with `WaitCore.settle` (a list's with `WaitCore.settle_list`), calls back, and sleeps
until the next poll is due, never past the deadline. `_wait.tasks` is its twin over tasks.
Every decision is in the wait core; what is here is sending, sleeping, threads and calling
back.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .. import _clock
from .._exceptions import TogetherError
from .._http import calls as _calls
from .._http.deadlines import is_past, seconds_left
from .._log import logger
from .._models import BatchJob
from . import options as _wait_options
from .callbacks import call_sync, check_sync
from .core import Outcome, WaitCore
from .listing import Listed, list_call
from .options import WaitOptions
from .state import Step

if TYPE_CHECKING:
    from .._client import Together

__all__ = ["as_completed", "wait_all", "wait_one"]


def _start(target: Callable[..., None], *args: object) -> threading.Thread:
    # A daemon thread per request: the engine never joins it (it stops waiting at the
    # deadline), and a poll stuck on a hostile server cannot hold up the interpreter's exit.
    thread = threading.Thread(target=target, args=args, name="together-batches", daemon=True)
    thread.start()
    return thread


def _poll(client: Together, batch_job_id: str, run: WaitCore, done: queue.SimpleQueue[Any]) -> None:
    """A poll's thread: puts (id, outcome, None) on `done`, or (id, None, error) for an
    error outside the tree, which the engine raises."""
    call = _calls.get_batch(batch_job_id)
    try:
        outcome = client._execute(call, run.options.request_timeout, deadline=run.deadline)
    except TogetherError as exc:
        done.put((batch_job_id, exc, None))
    except BaseException as exc:
        done.put((batch_job_id, None, exc))
    else:
        done.put((batch_job_id, outcome, None))


def _list(client: Together, run: WaitCore, done: queue.SimpleQueue[Any]) -> None:
    """A list's thread: puts (None, answer or error, None), or (None, None, error) for an
    error outside the tree."""
    try:
        listed = client._execute(list_call(), run.options.request_timeout, deadline=run.deadline)
    except TogetherError as exc:
        done.put((None, exc, None))
    except BaseException as exc:
        done.put((None, None, exc))
    else:
        done.put((None, listed, None))


def _cancel_all(client: Together, ids: Sequence[str], limit: int) -> None:
    """Best effort: one attempt per job, at most `limit` at once, `CANCEL_TIMEOUT` for all of
    them, errors swallowed; not waited for past that, whatever the server does."""
    end = _clock.monotonic() + _wait_options.CANCEL_TIMEOUT  # read at each cancel (tests)
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for batch_job_id in ids:
        todo.put(batch_job_id)

    def work() -> None:
        with contextlib.suppress(queue.Empty):
            while True:
                batch_job_id = todo.get_nowait()
                try:
                    client._execute(_calls.cancel_batch(batch_job_id), deadline=end)
                    logger.debug("cancelled batch %s", batch_job_id)
                except Exception as exc:  # best effort: the wait's own outcome matters more
                    logger.debug("cancelling batch %s failed: %s", batch_job_id, type(exc).__name__)

    for thread in [_start(work) for _ in range(min(limit, len(ids)))]:
        thread.join(seconds_left(end, _clock.monotonic()))


def _call_back(run: WaitCore, step: Step, error: Exception | None = None) -> BatchJob | None:
    """The callbacks a step asks for, then its error if any; the job if its wait ended."""
    for name, callback, arg in run.callbacks(step):
        call_sync(name, callback, arg)
    if error is not None:
        raise error
    return step.finished


def _settle(run: WaitCore, batch_job_id: str, outcome: Outcome) -> BatchJob | None:
    step, error = run.settle(
        batch_job_id, outcome, mono_now=_clock.monotonic(), wall_now=_clock.now()
    )
    return _call_back(run, step, error)


def _settle_list(run: WaitCore, outcome: Listed | Exception) -> Iterator[tuple[str, BatchJob]]:
    answers = run.settle_list(outcome, mono_now=_clock.monotonic(), wall_now=_clock.now())
    for step, error in answers:
        job = _call_back(run, step, error)
        if job is not None:
            yield step.tracker.batch_job_id, job


def _time_out(client: Together, run: WaitCore, in_flight: list[str]) -> None:
    ending = run.on_deadline(in_flight, mono_now=_clock.monotonic(), wall_now=_clock.now())
    for step in ending.steps:
        _call_back(run, step)
    _cancel_all(client, ending.cancel, run.options.max_concurrency)
    raise ending.error


def _engine(client: Together, run: WaitCore) -> Generator[tuple[str, BatchJob]]:
    """Yields (id, job) as each job ends; raises the group of errors at the end, and
    `WaitTimeoutError` at the deadline."""
    done: queue.SimpleQueue[tuple[str | None, Any, BaseException | None]] = queue.SimpleQueue()
    in_flight: set[str] = set()  # the gets; a list in flight is `run.round`
    cap = run.options.max_concurrency
    try:
        while run.pending:
            now = _clock.monotonic()
            if is_past(run.deadline, now):
                _time_out(client, run, sorted(in_flight, key=run.ids.index))
            if len(in_flight) < cap and run.list_round(now):
                _start(_list, client, run, done)
            busy = len(in_flight) + (run.round is not None)
            while busy < cap and run.due_now(now):
                batch_job_id = run.pop_due()
                _start(_poll, client, batch_job_id, run, done)
                in_flight.add(batch_job_id)
                busy += 1
            if not busy:
                _clock.sleep(run.sleep_for(now))
                continue
            wake = run.wake_in(now, full=busy >= cap)
            try:
                key, outcome, crash = done.get(timeout=wake)
            except queue.Empty:
                continue
            if crash is not None:
                raise crash
            if key is None:
                yield from _settle_list(run, outcome)
                continue
            in_flight.discard(key)
            job = _settle(run, key, outcome)
            if job is not None:
                yield key, job
        run.finish()
    except KeyboardInterrupt:
        _cancel_all(client, run.on_interrupt(), cap)
        raise


def _run(ids: Sequence[str], options: WaitOptions, *, single: bool) -> WaitCore:
    check_sync(options.on_progress, options.on_poll_error)
    return WaitCore(ids, options, single=single, mono_now=_clock.monotonic())


def wait_one(client: Together, batch_job_id: str, options: WaitOptions) -> BatchJob:
    """`Batches.wait_until_done` (see there)."""
    with contextlib.closing(_engine(client, _run([batch_job_id], options, single=True))) as ends:
        for _, job in ends:
            return job
    raise AssertionError("unreachable: a single wait returns or raises")  # pragma: no cover


def as_completed(client: Together, ids: Sequence[str], options: WaitOptions) -> Iterator[BatchJob]:
    """`Batches.as_completed` (see there). The wait (and its deadline) starts with the
    iteration, not with the call; the callbacks are checked at the call."""
    check_sync(options.on_progress, options.on_poll_error)

    def jobs() -> Iterator[BatchJob]:
        for _, job in _engine(client, _run(ids, options, single=False)):
            yield job

    return jobs()


def wait_all(client: Together, ids: Sequence[str], options: WaitOptions) -> list[BatchJob]:
    """`Batches.wait_all` (see there): the jobs in the order of `ids`, repeats included."""
    done = dict(_engine(client, _run(ids, options, single=False)))
    return [done[i] for i in ids]
