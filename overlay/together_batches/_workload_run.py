"""`Batches.run`: a workload over any number of requests, driven with the sync client.

A thin shell: `next_actions` says what to do, each call's answer becomes an event that
`Session.record` applies and saves (see `_workload_plan`'s design note). Uploads and creates
are sent one after another: a part's upload takes far less time than its batch's run,
so sending them concurrently would save little of a workload's time.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    from ._client import Together

__all__ = ["drive"]


def drive(client: Together, session: Session) -> Iterator[BatchResult]:
    """Do what the plan says until it says nothing, yielding results as parts are read.

    Yields:
        Each request's final outcome, once per run (a part whose reading a crash cut
        short is read again in full when resumed).
    """
    while actions := next_actions(session.workload):
        for action in actions:
            yield from _do(client, session, action)


def _do(client: Together, session: Session, action: Action) -> Iterator[BatchResult]:
    workload = session.workload
    if isinstance(action, Upload):
        file = client.files.upload(session.base / action.part.input.path, purpose="batch-api")
        assert file.id is not None  # `_upload.finish_call` makes sure
        session.record(Uploaded(action.part.number, file.id))
    elif isinstance(action, Create):
        part = action.part
        assert part.file_id is not None
        session.record(CreateSent(part.number, at=_clock.now().timestamp()))
        job = client.batches.create_batch(part.file_id, workload.endpoint,
                                          model_id=workload.model_id)  # fmt: skip
        session.record(Created(part.number, job.id))
    elif isinstance(action, FindBatch):
        found = find_batch(action.part, client.batches.list_batches(),
                           endpoint=workload.endpoint, model_id=workload.model_id,
                           known=action.known)  # fmt: skip
        number = action.part.number
        session.record(NotCreated(number) if found is None else Created(number, found))
    elif isinstance(action, Wait):
        yield from _wait(client, session, action)
    elif isinstance(action, Consume):
        yield from _consume(client, session, action)
    else:
        assert isinstance(action, PlanRound)
        session.plan_round(action)


def _wait(client: Together, session: Session, action: Wait) -> Iterator[BatchResult]:
    ids = [part.batch_id for part in action.parts if part.batch_id is not None]

    def progress(job: BatchJob) -> None:
        session.record(seen(session.part_of(job.id), job))

    jobs = client.batches.as_completed(ids, timeout=session.time_left(), on_progress=progress,
                                       max_concurrency=session.max_concurrency)  # fmt: skip
    for job in jobs:
        number = session.part_of(job.id)
        session.record(seen(number, job))
        consume = session.consume_of(number)
        if consume is not None:  # read it now: the other parts' waits go on after
            yield from _consume(client, session, consume)


def _consume(client: Together, session: Session, action: Consume) -> Iterator[BatchResult]:
    part = action.part
    tally = PartResults(part, final=action.final)
    if part.batch_id is not None and (part.output_file_id or part.error_file_id):
        for result in client.batches.results(part.batch_id):
            if tally.feed(result):
                yield result
    yield from session.finish(tally)
