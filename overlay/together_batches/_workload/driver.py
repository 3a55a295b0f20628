"""`Batches.run`: a workload over any number of requests, driven with the sync client.

A thin shell: `next_actions` says what to do, each call's answer becomes an event that
`Session.record` applies and saves (see `_workload.plan`'s design note). The uploads a plan
asks for are sent concurrently (at most `max_concurrency` threads), and so are its creates,
each after its `CreateSent` is saved; every event is recorded in the caller's thread, as
each call is answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
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
    from .._client import Together

__all__ = ["concurrently", "drive"]

A = TypeVar("A")
R = TypeVar("R")


def drive(client: Together, session: Session) -> Iterator[BatchResult]:
    """Do what the plan says until it says nothing, yielding results as parts are read.

    Yields:
        Each request's final outcome, once per run (a part whose reading a crash cut
        short is read again in full when resumed).
    """
    try:
        while actions := next_actions(session.workload):
            # In the plan's order: a look for a lost create's batch must come before any
            # new create, which could make a batch it would take for its own.
            for action in actions:
                if isinstance(action, FindBatch):
                    yield from _do(client, session, action)
            _upload_all(client, session, [a.part for a in actions if isinstance(a, Upload)])
            _create_all(client, session, [a.part for a in actions if isinstance(a, Create)])
            for action in actions:
                if not isinstance(action, Upload | Create | FindBatch):
                    yield from _do(client, session, action)
    finally:  # ended, failed, or closed (`results.close()`, or the iterator dropped)
        session.close()


def concurrently(call: Callable[[A], R], items: Iterable[A], limit: int) -> Iterator[R]:
    """`call` on each item, at most `limit` at once in threads; the answers as they come.

    Raises:
        The first call's error, once every other call has ended and been yielded.
    """
    errors: list[BaseException] = []
    with ThreadPoolExecutor(max_workers=max(1, limit)) as pool:
        for future in as_completed([pool.submit(call, item) for item in items]):
            error = future.exception()
            if error is None:
                yield future.result()
            else:
                errors.append(error)
    if errors:
        raise errors[0]


def _upload_all(client: Together, session: Session, parts: list[Part]) -> None:
    def upload(part: Part) -> Uploaded:
        file = client.files.upload(session.base / part.input.path, purpose="batch-api")
        return Uploaded(part.number, file.id)

    for event in concurrently(upload, parts, session.max_concurrency):
        session.record(event)


def _create_all(client: Together, session: Session, parts: list[Part]) -> None:
    workload = session.workload

    refusals: list[BatchNotCreatedError] = []

    def create(part: Part) -> Created | NotCreated:
        assert part.file_id is not None
        try:
            job = client.batches.create_batch(
                part.file_id, workload.endpoint, model_id=workload.model_id
            )
        except BatchNotCreatedError as error:  # nothing started: not a lost create
            refusals.append(error)
            return refused(part, error)
        return Created(part.number, job.id)

    for part in parts:  # saved first: after a crash, the batch is looked for, not made again
        session.record(CreateSent(part.number, at=_clock.now().timestamp()))
    for event in concurrently(create, parts, session.max_concurrency):
        session.record(event)
    if refusals:
        raise refusals[0]


def _do(client: Together, session: Session, action: Action) -> Iterator[BatchResult]:
    workload = session.workload
    if isinstance(action, FindBatch):
        found = find_batch(
            action.part,
            client.batches.list_batches(),
            endpoint=workload.endpoint,
            model_id=workload.model_id,
            known=action.known,
        )
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

    jobs = client.batches.as_completed(
        ids,
        timeout=session.time_left(),
        on_progress=progress,
        max_concurrency=session.max_concurrency,
    )
    for job in jobs:
        number = session.part_of(job.id)
        session.record(seen(number, job))
        consume = session.consume_of(number)
        if consume is not None:  # read it now: the other parts' waits go on after
            yield from _consume(client, session, consume)


def _consume(client: Together, session: Session, action: Consume) -> Iterator[BatchResult]:
    part = action.part
    tally = PartResults(part, final=action.final)
    try:
        # The files recorded when the batch was seen ended; the requests in neither are
        # found in the part's input, on disk (`session.finish`), not downloaded again.
        files = [f for f in (part.output_file_id, part.error_file_id) if f]
        for result in resources.workflow.file_results(client, files, None):
            if tally.feed(result):
                yield result
        yield from session.finish(tally)
    finally:
        tally.close()
