"""A real HTTP/1.1 server on the loopback interface, answering from an emulator."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._transport import Handler

#: The name of the thread that runs the accept loop, so tests can check it is gone.
THREAD_NAME = "together-batches-emulator"
# The longest chunk-size or trailer line read from a chunked request body.
_LINE_LIMIT = 65536


class _Server(ThreadingHTTPServer):
    """Tracks its connections so that stopping can close idle keep-alive ones at once."""

    daemon_threads = True
    # socketserver listens with a backlog of 5: a burst of new connections (20 creates at
    # once) overflows the kernel's accept queue and some are reset. The kernel caps this at
    # its own somaxconn.
    request_queue_size = 4096

    def __init__(self, address: tuple[str, int], handle: Handler) -> None:
        self.handle_fn = handle
        self._connections: set[socket.socket] = set()
        self._handler_threads: set[threading.Thread] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _RequestHandler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
            self._handler_threads.add(threading.current_thread())
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)
                self._handler_threads.discard(threading.current_thread())

    def close_connections(self, timeout: float) -> None:
        """Shut every open connection down and wait for the threads serving them.

        Args:
            timeout: Seconds to wait for each handler thread.
        """
        with self._connections_lock:
            connections = list(self._connections)
            threads = list(self._handler_threads)
        for connection in connections:
            # Wakes a handler blocked reading the next keep-alive request.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and every answer carries Content-Length
    # Headers and body leave in two writes: without TCP_NODELAY, Nagle plus delayed ACK adds
    # ~40 ms to every keep-alive request.
    disable_nagle_algorithm = True
    timeout = 120  # an idle keep-alive connection gives its thread back eventually
    server: _Server

    def _serve(self) -> None:
        body = self._read_body()
        response = self.server.handle_fn(self.command, self.path, self.headers.items(), body)
        if response.delay > 0:
            time.sleep(response.delay)
        if response.drop:
            self._drop(response.status, response.headers, response.body)
            return
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        # An answer to HEAD has the headers of the answer to GET, and never a body.
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _read_body(self) -> bytes:
        """The request body, whether sized by Content-Length or sent in chunks."""
        if "chunked" not in self.headers.get("transfer-encoding", "").lower():
            length = int(self.headers.get("content-length") or 0)
            return self.rfile.read(length) if length > 0 else b""
        chunks = []
        while size := int(self.rfile.readline(_LINE_LIMIT).split(b";")[0].strip() or b"0", 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline(_LINE_LIMIT)  # the CRLF after the chunk
        while self.rfile.readline(_LINE_LIMIT).strip():  # trailers, up to the blank line
            pass
        return b"".join(chunks)

    def _drop(self, status: int, headers: tuple[tuple[str, str], ...], body: bytes) -> None:
        """Promise a whole response, send part of it, and hang up."""
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
        lines += [f"{name}: {value}" for name, value in headers]
        lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        partial = head + body[: len(body) // 2] if body else head[: len(head) // 2]
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.write(partial)
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler answers a method without a `do_` handler with an HTML 501;
        # every method goes to the emulator instead, which answers a JSON 405 where due.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and the CLI print what they need themselves."""


@contextlib.contextmanager
def serve(handle: Handler, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve an emulator over HTTP on a background thread for the duration of a `with`.

    Args:
        handle: The emulator's `handle`.
        host: The interface to bind; the loopback one by default.
        port: The port, or 0 for a free one.

    Yields:
        The base URL, e.g. `http://127.0.0.1:54321/v1`.
    """
    server = _Server((host, port), handle)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=THREAD_NAME, daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.close_connections(timeout=5.0)
        server.server_close()
        thread.join(timeout=5.0)
