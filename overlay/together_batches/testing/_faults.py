"""Faults a test queues on the emulator: error statuses, bad bodies, drops, delays, odd values."""

from __future__ import annotations

import enum
import json

import attrs

from ._routes import JOB_ROUTES, LIST_BATCHES


class FaultKind(enum.Enum):
    """What a fault does to a response."""

    STATUS = "status"
    NOT_JSON = "not_json"
    TRUNCATED = "truncated"
    DROP = "drop"
    SLOW = "slow"
    UNKNOWN_STATUS = "unknown_status"
    NULL_LIST = "null_list"
    REPLY = "reply"


def _positive(_instance: object, _attribute: object, value: int) -> None:
    if value < 1:
        raise ValueError(f"a fault must apply at least once, not {value!r} times")


def _upper(method: str | None) -> str | None:
    return None if method is None else method.upper()


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


@attrs.frozen
class Fault:
    """One scripted misbehaviour, applied to the next `times` matching requests.

    Build one with the class methods (`Fault.status(503)`, `Fault.rate_limited()`, ...)
    rather than by hand. Faults that stand in for the answer (status, rate limits, non-JSON
    bodies, drops before processing) stop the request from having any effect, like a
    gateway answering in the server's place; the others let the request take effect and
    then spoil or delay its answer.

    Args:
        kind: What the fault does.
        times: How many matching requests it applies to.
        path_prefix: Only requests whose raw path starts with this, e.g. `/v1/batches`.
        method: Only requests with this HTTP method.
        status_code: The status a STATUS fault answers.
        headers: Extra response headers (e.g. `retry-after`).
        message: The error message of a STATUS fault's body.
        seconds: The delay of a SLOW fault.
        value: The status value an UNKNOWN_STATUS fault shows.
        processed: Whether a DROP happens after the request took effect (mid-response).
        body: The body a REPLY fault answers with.

    Raises:
        ValueError: If `times` is below 1.
    """

    kind: FaultKind
    times: int = attrs.field(default=1, validator=_positive)
    path_prefix: str | None = None
    method: str | None = attrs.field(default=None, converter=_upper)
    status_code: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    message: str = ""
    seconds: float = 0.0
    value: str = ""
    processed: bool = True
    body: bytes = b""

    @classmethod
    def status(
        cls,
        code: int,
        times: int = 1,
        *,
        message: str | None = None,
        retry_after: float | None = None,
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """Answer an error status instead of processing the request.

        A 502 comes as an HTML page, as a load balancer sends it; other codes carry the
        route's usual JSON error body.

        Args:
            code: The HTTP status, e.g. 500, 502 or 503.
            times: How many requests to answer so.
            message: The error message; a generic one by default.
            retry_after: A `retry-after` header value in seconds, if any.
            path_prefix: Only requests whose raw path starts with this.
            method: Only requests with this method.

        Returns:
            The fault.
        """
        headers = () if retry_after is None else (("retry-after", _format_seconds(retry_after)),)
        return cls(
            FaultKind.STATUS,
            times,
            path_prefix,
            method,
            status_code=code,
            headers=headers,
            message=message or f"Emulated server error {code}",
        )

    @classmethod
    def rate_limited(
        cls,
        times: int = 1,
        *,
        retry_after: float | None = 1,
        retry_after_ms: int | None = None,
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """Answer 429 with the retry hints the live API and the SDKs use.

        Args:
            times: How many requests to answer so.
            retry_after: The `retry-after` header in seconds, or None to leave it out.
            retry_after_ms: The `retry-after-ms` header in milliseconds, or None.
            path_prefix: Only requests whose raw path starts with this.
            method: Only requests with this method.

        Returns:
            The fault.
        """
        headers = [("x-ratelimit-remaining", "0")]
        if retry_after is not None:
            headers.append(("retry-after", _format_seconds(retry_after)))
            headers.append(("x-ratelimit-reset", _format_seconds(retry_after)))
        if retry_after_ms is not None:
            headers.append(("retry-after-ms", str(retry_after_ms)))
        return cls(
            FaultKind.STATUS,
            times,
            path_prefix,
            method,
            status_code=429,
            headers=tuple(headers),
            message="Rate limit exceeded, please try again later",
        )

    @classmethod
    def not_json(
        cls, times: int = 1, *, path_prefix: str | None = None, method: str | None = None
    ) -> Fault:
        """Answer 200 with an HTML page, as a captive proxy would, instead of processing.

        Args:
            times: How many requests to answer so.
            path_prefix: Only requests whose raw path starts with this.
            method: Only requests with this method.

        Returns:
            The fault.
        """
        return cls(FaultKind.NOT_JSON, times, path_prefix, method)

    @classmethod
    def truncated(
        cls, times: int = 1, *, path_prefix: str | None = None, method: str | None = None
    ) -> Fault:
        """Process the request, then send only the first half of its body.

        The Content-Length matches the cut body, so the HTTP exchange itself completes and
        only the JSON is broken.

        Args:
            times: How many requests to answer so.
            path_prefix: Only requests whose raw path starts with this.
            method: Only requests with this method.

        Returns:
            The fault.
        """
        return cls(FaultKind.TRUNCATED, times, path_prefix, method)

    @classmethod
    def drop_connection(
        cls,
        times: int = 1,
        *,
        processed: bool = True,
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """Close the connection part-way through the response.

        In-process transports raise `httpx.RemoteProtocolError`; the loopback server sends
        the headers and half the body, then closes the socket.

        Args:
            times: How many requests to answer so.
            processed: Whether the request takes effect first (a create still creates).
            path_prefix: Only requests whose raw path starts with this.
            method: Only requests with this method.

        Returns:
            The fault.
        """
        return cls(FaultKind.DROP, times, path_prefix, method, processed=processed)

    @classmethod
    def slow(
        cls,
        seconds: float,
        times: int = 1,
        *,
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """Answer normally, but only after really sleeping `seconds`.

        Args:
            seconds: The delay (wall-clock time, not the emulator's clock).
            times: How many requests to answer so.
            path_prefix: Only requests whose raw path starts with this.
            method: Only requests with this method.

        Returns:
            The fault.
        """
        return cls(FaultKind.SLOW, times, path_prefix, method, seconds=seconds)

    @classmethod
    def unknown_status(
        cls,
        value: str = "REVERSING_POLARITY",
        times: int = 1,
        *,
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """Show a status value the spec does not list on the next successful job answer.

        A single-job answer gets it on its job; a list gets it on its first job only, so
        that a client can be checked to keep the other jobs of the list.

        Args:
            value: The status to show.
            times: How many answers to change.
            path_prefix: Only requests whose raw path starts with this.
            method: Only requests with this method.

        Returns:
            The fault.
        """
        return cls(FaultKind.UNKNOWN_STATUS, times, path_prefix, method, value=value)

    @classmethod
    def null_list(cls, times: int = 1) -> Fault:
        """Answer `null` to the next successful list, whatever jobs exist.

        Args:
            times: How many lists to answer so.

        Returns:
            The fault.
        """
        return cls(FaultKind.NULL_LIST, times)

    @classmethod
    def reply(
        cls,
        status: int,
        body: object = b"",
        times: int = 1,
        *,
        content_type: str = "application/json",
        headers: tuple[tuple[str, str], ...] = (),
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """Answer exactly `status` and `body` instead of processing the request: the shapes
        the emulator never sends by itself, such as a create answered 201 with only a
        warning (`{"warning": "..."}`), or an error body of a gateway's own shape.

        Args:
            status: The HTTP status.
            body: The body: bytes as they are, anything else as JSON.
            times: How many requests to answer so.
            content_type: The `content-type` header.
            headers: Extra response headers.
            path_prefix: Only requests whose raw path starts with this.
            method: Only requests with this method.

        Returns:
            The fault.
        """
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return cls(
            FaultKind.REPLY,
            times,
            path_prefix,
            method,
            status_code=status,
            headers=(("content-type", content_type), *headers),
            body=raw,
        )

    @property
    def replaces_response(self) -> bool:
        """Whether the fault answers in the server's place, so the request has no effect."""
        return self.kind in (FaultKind.STATUS, FaultKind.NOT_JSON, FaultKind.REPLY) or (
            self.kind is FaultKind.DROP and not self.processed
        )

    def matches(self, method: str, raw_path: str, route: str | None) -> bool:
        """Whether the fault applies to a request.

        Args:
            method: The request's method.
            raw_path: The request's raw path.
            route: The route name the request matched, if any.

        Returns:
            True if the method, path prefix and route all fit.
        """
        if self.method is not None and self.method != method.upper():
            return False
        if self.path_prefix is not None and not raw_path.startswith(self.path_prefix):
            return False
        if self.kind is FaultKind.UNKNOWN_STATUS:
            return route in JOB_ROUTES
        if self.kind is FaultKind.NULL_LIST:
            return route == LIST_BATCHES
        return True
