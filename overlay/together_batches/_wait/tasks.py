"""The async waiter: the twin of `_wait.threads`, a short I/O loop over the wait core
(`_wait.core.WaitCore`), with tasks where `_wait.threads` has threads.

Kept in its own module, imported on the first async wait, so that `import together_batches`
does not pay for asyncio in programs that only use the sync client.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from .. import _clock
from .._exceptions import TogetherError
from .._http import calls as _calls
from .._http.deadlines import is_past
from .._log import logger
from .._models import BatchJob
from . import options as _wait_options
from .callbacks import call_async
from .core import Outcome, WaitCore
from .listing import Listed, list_call
from .options import WaitOptions
from .state import Step

if TYPE_CHECKING:
    from .._client import AsyncTogether

__all__ = ["as_completed_async", "wait_all_async", "wait_one_async"]


async def _poll(client: AsyncTogether, batch_job_id: str, run: WaitCore) -> Outcome:
    # One attempt of the send primitive, cancelled at the wait's deadline.
    call = _calls.get_batch(batch_job_id)
    try:
        return await client._execute(call, run.options.request_timeout, deadline=run.deadline)
    except TogetherError as exc:
        return exc


async def _list(client: AsyncTogether, run: WaitCore) -> Listed | Exception:
    # One attempt of the list, for the round `run.round` (see `WaitCore.list_round`).
    try:
        return await client._execute(
            list_call(), run.options.request_timeout, deadline=run.deadline
        )
    except TogetherError as exc:
        return exc


async def _cancel_all(client: AsyncTogether, ids: Sequence[str], limit: int) -> None:
    """Best effort: one attempt per job, at most `limit` at once, `CANCEL_TIMEOUT` for all.

    Shielded: the cancel is sent even while this task is being cancelled; a second
    cancellation stops the waiting for it, not the cancel itself.
    """
    gate = asyncio.Semaphore(limit)
    end = _clock.monotonic() + _wait_options.CANCEL_TIMEOUT  # read at each cancel (tests)

    async def cancel(batch_job_id: str) -> None:
        async with gate:
            try:
                await client._execute(_calls.cancel_batch(batch_job_id), deadline=end)
                logger.debug("cancelled batch %s", batch_job_id)
            except Exception as exc:  # best effort: the wait's own outcome matters more
                logger.debug("cancelling batch %s failed: %s", batch_job_id, type(exc).__name__)

    if ids:
        task = asyncio.ensure_future(asyncio.gather(*(cancel(i) for i in ids)))
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)


async def _call_back(run: WaitCore, step: Step, error: Exception | None = None) -> BatchJob | None:
    """The callbacks a step asks for (an `async def` awaited), then its error if any."""
    for _, callback, arg in run.callbacks(step):
        await call_async(callback, arg)
    if error is not None:
        raise error
    return step.finished


async def _settle(run: WaitCore, batch_job_id: str, outcome: Outcome) -> BatchJob | None:
    step, error = run.settle(
        batch_job_id, outcome, mono_now=_clock.monotonic(), wall_now=_clock.now()
    )
    return await _call_back(run, step, error)


async def _settle_list(
    run: WaitCore, outcome: Listed | Exception
) -> AsyncIterator[tuple[str, BatchJob]]:
    answers = run.settle_list(outcome, mono_now=_clock.monotonic(), wall_now=_clock.now())
    for step, error in answers:
        job = await _call_back(run, step, error)
        if job is not None:
            yield step.tracker.batch_job_id, job


async def _time_out(client: AsyncTogether, run: WaitCore, in_flight: list[str]) -> None:
    ending = run.on_deadline(in_flight, mono_now=_clock.monotonic(), wall_now=_clock.now())
    for step in ending.steps:
        await _call_back(run, step)
    await _cancel_all(client, ending.cancel, run.options.max_concurrency)
    raise ending.error


def _start_due(
    client: AsyncTogether,
    run: WaitCore,
    in_flight: dict[asyncio.Task[Any], str | None],
    now: float,
) -> None:
    """Start what is due, up to `max_concurrency` in flight: a list for a round when
    `WaitCore.list_round` says so (its task keyed None), then a get per due job."""
    cap = run.options.max_concurrency
    if len(in_flight) < cap and run.list_round(now):
        in_flight[asyncio.ensure_future(_list(client, run))] = None
    while len(in_flight) < cap and run.due_now(now):
        batch_job_id = run.pop_due()
        in_flight[asyncio.ensure_future(_poll(client, batch_job_id, run))] = batch_job_id


async def _engine(client: AsyncTogether, run: WaitCore) -> AsyncGenerator[tuple[str, BatchJob]]:
    """Yields (id, job) as each job ends (see `_wait.threads._engine`)."""
    # The gets by task, and the list in flight as the task keyed None (its jobs: `run.round`).
    in_flight: dict[asyncio.Task[Any], str | None] = {}
    cap = run.options.max_concurrency
    try:
        while run.pending:
            now = _clock.monotonic()
            if is_past(run.deadline, now):
                await _time_out(client, run, [i for i in in_flight.values() if i is not None])
            _start_due(client, run, in_flight, now)
            if not in_flight:
                await _clock.async_sleep(run.sleep_for(now))
                continue
            wake = run.wake_in(now, full=len(in_flight) >= cap)
            done, _ = await asyncio.wait(in_flight, timeout=wake, return_when="FIRST_COMPLETED")
            for task in [t for t in in_flight if t in done]:  # in the order they started
                key = in_flight.pop(task)
                if key is None:
                    async for ended in _settle_list(run, task.result()):
                        yield ended
                    continue
                job = await _settle(run, key, task.result())
                if job is not None:
                    yield key, job
        run.finish()
    except (asyncio.CancelledError, KeyboardInterrupt):
        await _cancel_all(client, run.on_interrupt(), cap)
        raise
    finally:
        for task in in_flight:
            task.cancel()
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)


def _run(ids: Sequence[str], options: WaitOptions, *, single: bool) -> WaitCore:
    return WaitCore(ids, options, single=single, mono_now=_clock.monotonic())


async def wait_one_async(
    client: AsyncTogether, batch_job_id: str, options: WaitOptions
) -> BatchJob:
    """`AsyncBatches.wait_until_done` (see `Batches.wait_until_done`)."""
    events = _engine(client, _run([batch_job_id], options, single=True))
    async with contextlib.aclosing(events) as ends:
        async for _, job in ends:
            return job
    raise AssertionError("unreachable: a single wait returns or raises")  # pragma: no cover


async def as_completed_async(
    client: AsyncTogether, ids: Sequence[str], options: WaitOptions
) -> AsyncIterator[BatchJob]:
    """`AsyncBatches.as_completed` (see `Batches.as_completed`)."""
    async with contextlib.aclosing(_engine(client, _run(ids, options, single=False))) as ends:
        async for _, job in ends:
            yield job


async def wait_all_async(
    client: AsyncTogether, ids: Sequence[str], options: WaitOptions
) -> list[BatchJob]:
    """`AsyncBatches.wait_all` (see `Batches.wait_all`)."""
    done: dict[str, BatchJob] = {}
    async with contextlib.aclosing(_engine(client, _run(ids, options, single=False))) as ends:
        async for batch_job_id, job in ends:
            done[batch_job_id] = job
    return [done[i] for i in ids]
