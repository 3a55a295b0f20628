"""A workload's manifest: what became of each of its parts, kept in a small JSON file.

The records (`Workload`, `Part`, in `_workload.records`) are immutable: the planner
(`_workload.plan`) derives the next one from an event. This module turns them into JSON
and back, writes the file atomically (a temporary file beside it, fsynced, then renamed
over it, and the directory fsynced), and matches a manifest against the requests and
settings of a resumed run. A manifest that
does not match is refused with `ManifestError`, never mixed with other requests.

Paths in the manifest are relative to its directory (POSIX-style), so that a workload's
directory can move as a whole. The format (`SCHEMA`, version `VERSION`) is in the example of
`_workload.plan`'s docstring.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from .._exceptions import ManifestError
from .._jsonl.checks import InputFileInfo
from .._jsonl.writer import fsync_directory
from .records import Part, PartFile, Workload

__all__ = [
    "SCHEMA",
    "VERSION",
    "check_matches",
    "load_manifest",
    "save_manifest",
    "to_json",
    "workload_from_json",
]

#: What a manifest says it is, and the version of its format this module reads and writes.
SCHEMA, VERSION = "together-batches/workload", 1


def to_json(workload: Workload) -> dict[str, Any]:
    """The manifest's JSON object for `workload`."""
    # By hand, not `dataclasses.asdict` (which deep-copies every value): a wait saves
    # the manifest every few seconds. Fields in their declared order, tuples as lists.
    body = {name: getattr(workload, name) for name in _WORKLOAD_FIELDS}
    body["parts"] = [_part_json(part) for part in workload.parts]
    return {"schema": SCHEMA, "version": VERSION, **body}


_WORKLOAD_FIELDS = tuple(f.name for f in fields(Workload))
_PART_FIELDS = tuple(f.name for f in fields(Part))
_FILE_FIELDS = tuple(f.name for f in fields(PartFile))
#: A part's ids (its file's, its batch's, and the batch's result files'), each a string or
#: null: the names are `Part`'s, which are the job's own (the spec's), not written again here.
_ID_FIELDS = tuple(f.name for f in fields(Part) if f.name.endswith("_id"))


def _part_json(part: Part) -> dict[str, Any]:
    data = {name: getattr(part, name) for name in _PART_FIELDS}
    data["input"] = _file_json(part.input)
    data["sources"] = list(part.sources)
    data["leftover"] = None if part.leftover is None else _file_json(part.leftover)
    return data


def _file_json(file: PartFile) -> dict[str, Any]:
    return {name: getattr(file, name) for name in _FILE_FIELDS}


def save_manifest(path: str | os.PathLike[str], workload: Workload) -> None:
    """Write the manifest atomically: whatever the moment of a crash, the file holds the
    previous state or this one, whole.

    Raises:
        OSError: It cannot be written (the previous one is then left as it was).
    """
    path = Path(path)
    data = json.dumps(to_json(workload), indent=1).encode() + b"\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_directory(path.parent)  # the rename itself, past a power cut


def load_manifest(path: str | os.PathLike[str]) -> Workload | None:
    """Read a manifest.

    Returns:
        The workload it records, or None when there is no file at `path` (a new workload).

    Raises:
        ManifestError: The file is not a manifest this version reads.
        OSError: It cannot be read.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ManifestError(f"{path} is not a workload manifest: it is not JSON ({exc})") from None
    return workload_from_json(data, source=str(path))


def _bad(source: str, message: str) -> ManifestError:
    return ManifestError(f"{source} is not a workload manifest this version can read: {message}")


class _Reader:
    """Reads one object's fields, each checked, naming the field of a bad one."""

    def __init__(self, data: Any, source: str, where: str) -> None:
        if not isinstance(data, dict):
            raise _bad(source, f"{where.rstrip('.') or 'the manifest'} must be an object")
        self.data, self.source, self.where = data, source, where

    def __call__(self, key: str, kind: Callable[[Any], bool], what: str) -> Any:
        value = self.data.get(key)
        if not kind(value):
            shown = json.dumps(value)[:60]
            raise _bad(self.source, f"{self.where}{key} must be {what}, not {shown}")
        return value


def _is_int(value: Any) -> bool:
    return type(value) is int and value >= 0


def _positive(value: Any) -> bool:
    return type(value) is int and value >= 1


def _is_str(value: Any) -> bool:
    return type(value) is str and bool(value)


def _is_time(value: Any) -> bool:
    return type(value) in (int, float) and 0 <= value < 1e11


def _is_bool(value: Any) -> bool:
    return type(value) is bool


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


def _part_file(data: Any, source: str, where: str) -> PartFile:
    get = _Reader(data, source, where)
    return PartFile(
        get("path", _is_str, "a path"),
        get("requests", _is_int, "a count"),
        get("size", _is_int, "a size"),
        get("sha256", _is_str, "a checksum"),
    )


def _part(data: Any, source: str, where: str) -> Part:
    get = _Reader(data, source, where)
    ints = lambda v: isinstance(v, list) and all(map(_is_int, v))  # noqa: E731
    progress = get("progress", lambda v: type(v) in (int, float) and 0 <= v <= 1, "0 to 1")
    leftover = get("leftover", lambda v: v is None or isinstance(v, dict), "an object")
    ids = {name: get(name, _optional(_is_str), "an id") for name in _ID_FIELDS}
    return Part(
        number=get("number", _is_int, "a number"),
        round=get("round", _is_int, "a number"),
        input=_part_file(data.get("input"), source, f"{where}input."),
        sources=tuple(get("sources", ints, "a list of part numbers")),
        creating=get("creating", _is_bool, "true or false"),
        create_sent_at=get("create_sent_at", _optional(_is_time), "a time"),
        status=get("status", _optional(_is_str), "a status"),
        progress=float(progress),
        consumed=get("consumed", _is_bool, "true or false"),
        **ids,
        succeeded=get("succeeded", _optional(_is_int), "a count"),
        leftover=None if leftover is None else _part_file(leftover, source, f"{where}leftover."),
    )


def workload_from_json(data: Any, *, source: str = "the manifest") -> Workload:
    """The workload a manifest's decoded JSON records.

    Raises:
        ManifestError: It is not a manifest of this format, or of a later version.
    """
    get = _Reader(data, source, "")
    if data.get("schema") != SCHEMA:
        raise _bad(source, f"its schema is {json.dumps(data.get('schema'))}, not {SCHEMA!r}")
    version = get("version", _is_int, "a version")
    if version != VERSION:
        raise _bad(
            source,
            f"it is of version {version}, and this together-batches reads "
            f"version {VERSION} (a newer one may read it)",
        )
    listed = get("parts", lambda v: isinstance(v, list), "a list")
    parts = tuple(_part(p, source, f"parts[{i}].") for i, p in enumerate(listed))
    for index, part in enumerate(parts):
        if part.number != index + 1:
            raise _bad(source, f"parts[{index}].number must be {index + 1}, not {part.number}")
    return Workload(
        endpoint=get("endpoint", _is_str, "an endpoint"),
        model_id=get("model_id", _optional(_is_str), "a model id"),
        retry_failed=get("retry_failed", _is_int, "a count"),
        max_requests=get("max_requests", _positive, "a count >= 1"),
        max_bytes=get("max_bytes", _positive, "a size >= 1"),
        parts=parts,
        results_offset=get("results_offset", _optional(_is_int), "an offset"),
    )


def check_matches(
    workload: Workload, given: Workload, parts: Sequence[InputFileInfo], *, path: str
) -> None:
    """Check that a resumed run is the workload its manifest records.

    Args:
        workload: What the manifest records.
        given: The run's settings (its `parts` are not looked at).
        parts: What splitting the run's requests, with the manifest's limits, gave.
        path: The manifest's path, for the message.

    Raises:
        ManifestError: A setting or a part differs; the message names the first.
    """
    for name in ("endpoint", "model_id", "retry_failed", "max_requests", "max_bytes"):
        recorded, now = getattr(workload, name), getattr(given, name)
        if recorded != now:
            _mismatch(path, f"it records {name}={recorded!r}, and this run has {now!r}")
    recorded_parts = [part.input for part in workload.parts if part.round == 0]
    first = 1
    for number, (was, now) in enumerate(zip(recorded_parts, parts, strict=False), start=1):
        if (was.requests, was.size, was.sha256) != (now.requests, now.size, now.sha256):
            _mismatch(
                path,
                f"its part {number} (requests {first:,} to "
                f"{first + was.requests - 1:,}) has {was.requests:,} requests, "
                f"{was.size:,} bytes, sha256 {was.sha256[:12]}..., and the same "
                f"part of these requests {now.requests:,}, {now.size:,} bytes, "
                f"sha256 {now.sha256[:12]}...",
            )
        first += was.requests
    if len(recorded_parts) != len(parts):
        _mismatch(
            path,
            f"it records {len(recorded_parts)} parts ({workload.requests:,} "
            f"requests), and these requests make {len(parts)} "
            f"({sum(p.requests for p in parts):,} requests)",
        )


def _mismatch(path: str, difference: str) -> None:
    raise ManifestError(
        f"the manifest {path} records another workload: {difference}. Nothing was uploaded "
        "or submitted. Run again with the requests and settings it was started with, or "
        "pass another manifest path to start a new workload."
    )
