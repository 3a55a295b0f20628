"""A tiny HTTP server on 127.0.0.1 for tests that need real sockets, driven by a handler."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs


@attrs.frozen
class Seen:
    """One request as the server saw it."""

    method: str
    path: str  # raw, as on the request line
    headers: dict[str, str]
    body: bytes


class Trickle:
    """A body the server sends one byte every `interval` seconds (a hostile server).

    Attributes:
        sent: Bytes written so far.
        stopped: Set once the server stops writing: the body is all sent, or the client hung
            up (`sent < len(body)`).
    """

    def __init__(self, body: bytes, interval: float) -> None:
        self.body = body
        self.interval = interval
        self.sent = 0
        self.stopped = threading.Event()

    def write(self, out: Callable[[bytes], object], flush: Callable[[], object]) -> None:
        try:
            for index in range(len(self.body)):
                out(self.body[index : index + 1])
                flush()
                self.sent += 1
                time.sleep(self.interval)
        except OSError:  # the client hung up
            pass
        finally:
            self.stopped.set()


Reply = tuple[int, dict[str, str], bytes | Trickle]
Handler = Callable[[Seen], Reply]


@contextmanager
def loopback(handler: Handler) -> Iterator[tuple[str, list[Seen]]]:
    """Serve `handler` on a free port; yields (base URL ending in /v1, requests seen)."""
    seen: list[Seen] = []

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Seen(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            seen.append(request)
            status, headers, body = handler(request)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            raw = body.body if isinstance(body, Trickle) else body
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            if isinstance(body, Trickle):
                self.wfile.flush()
                body.write(self.wfile.write, self.wfile.flush)
            else:
                self.wfile.write(body)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    # A short poll interval: shutdown() waits up to one interval.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
