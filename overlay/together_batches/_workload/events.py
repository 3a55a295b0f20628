"""What happens to a workload, as events, and the state each one leads to (`apply`).

Each event is what one call learnt (an upload's file id, a create's batch id, a poll's
status, a part's results read); `apply` is pure and refuses an event that cannot happen in
the state given (a programming error, `ValueError`), so that a wrong driver fails loudly
instead of writing a manifest that lies. The driver saves the manifest after each event
that `must_save` says to save.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

from .._exceptions import BatchNotCreatedError
from .records import Part, PartFile, Workload

__all__ = [
    "PROGRESS_SAVE_INTERVAL",
    "Consumed",
    "CreateSent",
    "Created",
    "Event",
    "NotCreated",
    "RoundPlanned",
    "Seen",
    "Uploaded",
    "apply",
    "must_save",
    "new_workload",
    "refused",
]

#: The least seconds between two saves of the manifest for a change of batches' progress
#: alone: a wait polls each part every 2 s while its progress moves, and a save is two
#: fsyncs. Any other change is saved at once.
PROGRESS_SAVE_INTERVAL = 5.0


@dataclass(frozen=True, slots=True)
class Uploaded:
    """Part `part`'s input file was uploaded (or found uploaded) as `file_id`."""

    part: int
    file_id: str


@dataclass(frozen=True, slots=True)
class CreateSent:
    """A create is about to be sent for part `part`, at `at` (Unix seconds): saved before
    it is, so that after a crash the batch is looked for instead of created twice."""

    part: int
    at: float


@dataclass(frozen=True, slots=True)
class Created:
    """Part `part`'s batch is `batch_id` (from the create's answer, or found by a look)."""

    part: int
    batch_id: str


@dataclass(frozen=True, slots=True)
class NotCreated:
    """The look for part `part`'s batch found none: the create never took effect."""

    part: int


def refused(part: Part, error: BatchNotCreatedError) -> NotCreated:
    """What a create answered without a job (`BatchNotCreatedError`) did to part `part`:
    nothing was started, so it is not being created any more (a resumed run creates it
    again, without a look for its batch). `error`, which the driver raises once the other
    creates have been answered, gets a note naming the part and what to do.

    Returns:
        The part's `NotCreated`.
    """
    error.add_note(
        f"workload part {part.number} (input {part.input.path}) was not created, so its "
        "requests have not run; the other parts' batches go on. Deal with the warning, then "
        "run again with the same manifest: the part is created then"
    )
    return NotCreated(part.number)


@dataclass(frozen=True, slots=True)
class Seen:
    """Part `part`'s batch was seen in `status` (a `BatchStatus` value)."""

    part: int
    status: str
    progress: float = 0.0
    output_file_id: str | None = None
    error_file_id: str | None = None


@dataclass(frozen=True, slots=True)
class Consumed:
    """Part `part`'s results were read and handed on.

    Attributes:
        succeeded: How many of its requests got an ok result.
        leftover: Its requests to try again, written as an input file (a part of a round
            that is retried, with requests that did not succeed), else None.
        results_offset: Where the consumer's merged results file ends now, if it keeps one.
    """

    part: int
    succeeded: int
    leftover: PartFile | None = None
    results_offset: int | None = None


@dataclass(frozen=True, slots=True)
class RoundPlanned:
    """The leftovers of round `round - 1` were split into `parts`, the parts of `round`."""

    round: int
    parts: tuple[PartFile, ...]


Event = Uploaded | CreateSent | Created | NotCreated | Seen | Consumed | RoundPlanned


def new_workload(
    parts: Sequence[PartFile],
    *,
    endpoint: str,
    model_id: str | None = None,
    retry_failed: int = 0,
    max_requests: int,
    max_bytes: int,
) -> Workload:
    """A workload that has just been split into `parts` (round 0), none of them uploaded.

    Raises:
        ValueError: There are no parts, or `retry_failed` is negative.
    """
    if not parts:
        raise ValueError("a workload needs at least one part")
    if not isinstance(retry_failed, int) or isinstance(retry_failed, bool) or retry_failed < 0:
        raise ValueError(f"retry_failed must be an int >= 0, not {retry_failed!r}")
    numbered = tuple(Part(number, 0, file) for number, file in enumerate(parts, start=1))
    return Workload(endpoint, model_id, retry_failed, max_requests, max_bytes, numbered)


def apply(workload: Workload, event: Event) -> Workload:
    """The workload once `event` happened.

    Raises:
        ValueError: The event cannot happen to the workload as it is (unknown part, a
            second batch for one part, results read twice, ...).
    """
    if isinstance(event, RoundPlanned):
        return _plan_round(workload, event)
    part = _part(workload, event.part)
    changed = _apply_to_part(part, event)
    if changed == part:
        return workload  # nothing new: the driver need not save
    parts = tuple(changed if p.number == part.number else p for p in workload.parts)
    offset = workload.results_offset
    if isinstance(event, Consumed) and event.results_offset is not None:
        offset = event.results_offset
    return dataclasses.replace(workload, parts=parts, results_offset=offset)


def must_save(
    before: Workload,
    after: Workload,
    *,
    since_saved: float,
    interval: float = PROGRESS_SAVE_INTERVAL,
) -> bool:
    """Whether the manifest must be saved now that `before` became `after`, the manifest
    holding `before` or a state differing from it in progress alone (as every state since
    the last save does, when this decides each), written `since_saved` seconds ago.

    A change of batches' progress alone is saved at most every `interval` seconds: a
    resumed run that finds an older progress polls again and sees the new one, so losing
    it loses nothing. Every other change (an id, a status, a part consumed, a round) is
    saved at once: a resume plans from it.

    Args:
        before: The state before the event (the manifest's, but for progress).
        after: The state the event made (`before` itself when it changed nothing).
        since_saved: Seconds since the manifest was last written.
        interval: The longest a change of progress alone goes unsaved.

    Returns:
        True to write `after` now.
    """
    if after is before:
        return False
    return since_saved >= interval or not _progress_only(before, after)


def _progress_only(saved: Workload, workload: Workload) -> bool:
    """Whether the two differ in parts' `progress` at most."""
    if len(saved.parts) != len(workload.parts) or _settings(saved) != _settings(workload):
        return False
    # Called on every poll's change: field getters, not `dataclasses.replace` (~8 µs a part).
    return all(
        new is old or _state(new) == _state(old)
        for new, old in zip(workload.parts, saved.parts, strict=True)
    )


_settings = attrgetter(*(f.name for f in dataclasses.fields(Workload) if f.name != "parts"))
_state = attrgetter(*(f.name for f in dataclasses.fields(Part) if f.name != "progress"))


def _part(workload: Workload, number: int) -> Part:
    if 1 <= number <= len(workload.parts):
        return workload.parts[number - 1]
    raise ValueError(f"the workload has no part {number}")


def _apply_to_part(part: Part, event: Event) -> Part:
    replace, number = dataclasses.replace, part.number
    if isinstance(event, Uploaded):
        if part.file_id not in (None, event.file_id):
            raise ValueError(f"part {number} is uploaded already, as {part.file_id}")
        return replace(part, file_id=event.file_id)
    if isinstance(event, CreateSent):
        if part.file_id is None or part.batch_id is not None:
            raise ValueError(f"part {number} cannot be created: it is {part.state}")
        return replace(part, creating=True, create_sent_at=event.at)
    if isinstance(event, Created):
        if part.file_id is None or part.batch_id not in (None, event.batch_id):
            raise ValueError(
                f"part {number} cannot become batch {event.batch_id}: it is "
                f"{part.state} (batch {part.batch_id})"
            )
        return replace(part, batch_id=event.batch_id, creating=False, create_sent_at=None)
    if isinstance(event, NotCreated):
        if not part.creating or part.batch_id is not None:
            raise ValueError(f"part {number} was not being created: it is {part.state}")
        return replace(part, creating=False, create_sent_at=None)
    if isinstance(event, Seen):
        if part.batch_id is None:
            raise ValueError(f"part {number} has no batch to be seen: it is {part.state}")
        if part.terminal:
            return part  # a slower poll's older answer: the terminal status stays
        return replace(
            part,
            status=event.status,
            progress=event.progress,
            output_file_id=event.output_file_id,
            error_file_id=event.error_file_id,
        )
    assert isinstance(event, Consumed)
    return _consume(part, event)


def _consume(part: Part, event: Consumed) -> Part:
    number = part.number
    if not part.terminal or part.consumed:
        state = "consumed already" if part.consumed else part.state
        raise ValueError(f"part {number}'s results cannot be consumed: it is {state}")
    if not 0 <= event.succeeded <= part.input.requests:
        raise ValueError(
            f"part {number} has {part.input.requests} requests, not "
            f"{event.succeeded} that succeeded"
        )
    if event.leftover is not None and event.leftover.requests == 0:
        raise ValueError("an empty leftover is recorded as None")
    return dataclasses.replace(
        part, consumed=True, succeeded=event.succeeded, leftover=event.leftover
    )


def _plan_round(workload: Workload, event: RoundPlanned) -> Workload:
    previous = [part for part in workload.parts if part.round == event.round - 1]
    if event.round != workload.round + 1 or event.round > workload.retry_failed:
        raise ValueError(
            f"round {event.round} cannot follow round {workload.round} of "
            f"{workload.retry_failed} retry rounds"
        )
    if not all(part.consumed for part in previous):
        raise ValueError(f"round {event.round - 1} has parts whose results are not consumed")
    sources = [(p.number, p.leftover.requests) for p in previous if p.leftover is not None]
    if sum(count for _, count in sources) != sum(f.requests for f in event.parts) or not sources:
        raise ValueError(
            f"round {event.round}'s parts must hold exactly the leftovers of "
            f"round {event.round - 1}"
        )
    parts = list(workload.parts)
    start = 0
    for file in event.parts:
        end = start + file.requests
        parts.append(Part(len(parts) + 1, event.round, file, _overlapping(sources, start, end)))
        start = end
    return dataclasses.replace(workload, parts=tuple(parts))


def _overlapping(sources: list[tuple[int, int]], start: int, end: int) -> tuple[int, ...]:
    """The sources (number, line count; laid end to end) that lines [start, end) come from."""
    found, at = [], 0
    for number, count in sources:
        if at < end and start < at + count:
            found.append(number)
        at += count
    return tuple(found)
