"""What each API call sends and how its answer is read: pure, shared by the sync and async twins.

Requests are built by the generated endpoint modules (their public `build_request`), so the
method, path and body come from `spec/`, and answers are read by the generated models; this
module adds what the generator lacks: idempotency for retries, and decoding that only ever
raises `TogetherError`s.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from together_batches_api.api.batches import cancel_batch as _cancel
from together_batches_api.api.batches import get_batch as _get
from together_batches_api.api.batches import list_batches as _list
from together_batches_api.api.files import get_file as _get_file
from together_batches_api.api.files import get_file_content as _get_file_content
from together_batches_api.models.batch_error_response import BatchErrorResponse
from together_batches_api.models.nested_error_response import NestedErrorResponse
from together_batches_api.types import InvalidPayload

from . import _json
from ._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    status_error_class,
)
from ._files import FileObject, parse_file
from ._ids import check_id
from ._models import BatchJob, parse_create, parse_job, parse_job_list
from ._secrets import redact_bytes, response_key

__all__ = ["Call", "body_snippet", "decode"]

T = TypeVar("T")

_SNIPPET = 200  # characters of a body an error message shows


def body_snippet(content: bytes) -> str:
    """The start of a response body, printable, for error messages."""
    text = content[:_SNIPPET].decode("utf-8", errors="replace")
    return text + ("..." if len(content) > _SNIPPET else "")


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API call: the request to send and how to read a successful answer.

    Attributes:
        request: Keyword arguments for `httpx.Client.request` (method, url, json, headers);
            the url is relative to the client's base URL.
        idempotent: Whether sending it twice is harmless (decides retries).
        parse: Turns the decoded JSON (or the raw bytes, when `raw` is set) into the result.
        raw: Return the body's bytes to `parse` instead of decoding JSON.
        whole_timeout: The call's timeout bounds the whole attempt (see `_deadline`); False
            bounds each phase only, for a download whose body may rightly take long.
    """

    request: dict[str, Any]
    idempotent: bool
    parse: Callable[[Any], T]
    raw: bool = False
    whole_timeout: bool = True


def list_batches() -> Call[list[BatchJob]]:
    """GET /batches."""
    return Call(_list.build_request(), idempotent=True, parse=parse_job_list)


def get_batch(batch_job_id: str) -> Call[BatchJob]:
    """GET /batches/{id}."""
    return Call(_get.build_request(check_id(batch_job_id)), idempotent=True, parse=parse_job)


def cancel_batch(batch_job_id: str) -> Call[BatchJob]:
    """POST /batches/{id}/cancel. Repeating a cancel is harmless, so it is retried."""
    return Call(_cancel.build_request(check_id(batch_job_id)), idempotent=True, parse=parse_job)


def create_batch(
    file_id: str,
    endpoint: str,
    *,
    completion_window: str | None,
    model_id: str | None,
    priority: int | None,
) -> Call[BatchJob]:
    """POST /batches. Not idempotent: a blind retry could start a second batch."""
    check_id(file_id, name="file_id")
    if not isinstance(endpoint, str) or not endpoint:
        raise ValueError("endpoint must be a non-empty str, such as '/v1/chat/completions'")
    # The request body is an attrs class: loaded on the first create, not at import.
    from together_batches_api.api.batches import create_batch as _create  # noqa: PLC0415
    from together_batches_api.models.create_batch_request import (  # noqa: PLC0415
        CreateBatchRequest,
    )

    body = CreateBatchRequest(endpoint=endpoint, input_file_id=file_id)
    if completion_window is not None:
        body.completion_window = completion_window
    if model_id is not None:
        body.model_id = model_id
    if priority is not None:
        body.priority = priority
    return Call(_create.build_request(body=body), idempotent=False, parse=parse_create)


def retrieve_file(file_id: str) -> Call[FileObject]:
    """GET /files/{id}."""
    return Call(
        _get_file.build_request(check_id(file_id, name="file_id")),
        idempotent=True,
        parse=parse_file,
    )


def file_content(file_id: str) -> Call[bytes]:
    """GET /files/{id}/content, as bytes. An output file can be large: its timeout bounds each
    phase (connect, each read), so a slow but steady download is not cut."""
    kwargs = _get_file_content.build_request(check_id(file_id, name="file_id"))
    return Call(kwargs, idempotent=True, parse=bytes, raw=True, whole_timeout=False)


def error_message(body: Any, status_code: int) -> str:
    """The server's message from an error body: the batch endpoints' flat error string, or
    the other endpoints' nested error object (both shapes are in the spec)."""
    for shape in (BatchErrorResponse, NestedErrorResponse):
        try:
            error = shape.from_dict(body).error
        except (InvalidPayload, TypeError, ValueError):
            continue
        message = error if isinstance(error, str) or error is None else error.message
        if message:
            return message
    return f"HTTP {status_code} error"


def decode(call: Call[T], response: httpx.Response) -> T:
    """Read a response as the call's result, or raise the matching `TogetherError`.

    The API key the request carried is masked in the body before anything is read from it
    (see `_secrets`): a server that echoes the `Authorization` header puts it in no message,
    exception body, job field or log line.

    Args:
        call: The call the response answers.
        response: A response whose body has been read.

    Returns:
        The parsed result.

    Raises:
        APIStatusError: (a subclass per status) for a status that is not 2xx.
        APIResponseValidationError: for a 2xx whose body is not what the spec promises.
    """
    status = response.status_code
    content = redact_bytes(response.content, response_key(response))
    if not 200 <= status < 300:
        raise _status_error(response, content)
    if call.raw:
        # A file's bytes are opaque, but an HTML page on a 200 is a proxy's or a captive
        # portal's, never a batch file: returning it as the content would corrupt the output.
        if response.headers.get("content-type", "").startswith("text/html"):
            raise APIResponseValidationError(
                "file content came back as an HTML page",
                status_code=status,
                body=body_snippet(content),
                response=response,
            )
        return call.parse(response.content)  # the file as served: data, not a message
    try:
        data = _json.loads(content)
    except ValueError:
        raise APIResponseValidationError(
            "response is not JSON", status_code=status, body=body_snippet(content),
            response=response,
        ) from None  # fmt: skip
    try:
        return call.parse(data)
    except InvalidPayload as exc:
        raise APIResponseValidationError(
            str(exc), status_code=status, body=body_snippet(content), response=response
        ) from None


def _status_error(response: httpx.Response, content: bytes) -> APIStatusError:
    try:
        body: Any = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        body = body_snippet(content)
    cls = status_error_class(response.status_code)
    return cls(error_message(body, response.status_code), response=response, body=body)
