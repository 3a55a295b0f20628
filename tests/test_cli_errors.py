"""Table tests of what the tool says when a call fails or a wait is cut short (pure)."""

from __future__ import annotations

import httpx
import pytest

from together_batches import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BatchJob,
    InternalServerError,
    NotFoundError,
    TogetherError,
)
from together_batches.cli.errors import cancel_outcome, error_hint, seen_text

REQUEST = httpx.Request("GET", "http://h/v1/batches/b1")


def status(cls: type[APIStatusError], code: int) -> TogetherError:
    return cls("no", response=httpx.Response(code, request=REQUEST), body=None)


OPTIONS = "(--base-url or TOGETHER_BASE_URL)"


@pytest.mark.parametrize(
    ("exc", "base_url", "hint"),
    [
        # The client adds /v1 to a base URL without it: a 404 is the job's or file's.
        (status(NotFoundError, 404), "http://127.0.0.1:8765", ""),
        (status(NotFoundError, 404), "https://api.together.ai/v1", ""),
        (status(NotFoundError, 404), "http://h/v1/", ""),
        (
            status(AuthenticationError, 401),
            "https://api.together.ai/v1",
            "; check the key given by --api-key or TOGETHER_API_KEY",
        ),
        (
            APIConnectionError("Could not connect"),
            "http://h:9/v1",
            f"; the base URL was http://h:9/v1 {OPTIONS}",
        ),
        (APITimeoutError("slow"), "http://h/v1", ""),
        (status(InternalServerError, 500), "http://h", ""),  # a 500 is not the URL's fault
    ],
)
def test_error_hint(exc: TogetherError, base_url: str, hint: str) -> None:
    assert error_hint(exc, base_url) == hint


RUNNING = BatchJob(id="b1", status="IN_PROGRESS", progress=42.0)


@pytest.mark.parametrize(
    ("result", "last", "line"),
    [
        (BatchJob(id="b1", status="CANCELING"), RUNNING, "cancel requested: batch b1 is CANCELING"),
        (BatchJob(id="b1", status="CANCELLED"), None, "cancel requested: batch b1 is CANCELLED"),
        (
            APIConnectionError("Could not connect (ConnectError): retry."),
            RUNNING,
            "could not cancel batch b1 (APIConnectionError: Could not connect (ConnectError): "
            "retry.); it may still be running (last seen IN_PROGRESS 42.0%): together-batches "
            "cancel b1 retries",
        ),
        (
            None,
            RUNNING,
            "batch b1 is still running (last seen IN_PROGRESS 42.0%), not cancelled: "
            "together-batches cancel b1 cancels it (wait --cancel-on-timeout does so on Ctrl-C)",
        ),
        (
            None,
            None,
            "batch b1 is still running, not cancelled: together-batches cancel b1 cancels it "
            "(wait --cancel-on-timeout does so on Ctrl-C)",
        ),
    ],
)
def test_cancel_outcome(
    result: BatchJob | Exception | None, last: BatchJob | None, line: str
) -> None:
    assert cancel_outcome("b1", result, last) == line


def test_seen_text() -> None:
    assert seen_text(None) == ""
    assert seen_text(RUNNING) == "; last seen IN_PROGRESS 42.0%"
