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
from together_batches._jsonl.results import ResultsUnavailableError
from together_batches.cli.errors import (
    api_error_text,
    cancel_outcome,
    error_hint,
    not_ready_text,
    os_error_text,
    seen_text,
)
from together_batches.cli.views.render import plain_text

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
            APIConnectionError("Could not connect (ConnectError: [Errno 111] refused): retry."),
            RUNNING,
            "could not cancel batch b1 (Could not connect (refused): retry); it may still be "
            "running (last seen IN_PROGRESS 42.0%): together-batches cancel b1 retries",
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
        # Stopped while the job was being cancelled: cancelling again is not the advice.
        (
            None,
            BatchJob(id="b1", status="CANCELING", progress=40.0),
            "batch b1 is being cancelled (last seen CANCELING 40.0%): together-batches wait b1 "
            "follows it to its end",
        ),
        (
            None,
            BatchJob(id="b1", status="COMPLETED", progress=100.0),
            "batch b1 had ended (last seen COMPLETED 100.0%)",
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


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        (
            "Could not connect (ConnectError: [Errno 111] Connection refused): retry.",
            "Could not connect (Connection refused): retry.",
        ),
        ("httpx.ReadTimeout: timed out", "timed out"),
        ("Batch job b not found (HTTP 404)", "Batch job b not found (HTTP 404)"),
        ("[Errno 2] No such file or directory: 'x'", "No such file or directory: 'x'"),
    ],
)
def test_plain_text_drops_python_names(text: str, plain: str) -> None:
    assert plain_text(text) == plain


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (
            APIConnectionError(
                "Could not connect (ConnectError: [Errno 111] Connection refused): check the "
                "base URL and the network, then retry."
            ),
            "Could not connect (Connection refused): check the base URL and the network, then "
            f"retry; the base URL was http://h:9/v1 {OPTIONS}",  # no ".;"
        ),
        (APITimeoutError("Request timed out."), "Request timed out."),
        (status(InternalServerError, 500), "no (HTTP 500)"),
    ],
)
def test_api_error_text(exc: TogetherError, line: str) -> None:
    assert api_error_text(exc, "http://h:9/v1") == line


def test_not_ready_text_names_the_command_not_the_method() -> None:
    running = ResultsUnavailableError("... (wait_until_done)", job=RUNNING)
    assert not_ready_text(running) == (
        "batch b1 is IN_PROGRESS (42.0%): it has no results until it ends; together-batches "
        "wait b1 waits for it"
    )
    ended = BatchJob(id="b1", status="FAILED", error="bad input")
    text = "batch b1 ended FAILED without an output or an error file; its error: bad input"
    assert not_ready_text(ResultsUnavailableError(text, job=ended)) == text


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (
            FileNotFoundError(2, "No such file or directory", "a.jsonl"),
            "a.jsonl: no such file or directory",
        ),
        (PermissionError(13, "Permission denied", "/x"), "/x: permission denied"),
        (IsADirectoryError(21, "Is a directory", "d"), "d: is a directory"),
        (OSError(28, "No space left on device"), "no space left on the device"),
        (OSError("odd"), "odd"),
    ],
)
def test_os_error_text(exc: OSError, line: str) -> None:
    assert os_error_text(exc) == line
