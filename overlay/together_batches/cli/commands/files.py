"""The `files` commands: `files list`, `files upload PATH`, `files delete ID`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ..._client import Together
from ..._display.choose import TransferBar
from ..._jsonl.inputs import check_input_file
from ..views.files import FILE_HEADER, file_json, file_rows, files_json, format_bytes
from ..views.render import EXIT_OK
from ..views.show import show_table

__all__ = ["COMMANDS"]


def _list(client: Together, args: argparse.Namespace) -> int:
    files = client.files.list()
    if args.json:
        print(files_json(files))
    elif files:
        show_table(FILE_HEADER, file_rows(files))
    else:
        print("No files.")
    return EXIT_OK


def _upload(client: Together, args: argparse.Namespace) -> int:
    path = Path(args.path)
    if args.check and args.purpose == "batch-api":
        check_input_file(path)  # every problem, exit 65 (see `main`); nothing is sent
    with TransferBar(sys.stderr if args.json else sys.stdout, "Uploading", path.name) as bar:
        file = client.files.upload(path, purpose=args.purpose, on_progress=bar)
    if args.json:
        print(file_json(file))
    else:
        print(f"uploaded {path} as file {file.id} ({format_bytes(file.bytes_)})")
    return EXIT_OK


def _delete(client: Together, args: argparse.Namespace) -> int:
    deleted = client.files.delete(args.id)
    print(f"deleted file {deleted.id or args.id}")
    return EXIT_OK


_ACTIONS: dict[str, Callable[[Together, argparse.Namespace], int]] = {
    "list": _list,
    "upload": _upload,
    "delete": _delete,
}


def cmd_files(client: Together, args: argparse.Namespace) -> int:
    """`files list | upload PATH | delete ID`."""
    return _ACTIONS[args.files_command](client, args)


COMMANDS: dict[str, Callable[[Together, argparse.Namespace], int]] = {"files": cmd_files}
