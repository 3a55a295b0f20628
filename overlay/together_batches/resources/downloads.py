"""Where a job's files are saved by `Batches.download`, and which files hold its results:
the decisions of `resources.workflow`'s downloads and results, with no I/O but removing a file
an earlier download left."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .._exceptions import as_sent
from .._jsonl.results import ResultsIncompleteError, ResultsUnavailableError
from .._models import BatchJob, readable_progress
from .._status import BatchStatus

__all__ = [
    "DownloadedFiles",
    "download_targets",
    "downloaded",
    "errors_path",
    "incomplete",
    "names_a_directory",
    "result_file_ids",
    "result_sources",
]


@dataclass(frozen=True, slots=True)
class DownloadedFiles:
    """Where `Batches.download` saved a job's files.

    Attributes:
        output: The output file's path, or None when the job has none.
        errors: The error file's path (`NAME.errors.jsonl` beside the output), or None when
            the job has none.
    """

    output: Path | None
    errors: Path | None


def _check_ended(job: BatchJob) -> None:
    if not job.status.is_terminal:
        # Messages show the values as sent: a field that cannot be read must not turn this
        # error into another one.
        percent = readable_progress(job)
        done = "progress unknown" if percent is None else f"{percent / 100:.1%}"
        raise ResultsUnavailableError(
            f"batch {job.id} is {job.status} ({done}): it has no results until "
            "it ends; wait for it first (wait_until_done)",
            job=job,
        )


def result_sources(job: BatchJob) -> tuple[list[str], bool]:
    """Where `results` reads a job's outcomes: its output file, then its error file, and
    whether its input must be read after them, for the requests neither file holds.

    The input is read for a job that ended other than COMPLETED (CANCELLED, EXPIRED,
    FAILED, or a status this client does not know), and for any job with neither file: its
    requests that never ran are in neither file. A COMPLETED job ran every request, and
    the service writes each to its output or its error file: reading its input too would
    only download it again.

    Raises:
        ResultsUnavailableError: The job has not ended.
    """
    _check_ended(job)
    files = [f for f in (job.output_file_id, job.error_file_id) if f]
    return files, job.status != BatchStatus.COMPLETED or not files


def incomplete(job: BatchJob, results: int, why: str) -> ResultsIncompleteError:
    """The error of a job whose requests that never ran cannot be listed, after `results`
    records of its files; `why` says what became of its input file."""
    # Shown as sent: an error the server sent as an object is still worth reading.
    error = as_sent(lambda: job.error)
    reason = f" (its error: {error})" if error else ""
    if job.output_file_id or job.error_file_id:
        read = f"the {results:,} requests its output and error files hold were read, but"
        rest = "Those of your input that are not among the results never ran"
    else:
        read = "it has no output or error file, and"
        rest = "None of its requests ran"
    return ResultsIncompleteError(
        f"batch {job.id} ended {job.status}{reason}: {read} {why}, so its requests that "
        f"never ran cannot be listed. {rest}: resubmit them from your own copy of the input",
        job=job,
        input_file_id=job.input_file_id or None,
    )


def result_file_ids(job: BatchJob) -> list[str]:
    """The files holding a job's results: its output file, then its error file.

    Raises:
        ResultsUnavailableError: The job has not ended, or has neither file.
    """
    _check_ended(job)
    files = [f for f in (job.output_file_id, job.error_file_id) if f]
    if not files:
        error = job.to_dict()["error"]
        reason = f"; its error: {error}" if error else ""
        raise ResultsUnavailableError(
            f"batch {job.id} ended {job.status} without an output or an error file{reason}",
            job=job,
        )
    return files


def errors_path(path: Path) -> Path:
    """Where the error file goes beside an output file: `NAME.errors.jsonl`."""
    name = path.name.removesuffix(".jsonl") if path.name != ".jsonl" else path.name
    return path.with_name(f"{name}.errors.jsonl")


def names_a_directory(path: str | os.PathLike[str]) -> bool:
    """Whether `path` means "into this directory": it ends in a path separator (`out/`,
    made if need be), or it is an existing directory."""
    text = os.fspath(path)
    separators = tuple(sep for sep in (os.sep, os.altsep) if sep)
    return text.endswith(separators) or Path(text).is_dir()


def download_targets(job: BatchJob, path: str | os.PathLike[str]) -> list[tuple[str | None, Path]]:
    """The job's output and error files (None where it has none), each with where to save
    it: `path` (in it as `ID.jsonl`, when it names a directory: see `names_a_directory`)
    and `NAME.errors.jsonl` beside it.

    Raises:
        ResultsUnavailableError: The job has not ended, or has neither file.
    """
    result_file_ids(job)
    out = Path(path)
    if names_a_directory(path):
        out = out / f"{job.id}.jsonl"
    return [(job.output_file_id or None, out), (job.error_file_id or None, errors_path(out))]


def downloaded(targets: list[tuple[str | None, Path]], saved: list[Path | None]) -> DownloadedFiles:
    """What was saved; a file an earlier download left where the job has none is removed,
    so that an old `NAME.errors.jsonl` does not pass for this job's errors."""
    for (file_id, where), path in zip(targets, saved, strict=True):
        if file_id is None and path is None:
            where.unlink(missing_ok=True)
    return DownloadedFiles(*saved)
