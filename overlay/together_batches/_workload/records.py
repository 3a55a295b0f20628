"""A workload's records: its parts, from their input files to their consumed results.

`Workload` and `Part` are immutable: the planner (`_workload.plan`) derives the next state
from an event, and `_workload.manifest` keeps each state in the manifest file.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .._jsonl.checks import InputFileInfo
from .._status import BatchStatus

__all__ = ["Part", "PartFile", "Workload", "part_file"]


@dataclass(frozen=True, slots=True)
class PartFile:
    """An input file of the workload, as the manifest records it.

    Attributes:
        path: Where it is, relative to the manifest's directory (or absolute).
        requests: How many requests (lines) it holds.
        size: Its size in bytes.
        sha256: The SHA-256 of its bytes.
    """

    path: str
    requests: int
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Part:
    """One batch of the workload, from its input file to its consumed results: one attempt
    at its requests (round 0 holds every request; round n, those to try an nth time).

    Attributes:
        number: Its number, from 1, in the order the parts were planned.
        round: 0 for the requests as split, n for the nth retry round.
        input: Its input file.
        sources: For a retry round's part: the numbers of the previous round's parts whose
            leftovers it holds.
        file_id: The uploaded input file's id, once uploaded.
        creating: A create was sent, or about to be, and its answer is not recorded:
            after a crash, look for the batch before creating another.
        create_sent_at: When that create was sent (Unix seconds), to tell its batch from
            older ones of the same input file.
        batch_id: Its batch's id, once created.
        status: The batch's status when last seen (a `BatchStatus` value).
        progress: The batch's progress when last seen, 0.0 to 1.0.
        output_file_id: The batch's output file, once terminal.
        error_file_id: The batch's error file, once terminal.
        consumed: Its results were read and handed on.
        succeeded: How many of its requests got an ok result (once consumed).
        leftover: Once consumed in a round that is retried: its requests without an ok
            result, as input lines for the next round (None when there are none).
    """

    number: int
    round: int
    input: PartFile
    sources: tuple[int, ...] = ()
    file_id: str | None = None
    creating: bool = False
    create_sent_at: float | None = None
    batch_id: str | None = None
    status: str | None = None
    progress: float = 0.0
    output_file_id: str | None = None
    error_file_id: str | None = None
    consumed: bool = False
    succeeded: int | None = None
    leftover: PartFile | None = None

    @property
    def terminal(self) -> bool:
        """Whether its batch was seen in a terminal status."""
        return self.status is not None and BatchStatus(self.status).is_terminal

    @property
    def state(self) -> str:
        """Where it is, for a progress view: "planned" (not uploaded), "uploaded",
        "creating", "created" (no status seen yet), or its batch's status."""
        if self.status is not None:
            return self.status
        if self.batch_id is not None:
            return "created"
        if self.creating:
            return "creating"
        return "planned" if self.file_id is None else "uploaded"


@dataclass(frozen=True, slots=True)
class Workload:
    """The whole workload as its manifest records it.

    Attributes:
        endpoint: The batches' endpoint, e.g. "/v1/chat/completions".
        model_id: The batches' model, if given.
        retry_failed: How many retry rounds may follow the first.
        max_requests: The most requests a part holds (the split's limit).
        max_bytes: The largest a part's input file is.
        parts: Every part of every round, by number.
        results_offset: Where a consumer's merged results file ended after the last
            consumed part (the CLI's `-o`), so that a resumed run cuts it there.
    """

    endpoint: str
    model_id: str | None
    retry_failed: int
    max_requests: int
    max_bytes: int
    parts: tuple[Part, ...] = field(default=())
    results_offset: int | None = None

    @property
    def requests(self) -> int:
        """How many requests the workload holds (those of round 0)."""
        return sum(part.input.requests for part in self.parts if part.round == 0)

    @property
    def round(self) -> int:
        """The latest round planned (0 until a retry round is)."""
        return max((part.round for part in self.parts), default=0)


def part_file(info: InputFileInfo, base: str | os.PathLike[str]) -> PartFile:
    """A written input file, as the manifest in directory `base` records it.

    Raises:
        ValueError: `info` has no path.
    """
    if info.path is None:
        raise ValueError("a part's input file must have a path")
    path = Path(info.path)
    with contextlib.suppress(ValueError):
        path = path.relative_to(base)  # else it stays as it is: absolute, or as given
    return PartFile(path.as_posix(), info.requests, info.size, info.sha256)
