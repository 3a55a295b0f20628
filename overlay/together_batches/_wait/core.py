"""Waiting on many jobs: the run's state, its scheduler, and how a wait ends.

Part of the wait core (`_wait.options`, `_wait.state`, `_wait.schedule`, `_wait.core`): pure,
no I/O. `WaitCore` holds every job's `Tracker`, the `DueQueue` of the next polls, the results and
errors, and the shared deadline; it settles each poll's outcome (through
`_wait.state.after_poll`) and says how the wait ends: at its deadline (`on_deadline`), on an
interrupt (`on_interrupt`), or when every job has ended (`finish`). It also says when a round
of due jobs asks one list instead of a get each (`list_round`, decided by `_wait.listing`),
and settles that list for each job it stood for (`settle_list`). The two engines,
`_wait.threads` (threads) and `_wait.tasks` (tasks), are short I/O loops over it."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._exceptions import APITimeoutError, BatchErrorGroup, WaitTimeoutError
from .._http.deadlines import seconds_left, sleep_seconds
from .._log import logger
from .._models import BatchJob, readable_progress
from .listing import Listed, ListFailure, ListSize, in_round, list_failure, use_list
from .options import JITTER, WaitOptions
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
        percent = readable_progress(outcome)
        what = f"{outcome.status}, {'?' if percent is None else format(percent, 'g')}%"
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
        self.listing = not single  # a single wait never lists; nor one the list failed
        self.measured: ListSize | None = None  # the last list answer
        self.round: list[str] | None = None  # the jobs the list in flight stands for
        self.for_gets: deque[str] = deque()  # due now, to be polled by a get each

    def _next_due(self) -> float:
        # The jobs handed to gets are due now; while a list is in flight the queued jobs wait
        # for it (it is one request: the next round follows as soon as it answers).
        if self.for_gets:
            return -math.inf
        return math.inf if self.round is not None else self.queue.next_due()

    def due_now(self, now: float) -> bool:
        """Whether a get may start now (a job is due, and no 429 holds the polls back)."""
        return max(self._next_due(), self.not_before) <= now

    def sleep_for(self, now: float) -> float:
        due = max(self._next_due(), self.not_before)
        return sleep_seconds(due, self.deadline, now)

    def pop_due(self) -> str:
        """The next job to poll by a get (call when `due_now`)."""
        return self.for_gets.popleft() if self.for_gets else self.queue.pop()

    def list_round(self, now: float) -> bool:
        """Whether to send one list now, for the round of jobs it is set to stand for.

        When a job falls due, the round is every job due by now or within its jitter (see
        `_wait.listing.in_round`). If `use_list` prefers one list for it, the round leaves the
        queue and `self.round` holds it until `settle_list` (or the deadline); if not, its
        jobs that are due go to gets, in the order they fell due. Never while a list is in
        flight or gets are waiting to start, nor in a wait that does not list.
        """
        if not self.listing or self.round is not None or self.for_gets:
            return False
        if max(self.queue.next_due(), self.not_before) > now:
            return False
        if not use_list(len(self.queue), self.measured, now):
            return False  # not even every queued job would list: no round needed
        entries = self.queue.take_until(now + JITTER * self.options.max_poll_interval)
        taken = [e for e in entries if in_round(self.trackers[e[2]], now)]
        if use_list(len(taken), self.measured, now):
            self.queue.restore(e for e in entries if not in_round(self.trackers[e[2]], now))
            self.round = [e[2] for e in taken]
            return True
        self.for_gets.extend(e[2] for e in entries if e[0] <= now)
        self.queue.restore(e for e in entries if e[0] > now)
        return False

    def settle_list(
        self, outcome: Listed | Exception, *, mono_now: float, wall_now: dt.datetime
    ) -> list[tuple[Step, Exception | None]]:
        """Apply the list's answer to the jobs of its round.

        A job it holds is settled as a poll that read it; a job it misses (one created
        moments ago may not be listed yet) goes to a get at once. A failed list is a failed
        poll of each job of the round (see `_wait.listing.list_failure`: each job's
        `on_poll_error`, backoff and `retry-after`), up to one whose error ends the wait (a
        401); or, when it is the list's own trouble, the round goes to gets and this wait
        lists no more.

        Returns:
            The steps of the jobs settled, in the round's order, each with the error to
            raise once its callbacks are made (see `settle`); settling stops at that one.
        """
        ids = self.round
        if ids is None:  # no list in flight (the deadline settled it)
            return []
        self.round = None
        if isinstance(outcome, Exception) and list_failure(outcome) is ListFailure.GETS:
            logger.debug(
                "listing batches failed (%s: %s); polling each job instead",
                type(outcome).__name__,
                outcome,
            )
            self.listing = False
            self.for_gets.extend(ids)
            return []
        if isinstance(outcome, Listed):
            found = sum(1 for i in ids if i in outcome.jobs)
            self.measured = ListSize(outcome.count, outcome.size, len(ids), found, mono_now)
        steps: list[tuple[Step, Exception | None]] = []
        for batch_job_id in ids:
            answer = outcome.jobs.get(batch_job_id) if isinstance(outcome, Listed) else outcome
            if answer is None:
                self.for_gets.append(batch_job_id)
                continue
            step, error = self.settle(batch_job_id, answer, mono_now=mono_now, wall_now=wall_now)
            steps.append((step, error))
            if error is not None:
                break
        return steps

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
        """The deadline passed: the polls still in flight (in the order they started; then
        the jobs of a list in flight) count as timed out; then the cancel, if asked for; then
        `WaitTimeoutError`, with the errors so far as its cause."""
        timed_out = [*in_flight, *(self.round or [])]
        self.round = None
        steps = [
            self.settle(i, cut_at_deadline(), mono_now=mono_now, wall_now=wall_now)[0]
            for i in timed_out
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
