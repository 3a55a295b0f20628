"""The emulator's routes, and how a raw request path maps onto one."""

from __future__ import annotations

from urllib.parse import unquote

import attrs

PREFIX = "v1"
#: The first segment of the presigned upload URLs the emulator hands out: its own stand-in
#: for the storage host a real upload PUTs to.
STORAGE_PREFIX = "_storage"

LIST_BATCHES = "list_batches"
CREATE_BATCH = "create_batch"
GET_BATCH = "get_batch"
CANCEL_BATCH = "cancel_batch"
GET_FILE = "get_file"
GET_FILE_CONTENT = "get_file_content"
LIST_FILES = "list_files"
INITIATE_FILE_UPLOAD = "initiate_file_upload"
DELETE_FILE = "delete_file"
PREPROCESS_FILE = "preprocess_file"
#: The PUT to a presigned upload URL: not an API operation, so not in the spec.
STORAGE_PUT = "storage_put"
#: `GET /v3/whoami` (and `/v1/whoami`): who the key belongs to. Not a Batch API operation,
#: so not in our spec; the official `tg` CLI asks it first, for the key's project.
WHOAMI = "whoami"
#: The prefixes whoami is served under: 3.x of the official SDK asks `/v3/whoami`.
WHOAMI_PREFIXES = ("v1", "v3")

#: Every method some route serves; any other (HEAD, TRACE, OPTIONS, ...) answers 405.
SERVED_METHODS = ("GET", "POST", "PUT", "DELETE")

#: Routes whose successful answer carries batch jobs.
JOB_ROUTES = frozenset({LIST_BATCHES, CREATE_BATCH, GET_BATCH, CANCEL_BATCH})


@attrs.frozen
class RouteMatch:
    """What a request path names.

    Args:
        name: The route (e.g. `get_batch`), or None when the path or method matches none.
        path_id: The decoded id from the path, when the path has one.
        allowed: The methods the path accepts; empty when the path itself is unknown.
        files: Whether the path is under `/v1/files`, whose errors use the nested body.
        storage: Whether the path is a presigned upload URL (no API key, XML errors).
    """

    name: str | None
    path_id: str | None
    allowed: tuple[str, ...]
    files: bool
    storage: bool = False


def split_path(raw_path: str) -> list[str]:
    """Split a raw request target into decoded segments.

    The split happens before decoding, so an encoded `/` (`%2F`) stays inside its segment:
    it is part of an id, never a separator.

    Args:
        raw_path: The request target as sent, e.g. `/v1/batches/a%2Fb?x=1`.

    Returns:
        The decoded segments without the leading empty one, e.g. `["v1", "batches", "a/b"]`.
    """
    path = raw_path.split("?", 1)[0]
    segments = path.split("/")
    if segments and segments[0] == "":
        segments = segments[1:]
    return [unquote(segment, errors="strict") for segment in segments]


def match_route(method: str, raw_path: str) -> RouteMatch:
    """Find the route a request names.

    Args:
        method: The HTTP method, any case.
        raw_path: The request target as sent.

    Returns:
        The match; `name` is None for an unknown path (404) or a known path with a method
        it does not accept (405, see `allowed`).
    """
    try:
        segments = split_path(raw_path)
    except UnicodeDecodeError:
        return RouteMatch(None, None, (), False)
    method = method.upper()
    table: dict[str, str]
    path_id: str | None = None
    files = len(segments) >= 2 and segments[:2] == [PREFIX, "files"]
    match segments:
        case [prefix, "batches"] if prefix == PREFIX:
            table = {"GET": LIST_BATCHES, "POST": CREATE_BATCH}
        case [prefix, "batches", job_id] if prefix == PREFIX and job_id:
            table, path_id = {"GET": GET_BATCH}, job_id
        case [prefix, "batches", job_id, "cancel"] if prefix == PREFIX and job_id:
            table, path_id = {"POST": CANCEL_BATCH}, job_id
        case [prefix, "files"] if prefix == PREFIX:
            table = {"GET": LIST_FILES, "POST": INITIATE_FILE_UPLOAD}
        case [prefix, "files", file_id] if prefix == PREFIX and file_id:
            table, path_id = {"GET": GET_FILE, "DELETE": DELETE_FILE}, file_id
        case [prefix, "files", file_id, "content"] if prefix == PREFIX and file_id:
            table, path_id = {"GET": GET_FILE_CONTENT}, file_id
        case [prefix, "files", file_id, "preprocess"] if prefix == PREFIX and file_id:
            table, path_id = {"POST": PREPROCESS_FILE}, file_id
        case [prefix, "whoami"] if prefix in WHOAMI_PREFIXES:
            table = {"GET": WHOAMI}
        case [prefix, file_id] if prefix == STORAGE_PREFIX and file_id:
            return RouteMatch(
                STORAGE_PUT if method == "PUT" else None, file_id, ("PUT",), False, storage=True
            )
        case _:
            return RouteMatch(None, None, (), files)
    return RouteMatch(table.get(method), path_id, tuple(table), files)
