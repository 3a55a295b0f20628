"""Moving a file's bytes: a streamed body read a chunk at a time, a download that lands in
place only when complete, and the progress callback both directions report to.

The twins' resources (`resources.files`, `resources.workflow`) are thin shells over these.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from .._exceptions import APIResponseValidationError
from .._http.errors import SEND_ERRORS, connection_error
from .._wait.callbacks import check_callable

__all__ = [
    "OnDownload",
    "OnUpload",
    "PartFile",
    "abody_chunks",
    "areport",
    "check_on_progress",
    "body_chunks",
    "expected_size",
    "report",
]

#: An upload's `on_progress(bytes_sent, bytes_total)`.
OnUpload = Callable[[int, int], object] | None
#: A download's `on_progress(bytes_received, bytes_total)`; the total is None when neither
#: the file's metadata nor the response tells it.
OnDownload = Callable[[int, int | None], object] | None
_Callback = Callable[[int, Any], object] | None


def check_on_progress(on_progress: object, *, asynchronous: bool) -> None:
    """Refuse what cannot be called back, before anything is sent.

    Raises:
        TypeError: `on_progress` is not callable, or is an `async def` given to the sync
            client, which could not await it.
    """
    check_callable("on_progress", on_progress)
    if asynchronous:
        return
    if inspect.iscoroutinefunction(on_progress) or inspect.iscoroutinefunction(
        type(on_progress).__call__
    ):
        raise TypeError(
            "on_progress is an async function, which the sync client cannot await: pass a "
            "plain function, or use AsyncTogether"
        )


def report(on_progress: _Callback, total: int | None) -> Callable[[int], None]:
    """A `report(done)` calling `on_progress(done, total)` from the sync twin."""

    def call(done: int) -> None:
        if on_progress is not None:
            result = on_progress(done, total)
            if inspect.isawaitable(result):  # an awaitable from a plain-looking callable
                close = getattr(result, "close", None)
                if close is not None:
                    close()
                raise TypeError(
                    "on_progress returned an awaitable: the sync client cannot await it"
                )

    return call


def areport(on_progress: _Callback, total: int | None) -> Callable[[int], Any]:
    """A `report(done)` for the async twin: awaits what an `async def` callback returns."""

    async def call(done: int) -> None:
        if on_progress is not None:
            result = on_progress(done, total)
            if inspect.isawaitable(result):
                await result

    return call


def body_chunks(response: httpx.Response) -> Iterator[bytes]:
    """A streamed response's body, as it arrives.

    Raises:
        TogetherError: The body broke off or could not be read (`APIConnectionError`,
            `APITimeoutError` when a read timed out): no retry is made once a body started.
    """
    try:
        yield from response.iter_bytes()
    except SEND_ERRORS as exc:
        raise connection_error(exc) from exc


async def abody_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """`chunks` for the async twin."""
    try:
        async for chunk in response.aiter_bytes():
            yield chunk
    except SEND_ERRORS as exc:
        raise connection_error(exc) from exc


def expected_size(headers: httpx.Headers, listed: int | None) -> int | None:
    """How many bytes a download must come to: the file's size as the API lists it, else the
    response's `Content-Length` when its body is not content-encoded (then the two differ).

    Args:
        headers: The content response's headers.
        listed: The file's `bytes` in its metadata, if known.

    Returns:
        The size, or None when nothing tells it.
    """
    if listed is not None:
        return listed
    length = headers.get("content-length")
    if length is None or headers.get("content-encoding", "identity") != "identity":
        return None
    return int(length) if length.isdigit() else None


class PartFile:
    """A download in progress: a temporary file beside `path`, renamed to it by `commit`
    once its size is checked. Left any other way (an error, Ctrl-C), it is deleted: nothing
    partial is ever under `path`.

    The temporary file is made with mode 0666 less the umask, as `open` makes a file, not
    `tempfile`'s 0600: the renamed file is the download, and must be as readable as any
    file the user saves.

    Args:
        path: Where the file is to be.
        label: What it is, for messages (e.g. "file file-abc").
    """

    def __init__(self, path: str | os.PathLike[str], label: str) -> None:
        self.path = Path(path)
        self.label = label
        #: Bytes written so far.
        self.size = 0
        self._stream: IO[bytes] | None = None
        self._temporary: str | None = None

    def __enter__(self) -> PartFile:
        if self.path.is_dir():
            raise IsADirectoryError(f"{self.path} is a directory: give the file's path")
        handle, self._temporary = _create_beside(self.path)
        self._stream = os.fdopen(handle, "wb")
        return self

    def write(self, chunk: bytes) -> None:
        """Append a chunk."""
        assert self._stream is not None
        self._stream.write(chunk)
        self.size += len(chunk)

    def commit(self, expected: int | None) -> Path:
        """Put the file in place, if it has the size it should.

        Raises:
            APIResponseValidationError: Its size is not `expected`; it is deleted.
        """
        assert self._stream is not None and self._temporary is not None
        self._stream.close()
        if expected is not None and self.size != expected:
            raise APIResponseValidationError(
                f"the download of {self.label} came to {self.size:,} bytes, not the "
                f"{expected:,} it should be; nothing was saved to {self.path}: try again",
                status_code=200,
                body="",
            )
        os.replace(self._temporary, self.path)
        self._temporary = None
        return self.path

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            self._stream.close()
        if self._temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temporary)
            self._temporary = None


def _create_beside(path: Path) -> tuple[int, str]:
    """Create a new, unique `.NAME.RANDOM.part` beside `path`, with mode 0666 less the
    umask (`O_EXCL`: never one that exists, so never another's).

    Returns:
        Its open descriptor (for writing) and its path.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        name = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.part")
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:  # pragma: no cover - 48 random bits met an existing name
            continue
