"""What each API call sends and how its answer is read: pure, shared by the sync and async twins.

Requests are built by the generated endpoint modules (their public `build_request`), so the
method, path and body come from `spec/`, and answers are read by the generated models; this
module adds what the generator lacks: idempotency for retries, and decoding that only ever
raises `TogetherError`s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from together_batches_api.api.batches import cancel_batch as _cancel
from together_batches_api.api.batches import get_batch as _get
from together_batches_api.api.batches import list_batches as _list
from together_batches_api.models.batch_error_response import BatchErrorResponse

# The batch endpoints are imported here: every program calls them. The file endpoints and the
# rarer error bodies are imported by the functions that need them, on first use, so that
# `import together_batches` does not pay for them.
from together_batches_api.types import InvalidPayload

from . import _json
from ._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    status_error_class,
)
from ._files import FileDeleted, FileObject, parse_deleted, parse_file, parse_file_list
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
        answers: Statuses besides 2xx that answer the call instead of failing it (an
            upload's 302 and 409); with them, `parse_answer` reads every answer.
        parse_answer: Reads an answer from its status, headers and (key-masked) body,
            instead of `parse`.
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
    """POST /batches. Not idempotent: a blind retry could start a second batch."""
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
    return Call(_create.build_request(body=body), idempotent=False, parse=parse_create)


def retrieve_file(file_id: str) -> Call[FileObject]:
    """GET /files/{id}."""
    from together_batches_api.api.files import get_file as _get_file  # noqa: PLC0415

    return Call(
        _get_file.build_request(check_id(file_id, name="file_id")),
        idempotent=True,
        parse=parse_file,
    )


def file_content(file_id: str) -> Call[bytes]:
    """GET /files/{id}/content, as bytes. An output file can be large: its timeout bounds each
    phase (connect, each read), so a slow but steady download is not cut."""
    from together_batches_api.api.files import get_file_content as _get_file_content  # noqa: PLC0415

    kwargs = _get_file_content.build_request(check_id(file_id, name="file_id"))
    return Call(kwargs, idempotent=True, parse=bytes, raw=True, whole_timeout=False)


def list_files() -> Call[list[FileObject]]:
    """GET /files."""
    from together_batches_api.api.files import list_files as _list_files  # noqa: PLC0415

    return Call(_list_files.build_request(), idempotent=True, parse=parse_file_list)


def delete_file(file_id: str) -> Call[FileDeleted]:
    """DELETE /files/{id}. Deleting twice only answers 404 the second time: retried."""
    from together_batches_api.api.files import delete_file as _delete_file  # noqa: PLC0415

    request = _delete_file.build_request(check_id(file_id, name="file_id"))
    return Call(request, idempotent=True, parse=parse_deleted)


# An object storage service's XML error: `<Error><Code>...</Code><Message>...</Message>`.
_XML_FIELD = re.compile(r"<(Code|Message)>([^<]{1,500})</\1>")


def _problem_message(body: Any) -> str | None:
    """`title: detail` of an RFC 9457 problem document, or None when `body` is not one."""
    if type(body) is not dict or not ({"title", "detail"} & body.keys()):
        return None
    from together_batches_api.models.problem_details import ProblemDetails  # noqa: PLC0415

    try:
        problem = ProblemDetails.from_dict(body)
        # Read here: a title that is not a string (InvalidFieldError, a ValueError) is no
        # message, never a failure of the error's own report.
        texts = (problem.title, problem.detail)
    except (InvalidPayload, TypeError, ValueError):
        return None
    parts = [text for text in texts if text]
    return ": ".join(parts) or None


def error_message(body: Any, status_code: int) -> str:
    """The server's message from an error body: the batch endpoints' flat error string, the
    other endpoints' nested error object, an RFC 9457 problem document (`title: detail`; all
    three are in the spec), or a storage service's XML error (`Code: Message`)."""
    from together_batches_api.models.nested_error_response import NestedErrorResponse  # noqa: PLC0415

    for shape in (BatchErrorResponse, NestedErrorResponse):
        try:
            error = shape.from_dict(body).error
            message = error if isinstance(error, str) or error is None else error.message
        except (InvalidPayload, TypeError, ValueError):  # InvalidFieldError is a ValueError
            continue
        if message:
            return message
    problem = _problem_message(body)
    if problem:
        return problem
    if isinstance(body, str):
        fields = dict(_XML_FIELD.findall(body))
        if fields:
            return ": ".join(fields[k] for k in ("Code", "Message") if k in fields)
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
    if call.parse_answer is not None and (200 <= status < 300 or status in call.answers):
        try:
            return call.parse_answer(status, response.headers, content)
        except InvalidPayload as exc:
            raise APIResponseValidationError(
                str(exc), status_code=status, body=body_snippet(content), response=response
            ) from None
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
