"""Error answers: the server's message from a body of any shape, and the `APIStatusError`
a non-2xx answer becomes. Loaded on the first error answer (`_http`'s rule).
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from together_batches_api.models.batch_error_response import BatchErrorResponse
from together_batches_api.models.nested_error_response import NestedErrorResponse
from together_batches_api.models.problem_details import ProblemDetails
from together_batches_api.types import InvalidPayload

from .._exceptions import APIStatusError, status_error_class
from .calls import body_snippet

__all__ = ["error_message", "status_error"]


# An object storage service's XML error: `<Error><Code>...</Code><Message>...</Message>`.
_XML_FIELD = re.compile(r"<(Code|Message)>([^<]{1,500})</\1>")


def _problem_message(body: Any) -> str | None:
    """`title: detail` of an RFC 9457 problem document, or None when `body` is not one."""
    if type(body) is not dict or not ({"title", "detail"} & body.keys()):
        return None
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


def status_error(response: httpx.Response, content: bytes) -> APIStatusError:
    """The `APIStatusError` (the subclass for its status) that a non-2xx answer becomes."""
    try:
        body: Any = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        body = body_snippet(content)
    cls = status_error_class(response.status_code)
    return cls(error_message(body, response.status_code), response=response, body=body)
