"""`AsyncBatches.run`: the twin of `_workload_run`, with the async client.

The same plan and the same events; only the calls are awaited. The local file work (the
manifest, part files, leftovers) is `Session`'s, done in the event loop's thread: each step
is one part's worth at most.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from . import _clock
from ._models import BatchJob
from ._results import BatchResult
from ._workload_events import Created, CreateSent, NotCreated, Uploaded
from ._workload_plan import (
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
from ._workload_results import PartResults
from ._workload_session import Session

if TYPE_CHECKING:
    from ._client import AsyncTogether

__all__ = ["drive_async"]


async def drive_async(client: AsyncTogether, session: Session) -> AsyncIterator[BatchResult]:
    """`_workload_run.drive` for the async twin."""
    while actions := next_actions(session.workload):
        for action in actions:
            async for result in _do(client, session, action):
                yield result


async def _do(
    client: AsyncTogether, session: Session, action: Action
) -> AsyncIterator[BatchResult]:
    workload = session.workload
    if isinstance(action, Upload):
        path = session.base / action.part.input.path
        file = await client.files.upload(path, purpose="batch-api")
        assert file.id is not None  # `_upload.finish_call` makes sure
        session.record(Uploaded(action.part.number, file.id))
    elif isinstance(action, Create):
        part = action.part
        assert part.file_id is not None
        session.record(CreateSent(part.number, at=_clock.now().timestamp()))
        job = await client.batches.create_batch(part.file_id, workload.endpoint,
                                                model_id=workload.model_id)  # fmt: skip
        session.record(Created(part.number, job.id))
    elif isinstance(action, FindBatch):
        found = find_batch(action.part, await client.batches.list_batches(),
                           endpoint=workload.endpoint, model_id=workload.model_id,
                           known=action.known)  # fmt: skip
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

    jobs = client.batches.as_completed(ids, timeout=session.time_left(), on_progress=progress,
                                       max_concurrency=session.max_concurrency)  # fmt: skip
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
    if part.batch_id is not None and (part.output_file_id or part.error_file_id):
        async for result in client.batches.results(part.batch_id):
            if tally.feed(result):
                yield result
    for record in session.finish(tally):
        yield record
