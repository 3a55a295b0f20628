"""Waiting on many jobs: the run's state, its scheduler, and how a wait ends.

Part of the wait core (`_wait.options`, `_wait.state`, `_wait.schedule`, `_wait.core`): pure,
no I/O. `WaitCore` holds every job's `Tracker`, the `DueQueue` of the next polls, the results and
errors, and the shared deadline; it settles each poll's outcome (through
`_wait.state.after_poll`) and says how the wait ends: at its deadline (`on_deadline`), on an
interrupt (`on_interrupt`), or when every job has ended (`finish`). The two engines,
`_wait.threads` (threads) and `_wait.tasks` (tasks), are short I/O loops over it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._exceptions import APITimeoutError, BatchErrorGroup, WaitTimeoutError
from .._http.deadlines import seconds_left, sleep_seconds
from .._log import logger
from .._models import BatchJob
from .options import WaitOptions
from .schedule import DueQueue, shared_deadline
from .state import Step, Tracker, after_poll, start

__all__ = [
    "Callback",
    "Ending",
    "Outcome",
    "WaitCore",
    "cut_at_deadline",
    "final_error",
    "log_poll",
    "timeout_error",
]

#: What a poll ends with: the job read, or the error its one attempt raised.
Outcome = BatchJob | Exception
#: A call back a step asks for: (its name, the callback, its argument).
Callback = tuple[str, Callable[[Any], object], object]


def cut_at_deadline() -> APITimeoutError:
    """What a poll still in flight at the wait's deadline counts as: the engine stops
    waiting for it there (the send primitive ends it soon after)."""
    return APITimeoutError("The poll did not finish before the wait's deadline.")


@dataclass(frozen=True, slots=True)
class Ending:
    """How a wait ends at its deadline.

    Attributes:
        steps: The polls in flight, settled as timed out: their callbacks are due first.
        cancel: The jobs to cancel (best effort) before raising; empty when not asked for.
        error: The `WaitTimeoutError` to raise then.
    """

    steps: list[Step]
    cancel: list[str]
    error: WaitTimeoutError


def timeout_error(
    trackers: Sequence[Tracker], options: WaitOptions, *, single: bool
) -> WaitTimeoutError:
    """The error for a deadline that passed with `trackers` unfinished.

    Args:
        trackers: The unfinished jobs' waits.
        options: The wait's options (for the message).
        single: A `wait_until_done`: the error carries the job and its poll count.

    Returns:
        A `WaitTimeoutError` with `pending` by id (and `job` for a single wait).
    """
    pending = {t.batch_job_id: t.job for t in trackers}
    polls = sum(t.polls for t in trackers)
    failures = sum(t.failures for t in trackers)
    limit = (
        f"{options.timeout:g}s"
        if options.timeout is not None
        else "the job deadline plus grace"
        if single
        else "the jobs' deadlines plus grace"
    )
    counted = f"{polls} poll{'' if polls == 1 else 's'}, {failures} failed"
    if single and len(trackers) == 1:
        only = trackers[0]
        status = only.job.status if only.job is not None else None
        message = (
            f"batch {only.batch_job_id} not finished within {limit} "
            f"(last status {status}, {counted})"
        )
        return WaitTimeoutError(message, job=only.job, polls=polls, pending=pending)
    count = len(trackers)
    message = f"{count} batch{'' if count == 1 else 'es'} not finished within {limit} ({counted})"
    return WaitTimeoutError(message, job=None, polls=polls, pending=pending)


def final_error(
    order: Sequence[str], errors: Mapping[str, Exception], jobs: Mapping[str, BatchJob]
) -> BatchErrorGroup | None:
    """What a wait on many jobs raises at its end: None when no job failed.

    Args:
        order: The ids as given.
        errors: The failed jobs' errors, by id.
        jobs: The finished jobs, by id.
    """
    if not errors:
        return None
    return BatchErrorGroup({k: errors[k] for k in order if k in errors}, jobs)


def log_poll(step: Step, outcome: Outcome) -> None:
    """One DEBUG line per poll, and the WARNING of a long streak of failed polls."""
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
            "poll in %.0fs)",
            failure.batch_job_id,
            failure.consecutive,
            type(failure.error).__name__,
            failure.error,
            failure.retry_in,
        )


class WaitCore:
    """The state both engines share: the jobs' waits, the due queue, results and errors.

    Pure: the time is passed in (`mono_now` monotonic, `wall_now` aware wall clock), and the
    jitter comes from `rand`. The engines (`_wait.threads`, `_wait.tasks`) send the polls, sleep,
    call back and raise; every decision between is made here.
    """

    def __init__(
        self,
        ids: Sequence[str],
        options: WaitOptions,
        *,
        single: bool,
        mono_now: float,
        rand: Callable[[], float] = random.random,
    ) -> None:
        now = mono_now
        self.rand = rand
        ids = list(dict.fromkeys(ids))  # a repeated id is waited for once
        self.ids = ids
        self.options = options
        self.single = single
        self.trackers = {i: start(i, options, now) for i in ids}
        self.pending = dict.fromkeys(ids)  # ordered set of the unfinished
        self.queue = DueQueue()
        for i in ids:
            self.queue.push(i, now)
        self.jobs: dict[str, BatchJob] = {}
        self.errors: dict[str, Exception] = {}
        self.not_before = now  # a 429 holds back every job's next poll
        self.deadline = shared_deadline(self.trackers.values())

    def due_now(self, now: float) -> bool:
        return bool(self.queue) and max(self.queue.next_due(), self.not_before) <= now

    def sleep_for(self, now: float) -> float:
        due = max(self.queue.next_due(), self.not_before)
        return sleep_seconds(due, self.deadline, now)

    def wake_in(self, now: float, *, full: bool) -> float:
        """How long an engine with polls in flight waits for one to end: until another job
        falls due (unless every slot is taken), and never past the deadline."""
        return seconds_left(self.deadline, now) if full else self.sleep_for(now)

    def settle(
        self, batch_job_id: str, outcome: Outcome, *, mono_now: float, wall_now: dt.datetime
    ) -> tuple[Step, Exception | None]:
        """Apply a poll's outcome.

        Returns:
            The step, and the error to raise once the callbacks are made: the job's, for a
            single wait or one that ends every wait.
        """
        old = self.trackers[batch_job_id]
        now = mono_now
        step = after_poll(
            old, outcome, self.options, mono_now=now, wall_now=wall_now, rand=self.rand
        )
        self.trackers[batch_job_id] = step.tracker
        log_poll(step, outcome)
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

    def callbacks(self, step: Step) -> list[Callback]:
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
            self.deadline = shared_deadline(self.trackers[i] for i in self.pending)

    def on_deadline(
        self, in_flight: Sequence[str], *, mono_now: float, wall_now: dt.datetime
    ) -> Ending:
        """The deadline passed: the polls still in flight (in the order they started) count
        as timed out; then the cancel, if asked for; then `WaitTimeoutError`, with the errors
        so far as its cause."""
        steps = [
            self.settle(i, cut_at_deadline(), mono_now=mono_now, wall_now=wall_now)[0]
            for i in in_flight
        ]
        error = timeout_error(
            [self.trackers[i] for i in self.pending], self.options, single=self.single
        )
        error.__cause__ = final_error(self.ids, self.errors, self.jobs)
        error.__suppress_context__ = True
        return Ending(steps, self.on_interrupt(), error)

    def on_interrupt(self) -> list[str]:
        """The jobs to cancel when the wait is cut short (a deadline, Ctrl-C, a cancelled
        task): the unfinished ones under `cancel_on_timeout`, else none."""
        return list(self.pending) if self.options.cancel_on_timeout else []

    def finish(self) -> None:
        """Every job ended: raise the group of the jobs' errors, if any.

        Raises:
            BatchErrorGroup: One or more jobs' waits ended in an error.
        """
        group = final_error(self.ids, self.errors, self.jobs)
        if group is not None:
            raise group
