"""The file an upload sends: its name, size and SHA-256, learnt before anything is sent, and
its bytes read a chunk at a time for each attempt of the PUT. Memory stays bounded by one
chunk: the file is hashed and sent as a stream, never held whole.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .._exceptions import TogetherError

__all__ = [
    "CHUNK_SIZE",
    "BinaryFile",
    "UploadSource",
    "afile_chunks",
    "check_file_object",
    "file_chunks",
    "prepare_source",
]

#: Bytes read, hashed and sent at a time: what an upload holds in memory.
CHUNK_SIZE = 1 << 20
_DEFAULT_NAME = "upload.jsonl"

BinaryFile = IO[bytes]


@dataclass(frozen=True, slots=True)
class UploadSource:
    """A file about to be uploaded: where its bytes are, and what the form says of them.

    Attributes:
        name: The file's name, without directories.
        size: Its size in bytes (what the PUT's `Content-Length` says).
        sha256: The SHA-256 of its bytes, lower-case hex.
        path: The file, when given as a path (opened afresh for each attempt).
        stream: The file object, when given as one (read from `start` each attempt).
        start: Where in `stream` the upload starts.
    """

    name: str
    size: int
    sha256: str
    path: Path | None = None
    stream: BinaryFile | None = None
    start: int = 0


def _name_of(file: object) -> str:
    name = getattr(file, "name", None)
    return os.path.basename(name) if isinstance(name, str) and name else _DEFAULT_NAME


def check_file_object(file: object) -> None:
    """Refuse a file object that an upload cannot read twice, before anything is read.

    Raises:
        TypeError: `file` is not a binary file object.
        ValueError: It cannot seek (a pipe, a socket).
    """
    if not callable(getattr(file, "read", None)) or isinstance(file, (bytes, bytearray)):
        raise TypeError(f"file must be a path or a binary file object, not {type(file).__name__}")
    seekable = getattr(file, "seekable", None)
    if not (callable(seekable) and seekable()):
        raise ValueError(
            "file must be seekable (it is hashed before it is sent, and sent again on a "
            "retry): pass a path, or a file opened with open(path, 'rb')"
        )


def prepare_source(
    file: str | os.PathLike[str] | BinaryFile,
    *,
    sha256: str | None = None,
    size: int | None = None,
) -> UploadSource:
    """Learn a file's name, size and SHA-256 (reading it once, a chunk at a time, unless both
    are given), before anything is sent.

    Args:
        file: A path, or a binary file object read from its current position; it must be
            seekable, since it is read twice (hashed, then sent) and again on a retry.
        sha256: Its SHA-256, when already known (`check_input_file` computes it).
        size: Its size, when already known.

    Raises:
        TypeError: `file` is neither a path nor a binary file object.
        ValueError: The file object cannot seek.
        OSError: The file cannot be read.
    """
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        with path.open("rb") as stream:
            return _measured(UploadSource(path.name, 0, "", path=path), stream, sha256, size)
    check_file_object(file)
    start = file.tell()
    source = _measured(
        UploadSource(_name_of(file), 0, "", stream=file, start=start), file, sha256, size
    )
    file.seek(start)
    return source


def _measured(
    source: UploadSource, stream: BinaryFile, sha256: str | None, size: int | None
) -> UploadSource:
    if sha256 is not None and size is not None:
        return UploadSource(source.name, size, sha256, source.path, source.stream, source.start)

    digest, total = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK_SIZE):
        digest.update(chunk)
        total += len(chunk)
    sha = digest.hexdigest() if sha256 is None else sha256
    return UploadSource(source.name, total, sha, source.path, source.stream, source.start)


def _open(source: UploadSource) -> BinaryFile:
    if source.path is not None:
        return source.path.open("rb")
    assert source.stream is not None
    source.stream.seek(source.start)
    return source.stream


def _short(source: UploadSource, sent: int) -> TogetherError:
    return TogetherError(
        f"{source.name} ended after {sent:,} of its {source.size:,} bytes: it changed while "
        "it was uploaded; nothing was stored. Upload it again once it is complete"
    )


def file_chunks(source: UploadSource, report: Callable[[int], None]) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time from its start: one PUT attempt's body.

    Args:
        source: The file.
        report: Called with the bytes sent so far: 0 first, then after each chunk.

    Raises:
        TogetherError: The file is shorter than it was when measured.
    """
    stream = _open(source)
    try:
        sent = 0
        report(0)
        while sent < source.size:
            chunk = stream.read(min(CHUNK_SIZE, source.size - sent))
            if not chunk:
                raise _short(source, sent)
            yield chunk
            sent += len(chunk)
            report(sent)
    finally:
        if source.path is not None:
            stream.close()


async def afile_chunks(source: UploadSource, report: Callable[[int], Any]) -> AsyncIterator[bytes]:
    """`chunks` for the async twin; `report` may return an awaitable, which is awaited. The
    file is read in the event loop's thread: a chunk of a local file at a time."""
    stream = _open(source)
    try:
        sent = 0
        await report(0)
        while sent < source.size:
            chunk = stream.read(min(CHUNK_SIZE, source.size - sent))
            if not chunk:
                raise _short(source, sent)
            yield chunk
            sent += len(chunk)
            await report(sent)
    finally:
        if source.path is not None:
            stream.close()
