"""Where a job's files are saved by `Batches.download`, and which files hold its results:
the decisions of `resources.workflow`'s downloads and results, with no I/O but removing a file
an earlier download left."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .._jsonl.results import ResultsUnavailableError
from .._models import BatchJob

__all__ = [
    "DownloadedFiles",
    "download_targets",
    "downloaded",
    "errors_path",
    "names_a_directory",
    "result_file_ids",
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


def result_file_ids(job: BatchJob) -> list[str]:
    """The files holding a job's results: its output file, then its error file.

    Raises:
        ResultsUnavailableError: The job has not ended, or has neither file.
    """
    if not job.status.is_terminal:
        raise ResultsUnavailableError(
            f"batch {job.id} is {job.status} ({job.progress:.1%}): it has no results until "
            "it ends; wait for it first (wait_until_done)",
            job=job,
        )
    files = [f for f in (job.output_file_id, job.error_file_id) if f]
    if not files:
        reason = f"; its error: {job.error}" if job.error else ""
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
