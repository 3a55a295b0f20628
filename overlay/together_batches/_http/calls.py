"""What each API call sends and how its answer is read: pure, shared by the sync and async twins.

Requests are built by the generated endpoint modules (their public `build_request`), so the
method, path and body come from `spec/`, and answers are read by the generated models; this
module adds what the generator lacks: idempotency for retries, and decoding that only ever
raises `TogetherError`s. The batch endpoints' calls are here, as every program makes them;
the file endpoints' are in `_file_models.calls`, and error answers are read by `error_bodies`, both
loaded on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

import httpx

from together_batches_api.api.batches import cancel_batch as _cancel
from together_batches_api.api.batches import get_batch as _get
from together_batches_api.api.batches import list_batches as _list
from together_batches_api.types import InvalidPayload

from .. import _http
from .._exceptions import APIResponseValidationError
from .._models import BatchJob, parse_create, parse_job, parse_job_list
from . import json as _json
from .ids import check_id
from .secrets import redact_bytes, response_key

__all__ = ["Call", "ErrorAnswer", "body_snippet", "decode"]

T = TypeVar("T")

_SNIPPET = 200  # characters of a body an error message shows


def body_snippet(content: bytes) -> str:
    """The start of a response body, printable, for error messages."""
    text = content[:_SNIPPET].decode("utf-8", errors="replace")
    return text + ("..." if len(content) > _SNIPPET else "")


class ErrorAnswer(Exception):
    """Raised by a `Call.parse_answer` for an answer that is an error after all (an upload's
    409 that names no file to use): `decode` raises the status's `APIStatusError`, with the
    server's message, instead."""


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API call: the request to send and how to read a successful answer.

    Attributes:
        request: Keyword arguments for `httpx.Client.request` (method, url, json, headers);
            the url is relative to the client's base URL.
        idempotent: Whether sending it twice is harmless (decides retries).
        parse: Turns the decoded JSON (or the raw bytes, when `raw` is set) into the result.
        raw: Return the body's bytes to `parse` instead of decoding JSON.
        whole_timeout: The call's timeout bounds the whole attempt (see `_http.deadlines`); False
            bounds each phase only, for a download whose body may rightly take long.
        answers: Statuses besides 2xx that answer the call instead of failing it (an
            upload's 302 and 409); with them, `parse_answer` reads every answer.
        parse_answer: Reads an answer from its status, headers and (key-masked) body,
            instead of `parse`; raises `ErrorAnswer` for one that is an error after all.
        follow_redirects: False to never follow a redirect, whatever the `http_client`
            says (an upload's 302 is its answer); None leaves it to the `http_client`.
        bare: The url is absolute and the request carries none of the client's headers
            but `User-Agent`, and no `http_client` auth: an upload's PUT to a presigned URL,
            which must never see the API key.
        content: Makes the request body afresh for each attempt (a retried upload starts
            again from the file's first byte).
    """

    request: dict[str, Any]
    idempotent: bool
    parse: Callable[[Any], T]
    raw: bool = False
    whole_timeout: bool = True
    answers: frozenset[int] = frozenset()
    parse_answer: Callable[[int, httpx.Headers, bytes], T] | None = None
    follow_redirects: bool | None = None
    bare: bool = False
    content: Callable[[], Any] | None = None


def list_batches() -> Call[list[BatchJob]]:
    """GET /batches."""
    return Call(_list.build_request(), idempotent=True, parse=parse_job_list)


def get_batch(batch_job_id: str) -> Call[BatchJob]:
    """GET /batches/{id}."""
    return Call(_get.build_request(check_id(batch_job_id)), idempotent=True, parse=parse_job)


def cancel_batch(batch_job_id: str) -> Call[BatchJob]:
    """POST /batches/{id}/cancel. Repeating a cancel is harmless, so it is retried."""
    return Call(_cancel.build_request(check_id(batch_job_id)), idempotent=True, parse=parse_job)


def check_endpoint(endpoint: object) -> None:
    """Raises: ValueError: `endpoint` is not a non-empty str (nothing is sent)."""
    if not isinstance(endpoint, str) or not endpoint:
        raise ValueError("endpoint must be a non-empty str, such as '/v1/chat/completions'")


def create_batch(
    file_id: str,
    endpoint: str,
    *,
    completion_window: str | None,
    model_id: str | None,
    priority: int | None,
) -> Call[BatchJob]:
    """POST /batches. Not idempotent: a blind retry could start a second batch. Answered
    with a warning and no job, it raises `BatchNotCreatedError` (see `parse_create`)."""
    check_id(file_id, name="file_id")
    check_endpoint(endpoint)
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
    parse = partial(parse_create, input_file_id=file_id)
    return Call(_create.build_request(body=body), idempotent=False, parse=parse)


def decode(call: Call[T], response: httpx.Response) -> T:
    """Read a response as the call's result, or raise the matching `TogetherError`.

    The API key the request carried is masked in the body before anything is read from it
    (see `_http.secrets`): a server that echoes the `Authorization` header puts it in no message,
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
    if call.parse_answer is not None and (200 <= status < 300 or status in call.answers):
        try:
            return call.parse_answer(status, response.headers, content)
        except InvalidPayload as exc:
            raise APIResponseValidationError(
                str(exc), status_code=status, body=body_snippet(content), response=response
            ) from None
        except ErrorAnswer:
            raise _http.error_bodies.status_error(response, content) from None
    if not 200 <= status < 300:
        raise _http.error_bodies.status_error(response, content)
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
            "response is not JSON",
            status_code=status,
            body=body_snippet(content),
            response=response,
        ) from None
    try:
        return call.parse(data)
    except InvalidPayload as exc:
        raise APIResponseValidationError(
            str(exc), status_code=status, body=body_snippet(content), response=response
        ) from None
