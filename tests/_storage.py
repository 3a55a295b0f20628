"""A loopback stand-in for the API's file endpoints and a storage service, for the tests that
need real sockets: PUTs cut off mid-body, downloads cut off mid-body, headers as sent."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FILE_ID = "file-loop-1"


@dataclass
class Seen:
    """One request as the server saw it (the body's size and hash, not the body)."""

    method: str
    path: str
    headers: dict[str, str]
    received: int
    sha256: str | None = None  # of a body read to its end


@dataclass
class Script:
    """What the server does.

    Attributes:
        cut_puts: How many PUTs to cut off after reading half their body (then hang up).
        content: The bytes `GET /v1/files/{id}/content` serves.
        cut_downloads: How many downloads to cut off after sending half the body.
        listed_bytes: The `bytes` the file's metadata lists (default: the content's size).
        chunked: Serve the content chunked, with no Content-Length.
        put_redirects: What the next PUTs are answered instead of being stored, in order:
            (status, Location) each, with a cookie set (which no later hop may carry).
        seen: Every request, in order.
    """

    cut_puts: int = 0
    content: bytes = b""
    cut_downloads: int = 0
    listed_bytes: int | None = None
    chunked: bool = False
    put_redirects: list[tuple[int, str]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def metadata(self, size: int) -> bytes:
        return json.dumps(
            {
                "id": FILE_ID,
                "object": "file",
                "created_at": 1700000000,
                "filename": "in.jsonl",
                "bytes": size,
                "purpose": "batch-api",
                "FileType": "jsonl",
                "Processed": True,
            }
        ).encode()


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _reply(self, status: int, body: bytes = b"", **headers: str) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _hang_up(self) -> None:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

        def _seen(self, received: int, sha256: str | None = None) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            with script.lock:
                script.seen.append(Seen(self.command, self.path, headers, received, sha256))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self._seen(length)
            port = self.connection.getsockname()[1]
            if self.path == "/v1/files":
                location = f"http://127.0.0.1:{port}/_storage/{FILE_ID}?X-Amz-Signature=abc"
                self._reply(302, location=location, x_together_file_id=FILE_ID)
            else:  # /v1/files/{id}/preprocess
                self._reply(
                    200, script.metadata(script.listed_bytes or 0), content_type="application/json"
                )

        def do_PUT(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            with script.lock:
                cut = script.cut_puts > 0
                script.cut_puts -= cut
            if cut:
                self._seen(len(self.rfile.read(length // 2)))
                self._hang_up()
                return
            body = self.rfile.read(length)
            self._seen(len(body), hashlib.sha256(body).hexdigest())
            with script.lock:
                redirect = script.put_redirects.pop(0) if script.put_redirects else None
            if redirect is not None:
                status, location = redirect
                self._reply(status, location=location, set_cookie="storage=crumb; Path=/")
                return
            self._reply(200, etag='"x"')

        def do_GET(self) -> None:
            self._seen(0)
            content = script.content
            if not self.path.endswith("/content"):
                listed = len(content) if script.listed_bytes is None else script.listed_bytes
                self._reply(200, script.metadata(listed), content_type="application/json")
                return
            with script.lock:
                cut = script.cut_downloads > 0
                script.cut_downloads -= cut
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if script.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(content), content))
                return
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if cut:
                self.wfile.write(content[: len(content) // 2])
                self.wfile.flush()
                self._hang_up()
                return
            self.wfile.write(content)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def storage(script: Script) -> Iterator[str]:
    """Serve `script` on a free port; yields the base URL (http, loopback, ending in /v1)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
