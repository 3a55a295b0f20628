"""`AsyncBatches.run`: the twin of `_workload.driver`, with the async client.

The same plan and the same events; only the calls are awaited, and a plan's uploads (and
its creates) are tasks, at most `max_concurrency` at once. The local file work (the
manifest, part files, leftovers) is `Session`'s, done in the event loop's thread: each step
is one part's worth at most.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from .. import _clock, resources
from .._exceptions import BatchNotCreatedError
from .._jsonl.results import BatchResult
from .._models import BatchJob
from .events import Created, CreateSent, NotCreated, Uploaded, refused
from .plan import (
    Action,
    Consume,
    Create,
    FindBatch,
    PlanRound,
    Upload,
    Wait,
    find_batch,
    next_actions,
    seen,
)
from .records import Part
from .results import PartResults
from .session import Session

if TYPE_CHECKING:
    from .._client import AsyncTogether

__all__ = ["drive_async", "each_concurrently", "start_and_drive"]

A = TypeVar("A")
R = TypeVar("R")


async def drive_async(client: AsyncTogether, session: Session) -> AsyncGenerator[BatchResult, None]:
    """`_workload.driver.drive` for the async twin."""
    try:
        while actions := next_actions(session.workload):
            for action in actions:  # first: see `_workload.driver.drive`
                if isinstance(action, FindBatch):
                    async for result in _do(client, session, action):
                        yield result
            uploads = [a.part for a in actions if isinstance(a, Upload)]
            await _upload_all(client, session, uploads)
            await _create_all(client, session, [a.part for a in actions if isinstance(a, Create)])
            for action in actions:
                if not isinstance(action, Upload | Create | FindBatch):
                    async for result in _do(client, session, action):
                        yield result
    finally:  # ended, failed, or closed (`await results.aclose()`)
        session.close()


async def start_and_drive(
    client: AsyncTogether, start: Callable[[], Session]
) -> AsyncIterator[BatchResult]:
    """`start()` (the requests' check and split, the manifest's match: seconds of CPU and
    disk for a workload of millions) in a worker thread, off the event loop, then
    `drive_async`. What `start` raises (`InputFileError`, `ManifestError`, ...) arrives
    at the first `__anext__`.

    A task cancelled while `start` runs lets it finish, and gives back the manifest's
    lock it took.
    """
    starting = asyncio.ensure_future(asyncio.to_thread(start))
    try:
        session = await asyncio.shield(starting)
    except asyncio.CancelledError:
        starting.add_done_callback(_close_started)
        raise
    async with contextlib.aclosing(drive_async(client, session)) as results:
        async for result in results:  # closed with this one: the manifest's lock given back
            yield result


def _close_started(starting: asyncio.Future[Session]) -> None:
    if not starting.cancelled() and starting.exception() is None:
        starting.result().close()


async def each_concurrently(
    call: Callable[[A], Awaitable[R]],
    items: Iterable[A],
    limit: int,
    then: Callable[[R], object],
) -> None:
    """`call` on each item as tasks, at most `limit` at once; `then` on each answer as it
    comes. When `then` raises, the other calls are cancelled.

    Raises:
        The first call's error, once every other call has ended (and `then` had its answer).
    """
    semaphore = asyncio.Semaphore(max(1, limit))

    async def bounded(item: A) -> R:
        async with semaphore:
            return await call(item)

    tasks = [asyncio.ensure_future(bounded(item)) for item in items]
    errors: list[Exception] = []
    try:
        for next_done in asyncio.as_completed(tasks):
            try:
                answer = await next_done
            except Exception as error:
                errors.append(error)
                continue
            then(answer)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if errors:
        raise errors[0]


async def _upload_all(client: AsyncTogether, session: Session, parts: list[Part]) -> None:
    async def upload(part: Part) -> Uploaded:
        file = await client.files.upload(session.base / part.input.path, purpose="batch-api")
        return Uploaded(part.number, file.id)

    await each_concurrently(upload, parts, session.max_concurrency, session.record)


async def _create_all(client: AsyncTogether, session: Session, parts: list[Part]) -> None:
    workload = session.workload

    refusals: list[BatchNotCreatedError] = []

    async def create(part: Part) -> Created | NotCreated:
        assert part.file_id is not None
        try:
            job = await client.batches.create_batch(
                part.file_id, workload.endpoint, model_id=workload.model_id
            )
        except BatchNotCreatedError as error:  # nothing started: not a lost create
            refusals.append(error)
            return refused(part, error)
        return Created(part.number, job.id)

    for part in parts:  # saved first: after a crash, the batch is looked for, not made again
        session.record(CreateSent(part.number, at=_clock.now().timestamp()))
    await each_concurrently(create, parts, session.max_concurrency, session.record)
    if refusals:
        raise refusals[0]


async def _do(
    client: AsyncTogether, session: Session, action: Action
) -> AsyncIterator[BatchResult]:
    workload = session.workload
    if isinstance(action, FindBatch):
        found = find_batch(
            action.part,
            await client.batches.list_batches(),
            endpoint=workload.endpoint,
            model_id=workload.model_id,
            known=action.known,
        )
        number = action.part.number
        session.record(NotCreated(number) if found is None else Created(number, found))
    elif isinstance(action, Wait):
        async for result in _wait(client, session, action):
            yield result
    elif isinstance(action, Consume):
        async for result in _consume(client, session, action):
            yield result
    else:
        assert isinstance(action, PlanRound)
        session.plan_round(action)


async def _wait(
    client: AsyncTogether, session: Session, action: Wait
) -> AsyncIterator[BatchResult]:
    ids = [part.batch_id for part in action.parts if part.batch_id is not None]

    def progress(job: BatchJob) -> None:
        session.record(seen(session.part_of(job.id), job))

    jobs = client.batches.as_completed(
        ids,
        timeout=session.time_left(),
        on_progress=progress,
        max_concurrency=session.max_concurrency,
    )
    async for job in jobs:
        number = session.part_of(job.id)
        session.record(seen(number, job))
        consume = session.consume_of(number)
        if consume is not None:  # read it now: the other parts' waits go on after
            async for result in _consume(client, session, consume):
                yield result


async def _consume(
    client: AsyncTogether, session: Session, action: Consume
) -> AsyncIterator[BatchResult]:
    part = action.part
    tally = PartResults(part, final=action.final)
    try:
        files = [f for f in (part.output_file_id, part.error_file_id) if f]  # see `driver`
        async for result in resources.workflow.file_results_async(client, files, None):
            if tally.feed(result):
                yield result
        for record in session.finish(tally):
            yield record
    finally:
        tally.close()
