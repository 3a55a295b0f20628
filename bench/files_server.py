"""A minimal HTTP/1.1 file and storage server for the transfer benchmarks, in its own process.

    python bench/files_server.py PORT_FILE DIRECTORY

Binds 127.0.0.1 on a free port, writes the port to PORT_FILE, and serves until killed:

- `POST /v1/files` answers 302 to its own `/_storage/file-bench` (the upload's first step);
- `PUT /_storage/...` reads the body (Content-Length bytes) and throws it away;
- `POST /v1/files/{id}/preprocess` answers a file's metadata;
- `GET /v1/files/{name}/content` sends DIRECTORY/{name} (with `sendfile`).

Nothing is kept in memory: the emulator holds uploads whole, which a 100 MB upload must not
measure.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

_CHUNK = 1 << 20
FILE = json.dumps(
    {
        "id": "file-bench",
        "object": "file",
        "created_at": 1700000000,
        "filename": "in.jsonl",
        "bytes": 0,
        "purpose": "batch-api",
        "FileType": "jsonl",
        "Processed": True,
    }
).encode()


def _head(status: str, length: int, extra: str = "") -> bytes:
    return f"HTTP/1.1 {status}\r\ncontent-length: {length}\r\n{extra}\r\n".encode()


async def _serve(
    directory: Path, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    port = writer.get_extra_info("sockname")[1]
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (x.partition(":") for x in lines[1:] if x)
            }
            left = int(headers.get("content-length", "0"))
            while left:  # read and drop the body (a PUT's 100 MB)
                left -= len(await reader.read(min(left, _CHUNK)))
            if method == "POST" and path == "/v1/files":
                location = f"http://127.0.0.1:{port}/_storage/file-bench?X-Amz-Signature=x"
                writer.write(
                    _head(
                        "302 Found",
                        0,
                        f"location: {location}\r\nx-together-file-id: file-bench\r\n",
                    )
                )
            elif method == "PUT":
                writer.write(_head("200 OK", 0))
            elif method == "POST":
                writer.write(
                    _head("200 OK", len(FILE), "content-type: application/json\r\n") + FILE
                )
            elif method == "GET" and path.endswith("/content"):
                target = directory / path.split("/")[-2]
                with target.open("rb") as stream:
                    size = target.stat().st_size
                    writer.write(
                        _head("200 OK", size, "content-type: application/octet-stream\r\n")
                    )
                    await writer.drain()
                    await asyncio.get_running_loop().sendfile(writer.transport, stream)
            else:
                writer.write(_head("404 Not Found", 0))
            await writer.drain()
    finally:
        writer.close()


async def main(port_file: Path, directory: Path) -> None:
    server = await asyncio.start_server(
        lambda r, w: _serve(directory, r, w), "127.0.0.1", 0, limit=1 << 16
    )
    port = str(server.sockets[0].getsockname()[1])
    await asyncio.to_thread(port_file.write_text, port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
