"""What the emulator answers with: the `Response` value, and the API's error body styles."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape

import attrs

from together_batches_api.models.error_detail import ErrorDetail
from together_batches_api.models.nested_error_response import NestedErrorResponse
from together_batches_api.models.problem_details import ProblemDetails

JSON_TYPE = "application/json"
PROBLEM_TYPE = "application/problem+json"
Headers = Mapping[str, str] | Iterable[tuple[str, str]]


@attrs.frozen
class Response:
    """What the emulator answers; transports and the server turn it into HTTP.

    Args:
        status: The HTTP status.
        headers: Response headers, without Content-Length (the sender adds it).
        body: The body bytes.
        delay: Real seconds to wait before answering (a slow fault).
        drop: Whether to break the connection part-way through instead of answering.
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    delay: float = 0.0
    drop: bool = False

    def header(self, name: str) -> str | None:
        """Look a header up, ignoring case.

        Args:
            name: The header name.

        Returns:
            Its value, or None if absent.
        """
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> Any:
        """Decode the body as JSON.

        Returns:
            The decoded value.

        Raises:
            ValueError: If the body is not JSON.
        """
        return json.loads(self.body)


def dumps(payload: object) -> bytes:
    """Compact JSON bytes, as the API sends them."""
    return json.dumps(payload, separators=(",", ":")).encode()


def json_response(
    status: int, payload: object, headers: tuple[tuple[str, str], ...] = ()
) -> Response:
    """Build a JSON answer.

    Args:
        status: The HTTP status.
        payload: The JSON-ready value.
        headers: Extra headers.

    Returns:
        The response.
    """
    return Response(status, (("content-type", JSON_TYPE), *headers), dumps(payload))


def error_detail(status: int, message: str, code: str | None = None) -> ErrorDetail:
    """The nested error object of the files endpoints, typed by status."""
    kind = {401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error"}
    error_type = kind.get(status, "invalid_request_error" if status < 500 else "server_error")
    detail = ErrorDetail(message=message, type_=error_type, code=code)
    # Rebuilt from its full form so that `param` and `code` go out as null, as the API sends.
    return ErrorDetail.from_dict(detail.to_dict())


def error_response(
    status: int, message: str, *, nested: bool, headers: tuple[tuple[str, str], ...] = ()
) -> Response:
    """Build an error answer in the body style of its endpoint.

    Args:
        status: The HTTP status.
        message: The message.
        nested: True for the files endpoints' `{"error": {"message", "type", ...}}`, False for
            the batch endpoints' flat `{"error": "<message>"}`.
        headers: Extra headers.

    Returns:
        The response.
    """
    payload: dict[str, Any]
    if nested:
        payload = NestedErrorResponse(error=error_detail(status, message)).to_dict()
    else:
        payload = {"error": message}
        if status == 429:
            payload["error_type"] = "dynamic_request_limited"
    return json_response(status, payload, headers)


def problem_response(status: int, title: str, detail: str, instance: str) -> Response:
    """Build an RFC 9457 problem document (`application/problem+json`).

    Args:
        status: The HTTP status.
        title: The kind of problem, e.g. "Not Acceptable".
        detail: What went wrong with this request.
        instance: The path of the resource the request was for.

    Returns:
        The response.
    """
    problem = ProblemDetails(
        type_="about:blank", title=title, status=status, detail=detail, instance=instance
    )
    return Response(status, (("content-type", PROBLEM_TYPE),), dumps(problem.to_dict()))


def storage_error(status: int, code: str, message: str) -> Response:
    """Build the XML error a presigned-URL storage service (S3 and its kin) answers.

    Args:
        status: The HTTP status.
        code: The storage error code, e.g. `SignatureDoesNotMatch`.
        message: What went wrong.

    Returns:
        The response.
    """
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
    )
    return Response(status, (("content-type", "application/xml"),), body.encode())
