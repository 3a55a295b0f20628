"""Behaviour of `Together` and `AsyncTogether` (each test runs over both) against scripted
responses: configuration, parsing, every error class, retries."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import socket
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from together_batches import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncTogether,
    AuthenticationError,
    BadRequestError,
    BatchJob,
    BatchStatus,
    BatchWarning,
    InternalServerError,
    InvalidFieldError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    Together,
    TogetherError,
)
from together_batches._http import sending as S

from ._twins import Twin
from .conftest import FakeTime

JOB = {
    "id": "01234567-8901-2345-6789-012345678901",
    "user_id": "user_789xyz012",
    "input_file_id": "file-input123abc456def",
    "file_size_bytes": 1048576,
    "status": "IN_PROGRESS",
    "job_deadline": "2024-01-15T15:30:00Z",
    "created_at": "2024-01-15T14:30:00Z",
    "endpoint": "/v1/chat/completions",
    "progress": 75,
    "model_id": "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
    "output_file_id": "file-output789xyz012ghi",
    "error_file_id": "file-errors456def789jkl",
    "error": "<string>",
    "completed_at": "2024-01-15T15:45:30Z",
}


def reply(
    status: int,
    body: Any = None,
    *,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    content = raw if raw is not None else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers or {})


def script(
    *responses: httpx.Response | Exception,
) -> tuple[Callable[..., httpx.Response], list[httpx.Request]]:
    """A handler answering with `responses` in turn (the last one repeats)."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        # A fresh copy: httpx rebinds a response's stream to the client that sent it.
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    return handler, seen


# --- configuration -------------------------------------------------------------------------


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    for cls in (Together, AsyncTogether):
        with pytest.raises(TogetherError, match="TOGETHER_API_KEY"):
            cls()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("api.together.ai/v1", "must start with http:// or https://"),
        ("https://", "has no host"),
        ("http://[::1/v1", "is not a URL"),
        ("https://api.example.test/v1?x=1", "must not have a query or fragment"),
    ],
)
def test_a_malformed_base_url_fails_before_anything_is_sent(
    twin: Twin, monkeypatch: pytest.MonkeyPatch, url: str, problem: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("sent")

    with pytest.raises(ValueError, match=f"^base_url {re.escape(repr(url))} {re.escape(problem)}"):
        twin.client(handler, base_url=url)
    monkeypatch.setenv("TOGETHER_BASE_URL", url)
    with pytest.raises(ValueError, match=r"^TOGETHER_BASE_URL .*such as https://api\.together\.ai"):
        twin.client(handler, base_url="")


def test_environment_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", "sk-env")
    monkeypatch.setenv("TOGETHER_BASE_URL", "http://127.0.0.1:9/v1/")
    with Together() as client:
        assert client.base_url == "http://127.0.0.1:9/v1"
    monkeypatch.delenv("TOGETHER_BASE_URL")
    with Together(base_url=None) as client:
        assert client.base_url == "https://api.together.ai/v1"
        assert client.timeout.read == 60.0 and client.timeout.connect == 10.0
        assert client.max_retries == 2


def test_context_managers_close_the_client_they_made() -> None:
    with Together("k") as client:
        pass
    assert client._http.is_closed

    async def run() -> AsyncTogether:
        async with AsyncTogether("k") as aclient:
            pass
        return aclient

    assert asyncio.run(run())._http.is_closed


def test_a_passed_http_client_is_not_closed() -> None:
    http = httpx.Client()
    with Together("k", http_client=http):
        pass
    assert not http.is_closed
    http.close()


def test_sends_bearer_key_and_per_call_timeout(twin: Twin, fake_time: FakeTime) -> None:
    handler, seen = script(reply(200, JOB))
    client = twin.client(handler, timeout=12.0)
    client.batches.get_batch("b1")
    client.batches.get_batch("b1", timeout=3.0)
    assert seen[0].headers["Authorization"] == "Bearer sk-test-key"
    assert seen[0].extensions["timeout"]["read"] == 12.0
    assert seen[1].extensions["timeout"]["read"] == 3.0


def test_urls_are_parsed_once_and_each_request_goes_where_its_call_says(twin: Twin) -> None:
    handler, seen = script(*[reply(200, JOB)] * 3, reply(200, [JOB]))
    client = twin.client(handler)
    S.parsed_url.cache_clear()
    for batch_id in ("b1", "b2", "b1"):
        client.batches.get_batch(batch_id)
    client.batches.list_batches()
    assert [str(request.url) for request in seen] == [
        "https://api.example.test/v1/batches/b1",
        "https://api.example.test/v1/batches/b2",
        "https://api.example.test/v1/batches/b1",
        "https://api.example.test/v1/batches",
    ]
    # Each URL was parsed once: the second b1 was remembered (URLs are immutable).
    assert (S.parsed_url.cache_info().misses, S.parsed_url.cache_info().hits) == (3, 1)
    assert S.parsed_url.cache_info().maxsize == 1024  # bounded: ids come and go
    with pytest.raises(httpx.InvalidURL):
        S.parsed_url("https://[::1/v1")
    with pytest.raises(httpx.InvalidURL):  # an error is not remembered as a URL
        S.parsed_url("https://[::1/v1")


# --- parsing -------------------------------------------------------------------------------


def test_the_seed_job_parses_with_fraction_progress(twin: Twin) -> None:
    handler, _ = script(reply(200, JOB))
    job = twin.client(handler).batches.get_batch(JOB["id"])
    assert isinstance(job, BatchJob)
    assert job.status is BatchStatus.IN_PROGRESS
    assert job.progress == 0.75 and job.progress_percent == 75.0
    assert f"{job.progress:.1%}" == "75.0%"
    assert job.created_at is not None and job.created_at.tzinfo is not None
    assert job.completed_at is not None and job.completed_at.second == 30
    assert job.file_size_bytes == 1048576


def test_absent_fields_are_none_and_progress_zero(twin: Twin) -> None:
    handler, _ = script(reply(200, {"id": "b1", "status": "VALIDATING", "error": None}))
    job = twin.client(handler).batches.get_batch("b1")
    assert job.error is None and job.completed_at is None and job.model_id is None
    assert job.progress == 0.0
    assert f"{job.progress:.1%}" == "0.0%"
    assert not job.error


@pytest.mark.parametrize("status", [*(s.value for s in BatchStatus), "REVERSING_POLARITY"])
def test_every_status_round_trips(twin: Twin, status: str) -> None:
    handler, _ = script(reply(200, {**JOB, "status": status}))
    job = twin.client(handler).batches.get_batch("b1")
    assert job.status == status and str(job.status) == status
    assert isinstance(job.status, BatchStatus)
    assert job.to_dict()["status"] == status


def test_new_fields_reach_users_through_extras(twin: Twin) -> None:
    handler, _ = script(reply(200, {**JOB, "priority_class": "low"}))
    job = twin.client(handler).batches.get_batch("b1")
    assert job.extras == {"priority_class": "low"}
    assert job.to_dict()["priority_class"] == "low"
    # A field the spec does not know is in extras only: a typo is an error (and mypy's).
    with pytest.raises(AttributeError):
        _ = job.priority_class


@pytest.mark.parametrize("missing", ["id", "status"])
def test_a_job_without_id_or_status_is_not_a_job(twin: Twin, missing: str) -> None:
    body = {k: v for k, v in JOB.items() if k != missing}
    handler, _ = script(reply(200, body))
    with pytest.raises(APIResponseValidationError, match=f"{missing} is required"):
        twin.client(handler).batches.get_batch("b1")


def test_timestamps_in_other_iso_forms(twin: Twin) -> None:
    body = {
        "id": "b1",
        "status": "COMPLETED",
        "created_at": "2024-01-15T14:30:00.123456+02:00",
        "job_deadline": "2024-01-15T14:30:00",
        "completed_at": "2024-01-15T14:30:00,5Z",
    }
    handler, _ = script(reply(200, body))
    job = twin.client(handler).batches.get_batch("b1")
    assert job.created_at.utcoffset().total_seconds() == 7200
    assert job.job_deadline.tzinfo is not None  # naive means UTC
    assert job.completed_at.microsecond == 500000


def test_null_list_is_an_empty_list(twin: Twin) -> None:
    handler, _ = script(reply(200, raw=b"null"))
    assert twin.client(handler).batches.list_batches() == []


def test_list_parses_every_job(twin: Twin) -> None:
    handler, seen = script(reply(200, [JOB, {**JOB, "id": "b2", "status": "NEW_THING"}]))
    jobs = twin.client(handler).batches.list_batches()
    assert [j.id for j in jobs] == [JOB["id"], "b2"]
    assert jobs[1].status == "NEW_THING" and not jobs[1].status.is_terminal
    assert (seen[0].method, seen[0].url.path) == ("GET", "/v1/batches")


def test_create_sends_the_body_and_warns(twin: Twin) -> None:
    handler, seen = script(reply(201, {"job": JOB, "warning": "input has 3 duplicate ids"}))
    client = twin.client(handler)
    with pytest.warns(BatchWarning, match="duplicate ids"):
        job = client.batches.create_batch(
            "file-1", "/v1/chat/completions", model_id="m", priority=2
        )
    assert job.warning == "input has 3 duplicate ids" and job.id == JOB["id"]
    assert json.loads(seen[0].content) == {
        "endpoint": "/v1/chat/completions",
        "input_file_id": "file-1",
        "completion_window": "24h",
        "model_id": "m",
        "priority": 2,
    }


def test_create_without_warning_is_silent(twin: Twin) -> None:
    handler, _ = script(reply(201, {"job": JOB}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        job = twin.client(handler).batches.create_batch("file-1", "/v1/completions")
    assert job.warning is None


def test_cancel_posts_and_returns_canceling(twin: Twin) -> None:
    handler, seen = script(reply(200, {**JOB, "status": "CANCELING"}))
    job = twin.client(handler).batches.cancel_batch("b1")
    assert job.status is BatchStatus.CANCELING and job.status.is_active
    assert (seen[0].method, seen[0].url.raw_path) == ("POST", b"/v1/batches/b1/cancel")


def test_files(twin: Twin) -> None:
    meta = {
        "id": "file-1",
        "filename": "out.jsonl",
        "bytes": 12,
        "purpose": "batch-generated",
        "created_at": 1705329000,
        "FileType": "jsonl",
        "object": "file",
        "Processed": True,
    }
    handler, seen = script(reply(200, meta), reply(200, raw=b'{"custom_id": "a"}\n'))
    client = twin.client(handler)
    info = client.files.retrieve("file-1")
    assert (info.filename, info.bytes_, info.file_type) == ("out.jsonl", 12, "jsonl")
    assert info.created_at == 1705329000 and info.created is not None
    assert info.created.year == 2024
    assert client.files.content("file-1") == b'{"custom_id": "a"}\n'
    assert [r.url.path for r in seen] == ["/v1/files/file-1", "/v1/files/file-1/content"]


def test_an_html_page_as_file_content_is_a_typed_error(twin: Twin) -> None:
    page = httpx.Response(
        200,
        content=b"<html>Sign in to the Wi-Fi</html>",
        headers={"content-type": "text/html; charset=utf-8"},
    )
    handler, _ = script(page)
    with pytest.raises(APIResponseValidationError, match="HTML"):
        twin.client(handler).files.content("file-1")


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, APIStatusError),
        (422, APIStatusError),
        (499, APIStatusError),
        (501, InternalServerError),
    ],
)
def test_each_status_raises_its_class_with_the_server_message(
    twin: Twin, status: int, cls: type[APIStatusError]
) -> None:
    handler, seen = script(
        reply(status, {"error": "the server says no"}, headers={"x-request-id": "r-1"})
    )
    with pytest.raises(cls) as info:
        twin.client(handler).batches.get_batch("b1")
    assert type(info.value) is cls
    assert info.value.status_code == status
    assert info.value.message == "the server says no"
    assert info.value.body == {"error": "the server says no"}
    assert info.value.request_id == "r-1"
    assert "the server says no" in str(info.value)
    assert len(seen) == 1  # not retried


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (520, InternalServerError),
        (599, InternalServerError),
        (501, InternalServerError),
    ],
)
def test_retryable_statuses_raise_their_class_after_the_budget(
    twin: Twin, fake_time: FakeTime, status: int, cls: type[APIStatusError]
) -> None:
    handler, seen = script(reply(status, {"error": {"message": "nested", "type": "x"}}))
    with pytest.raises(cls, match="nested"):
        twin.client(handler).batches.get_batch("b1")
    expected = 3 if status != 501 else 1  # every 5xx but 501 and 505 is worth retrying
    assert len(seen) == expected


def test_an_html_502_page_is_a_typed_error_with_a_snippet(twin: Twin, fake_time: FakeTime) -> None:
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    handler, _ = script(reply(502, raw=page))
    with pytest.raises(InternalServerError) as info:
        twin.client(handler).batches.list_batches()
    assert info.value.status_code == 502
    assert "502 Bad Gateway" in info.value.body


@pytest.mark.parametrize(
    ("call", "body"),
    [
        ("get", b"<html>oops</html>"),
        ("get", b'{"id": "b1", "status": "COMPL'),
        ("get", b"[]"),
        ("get", b'{"progress": "half"}'),
        ("get", b'{"status": 3}'),
        ("get", b'{"created_at": 17}'),
        ("list", b'{"data": []}'),
        ("list", b"[1, 2]"),
        ("create", b'{"warning": "no job"}'),
        ("create", b'{"job": "b1"}'),
        ("get", b"\xff\xfe\x00"),
    ],
)
def test_a_body_that_is_not_what_the_spec_promises_is_a_typed_error(
    twin: Twin, call: str, body: bytes
) -> None:
    status = 201 if call == "create" else 200
    handler, _ = script(reply(status, raw=body))
    batches = twin.client(handler).batches
    with pytest.raises(APIResponseValidationError) as info:
        if call == "get":
            batches.get_batch("b1")
        elif call == "list":
            batches.list_batches()
        else:
            batches.create_batch("f", "/v1/completions")
    assert info.value.status_code == status
    assert isinstance(info.value.body, str)


def test_a_timestamp_that_is_not_iso_8601_fails_its_read(twin: Twin) -> None:
    # Date-times are parsed when read (a long list must not parse 20,000 of them): the call
    # succeeds, and the read raises a TogetherError that is also a ValueError, with no status.
    handler, _ = script(reply(200, {"id": "b1", "status": "FAILED", "created_at": "yesterday"}))
    job = twin.client(handler).batches.get_batch("b1")
    assert job.status == "FAILED"
    with pytest.raises(InvalidFieldError, match="created_at") as info:
        _ = job.created_at
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, APIResponseValidationError)


def test_a_timestamp_of_another_type_fails_its_read_and_epoch_seconds_are_a_time(
    twin: Twin,
) -> None:
    body = {"id": "b1", "status": "FAILED", "created_at": 17, "completed_at": True}
    job = twin.client(script(reply(200, body))[0]).batches.get_batch("b1")
    assert job.created_at == dt.datetime(1970, 1, 1, 0, 0, 17, tzinfo=dt.UTC)
    with pytest.raises(InvalidFieldError, match="completed_at should be a date-time"):
        _ = job.completed_at


# --- retries -------------------------------------------------------------------------------


def test_gets_survive_503s(twin: Twin, fake_time: FakeTime) -> None:
    handler, seen = script(
        reply(503, {"error": "busy"}), reply(503, {"error": "busy"}), reply(200, JOB)
    )
    job = twin.client(handler).batches.get_batch("b1")
    assert job.id == JOB["id"] and len(seen) == 3
    assert len(fake_time.sleeps) == 2
    assert 0.375 <= fake_time.sleeps[0] <= 0.5 and 0.75 <= fake_time.sleeps[1] <= 1.0


def test_retry_after_is_honoured(twin: Twin, fake_time: FakeTime) -> None:
    handler, _ = script(
        reply(429, {"error": "slow down"}, headers={"retry-after": "3"}), reply(200, JOB)
    )
    twin.client(handler).batches.get_batch("b1")
    assert fake_time.sleeps == [3.0]


def test_a_retry_after_beyond_the_cap_raises_at_once(twin: Twin, fake_time: FakeTime) -> None:
    handler, seen = script(reply(429, {"error": "slow down"}, headers={"retry-after": "3600"}))
    with pytest.raises(RateLimitError):
        twin.client(handler).batches.get_batch("b1")
    assert len(seen) == 1 and fake_time.sleeps == []


def test_max_retries_zero_disables_retrying(twin: Twin, fake_time: FakeTime) -> None:
    handler, seen = script(reply(503, {"error": "busy"}))
    with pytest.raises(InternalServerError):
        twin.client(handler, max_retries=0).batches.get_batch("b1")
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("failure", "raised", "attempts"),
    [
        (httpx.ConnectError("refused"), APIConnectionError, 3),
        (httpx.ReadTimeout("slow"), APITimeoutError, 3),
        (httpx.RemoteProtocolError("dropped"), APIConnectionError, 3),
    ],
)
def test_transport_errors_on_get_are_retried_then_typed(
    twin: Twin, fake_time: FakeTime, failure: Exception, raised: type[Exception], attempts: int
) -> None:
    handler, seen = script(failure)
    with pytest.raises(raised) as info:
        twin.client(handler).batches.cancel_batch("b1")
    assert len(seen) == attempts
    assert isinstance(info.value.__cause__, httpx.TransportError)


@pytest.mark.parametrize(
    ("first", "attempts"),
    [
        (httpx.ConnectError("refused"), 2),  # never reached the server: safe to resend
        (httpx.ConnectTimeout("slow connect"), 2),
        (reply(429, {"error": "limited"}), 2),  # refused: not acted on
        (reply(503, {"error": "no capacity"}), 2),
        (httpx.ReadTimeout("slow"), 1),  # may have been created: never resend
        (httpx.RemoteProtocolError("dropped"), 1),
        (reply(500, {"error": "oops"}), 1),
        (reply(502, raw=b"<html>bad gateway</html>"), 1),
        (reply(504, {"error": "gateway timeout"}), 1),
    ],
)
def test_create_is_only_retried_when_it_cannot_have_run(
    twin: Twin, fake_time: FakeTime, first: httpx.Response | Exception, attempts: int
) -> None:
    handler, seen = script(first, reply(201, {"job": JOB}))
    batches = twin.client(handler).batches
    if attempts == 2:
        assert batches.create_batch("f", "/v1/completions").id == JOB["id"]
    else:
        with pytest.raises(TogetherError):
            batches.create_batch("f", "/v1/completions")
    assert len(seen) == attempts


def test_a_real_timeout_against_a_silent_server(twin: Twin) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections (in the backlog) but never answers
    port = listener.getsockname()[1]
    try:
        client = twin.client(None, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
        with pytest.raises(APITimeoutError):
            client.batches.get_batch("b1", timeout=0.2)
    finally:
        listener.close()


def test_retries_are_logged_once_each_at_debug(
    twin: Twin, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    handler, _ = script(reply(503, {"error": "busy"}), reply(200, JOB))
    with caplog.at_level("DEBUG", logger="together_batches"):
        twin.client(handler).batches.get_batch("b1")
    lines = [r for r in caplog.records if r.name == "together_batches" and "retrying" in r.message]
    assert len(lines) == 1 and "HTTP 503" in lines[0].message
