"""`InputFileWriter`: a batch input file written one checked line at a time, within a
batch's limits, its size and SHA-256 counted on the way.

`write_input_file` writes one file with it; a workload's splitter writes many, starting the
next one when a line does not `fit`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Self

if TYPE_CHECKING:
    from hashlib import _Hash

from .checks import InputFileInfo, check_limits
from .limits import MAX_FILE_BYTES, MAX_REQUESTS

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_REQUESTS",
    "InputFileWriter",
    "Writable",
    "fsync_directory",
    "new_sha256",
]


_FLUSH_AT = 1 << 20  # bytes buffered before a write: one write per MiB, not per line


class Writable(Protocol):
    """A binary file open for writing (what `open(path, "wb")` gives)."""

    def write(self, data: bytes | bytearray, /) -> object: ...


def new_sha256() -> _Hash:
    return hashlib.sha256()


def fsync_directory(path: str | os.PathLike[str]) -> None:
    """Sync a directory, so that a rename into it outlives a power cut (POSIX; where a
    directory cannot be opened, as on Windows, there is nothing to do)."""
    with contextlib.suppress(OSError):
        handle = os.open(path, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


class InputFileWriter:
    """An input file written one line at a time, within a batch's limits, with its size
    and SHA-256 counted on the way. Lines are not checked here: they come checked.

    To a path, the lines go to a temporary file beside it, renamed into place by `close`
    (after an fsync, with `durable=True`); leaving a `with` block by an exception, or
    `discard`, removes it. To a binary file object, they are written from its current
    position (`close` writes what is buffered, and does not close it).

    Args:
        dest: A path, or a binary file object.
        max_requests: The most lines the file may hold (`fits` says when the next is one
            too many).
        max_bytes: The largest the file may be.
        durable: Fsync the file before renaming it into place, and its directory after, so
            that it outlives a crash of the machine once `close` has returned (paths only).
    """

    def __init__(
        self,
        dest: str | os.PathLike[str] | Writable,
        *,
        max_requests: int = MAX_REQUESTS,
        max_bytes: int = MAX_FILE_BYTES,
        durable: bool = False,
    ) -> None:
        check_limits(max_requests=max_requests, max_bytes=max_bytes)
        self.max_requests, self.max_bytes, self.durable = max_requests, max_bytes, durable
        #: Lines and bytes written so far.
        self.requests = self.size = 0
        self._digest = new_sha256()
        self._buffer = bytearray()
        self._path: Path | None = None
        self._temporary: str | None = None
        self._info: InputFileInfo | None = None
        if isinstance(dest, (str, os.PathLike)):
            self._path = path = Path(dest)
            handle, self._temporary = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            self._stream: Writable = os.fdopen(handle, "wb")
        else:
            self._stream = dest

    @property
    def sha256(self) -> str:
        """The SHA-256 of the lines written so far, lower-case hex."""
        digest = self._digest.copy()
        digest.update(self._buffer)
        return digest.hexdigest()

    def fits(self, size: int) -> bool:
        """Whether one more line of `size` bytes keeps the file within both limits."""
        return self.requests < self.max_requests and self.size + size <= self.max_bytes

    def write(self, line: bytes) -> None:
        """Append one line (its newline included).

        Raises:
            ValueError: The line does not fit (see `fits`): the caller must start another
                file, so that no file is ever over a limit.
        """
        if not self.fits(len(line)):
            raise ValueError(
                f"a line of {len(line):,} bytes does not fit: the file holds "
                f"{self.requests:,} lines and {self.size:,} bytes"
            )
        self.requests += 1
        self.size += len(line)
        self._buffer += line
        if len(self._buffer) >= _FLUSH_AT:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        self._digest.update(self._buffer)
        self._stream.write(self._buffer)
        self._buffer.clear()

    def close(self) -> InputFileInfo:
        """Finish the file: write what is buffered and, for a path, rename it into place.
        Closing again answers the same.

        Returns:
            Its line count, size, SHA-256 and path (None for a file object).
        """
        if self._info is not None:
            return self._info
        self._flush()
        if self._temporary is not None:
            assert self._path is not None and isinstance(self._stream, io.BufferedWriter)
            with self._stream:
                if self.durable:
                    self._stream.flush()
                    os.fsync(self._stream.fileno())
            os.replace(self._temporary, self._path)
            self._temporary = None
            if self.durable:
                fsync_directory(self._path.parent)
        self._info = InputFileInfo(self.requests, self.size, self._digest.hexdigest(), self._path)
        return self._info

    def discard(self) -> None:
        """Remove the temporary file, if the file was not closed (paths only)."""
        if self._temporary is not None:
            assert isinstance(self._stream, io.BufferedWriter)
            self._stream.close()
            with contextlib.suppress(OSError):
                os.unlink(self._temporary)
            self._temporary = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()
