"""The file commands: `files list | get ID | upload PATH | download ID | content ID |
delete ID`, and `check FILE` (local: no server, no key)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

from ... import _files
from ..._client import Together
from ..._display.choose import TransferBar
from ..._exceptions import InputFileError
from ..._jsonl.inputs import check_input_file
from ..paths import input_path, output_path, shown_name
from ..process import print_error
from ..views.files import (
    FILE_HEADER,
    file_details,
    file_json,
    file_rows,
    files_json,
    format_bytes,
    problem_lines,
)
from ..views.render import EXIT_DATA, EXIT_OK
from ..views.show import show_table

__all__ = ["COMMANDS", "cmd_check"]

#: A file name's extension that is safe to reuse in a name made from an id.
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}")


def cmd_check(args: argparse.Namespace) -> int:
    """`check FILE`: every problem a batch would refuse, by line (exit 65), or a line that
    says it is ready (exit 0). Local: nothing is sent, no key is needed."""
    name = shown_name(args.path)
    try:
        with input_path(args.path) as path:
            info = check_input_file(path)
    except InputFileError as exc:
        first, *rest = problem_lines(exc, name=name, sent=False)
        print_error(first.removeprefix("error: "))
        for line in rest:
            print(line, file=sys.stderr)
        return EXIT_DATA
    count = info.requests
    print(
        f"{name}: {count:,} request{'' if count == 1 else 's'} ({format_bytes(info.size)}), "
        "no problems a batch would refuse"
    )
    return EXIT_OK


def _list(client: Together, args: argparse.Namespace) -> int:
    files = client.files.list()
    if args.json:
        print(files_json(files))
    elif files:
        show_table(FILE_HEADER, file_rows(files))
    else:
        print("No files.")
    return EXIT_OK


def _get(client: Together, args: argparse.Namespace) -> int:
    file = client.files.retrieve(args.id)
    print(file_json(file) if args.json else "\n".join(file_details(file)))
    return EXIT_OK


def _upload(client: Together, args: argparse.Namespace) -> int:
    name = shown_name(args.path)
    out = sys.stderr if args.json else sys.stdout
    existing: list[str] = []
    with input_path(args.path) as path:
        if args.check and args.purpose == "batch-api":
            # Every problem, exit 65 (see `main`); nothing is sent. The check measures it.
            info = check_input_file(path)
            source = _files.source.prepare_source(path, sha256=info.sha256, size=info.size)
        else:
            source = _files.source.prepare_source(path)
        with TransferBar(out, "Uploading", path.name) as bar:
            file = client.files._send(source, args.purpose, bar, None, on_existing=existing.append)
    if args.json:
        print(file_json(file))
    elif existing:
        # The service had the same content: nothing new was stored.
        print(f"{name} is already uploaded as file {file.id} ({format_bytes(file.bytes_)})")
    else:
        print(f"uploaded {name} as file {file.id} ({format_bytes(file.bytes_)})")
    return EXIT_OK


def _download(client: Together, args: argparse.Namespace) -> int:
    file = client.files.retrieve(args.id)
    extension = _EXTENSION.fullmatch(Path(file.filename or "").suffix)
    default = f"{args.id}{extension.group() if extension else ''}"
    where = output_path(args.output, default)
    with TransferBar(sys.stdout, "Downloading", where.name) as bar:
        client.files.download(args.id, where, on_progress=bar)
    size = where.stat().st_size
    print(f"saved file {args.id} to {where} ({format_bytes(size)})")
    return EXIT_OK


def _content(client: Together, args: argparse.Namespace) -> int:
    """The file's bytes to standard output, as they arrive (binary-safe, bounded memory)."""
    out = sys.stdout.buffer
    with client._stream(_files.calls.file_content(args.id)) as response:
        for chunk in _files.transfer.body_chunks(response):
            out.write(chunk)
    out.flush()
    return EXIT_OK


def _delete(client: Together, args: argparse.Namespace) -> int:
    deleted = client.files.delete(args.id)
    print(f"deleted file {deleted.id or args.id}")
    return EXIT_OK


_ACTIONS: dict[str, Callable[[Together, argparse.Namespace], int]] = {
    "list": _list,
    "get": _get,
    "upload": _upload,
    "download": _download,
    "content": _content,
    "delete": _delete,
}


def cmd_files(client: Together, args: argparse.Namespace) -> int:
    """`files list | get ID | upload PATH | download ID | content ID | delete ID`."""
    return _ACTIONS[args.files_command](client, args)


COMMANDS: dict[str, Callable[[Together, argparse.Namespace], int]] = {"files": cmd_files}
