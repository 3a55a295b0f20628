"""A minimal, fast HTTP/1.1 server for benchmarks: fixed bodies, keep-alive, one process.

    python bench/server.py PORT_FILE

Binds 127.0.0.1 on a free port, writes the port to PORT_FILE, and serves until killed.
`GET /stats` answers the process's own CPU seconds so that the harness can show the server
costs far less per request than the clients it measures.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

JOB = {
    "id": "01234567-8901-2345-6789-012345678901",
    "user_id": "user_789xyz012",
    "input_file_id": "file-input123abc456def",
    "file_size_bytes": 1048576,
    "status": "IN_PROGRESS",
    "job_deadline": "2024-01-15T15:30:00Z",
    "created_at": "2024-01-15T14:30:00Z",
    "endpoint": "/v1/chat/completions",
    "progress": 75,
    "model_id": "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
    "output_file_id": None,
    "error_file_id": None,
    "error": None,
    "completed_at": None,
}
LIST_SIZE = 10_000


def _response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _bodies() -> dict[tuple[bytes, bytes], bytes]:
    jobs = [{**JOB, "id": f"batch-{i:05d}", "progress": i % 101} for i in range(LIST_SIZE)]
    job = json.dumps(JOB).encode()
    canceling = json.dumps({**JOB, "status": "CANCELING"}).encode()
    return {
        (b"GET", b"/v1/batches/b1"): _response("200 OK", job),
        (b"POST", b"/v1/batches/b1/cancel"): _response("200 OK", canceling),
        (b"POST", b"/v1/batches"): _response("201 Created", b'{"job": ' + job + b"}"),
        (b"GET", b"/v1/batches"): _response("200 OK", json.dumps(jobs).encode()),
    }


ROUTES = _bodies()
NOT_FOUND = _response("404 Not Found", b'{"error": "not found"}')


class Http(asyncio.Protocol):
    """Reads pipelined requests off the buffer; answers each with a prebuilt response."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            method, path, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
            if path == b"/stats":
                body = json.dumps({"cpu": time.process_time()}).encode()
                self.transport.write(_response("200 OK", body))
            else:
                self.transport.write(ROUTES.get((method, path), NOT_FOUND))


async def main(port_file: Path) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Http, "127.0.0.1", 0, backlog=2048)
    port = str(server.sockets[0].getsockname()[1])
    await asyncio.to_thread(port_file.write_text, port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
