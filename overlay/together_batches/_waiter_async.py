"""The async waiter: the `AsyncBatches` twin of the shell in `_waiter.py`.

Kept in its own module, imported on the first async wait, so that `import together_batches`
does not pay for asyncio in programs that only use the sync client.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import TYPE_CHECKING

from . import _calls, _clock
from . import _polling as P
from ._callbacks import call_async
from ._exceptions import TogetherError
from ._models import BatchJob
from ._waiter import Outcome, _Run, cut_at_deadline, logger

if TYPE_CHECKING:
    from ._client import AsyncTogether

__all__ = ["as_completed_async", "wait_all_async", "wait_one_async"]


async def _poll_async(client: AsyncTogether, batch_job_id: str, run: _Run) -> Outcome:
    # One attempt of the send primitive, cancelled at the wait's deadline.
    call = _calls.get_batch(batch_job_id)
    try:
        return await client._execute(call, run.options.request_timeout, deadline=run.deadline)
    except TogetherError as exc:
        return exc


async def _cancel_all_async(client: AsyncTogether, ids: Sequence[str], limit: int) -> None:
    """Best effort: one attempt per job, at most `limit` at once, `CANCEL_TIMEOUT` for all."""
    gate = asyncio.Semaphore(limit)
    end = _clock.monotonic() + P.CANCEL_TIMEOUT

    async def cancel(batch_job_id: str) -> None:
        async with gate:
            try:
                await client._execute(_calls.cancel_batch(batch_job_id), deadline=end)
                logger.debug("cancelled batch %s", batch_job_id)
            except Exception as exc:  # best effort: the wait's own outcome matters more
                logger.debug("cancelling batch %s failed: %s", batch_job_id, type(exc).__name__)

    await asyncio.gather(*(cancel(i) for i in ids))


async def _settle_async(run: _Run, batch_job_id: str, outcome: Outcome) -> BatchJob | None:
    """`_Run.settle`, then the callbacks (an `async def` awaited), then the error if any."""
    step, error = run.settle(batch_job_id, outcome)
    for _, callback, arg in run.callbacks(step):
        await call_async(callback, arg)
    if error is not None:
        raise error
    return step.finished


async def _cancel_shielded(client: AsyncTogether, run: _Run) -> None:
    # Shielded: the cancel is sent even while this task is being cancelled; a second
    # cancellation stops the waiting for it, not the cancel itself.
    task = asyncio.ensure_future(
        _cancel_all_async(client, list(run.pending), run.options.max_concurrency)
    )
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.shield(task)


async def _time_out_async(client: AsyncTogether, run: _Run, in_flight: list[str]) -> None:
    """The deadline passed: the polls in flight count as timed out, the cancel (if asked
    for) is sent, and `WaitTimeoutError` is raised, any errors so far as its cause."""
    for batch_job_id in in_flight:  # in the order they started
        await _settle_async(run, batch_job_id, cut_at_deadline())
    if run.options.cancel_on_timeout:
        await _cancel_shielded(client, run)
    raise run.timed_out() from P.final_error(run.ids, run.errors, run.jobs)


async def _engine_async(client: AsyncTogether, run: _Run) -> AsyncGenerator[tuple[str, BatchJob]]:
    """One scheduler loop for all jobs: starts due polls as tasks, at most `max_concurrency`
    in flight, and yields (id, job) as each job ends."""
    in_flight: dict[asyncio.Task[Outcome], str] = {}
    cap = run.options.max_concurrency
    try:
        while run.pending:
            now = _clock.monotonic()
            if P.is_past(run.deadline, now):
                await _time_out_async(client, run, list(in_flight.values()))
            while len(in_flight) < cap and run.due_now(now):
                batch_job_id = run.queue.pop()
                in_flight[asyncio.ensure_future(_poll_async(client, batch_job_id, run))] = (
                    batch_job_id
                )
            if not in_flight:
                await _clock.async_sleep(run.sleep_for(now))
                continue
            done, _ = await asyncio.wait(
                in_flight,
                timeout=run.wake_in(now, full=len(in_flight) >= cap),
                return_when=asyncio.FIRST_COMPLETED,
            )
            for task in [t for t in in_flight if t in done]:  # in the order they started
                batch_job_id = in_flight.pop(task)
                job = await _settle_async(run, batch_job_id, task.result())
                if job is not None:
                    yield batch_job_id, job
        run.finish()
    except (asyncio.CancelledError, KeyboardInterrupt):
        if run.options.cancel_on_timeout:
            await _cancel_shielded(client, run)
        raise
    finally:
        for task in in_flight:
            task.cancel()
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)


async def wait_one_async(
    client: AsyncTogether, batch_job_id: str, options: P.WaitOptions
) -> BatchJob:
    """`AsyncBatches.wait_until_done` (see `Batches.wait_until_done`)."""
    run = _Run([batch_job_id], options, single=True)
    async with contextlib.aclosing(_engine_async(client, run)) as events:
        async for _, job in events:
            return job
    raise AssertionError("unreachable: a single wait returns or raises")  # pragma: no cover


async def as_completed_async(
    client: AsyncTogether, ids: Sequence[str], options: P.WaitOptions
) -> AsyncIterator[BatchJob]:
    """`AsyncBatches.as_completed` (see `Batches.as_completed`)."""
    run = _Run(ids, options, single=False)
    async with contextlib.aclosing(_engine_async(client, run)) as events:
        async for _, job in events:
            yield job


async def wait_all_async(
    client: AsyncTogether, ids: Sequence[str], options: P.WaitOptions
) -> list[BatchJob]:
    """`AsyncBatches.wait_all` (see `Batches.wait_all`)."""
    run = _Run(ids, options, single=False)
    done: dict[str, BatchJob] = {}
    async with contextlib.aclosing(_engine_async(client, run)) as events:
        async for batch_job_id, job in events:
            done[batch_job_id] = job
    return [done[i] for i in ids]
