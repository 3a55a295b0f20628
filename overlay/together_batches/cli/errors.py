"""What the command-line tool says when a call fails or a wait is cut short: pure text.

Lines name the tool's own options (`--base-url`, `TOGETHER_API_KEY`), not the library's
parameters, and always the job's id when a job is concerned. `main` prints them.
"""

from __future__ import annotations

import errno

from .._exceptions import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BatchNotCreatedError,
    TogetherError,
)
from .._jsonl.results import ResultsUnavailableError
from .._models import BatchJob
from .._status import BatchStatus
from .views.readable import live_percent
from .views.render import plain_text

__all__ = [
    "CancelResult",
    "api_error_text",
    "cancel_outcome",
    "error_hint",
    "not_created_line",
    "not_ready_text",
    "os_error_text",
    "seen_text",
]

#: What came of a cancel the tool sent: the job it answered, the error, or None (not sent).
CancelResult = BatchJob | Exception | None

_BASE_URL_OPTIONS = "--base-url or TOGETHER_BASE_URL"


def api_error_text(exc: TogetherError, base_url: str) -> str:
    """An API, network or server error's line, without Python's names, with what to check.

    Args:
        exc: The error the call raised.
        base_url: The base URL the tool used.

    Returns:
        E.g. `Could not connect (Connection refused): check the base URL and the network,
        then retry; the base URL was http://127.0.0.1:1/v1 (--base-url or TOGETHER_BASE_URL)`.
    """
    if isinstance(exc, ResultsUnavailableError):
        return not_ready_text(exc)
    text = plain_text(str(exc)).strip()
    hint = error_hint(exc, base_url)
    # The library's sentence ends in a full stop; the hint goes on after it with "; ".
    return f"{text.rstrip('.') if hint else text}{hint}"


def not_ready_text(exc: ResultsUnavailableError) -> str:
    """Why a job's results cannot be read: it has not ended (and how to wait), or it ended
    without files (the library's own sentence, which says so)."""
    job = exc.job
    if job.status.is_terminal:
        return plain_text(str(exc))
    return (
        f"batch {job.id} is {job.status} ({live_percent(job)}): it has no results "
        f"until it ends; together-batches wait {job.id} waits for it"
    )


def os_error_text(exc: OSError) -> str:
    """A local file's error as a sentence, e.g. `cannot read in.jsonl: no such file`."""
    reason = _REASONS.get(exc.errno or 0) or (exc.strerror or plain_text(str(exc))).lower()
    name = exc.filename
    return f"{name}: {reason}" if name is not None else reason


_REASONS = {
    errno.ENOENT: "no such file or directory",
    errno.EISDIR: "is a directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.ENOSPC: "no space left on the device",
    errno.EROFS: "the file system is read-only",
    errno.EEXIST: "exists already",
}


def error_hint(exc: TogetherError, base_url: str) -> str:
    """What to add to an API error's line to say what to check; "" when nothing helps.

    Args:
        exc: The error the call raised.
        base_url: The base URL the tool used.

    Returns:
        Text starting with "; ", or "".
    """
    if isinstance(exc, AuthenticationError):
        return "; check the key given by --api-key or TOGETHER_API_KEY"
    if isinstance(exc, APIConnectionError) and not isinstance(exc, APITimeoutError):
        return f"; the base URL was {base_url} ({_BASE_URL_OPTIONS})"
    return ""


def not_created_line(exc: BatchNotCreatedError) -> str:
    """What the tool says when a create was answered with a warning and no batch.

    Returns:
        `not created: <warning>`, then what to do: for a workload's part, its note (run
        again); else, when the create named one, the uploaded input file a new create uses.
    """
    notes = getattr(exc, "__notes__", None)
    if notes:
        return f"not created: {exc.warning}; " + "; ".join(notes)
    if exc.input_file_id:
        return (
            f"not created: {exc.warning}; the input file {exc.input_file_id} is uploaded: "
            f"create --input-file-id {exc.input_file_id} starts a batch on it"
        )
    return f"not created: {exc.warning}"


def seen_text(last: BatchJob | None) -> str:
    """`; last seen IN_PROGRESS 42.0%`, or "" before the first poll answered."""
    return "" if last is None else f"; last seen {last.status} {live_percent(last)}"


def cancel_outcome(batch_job_id: str, result: CancelResult, last: BatchJob | None) -> str:
    """What became of a job whose wait was cut short (Ctrl-C, SIGTERM, the timeout).

    Args:
        batch_job_id: The job.
        result: What the tool's cancel got back, or None when none was asked for.
        last: The job as last polled, if any.

    Returns:
        E.g. `cancel requested: batch b1 is CANCELING`, or `batch b1 is still running ...`.
    """
    seen = "" if last is None else f" (last seen {last.status} {live_percent(last)})"
    if isinstance(result, BatchJob):
        return f"cancel requested: batch {batch_job_id} is {result.status}"
    if isinstance(result, Exception):
        return (
            f"could not cancel batch {batch_job_id} ({plain_text(str(result)).rstrip('.')}); "
            f"it may still be running{seen}: together-batches cancel {batch_job_id} retries"
        )
    status = None if last is None else last.status
    if status is not None and status.is_terminal:
        return f"batch {batch_job_id} had ended{seen}"
    if status == BatchStatus.CANCELING:
        # Being cancelled already: cancelling again does nothing, waiting shows the end.
        return (
            f"batch {batch_job_id} is being cancelled{seen}: together-batches wait "
            f"{batch_job_id} follows it to its end"
        )
    return (
        f"batch {batch_job_id} is still running{seen}, not cancelled: together-batches "
        f"cancel {batch_job_id} cancels it (wait --cancel-on-timeout does so on Ctrl-C)"
    )
