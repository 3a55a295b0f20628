"""What both twins of `batches.run` share: starting or resuming a workload, and its local
file work (the manifest, the part files, the leftovers), none of it over the network.

`_workload.driver` (sync) and `_workload.driver_async` (async) are the network shells: they do
each action `next_actions` plans with the client and hand the event it ends in to
`Session.record`, as `_workload.plan`'s design note lays out.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path

from .. import _clock
from .._jsonl.checks import InputFileInfo
from .._jsonl.inputs import Request
from .._jsonl.results import BatchResult
from .._jsonl.writer import (
    MAX_FILE_BYTES,
    MAX_REQUESTS,
    InputFileWriter,
    fsync_directory,
    new_sha256,
)
from .._wait.callbacks import call_sync, check_plain
from .events import Consumed, Event, RoundPlanned, apply, must_save, new_workload
from .lock import ManifestLock
from .manifest import check_matches, load_manifest, save_manifest
from .plan import (
    Consume,
    PlanRound,
    leftover_name,
    next_actions,
    parts_directory,
    round_prefix,
)
from .progress import WorkloadProgress, sample, snapshot
from .records import Part, PartFile, Workload, part_file
from .results import PartResults
from .split import split_file, split_lines, split_requests

__all__ = [
    "OnWorkloadProgress",
    "Session",
    "WorkloadInput",
    "check_arguments",
    "start",
    "take_lock",
]

#: Requests, or the path of a JSONL input file (its problems are named by line number).
WorkloadInput = str | os.PathLike[str] | Iterable[Request]
#: Called with the workload's progress after each change of its state.
OnWorkloadProgress = Callable[[WorkloadProgress], object] | None
#: Why `run` refuses an `async def` `on_progress` (in both twins): it is called between the
#: run's steps, synchronously, and an unawaited coroutine would never run.
RUN_ADVICE = (
    "which batches.run calls between its steps without awaiting: pass a plain function "
    "(it may hand the snapshot to a queue or a task of its own)"
)


class Session:
    """One run over a workload: its state, saved to the manifest on every change (a change
    of batches' progress alone at most every `PROGRESS_SAVE_INTERVAL` seconds).

    Args:
        manifest: The manifest's path.
        workload: The state to start from (saved already).
        on_progress: Called with a snapshot after each change.
        timeout: Seconds the whole run may wait for batches, or None for the batches' own
            deadlines.
        max_concurrency: Polls in flight at once while waiting.
        lock: The manifest's lock, held by this run until `close`.
    """

    def __init__(
        self,
        manifest: Path,
        workload: Workload,
        on_progress: OnWorkloadProgress,
        timeout: float | None,
        max_concurrency: int,
        *,
        lock: ManifestLock | None = None,
    ) -> None:
        self.manifest, self.workload, self.on_progress = manifest, workload, on_progress
        self._lock = lock
        self.max_concurrency = max_concurrency
        #: Where a consumer's merged results file ends, flushed (the CLI's `-o`): called as
        #: each part is consumed, so that a resumed run cuts the file there.
        self.results_offset: Callable[[], int] | None = None
        self.base, self.directory = manifest.parent, parts_directory(manifest)
        self.start = sample(workload, at=_clock.monotonic())
        self.deadline = None if timeout is None else _clock.monotonic() + timeout
        #: When the manifest was last written (`workload` is saved already).
        self._saved_at = _clock.monotonic()

    def close(self) -> None:
        """The run is over (ended, failed or closed): give the manifest's lock back."""
        if self._lock is not None:
            self._lock.release()

    def record(self, event: Event) -> None:
        """Apply `event`; save the manifest when `must_save` says so, and report progress
        when the state changed."""
        changed = apply(self.workload, event)
        if changed is self.workload:
            return
        now = _clock.monotonic()
        # Against the state before this event, not the one saved: they differ in progress
        # alone (anything else was saved at once), and the other parts are the same objects.
        if must_save(self.workload, changed, since_saved=now - self._saved_at):
            save_manifest(self.manifest, changed)
            self._saved_at = now
        self.workload = changed
        if self.on_progress is not None:
            call_sync("on_progress", self.on_progress, self.progress(), RUN_ADVICE)

    def progress(self) -> WorkloadProgress:
        """The workload's progress now, with the time left at this run's rate."""
        return snapshot(self.workload, since=self.start, now=_clock.monotonic())

    def time_left(self) -> float | None:
        """Seconds left of the run's deadline (at least 0), or None without one."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - _clock.monotonic())

    def part_of(self, batch_id: str) -> int:
        """The number of the part whose batch is `batch_id`."""
        return next(p.number for p in self.workload.parts if p.batch_id == batch_id)

    def consume_of(self, number: int) -> Consume | None:
        """The plan's `Consume` for part `number`, when its results are due now."""
        for action in next_actions(self.workload):
            if isinstance(action, Consume) and action.part.number == number:
                return action
        return None

    def lines(self, file: PartFile) -> Iterator[bytes]:
        """The lines of one of the workload's files, read as needed."""
        with (self.base / file.path).open("rb") as stream:
            yield from stream

    def finish(self, tally: PartResults) -> Iterator[BatchResult]:
        """End a part's `Consume` once its results were fed to `tally`: in the final round,
        yield a failed record for each request without a result; else write its leftover.
        Then record `Consumed` (so a crash before this reads the part's results again)."""
        part = tally.part
        leftover = None
        if tally.final:
            yield from tally.unfinished(self.lines(part.input))
        else:
            leftover = self._write_leftover(part, tally)
        offset = None if self.results_offset is None else self.results_offset()
        self.record(Consumed(part.number, tally.succeeded, leftover, offset))

    def _write_leftover(self, part: Part, tally: PartResults) -> PartFile | None:
        path = self.directory / leftover_name(part)
        writer = InputFileWriter(
            path, max_requests=part.input.requests, max_bytes=max(part.input.size, 1), durable=True
        )
        with writer:
            for line in tally.leftovers(self.lines(part.input)):
                writer.write(line)
            if not writer.requests:
                writer.discard()
                path.unlink(missing_ok=True)
                return None
            return part_file(writer.close(), self.base)

    def plan_round(self, action: PlanRound) -> None:
        """Split the sources' leftovers into the round's parts, and record them."""
        sources = (self.lines(p.leftover) for p in action.sources if p.leftover is not None)
        infos = split_lines(
            chain.from_iterable(sources),
            self.directory,
            prefix=round_prefix(action.round),
            max_requests=self.workload.max_requests,
            max_bytes=self.workload.max_bytes,
        )
        files = tuple(part_file(info, self.base) for info in infos)
        self.record(RoundPlanned(action.round, files))


def check_arguments(
    *, endpoint: str, on_progress: OnWorkloadProgress, timeout: float | None
) -> None:
    """The checks of `start` that need nothing read: the async twin makes them at its call,
    before the rest of `start` runs in a worker thread.

    Raises:
        ValueError: An empty endpoint, or a negative timeout.
        TypeError: `on_progress` is not a plain function.
    """
    if not isinstance(endpoint, str) or not endpoint:
        raise ValueError(f"endpoint must be a non-empty str, not {endpoint!r}")
    check_plain("on_progress", on_progress, RUN_ADVICE)
    if timeout is not None and not timeout >= 0:
        raise ValueError(f"timeout must be None or seconds >= 0, not {timeout!r}")


def take_lock(manifest: str | os.PathLike[str]) -> ManifestLock:
    """Take the manifest's lock: before the manifest is read (see `_workload.lock`);
    `Session.close` gives it back.

    Raises:
        ManifestError: Another run of the manifest is open.
    """
    lock = ManifestLock(Path(manifest))
    lock.take()
    return lock


def start(
    requests: WorkloadInput,
    *,
    endpoint: str,
    model_id: str | None,
    manifest: str | os.PathLike[str],
    retry_failed: int,
    timeout: float | None,
    on_progress: OnWorkloadProgress,
    max_concurrency: int,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_FILE_BYTES,
    lock: ManifestLock | None = None,
) -> Session:
    """Start a workload, or resume the one `manifest` records; nothing is sent.

    `lock`, when given, is the manifest's, taken already (the async twin takes it at its
    call, then runs the rest of this in a worker thread); it is given back on an error.

    The requests are split into part files beside the manifest (`NAME.parts`) on every
    run: a resumed run splits them with the recorded limits into a scratch directory and
    checks they are the same before any recorded part file is replaced (only one that is
    missing, or whose bytes differ from the manifest's, is).

    Raises:
        InputFileError: The requests have problems (duplicate custom_ids included).
        ManifestError: The manifest records other requests or settings, or is unreadable.
        ValueError: A bad argument (no requests, a negative `retry_failed`, ...).
        TypeError: `on_progress` is not a plain function (an `async def`, say).
    """
    check_arguments(endpoint=endpoint, on_progress=on_progress, timeout=timeout)
    path = Path(manifest)
    if lock is None:
        lock = take_lock(path)
    try:
        recorded = load_manifest(path)
        if recorded is None:
            infos = _split(
                requests,
                parts_directory(path),
                max_requests=max_requests,
                max_bytes=max_bytes,
                durable=True,
            )
            recorded = _given(
                infos,
                path,
                endpoint=endpoint,
                model_id=model_id,
                retry_failed=retry_failed,
                max_requests=max_requests,
                max_bytes=max_bytes,
            )
            save_manifest(path, recorded)
        else:
            _resume(
                requests,
                recorded,
                path,
                endpoint=endpoint,
                model_id=model_id,
                retry_failed=retry_failed,
            )
    except BaseException:
        lock.release()
        raise
    return Session(path, recorded, on_progress, timeout, max_concurrency, lock=lock)


#: The name a resumed run's scratch directory starts with, in the parts directory.
_SCRATCH = ".resume-"


def _split(
    requests: WorkloadInput,
    directory: Path,
    *,
    max_requests: int,
    max_bytes: int,
    durable: bool,
) -> list[InputFileInfo]:
    prefix = round_prefix(0)
    if isinstance(requests, str | os.PathLike):
        return split_file(
            requests,
            directory,
            prefix=prefix,
            durable=durable,
            max_requests=max_requests,
            max_bytes=max_bytes,
        )
    return split_requests(
        requests,
        directory,
        prefix=prefix,
        durable=durable,
        max_requests=max_requests,
        max_bytes=max_bytes,
    )


def _resume(
    requests: WorkloadInput,
    recorded: Workload,
    path: Path,
    *,
    endpoint: str,
    model_id: str | None,
    retry_failed: int,
) -> None:
    """Split a resumed run's requests as the manifest says, into a scratch directory, and
    match them to it: the recorded part files are not touched unless they match, and then
    only where one is missing or differs from what the manifest records (so a resume
    needs room for a second copy of the parts for a moment).

    Raises:
        InputFileError, ManifestError: As `start` says; the part files are as they were.
    """
    directory = parts_directory(path)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(f"{_SCRATCH}*"):  # a killed resume's
        shutil.rmtree(stale, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(dir=directory, prefix=_SCRATCH))
    limits = {"max_requests": recorded.max_requests, "max_bytes": recorded.max_bytes}
    try:
        # Not durable: a copy that is kept is fsynced as it is moved into place.
        infos = _split(requests, scratch, durable=False, **limits)
        given = _given(
            infos, path, endpoint=endpoint, model_id=model_id, retry_failed=retry_failed, **limits
        )
        check_matches(recorded, given, infos, path=str(path))
        _restore(recorded, infos, path.parent)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _given(
    infos: list[InputFileInfo],
    path: Path,
    *,
    endpoint: str,
    model_id: str | None,
    retry_failed: int,
    max_requests: int,
    max_bytes: int,
) -> Workload:
    """The workload a run's split and settings make (matched to a manifest's)."""
    return new_workload(
        [part_file(info, path.parent) for info in infos],
        endpoint=endpoint,
        model_id=model_id,
        retry_failed=retry_failed,
        max_requests=max_requests,
        max_bytes=max_bytes,
    )


def _restore(recorded: Workload, infos: list[InputFileInfo], base: Path) -> None:
    """Put each matched part (`infos`, in a scratch directory) where the manifest records
    it, unless the file there has the recorded bytes already (the usual case)."""
    moved: set[Path] = set()
    for part, info in zip((p for p in recorded.parts if p.round == 0), infos, strict=False):
        target = base / part.input.path
        if _holds(target, part.input):
            continue
        assert info.path is not None
        with open(info.path, "rb") as stream:  # durable before it is where a resume reads
            os.fsync(stream.fileno())
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(info.path, target)
        moved.add(target.parent)
    for directory in moved:
        fsync_directory(directory)


def _holds(path: Path, file: PartFile) -> bool:
    """Whether the file at `path` has `file`'s size and SHA-256."""
    try:
        if path.stat().st_size != file.size:
            return False
        digest = new_sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == file.sha256
