"""httpx transports that hand requests straight to the emulator: no sockets, no threads."""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio
import httpx

from ._app import Headers, Response

Handler = Callable[[str, str, Headers, bytes], Response]


def _to_httpx(response: Response, request: httpx.Request) -> httpx.Response:
    if response.drop:
        # What httpx itself raises when a server closes the connection mid-body.
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body", request=request
        )
    return httpx.Response(
        response.status, headers=list(response.headers), content=response.body, request=request
    )


class EmulatorTransport(httpx.BaseTransport):
    """A synchronous httpx transport answering from an emulator.

    Args:
        handle: The emulator's `handle(method, raw_path, headers, body)`.
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
        body = request.read()
        raw_path = request.url.raw_path.decode("ascii")
        response = self._handle(request.method, raw_path, request.headers.multi_items(), body)
        if response.delay > 0:
            time.sleep(response.delay)
        return _to_httpx(response, request)


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    """An asynchronous httpx transport answering from an emulator.

    Args:
        handle: The emulator's `handle(method, raw_path, headers, body)`; it never blocks
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
        body = await request.aread()
        raw_path = request.url.raw_path.decode("ascii")
        response = self._handle(request.method, raw_path, request.headers.multi_items(), body)
        if response.delay > 0:
            await anyio.sleep(response.delay)
        return _to_httpx(response, request)
