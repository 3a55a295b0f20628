"""What the command-line tool says when a call fails or a wait is cut short: pure text.

Lines name the tool's own options (`--base-url`, `TOGETHER_API_KEY`), not the library's
parameters, and always the job's id when a job is concerned. `main` prints them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .._exceptions import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    NotFoundError,
    TogetherError,
)
from .._jsonl.results import ResultsUnavailableError
from .._models import BatchJob
from .views.readable import live_percent

__all__ = ["CancelResult", "cancel_outcome", "error_hint", "seen_text"]

#: What came of a cancel the tool sent: the job it answered, the error, or None (not sent).
CancelResult = BatchJob | Exception | None

_BASE_URL_OPTIONS = "--base-url or TOGETHER_BASE_URL"


def _ends_in_v1(base_url: str) -> bool:
    return urlsplit(base_url).path.rstrip("/").endswith("/v1")


def error_hint(exc: TogetherError, base_url: str) -> str:
    """What to add to an API error's line to say what to check; "" when nothing helps.

    Args:
        exc: The error the call raised.
        base_url: The base URL the tool used.

    Returns:
        Text starting with "; ", or "".
    """
    if isinstance(exc, NotFoundError) and not _ends_in_v1(base_url):
        return (
            f"; the base URL {base_url} does not end in /v1, where the API's paths start: "
            f"try {base_url.rstrip('/')}/v1 ({_BASE_URL_OPTIONS})"
        )
    if isinstance(exc, AuthenticationError):
        return "; check the key given by --api-key or TOGETHER_API_KEY"
    if isinstance(exc, ResultsUnavailableError) and not exc.job.status.is_terminal:
        return f"; together-batches wait {exc.job.id} waits for it"
    if isinstance(exc, APIConnectionError) and not isinstance(exc, APITimeoutError):
        return f"; the base URL was {base_url} ({_BASE_URL_OPTIONS})"
    return ""


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
            f"could not cancel batch {batch_job_id} ({type(result).__name__}: {result}); it "
            f"may still be running{seen}: together-batches cancel {batch_job_id} retries"
        )
    return (
        f"batch {batch_job_id} is still running{seen}, not cancelled: together-batches "
        f"cancel {batch_job_id} cancels it (wait --cancel-on-timeout does so on Ctrl-C)"
    )
