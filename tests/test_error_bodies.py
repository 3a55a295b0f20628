"""Error answers of any shape: each gives a message and the error class of its status, never
`APIResponseValidationError`; a field the client needs (an upload's 409 `file_id`) is read
from whichever shape carries it, through the public API over both twins."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from together_batches import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from together_batches._files.upload import Existing, read_initiate
from together_batches._http.calls import ErrorAnswer
from together_batches._http.error_bodies import MAX_MESSAGE, answer_field, error_message

from ._twins import Twin

KEY = "sk-error-bodies-3e9a"
NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    "Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # The batch endpoints' flat string, and the other endpoints' nested object.
        ({"error": "flat"}, "flat"),
        ({"error": "  spaced\n out  "}, "spaced out"),
        ({"error": {"message": "nested", "type": "x", "code": "y"}}, "nested"),
        (
            {"error": {"type": "invalid_request_error", "code": "file_not_found"}},
            ("invalid_request_error (file_not_found)"),
        ),
        ({"error": {"type": "server_error"}}, "server_error"),
        ({"error": {"code": 1234}}, "1234"),
        ({"error": {"msg": "short key"}}, "short key"),
        ({"error": {"message": ""}, "message": "outer"}, "outer"),
        ({"error": ["one", {"message": "two"}]}, "one; two"),
        # RFC 9457 problem documents, whole or in part, and typed wrong in part.
        (
            {
                "type": "about:blank",
                "title": "Not Acceptable",
                "status": 406,
                "detail": "file content is application/octet-stream",
            },
            "Not Acceptable: file content is application/octet-stream",
        ),
        ({"title": "Gone"}, "Gone"),
        ({"detail": "only the detail"}, "only the detail"),
        ({"title": 5, "detail": "typed wrong"}, "typed wrong"),
        # Gateways' and frameworks' own shapes.
        ({"message": "Forbidden"}, "Forbidden"),
        ({"errors": [{"message": "a"}, {"message": "b"}, "c", "d"]}, "a; b; c; ..."),
        ({"detail": [{"loc": ["body", "x"], "msg": "field required"}]}, "field required"),
        ([{"message": "a list body"}], "a list body"),
        # A storage service's XML error.
        (
            "<?xml version='1.0'?><Error><Code>BadDigest</Code><Message>The SHA-256 is not the "
            "declared checksum.</Message></Error>",
            "BadDigest: The SHA-256 is not the declared checksum.",
        ),
        ("<Error><Code>AccessDenied</Code></Error>", "AccessDenied"),
        # HTML: its title, else its first heading; markup with neither says nothing.
        (NGINX_502, "502 Bad Gateway"),
        (
            "<!DOCTYPE html><html><body><h1>Service <b>Unavailable</b> &amp; more</h1>",
            ("Service Unavailable & more"),
        ),
        ("<html>oops</html>", "HTTP 418 error"),
        # Plain text, and a JSON string.
        (
            "upstream connect error or disconnect/reset before headers\n",
            ("upstream connect error or disconnect/reset before headers"),
        ),
        ("a JSON string", "a JSON string"),
        # Nothing to show.
        ("", "HTTP 418 error"),
        ("   \n", "HTTP 418 error"),
        (None, "HTTP 418 error"),
        (42, "HTTP 418 error"),
        ({}, "HTTP 418 error"),
        ({"other": 1}, "HTTP 418 error"),
        ({"error": None}, "HTTP 418 error"),
        ({"error": 5}, "HTTP 418 error"),
        ({"error": {}}, "HTTP 418 error"),
        ({"error": []}, "HTTP 418 error"),
    ],
)
def test_the_message_of_every_shape(body: Any, message: str) -> None:
    assert error_message(body, 418) == message


def test_a_long_message_is_cut() -> None:
    message = error_message({"error": "x" * 10_000}, 400)
    assert len(message) == MAX_MESSAGE and message.endswith("...")


@pytest.mark.parametrize(
    ("body", "value"),
    [
        ({"error": "flat", "file_id": "f1"}, "f1"),  # the batch endpoints' shape
        ({"error": {"message": "m"}, "file_id": "f1"}, "f1"),  # the spec's FileUploadConflict
        ({"error": {"message": "m", "file_id": "f1"}}, "f1"),  # inside the error object
        ({"title": "Conflict", "file_id": "f1"}, "f1"),  # a problem document's extension
        ({"data": {"file_id": "f1"}}, "f1"),
        ({"detail": {"file_id": "f1"}}, "f1"),
        ({"details": {"file_id": "f1"}}, "f1"),
        ({"file_id": "top", "error": {"file_id": "inner"}}, "top"),  # the body's own first
        ({"file_id": None, "error": {"file_id": "inner"}}, "inner"),
        ({"file_id": 7}, 7),  # the caller checks the type
        ({"error": "exists"}, None),
        ({"error": ["file_id"]}, None),
        ("file_id", None),
        (None, None),
        ([{"file_id": "f1"}], None),
    ],
)
def test_a_field_from_whichever_shape_carries_it(body: Any, value: Any) -> None:
    assert answer_field(body, "file_id") == value


@pytest.mark.parametrize(
    "body",
    [
        {"error": "File already exists", "file_id": "file-old"},
        {"error": {"message": "exists", "type": "conflict"}, "file_id": "file-old"},
        {"error": {"message": "exists", "file_id": "file-old"}},
        {"type": "about:blank", "title": "Conflict", "status": 409, "file_id": "file-old"},
    ],
)
def test_a_409_names_its_file_in_any_shape(body: Any) -> None:
    content = json.dumps(body).encode()
    assert read_initiate(409, httpx.Headers(), content) == Existing("file-old")


@pytest.mark.parametrize(
    "content", [b"", b"<html>", b"null", b'{"error": "busy"}', b'{"error": {}}']
)
def test_a_409_that_names_no_file_is_an_error_answer(content: bytes) -> None:
    with pytest.raises(ErrorAnswer):
        read_initiate(409, httpx.Headers(), content)


# --- through the public API, both twins ---------------------------------------------------

JSON = "application/json"


@pytest.mark.parametrize(
    ("status", "content_type", "body", "error", "message"),
    [
        (400, JSON, b'{"error": "Invalid endpoint"}', BadRequestError, "Invalid endpoint"),
        (
            401,
            JSON,
            b'{"error": {"message": "Invalid API key", "type": "invalid_request_error"}}',
            AuthenticationError,
            "Invalid API key",
        ),
        (
            403,
            "application/problem+json",
            b'{"title": "Forbidden", "detail": "not your batch", "status": 403}',
            PermissionDeniedError,
            "Forbidden: not your batch",
        ),
        (404, "text/plain", b"404 page not found", NotFoundError, "404 page not found"),
        (409, JSON, b'{"error": "conflict", "file_id": "f"}', APIStatusError, "conflict"),
        (422, JSON, b'{"detail": [{"msg": "bad id"}]}', APIStatusError, "bad id"),
        (429, JSON, b'{"message": "Too Many Requests"}', RateLimitError, "Too Many Requests"),
        (500, JSON, b"", InternalServerError, "HTTP 500 error"),
        (502, "text/html", NGINX_502.encode(), InternalServerError, "502 Bad Gateway"),
        (503, JSON, b"null", InternalServerError, "HTTP 503 error"),
        (504, JSON, b'{"error": {"type": "timeout"}}', InternalServerError, "timeout"),
        (520, "text/plain", b"", InternalServerError, "HTTP 520 error"),
    ],
)
def test_error_answers_of_every_shape_raise_the_class_of_their_status(
    twin: Twin,
    status: int,
    content_type: str,
    body: bytes,
    error: type[APIStatusError],
    message: str,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"content-type": content_type}, content=body)

    client = twin.client(handler, api_key=KEY, max_retries=0)
    with pytest.raises(APIStatusError) as raised:
        client.batches.get_batch("batch-1")
    assert type(raised.value) is error
    assert raised.value.message == message and raised.value.status_code == status


CONTENT = b'{"custom_id": "r1", "body": {"model": "m", "messages": []}}\n'
EXISTING = "file-existing-9c1"


class FlatConflictServer:
    """The API as a scripted server whose upload answers 409 in the batch endpoints' flat
    error shape, with the `file_id` of the file that has the content already."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.created: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path))
        route = (request.method, request.url.path)
        if route == ("POST", "/v1/files"):
            form = dict(parse_qsl(request.content.decode()))
            assert form["checksum"] == hashlib.sha256(CONTENT).hexdigest()
            body = {"error": "A file with this content already exists", "file_id": EXISTING}
            return httpx.Response(409, json=body)
        if route == ("GET", f"/v1/files/{EXISTING}"):
            return httpx.Response(200, json=self.metadata())
        if route == ("POST", "/v1/batches"):
            self.created.append(json.loads(request.content))
            job = {"id": "batch-1", "status": "VALIDATING", "input_file_id": EXISTING}
            return httpx.Response(201, json={"job": job})
        return httpx.Response(404, json={"error": f"no route {route}"})

    @staticmethod
    def metadata() -> dict[str, Any]:
        return {
            "id": EXISTING,
            "object": "file",
            "created_at": 1700000000,
            "filename": "in.jsonl",
            "bytes": len(CONTENT),
            "purpose": "batch-api",
            "FileType": "jsonl",
            "Processed": True,
        }


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(CONTENT)
    return path


def test_a_flat_string_409_reuses_the_file_it_names(twin: Twin, input_file: Path) -> None:
    server = FlatConflictServer()
    uploaded = twin.client(server, api_key=KEY).files.upload(input_file)
    assert uploaded.id == EXISTING and uploaded.processed is True
    # No PUT, no preprocess: the file the 409 names is the upload.
    assert server.seen == [("POST", "/v1/files"), ("GET", f"/v1/files/{EXISTING}")]


def test_submit_over_a_flat_string_409_creates_the_batch_on_that_file(
    twin: Twin, input_file: Path
) -> None:
    server = FlatConflictServer()
    job = twin.client(server, api_key=KEY).batches.submit(
        input_file, endpoint="/v1/chat/completions"
    )
    assert job.id == "batch-1"
    assert [body["input_file_id"] for body in server.created] == [EXISTING]
    assert [method for method, _ in server.seen] == ["POST", "GET", "POST"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"error": "Upload in progress"}', "Upload in progress"),
        (b"", "HTTP 409 error"),
        (b"<html><title>Conflict</title></html>", "Conflict"),
    ],
)
def test_a_409_that_names_no_file_raises_the_409_with_its_message(
    twin: Twin, input_file: Path, body: bytes, message: str
) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return httpx.Response(409, content=body)

    with pytest.raises(APIStatusError) as raised:
        twin.client(handler, api_key=KEY).files.upload(input_file)
    assert type(raised.value) is APIStatusError
    assert (raised.value.status_code, raised.value.message) == (409, message)
    assert seen == ["POST"]
