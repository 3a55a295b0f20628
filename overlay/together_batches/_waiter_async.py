"""The async waiter: the `AsyncBatches` twin of the shell in `_waiter.py`.

Kept in its own module, imported on the first async wait, so that `import together_batches`
does not pay for asyncio in programs that only use the sync client.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import TYPE_CHECKING, TypeVar

import httpx

from . import _calls, _clock
from . import _polling as P
from ._calls import Call, decode
from ._exceptions import SEND_ERRORS, APITimeoutError, TogetherError, connection_error
from ._models import BatchJob
from ._waiter import OnProgress, _Run, logger

if TYPE_CHECKING:
    from ._client import AsyncTogether

__all__ = ["as_completed_async", "wait_all_async", "wait_one_async"]

T = TypeVar("T")


async def _send_once_async(client: AsyncTogether, call: Call[T], timeout: httpx.Timeout) -> T:
    try:
        response = await client._http.request(**client._request_args(call, timeout))
    except SEND_ERRORS as exc:
        raise connection_error(exc) from exc
    return decode(call, response)


async def _poll_async(
    client: AsyncTogether, batch_job_id: str, timeout: httpx.Timeout, left: float
) -> BatchJob | Exception:
    try:
        # httpx's timeouts bound each phase; this bounds the whole request by the deadline.
        async with asyncio.timeout(left):
            return await _send_once_async(client, _calls.get_batch(batch_job_id), timeout)
    except TogetherError as exc:
        return exc
    except TimeoutError:
        return APITimeoutError("The poll did not finish before the wait's deadline.")


async def _cancel_all_async(client: AsyncTogether, ids: Sequence[str], limit: int) -> None:
    """Best effort: one attempt per job, at most `limit` at once, `CANCEL_TIMEOUT` for all."""
    gate = asyncio.Semaphore(limit)
    timeout = P.request_timeout(None, client.timeout, P.CANCEL_TIMEOUT)

    async def cancel(batch_job_id: str) -> None:
        async with gate:
            try:
                await _send_once_async(client, _calls.cancel_batch(batch_job_id), timeout)
                logger.debug("cancelled batch %s", batch_job_id)
            except Exception as exc:  # best effort: the wait's own outcome matters more
                logger.debug("cancelling batch %s failed: %s", batch_job_id, type(exc).__name__)

    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(P.CANCEL_TIMEOUT):
            await asyncio.gather(*(cancel(i) for i in ids))


async def _cancel_shielded(client: AsyncTogether, run: _Run) -> None:
    # Shielded: the cancel is sent even while this task is being cancelled; a second
    # cancellation stops the waiting for it, not the cancel itself.
    task = asyncio.ensure_future(
        _cancel_all_async(client, list(run.pending), run.options.max_concurrency)
    )
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.shield(task)


async def _engine_async(
    client: AsyncTogether, run: _Run, on_progress: OnProgress
) -> AsyncGenerator[tuple[str, BatchJob]]:
    """One scheduler loop for all jobs: starts due polls as tasks, at most `max_concurrency`
    in flight, and yields (id, job) as each job ends."""
    in_flight: dict[asyncio.Task[BatchJob | Exception], str] = {}
    cap = run.options.max_concurrency
    try:
        while run.pending:
            now = _clock.monotonic()
            if P.is_past(run.deadline, now):
                if run.options.cancel_on_timeout:
                    await _cancel_shielded(client, run)
                group = P.final_error(run.ids, run.errors, run.jobs)
                raise run.timed_out() from group
            while len(in_flight) < cap and run.due_now(now):
                batch_job_id = run.queue.pop()
                timeout = run.request_timeout(client.timeout, now)
                left = P.seconds_left(run.deadline, now)
                task = asyncio.ensure_future(_poll_async(client, batch_job_id, timeout, left))
                in_flight[task] = batch_job_id
            if not in_flight:
                await _clock.async_sleep(run.sleep_for(now))
                continue
            # Wake when a poll ends, or when another job falls due while a slot is free.
            wake = run.sleep_for(now) if run.queue and len(in_flight) < cap else None
            done, _ = await asyncio.wait(
                in_flight, timeout=wake, return_when=asyncio.FIRST_COMPLETED
            )
            for task in [t for t in in_flight if t in done]:  # in the order they started
                batch_job_id = in_flight.pop(task)
                job = run.settle(batch_job_id, task.result(), on_progress)
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
    client: AsyncTogether, batch_job_id: str, options: P.WaitOptions, on_progress: OnProgress
) -> BatchJob:
    """`AsyncBatches.wait_until_done` (see `Batches.wait_until_done`)."""
    run = _Run([batch_job_id], options, single=True)
    async with contextlib.aclosing(_engine_async(client, run, on_progress)) as events:
        async for _, job in events:
            return job
    raise AssertionError("unreachable: a single wait returns or raises")  # pragma: no cover


async def as_completed_async(
    client: AsyncTogether, ids: Sequence[str], options: P.WaitOptions, on_progress: OnProgress
) -> AsyncIterator[BatchJob]:
    """`AsyncBatches.as_completed` (see `Batches.as_completed`)."""
    run = _Run(ids, options, single=False)
    async with contextlib.aclosing(_engine_async(client, run, on_progress)) as events:
        async for _, job in events:
            yield job


async def wait_all_async(
    client: AsyncTogether, ids: Sequence[str], options: P.WaitOptions, on_progress: OnProgress
) -> list[BatchJob]:
    """`AsyncBatches.wait_all` (see `Batches.wait_all`)."""
    run = _Run(ids, options, single=False)
    done: dict[str, BatchJob] = {}
    async with contextlib.aclosing(_engine_async(client, run, on_progress)) as events:
        async for batch_job_id, job in events:
            done[batch_job_id] = job
    return [done[i] for i in ids]
