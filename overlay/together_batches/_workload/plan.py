"""What a workload does next, from the manifest's state alone: `next_actions(workload)`.

The whole run, step by step, is in the folder's docstring (`_workload/__init__.py`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .._exceptions import InvalidFieldError
from .._models import BatchJob, readable_progress
from .events import Seen
from .records import Part, Workload

__all__ = [
    "CLOCK_SKEW",
    "Action",
    "Consume",
    "Create",
    "FindBatch",
    "PlanRound",
    "Upload",
    "Wait",
    "find_batch",
    "leftover_name",
    "next_actions",
    "parts_directory",
    "round_prefix",
    "seen",
]

#: How far the server's clock may be behind ours, in seconds, when a batch found after a
#: crash is matched to the create that was sent.
CLOCK_SKEW = 300.0


@dataclass(frozen=True, slots=True)
class Upload:
    """Upload the part's input file."""

    part: Part


@dataclass(frozen=True, slots=True)
class Create:
    """Create the part's batch (saving `CreateSent` first)."""

    part: Part


@dataclass(frozen=True, slots=True)
class FindBatch:
    """Look for the batch a create sent for the part made: never one of `known`."""

    part: Part
    known: frozenset[str]


@dataclass(frozen=True, slots=True)
class Wait:
    """Wait for the parts' batches, handling each as it ends."""

    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class Consume:
    """Read the part's results; `final`: no retry round follows, hand on failures too."""

    part: Part
    final: bool


@dataclass(frozen=True, slots=True)
class PlanRound:
    """Split the leftovers of `sources` (in order) into the parts of retry round `round`."""

    round: int
    sources: tuple[Part, ...]


Action = Upload | Create | FindBatch | Wait | Consume | PlanRound


def next_actions(workload: Workload) -> tuple[Action, ...]:
    """What to do next, from the workload's state alone (so the same after a resume).

    Returns:
        `FindBatch`, `Upload`, `Create` and `Consume` actions (one per part that needs
        it, by part number), then one `Wait` for every part whose batch is running; or,
        once every part is consumed, one `PlanRound` when a retry round is due; or
        nothing when the workload is done.
    """
    known = frozenset(p.batch_id for p in workload.parts if p.batch_id is not None)
    find: list[Action] = []
    upload: list[Action] = []
    create: list[Action] = []
    consume: list[Action] = []
    running: list[Part] = []
    for part in workload.parts:
        if part.file_id is None:
            upload.append(Upload(part))
        elif part.batch_id is None and part.creating:
            find.append(FindBatch(part, known))
        elif part.batch_id is None:
            create.append(Create(part))
        elif not part.terminal:
            running.append(part)
        elif not part.consumed:
            consume.append(Consume(part, final=part.round >= workload.retry_failed))
    actions = (*find, *upload, *create, *consume, *((Wait(tuple(running)),) if running else ()))
    return actions or _next_round(workload)


def _next_round(workload: Workload) -> tuple[Action, ...]:
    latest = workload.round
    sources = tuple(p for p in workload.parts if p.round == latest and p.leftover is not None)
    if latest >= workload.retry_failed or not sources:
        return ()
    return (PlanRound(latest + 1, sources),)


def seen(part: int, job: BatchJob) -> Seen:
    """The event of seeing part `part`'s batch as `job`."""
    # A progress the server sent as another type than a number is unknown: shown as 0.
    percent = readable_progress(job)
    progress = 0.0 if percent is None else percent / 100.0
    return Seen(part, str(job.status), progress, job.output_file_id, job.error_file_id)


def find_batch(
    part: Part,
    jobs: Iterable[BatchJob],
    *,
    endpoint: str,
    model_id: str | None,
    known: frozenset[str],
    skew: float = CLOCK_SKEW,
) -> str | None:
    """The batch a create sent for `part` made, among `jobs` (the account's list).

    A batch matches when it reads the part's input file with the workload's endpoint and
    model, is none of `known` (a retry part can have the same input file as an earlier
    one: the server dedups uploads by checksum), and was not created before the create
    was sent (less `skew`): another workload over the same file made that one.

    Returns:
        The newest match's id, or None when there is none (the create never arrived).
    """
    sent = part.create_sent_at

    def created(job: BatchJob) -> float | None:
        try:
            return None if job.created_at is None else job.created_at.timestamp()
        except InvalidFieldError:
            return None

    def matches(job: BatchJob) -> bool:
        # Any job of the account is here: one whose fields cannot be read is not a match,
        # never a failure of the run.
        try:
            return (
                job.input_file_id == part.file_id
                and job.id not in known
                and job.endpoint == endpoint
                and (model_id is None or job.model_id == model_id)
            )
        except InvalidFieldError:
            return False

    found: list[tuple[float, BatchJob]] = []
    for job in jobs:
        if matches(job):
            at = created(job)
            if not (sent is not None and at is not None and at < sent - skew):
                found.append((0 if at is None else at, job))
    if not found:
        return None
    return max(found, key=lambda pair: pair[0])[1].id


def parts_directory(manifest: str | os.PathLike[str]) -> Path:
    """Where a workload's part files go: `NAME.parts` beside its manifest `NAME`."""
    path = Path(manifest)
    return path.with_name(f"{path.name}.parts")


def round_prefix(round_: int) -> str:
    """The file-name prefix of a round's parts: "part" for the first, "retryN" after."""
    return "part" if round_ == 0 else f"retry{round_}"


def leftover_name(part: Part) -> str:
    """The file name of a part's leftover (its requests to try again)."""
    return f"leftover-{part.number:05d}.jsonl"
