"""The waiters: thin sync and async shells around the decisions in `_polling.py`.

One engine per twin waits on any number of jobs: it starts the polls that are due (at most
`max_concurrency` in flight: threads here, tasks in `_waiter_async`), settles each answer
with `_polling.after_poll`, calls back, and sleeps until the next poll is due, never past
the deadline. `wait_until_done` is the engine over one job with errors raised at once;
`as_completed` and `wait_all` run it over many.

Each poll is one attempt of the client's send primitive (`_execute` under the wait's
deadline), not its retry loop: the waiter retries itself, until its deadline, with its own
backoff and the server's `retry-after` hints. The engine never waits on a poll past the
deadline, so a server that trickles or hangs cannot hold the wait in either twin; the
primitive ends such a poll soon after, too.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import random
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from . import _calls, _clock
from . import _polling as P
from ._callbacks import call_sync, check_sync
from ._exceptions import APITimeoutError, TogetherError
from ._models import BatchJob

if TYPE_CHECKING:
    from ._client import Together

__all__ = ["as_completed", "wait_all", "wait_one"]

logger = logging.getLogger("together_batches")
Outcome = BatchJob | Exception
Callback = tuple[str, Callable[[Any], object], object]


def _log_poll(step: P.Step, outcome: Outcome) -> None:
    # One line per poll. Only the status, progress and the error's class and message: never
    # headers (the key is in them).
    tracker = step.tracker
    if isinstance(outcome, BatchJob):
        what = f"{outcome.status}, {outcome.progress_percent:g}%"
    else:
        what = f"failed: {type(outcome).__name__}: {outcome}"
    if step.error is not None or step.finished is not None:
        after = "done"
    else:
        after = f"next poll in {step.delay:.2f}s"
    logger.debug("poll %d of batch %s: %s; %s", tracker.polls, tracker.batch_job_id, what, after)
    if step.warn and step.failure is not None:
        failure = step.failure
        logger.warning(
            "batch %s: %d polls in a row failed, the last with %s: %s; still waiting (next "
            "poll in %.0fs)", failure.batch_job_id, failure.consecutive,
            type(failure.error).__name__, failure.error, failure.retry_in,
        )  # fmt: skip


class _Run:
    """The state both engines share: the jobs' waits, the due queue, results and errors."""

    def __init__(self, ids: Sequence[str], options: P.WaitOptions, *, single: bool) -> None:
        now = _clock.monotonic()
        ids = list(dict.fromkeys(ids))  # a repeated id is waited for once
        self.ids = ids
        self.options = options
        self.single = single
        self.trackers = {i: P.start(i, options, now) for i in ids}
        self.pending = dict.fromkeys(ids)  # ordered set of the unfinished
        self.queue = P.DueQueue()
        for i in ids:
            self.queue.push(i, now)
        self.jobs: dict[str, BatchJob] = {}
        self.errors: dict[str, Exception] = {}
        self.not_before = now  # a 429 holds back every job's next poll
        self.deadline = P.shared_deadline(self.trackers.values())

    def due_now(self, now: float) -> bool:
        return bool(self.queue) and max(self.queue.next_due(), self.not_before) <= now

    def sleep_for(self, now: float) -> float:
        due = max(self.queue.next_due(), self.not_before)
        return P.sleep_seconds(due, self.deadline, now)

    def wake_in(self, now: float, *, full: bool) -> float:
        """How long an engine with polls in flight waits for one to end: until another job
        falls due (unless every slot is taken), and never past the deadline."""
        return P.seconds_left(self.deadline, now) if full else self.sleep_for(now)

    def settle(self, batch_job_id: str, outcome: Outcome) -> tuple[P.Step, Exception | None]:
        """Apply a poll's outcome.

        Returns:
            The step, and the error to raise once the callbacks are made: the job's, for a
            single wait or one that ends every wait.
        """
        old = self.trackers[batch_job_id]
        now = _clock.monotonic()
        step = P.after_poll(
            old, outcome, self.options, mono_now=now, wall_now=_clock.now(), rand=random.random
        )
        self.trackers[batch_job_id] = step.tracker
        _log_poll(step, outcome)
        if step.pause_all:
            self.not_before = max(self.not_before, now + step.pause_all)
        if step.error is not None:
            if self.single or step.abort:
                return step, step.error
            step.error.add_note(f"while waiting for batch {batch_job_id}")
            self.errors[batch_job_id] = step.error
            self._end(batch_job_id)
        elif step.finished is not None:
            self.jobs[batch_job_id] = step.finished
            self._end(batch_job_id)
        else:
            self.queue.push(batch_job_id, step.tracker.due)
            if step.tracker.deadline >= self.deadline:
                self.deadline = step.tracker.deadline
            elif old.deadline >= self.deadline:  # the latest deadline moved in: find the new
                self._recompute_deadline()
        return step, None

    def callbacks(self, step: P.Step) -> list[Callback]:
        """The calls back a step asks for, in order: (name, callback, argument)."""
        calls: list[Callback] = []
        on_progress, on_poll_error = self.options.on_progress, self.options.on_poll_error
        if step.notify and on_progress is not None and step.tracker.job is not None:
            calls.append(("on_progress", on_progress, step.tracker.job))
        if step.failure is not None and on_poll_error is not None:
            calls.append(("on_poll_error", on_poll_error, step.failure))
        return calls

    def _end(self, batch_job_id: str) -> None:
        del self.pending[batch_job_id]
        self._recompute_deadline()

    def _recompute_deadline(self) -> None:
        # When a job ends or the latest deadline moves in; with a `timeout` all deadlines are
        # equal and stay so.
        if self.options.timeout is None and self.pending:
            self.deadline = P.shared_deadline(self.trackers[i] for i in self.pending)

    def timed_out(self) -> TogetherError:
        return P.timeout_error(
            [self.trackers[i] for i in self.pending], self.options, single=self.single
        )

    def finish(self) -> None:
        group = P.final_error(self.ids, self.errors, self.jobs)
        if group is not None:
            raise group


# --- sync ------------------------------------------------------------------------------


def cut_at_deadline() -> APITimeoutError:
    """What a poll still in flight at the wait's deadline counts as: the engine stops
    waiting for it there (the send primitive ends it soon after)."""
    return APITimeoutError("The poll did not finish before the wait's deadline.")


def _start(target: Callable[..., None], *args: object) -> threading.Thread:
    # A daemon thread per request: the engine never joins it (it stops waiting at the
    # deadline), and a poll stuck on a hostile server cannot hold up the interpreter's exit.
    thread = threading.Thread(target=target, args=args, name="together-batches", daemon=True)
    thread.start()
    return thread


def _poll(client: Together, batch_job_id: str, run: _Run, done: queue.SimpleQueue[Any]) -> None:
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


def _cancel_all(client: Together, ids: Sequence[str], limit: int) -> None:
    """Best effort: one attempt per job, at most `limit` at once, `CANCEL_TIMEOUT` for all of
    them, errors swallowed; not waited for past that, whatever the server does."""
    end = _clock.monotonic() + P.CANCEL_TIMEOUT
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
        thread.join(P.seconds_left(end, _clock.monotonic()))


def _settle(run: _Run, batch_job_id: str, outcome: Outcome) -> BatchJob | None:
    """`_Run.settle`, then the callbacks, then the error if any; the job if it ended."""
    step, error = run.settle(batch_job_id, outcome)
    for name, callback, arg in run.callbacks(step):
        call_sync(name, callback, arg)
    if error is not None:
        raise error
    return step.finished


def _time_out(client: Together, run: _Run, in_flight: list[str]) -> None:
    """The deadline passed: the polls in flight count as timed out, the cancel (if asked
    for) is sent, and `WaitTimeoutError` is raised, any errors so far as its cause."""
    for batch_job_id in in_flight:
        _settle(run, batch_job_id, cut_at_deadline())
    if run.options.cancel_on_timeout:
        _cancel_all(client, list(run.pending), run.options.max_concurrency)
    raise run.timed_out() from P.final_error(run.ids, run.errors, run.jobs)


def _engine(client: Together, run: _Run) -> Generator[tuple[str, BatchJob]]:
    """Polls up to `max_concurrency` jobs at once, each in its own thread; yields (id, job)
    as each job ends. Raises the group of errors at the end, `WaitTimeoutError` at the
    deadline."""
    done: queue.SimpleQueue[tuple[str, Outcome, BaseException | None]] = queue.SimpleQueue()
    in_flight: set[str] = set()
    cap = run.options.max_concurrency
    try:
        while run.pending:
            now = _clock.monotonic()
            if P.is_past(run.deadline, now):
                _time_out(client, run, sorted(in_flight, key=run.ids.index))
            while len(in_flight) < cap and run.due_now(now):
                batch_job_id = run.queue.pop()
                _start(_poll, client, batch_job_id, run, done)
                in_flight.add(batch_job_id)
            if not in_flight:
                _clock.sleep(run.sleep_for(now))
                continue
            try:
                wake = run.wake_in(now, full=len(in_flight) >= cap)
                batch_job_id, outcome, crash = done.get(timeout=wake)
            except queue.Empty:
                continue
            in_flight.discard(batch_job_id)
            if crash is not None:
                raise crash
            job = _settle(run, batch_job_id, outcome)
            if job is not None:
                yield batch_job_id, job
        run.finish()
    except KeyboardInterrupt:
        if run.options.cancel_on_timeout:
            _cancel_all(client, list(run.pending), cap)
        raise


def wait_one(client: Together, batch_job_id: str, options: P.WaitOptions) -> BatchJob:
    """`Batches.wait_until_done` (see there)."""
    check_sync(options.on_progress, options.on_poll_error)
    run = _Run([batch_job_id], options, single=True)
    with contextlib.closing(_engine(client, run)) as events:
        for _, job in events:
            return job
    raise AssertionError("unreachable: a single wait returns or raises")  # pragma: no cover


def _jobs(client: Together, ids: Sequence[str], options: P.WaitOptions) -> Iterator[BatchJob]:
    # The run (and its deadline) starts with the iteration, not with the call.
    for _, job in _engine(client, _Run(ids, options, single=False)):
        yield job


def as_completed(
    client: Together, ids: Sequence[str], options: P.WaitOptions
) -> Iterator[BatchJob]:
    """`Batches.as_completed` (see there)."""
    check_sync(options.on_progress, options.on_poll_error)
    return _jobs(client, ids, options)


def wait_all(client: Together, ids: Sequence[str], options: P.WaitOptions) -> list[BatchJob]:
    """`Batches.wait_all` (see there): the jobs in the order of `ids`, repeats included."""
    check_sync(options.on_progress, options.on_poll_error)
    done = dict(_engine(client, _Run(ids, options, single=False)))
    return [done[i] for i in ids]
