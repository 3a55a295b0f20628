"""The tool as a process: SIGTERM handled as Ctrl-C is, `--verbose` logs, and its error
lines on standard error, the key masked in both."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import NoReturn, TextIO

from .._http.secrets import redact

__all__ = [
    "VERBOSE_LOGGERS",
    "Terminated",
    "print_error",
    "sigterm_as_interrupt",
    "verbose_logging",
]

#: What `--verbose` turns to DEBUG: the client's retries and polls, and httpx's requests.
VERBOSE_LOGGERS = ("together_batches", "httpx")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C raises `KeyboardInterrupt`.

    `timeout`, `docker stop` and Kubernetes stop a process with SIGTERM; raised as a
    `KeyboardInterrupt`, it takes every path Ctrl-C takes: the wait's cancel and message,
    the emulator's clean stop. Only the exit status differs (143, not 130).
    """


def _raise_terminated(signum: int, frame: FrameType | None) -> NoReturn:
    raise Terminated


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Raise `Terminated` on SIGTERM while the block runs; the previous handler after.

    Outside the main thread (signals cannot be handled there) this does nothing.
    """
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _MaskingFormatter(logging.Formatter):
    """Formats a record, then masks the keys in the whole text (traceback included)."""

    def __init__(self, secrets: Sequence[str | None]) -> None:
        super().__init__("%(asctime)s %(name)s %(levelname)s %(message)s")
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = redact(text, secret)
        return text


@contextlib.contextmanager
def verbose_logging(enabled: bool, secrets: Sequence[str | None], stream: TextIO) -> Iterator[None]:
    """Log the client's and httpx's DEBUG records to `stream` while the block runs.

    Args:
        enabled: Whether `--verbose` was given; nothing changes otherwise.
        secrets: Keys to mask in every line (the client never logs its key; this is the
            last guard, as for error lines).
        stream: Where the lines go: standard error.
    """
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_MaskingFormatter(secrets))
    loggers = [logging.getLogger(name) for name in VERBOSE_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def print_error(message: str, given_key: str | None = None) -> None:
    """Print `error: message` on standard error, as one line.

    Args:
        message: What went wrong (and what to do).
        given_key: The key given with `--api-key`, masked like the environment's.
    """
    # Messages are never built from request headers, but an id or URL typed by mistake could
    # still hold the key: mask both the one in the environment and the one given.
    for secret in (os.environ.get("TOGETHER_API_KEY"), given_key):
        message = redact(message, secret)
    print(f"error: {message}", file=sys.stderr, flush=True)
