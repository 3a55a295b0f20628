"""httpx transports that hand requests straight to the emulator: no sockets, no threads."""

from __future__ import annotations

import time
from typing import Protocol

import anyio
import httpx

from ._http import Headers, Response


class Handler(Protocol):
    """The emulator's `handle(method, raw_path, headers, body, *, scheme)`."""

    def __call__(
        self, method: str, raw_path: str, headers: Headers, body: bytes, /, *, scheme: str = ...
    ) -> Response: ...


def _to_httpx(response: Response, request: httpx.Request) -> httpx.Response:
    if response.drop:
        # What httpx itself raises when a server closes the connection mid-body.
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body", request=request
        )
    # An answer to HEAD has the headers of the answer to GET, and never a body.
    content = b"" if request.method == "HEAD" else response.body
    return httpx.Response(
        response.status, headers=list(response.headers), content=content, request=request
    )


def _handle(handle: Handler, request: httpx.Request, body: bytes) -> Response:
    raw_path = request.url.raw_path.decode("ascii")
    headers = request.headers.multi_items()
    return handle(request.method, raw_path, headers, body, scheme=request.url.scheme)


class EmulatorTransport(httpx.BaseTransport):
    """A synchronous httpx transport answering from an emulator.

    Args:
        handle: The emulator's `handle`.
    """

    def __init__(self, handle: Handler) -> None:
        self._handle = handle

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a request; slow faults really sleep, dropped connections raise.

        Args:
            request: The request httpx built.

        Returns:
            The emulator's answer.

        Raises:
            httpx.RemoteProtocolError: When a fault drops the connection.
        """
        response = _handle(self._handle, request, request.read())
        if response.delay > 0:
            time.sleep(response.delay)
        return _to_httpx(response, request)


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    """An asynchronous httpx transport answering from an emulator.

    Args:
        handle: The emulator's `handle`; it never blocks
            for long, so it is called directly on the event loop.
    """

    def __init__(self, handle: Handler) -> None:
        self._handle = handle

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a request; slow faults await `anyio.sleep`, dropped connections raise.

        Args:
            request: The request httpx built.

        Returns:
            The emulator's answer.

        Raises:
            httpx.RemoteProtocolError: When a fault drops the connection.
        """
        response = _handle(self._handle, request, await request.aread())
        if response.delay > 0:
            await anyio.sleep(response.delay)
        return _to_httpx(response, request)
