"""The tool's local files: an input checked readable before anything is sent (`-` for
standard input, spooled to a temporary file where a path is needed), and where an output
goes (`DIR/`, or an existing directory, means "into it", made if need be)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .._exceptions import InputFileError
from ..resources.downloads import names_a_directory

__all__ = ["STDIN", "InputUnreadable", "check_readable", "input_path", "output_path", "shown_name"]

#: What stands for standard input where an input file is taken.
STDIN = "-"
#: How standard input is named in messages.
_STDIN_NAME = "stdin"


class InputUnreadable(Exception):
    """A local input file that is missing, unreadable or a directory: exit 66 (EX_NOINPUT),
    with a plain sentence such as `cannot read in.jsonl: no such file`."""


def shown_name(given: str) -> str:
    """The input as messages name it: as typed, or `stdin` for `-`."""
    return _STDIN_NAME if given == STDIN else given


def check_readable(given: str) -> Path:
    """The path of an input file that can be read, before anything is sent.

    Raises:
        InputUnreadable: It is missing, a directory, or cannot be opened.
    """
    path = Path(given)
    if path.is_dir():
        raise InputUnreadable(f"cannot read {given}: it is a directory, not a file")
    try:
        with path.open("rb"):
            pass
    except FileNotFoundError:
        raise InputUnreadable(f"cannot read {given}: no such file") from None
    except PermissionError:
        raise InputUnreadable(f"cannot read {given}: permission denied") from None
    except OSError as exc:
        reason = (exc.strerror or "it cannot be opened").lower()
        raise InputUnreadable(f"cannot read {given}: {reason}") from None
    return path


@contextlib.contextmanager
def input_path(given: str, *, suffix: str = ".jsonl") -> Iterator[Path]:
    """A readable path for an input given as a path or as `-`.

    `-` spools standard input to a temporary file (named `stdin.jsonl`, which is also the
    name an upload gives the service), deleted when the block ends however it ends. An
    `InputFileError` raised in the block names the input as typed (`stdin`), not the
    temporary file.

    Raises:
        InputUnreadable: A path that is missing, a directory, or cannot be opened.
    """
    if given != STDIN:
        yield check_readable(given)
        return
    with tempfile.TemporaryDirectory(prefix="together-batches-stdin-") as directory:
        path = Path(directory) / f"{_STDIN_NAME}{suffix}"
        with path.open("wb") as spool:
            shutil.copyfileobj(sys.stdin.buffer, spool)
        try:
            yield path
        except InputFileError as exc:
            if exc.source != str(path):
                raise
            raise InputFileError(
                exc.problems, problem_count=exc.problem_count, source=_STDIN_NAME
            ) from None


def output_path(given: str | None, default_name: str) -> Path:
    """Where to write an output: `given` (in it as `default_name` when it names a
    directory: `DIR/` or an existing one, made if need be), or `default_name` here."""
    if given is None:
        return Path(default_name)
    if names_a_directory(given):
        os.makedirs(given, exist_ok=True)
        return Path(given) / default_name
    return Path(given)
