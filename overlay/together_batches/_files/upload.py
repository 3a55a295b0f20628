"""The upload protocol's parts that both twins share: what to send at each step and how to
read the answers.

An upload goes as with both official SDKs (see `Files.upload`): `POST /files` (a form with
the name, purpose and SHA-256) answers 302 with the presigned URL to PUT the bytes to and
the new file's id, or 409 with the id of a file that has the same content already; then
the PUT (no API key), then `POST /files/{id}/preprocess`. The file itself, and its bytes read
a chunk at a time (`file_chunks`), are `_files.source`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, NoReturn

import httpx

from together_batches_api.api.files import get_file, initiate_file_upload, preprocess_file
from together_batches_api.models.file_upload_request import FileUploadRequest
from together_batches_api.types import InvalidPayload

from .._file_models import FileObject, parse_file
from .._http import json as _json
from .._http.calls import Call, ErrorAnswer
from .._http.error_bodies import answer_field
from .hosts import location_problem, redirect_problem
from .source import UploadSource

__all__ = [
    "MAX_REDIRECTS",
    "REDIRECTS",
    "Existing",
    "Started",
    "file_id_problem",
    "file_type_of",
    "finish_call",
    "initiate_call",
    "put_call",
    "read_put",
    "shown_url",
]

#: What a file id the service hands out must look like (SDK 3.x checks the same): it goes
#: into the next request's path.
FILE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_FILE_TYPES = ("jsonl", "csv", "parquet")
#: The redirects of storage that an upload's PUT follows, each by sending the PUT again (a
#: 303 too: SDK 3.1.1 does the same, and a GET would "succeed" having stored nothing).
REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: How many redirects one upload follows at most (3.1.1 follows 20; storage sends one, if any).
MAX_REDIRECTS = 5


def file_id_problem(value: object) -> str | None:
    """What is wrong with a file id the service handed out, if anything."""
    if not isinstance(value, str) or not value:
        return "is missing"
    if len(value) > 256 or not FILE_ID.fullmatch(value):
        return f"{value[:80]!r} is not a file id (letters, digits, '.', '_' and '-')"
    return None


def file_type_of(name: str) -> str:
    """The `file_type` a name's extension implies: `jsonl`, `csv` or `parquet`, and `jsonl`
    (a batch input's type) when the extension names none of them."""
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    return extension if extension in _FILE_TYPES else "jsonl"


def shown_url(url: str) -> str:
    """A URL without its query, for messages: a presigned URL's query is its credential."""
    return url.partition("?")[0]


@dataclass(frozen=True, slots=True)
class Started:
    """The 302 of `POST /files`: PUT the bytes to `url`, then preprocess `file_id`."""

    file_id: str
    url: str


@dataclass(frozen=True, slots=True)
class Existing:
    """The 409 of `POST /files`: the same content is already the file `file_id`."""

    file_id: str


def read_initiate(status: int, headers: httpx.Headers, content: bytes) -> Started | Existing:
    """Read the answer to `POST /files`: where to PUT the file, or the file that has its
    content already.

    Args:
        status: 302, 409 or another 2xx.
        headers: The answer's headers (`Location`, `X-Together-File-Id`).
        content: Its body (the 409's names the file: in any shape of error body, see
            `_http.error_bodies.answer_field`).

    Raises:
        InvalidPayload: The answer is none of those, names no usable file id, or points
            the upload at a URL it must not go to.
        ErrorAnswer: A 409 that names no file: a conflict of another kind, raised as the
            409's `APIStatusError` with the server's message.
    """
    if status == 409:
        file_id = answer_field(_json_or_none(content), "file_id")
        if file_id is None:
            raise ErrorAnswer  # a conflict of another kind: the server's message, as an error
        problem = file_id_problem(file_id)
        if problem is not None:
            raise InvalidPayload(f"the 409 of an upload names no usable file: file_id {problem}")
        assert isinstance(file_id, str)
        return Existing(file_id)
    if status != 302:
        raise InvalidPayload(f"an upload is answered 302 (where to PUT the file), not {status}")
    file_id, url = headers.get("x-together-file-id"), headers.get("location")
    problem = file_id_problem(file_id)
    if problem is not None:
        raise InvalidPayload(f"the upload's X-Together-File-Id header {problem}")
    if not url:
        raise InvalidPayload("the upload's 302 has no Location to PUT the file to")
    problem = location_problem(url)
    if problem is not None:
        raise InvalidPayload(
            f"the upload URL the server gave, {shown_url(url)}, {problem}: nothing was sent "
            "there. Check the base URL; a proxy or server may be misbehaving"
        )
    assert file_id is not None
    return Started(file_id, url)


def _json_or_none(content: bytes) -> object:
    try:
        return _json.loads(content)
    except ValueError:
        return None


def initiate_call(source: UploadSource, purpose: str) -> Call[Started | Existing]:
    """`POST /files`, never following its redirect. Repeating it only starts another upload
    that is never finished, so it is retried."""
    if not isinstance(purpose, str) or not purpose:
        raise ValueError("purpose must be a non-empty str, such as 'batch-api'")
    # The form is an attrs class: loaded on the first upload, not at import.

    form = FileUploadRequest(
        purpose=purpose,
        file_name=source.name,
        file_type=file_type_of(source.name),
        checksum=source.sha256,
    )
    return Call(
        initiate_file_upload.build_request(body=form),
        idempotent=True,
        parse=_answered,
        answers=frozenset({302, 409}),
        parse_answer=read_initiate,
        follow_redirects=False,
    )


def put_call(
    url: str, size: int, content: Callable[[], Any], *, base_url: str, hops: int = 0
) -> Call[str | None]:
    """The PUT of the bytes to a storage URL: bare (no API key, cookies or auth, on every
    hop), with an explicit `Content-Length` (a storage service refuses a chunked body), each
    attempt from the file's start; bounded per phase, since a large file may rightly take
    long. Never follows a redirect itself: `read_put` answers where to send the PUT again.

    Args:
        url: The API's `Location`, or where storage redirected the upload.
        size: The file's size.
        content: Makes the body afresh for each attempt and each hop.
        base_url: The client's base URL (see `_files.hosts.redirect_problem`).
        hops: The redirects followed before this PUT.

    Returns:
        The call: its result is None once stored, else the URL to PUT to next.
    """
    request = {"method": "PUT", "url": url, "headers": {"Content-Length": str(size)}}
    return Call(
        request,
        idempotent=True,
        parse=_unused,
        raw=True,
        whole_timeout=False,
        answers=REDIRECTS,
        parse_answer=partial(read_put, url=url, base_url=base_url, hops=hops),
        follow_redirects=False,
        bare=True,
        content=content,
    )


def read_put(
    status: int, headers: httpx.Headers, content: bytes, *, url: str, base_url: str, hops: int
) -> str | None:
    """Read storage's answer to a PUT: stored (any 2xx), or where to send the PUT again.

    Args:
        status: A 2xx, or one of `REDIRECTS`.
        headers: The answer's headers (a redirect's `Location`, maybe relative).
        content: Its body (unread).
        url: The URL the PUT went to, which a relative `Location` is read against.
        base_url: The client's base URL (see `_files.hosts.redirect_problem`).
        hops: The redirects followed before this PUT.

    Returns:
        None once stored; else the absolute URL to PUT to next.

    Raises:
        InvalidPayload: A redirect with no `Location`, one past `MAX_REDIRECTS`, or to a URL
            the file must not go to (nothing is sent there).
    """
    if status not in REDIRECTS:
        return None
    location = headers.get("location")
    if not location:
        raise InvalidPayload(f"storage answered the upload's PUT {status} with no Location")
    try:
        target = str(httpx.URL(url).join(location))
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InvalidPayload(
            f"storage redirected the upload to {shown_url(location)!r}, which is not a URL"
        ) from None
    if hops >= MAX_REDIRECTS:
        raise InvalidPayload(
            f"storage redirected the upload more than {MAX_REDIRECTS} times (the last to "
            f"{shown_url(target)}): nothing more was sent"
        )
    problem = redirect_problem(target, base_url=base_url)
    if problem is not None:
        raise InvalidPayload(
            f"storage redirected the upload to {shown_url(target)}, which {problem}: nothing "
            "was sent there"
        )
    return target


def _uploaded(data: object) -> FileObject:
    file = parse_file(data)
    if file.id is None:
        raise InvalidPayload("the uploaded file's metadata gives no id")
    return file


def finish_call(file_id: str, *, preprocess: bool) -> Call[FileObject]:
    """The upload's last step: `POST /files/{id}/preprocess` (harmless to repeat), or, for
    a file the service already had, `GET /files/{id}`; either answers the file, which must
    name its id."""
    module = preprocess_file if preprocess else get_file
    return Call(module.build_request(file_id), idempotent=True, parse=_uploaded)


def _unused(_: object) -> None:
    return None


def _answered(_: object) -> NoReturn:
    raise AssertionError("read by parse_answer")  # every answer is: see `decode`
