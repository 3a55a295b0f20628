"""`client.files` over both twins: upload (its every rule), list, delete, download."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from together_batches import (
    APIConnectionError,
    APIResponseValidationError,
    AsyncTogether,
    FileDeleted,
    NotFoundError,
    PermissionDeniedError,
    Together,
    TogetherError,
)
from together_batches.testing import Emulator, FakeClock, Fault

from ._storage import FILE_ID, Script, storage
from ._twins import Synced, Twin
from .conftest import FakeTime

KEY = "sk-files-client-5b2d9e"
LINES = [{"custom_id": f"r{i}", "body": {"model": "m", "prompt": f"p{i}"}} for i in range(5)]
CONTENT = b"".join(json.dumps(line).encode() + b"\n" for line in LINES)
MIB = 1 << 20


def emulated(twin: Twin, emulator: Emulator, **options: Any) -> Any:
    transport = emulator.async_transport() if twin.is_async else emulator.transport()
    return twin.client(transport, api_key=KEY, **options)


def with_http(twin: Twin, base_url: str, **http_options: Any) -> Any:
    """A client over an `http_client` of the test's own making (real sockets)."""
    if twin.is_async:
        client: Any = AsyncTogether(
            KEY, base_url=base_url, http_client=httpx.AsyncClient(**http_options)
        )
    else:
        client = Together(KEY, base_url=base_url, http_client=httpx.Client(**http_options))
    twin._clients.append(client)
    return Synced(client, twin.runner)


class Unseekable(io.BytesIO):
    """A pipe, as far as an upload can tell."""

    def seekable(self) -> bool:
        return False


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(api_key=KEY, clock=FakeClock(), strict_files=True)


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(CONTENT)
    return path


def routes(emulator: Emulator) -> list[str | None]:
    return [request.route for request in emulator.requests]


# --- upload -------------------------------------------------------------------------------


def test_an_upload_sends_the_form_puts_the_bytes_without_the_key_and_preprocesses(
    twin: Twin, emulator: Emulator, input_file: Path
) -> None:
    uploaded = emulated(twin, emulator).files.upload(input_file)
    assert (uploaded.filename, uploaded.bytes_, uploaded.purpose) == (
        "in.jsonl",
        len(CONTENT),
        "batch-api",
    )
    assert uploaded.processed is True and uploaded.id is not None
    assert routes(emulator) == ["initiate_file_upload", "storage_put", "preprocess_file"]
    form, put, finish = emulator.requests
    assert dict(parse_qsl(form.body.decode())) == {
        "purpose": "batch-api",
        "file_name": "in.jsonl",
        "file_type": "jsonl",
        "checksum": hashlib.sha256(CONTENT).hexdigest(),
    }
    assert form.headers["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in put.headers
    assert put.headers["content-length"] == str(len(CONTENT))
    assert "transfer-encoding" not in put.headers
    assert put.body == CONTENT
    assert finish.headers["authorization"] == f"Bearer {KEY}"
    assert emulator.file_content(uploaded.id) == CONTENT


def test_upload_progress_counts_bytes_sent_a_chunk_at_a_time(
    twin: Twin, emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"x" * (2 * MIB + 10))
    seen: list[tuple[int, int]] = []
    emulated(twin, emulator).files.upload(
        path, on_progress=lambda done, total: seen.append((done, total))
    )
    total = 2 * MIB + 10
    assert seen == [(0, total), (MIB, total), (2 * MIB, total), (total, total)]


def test_an_async_progress_callback_is_awaited_by_async_and_refused_by_sync(
    twin: Twin, emulator: Emulator, input_file: Path
) -> None:
    seen: list[int] = []

    async def on_progress(done: int, total: int) -> None:
        seen.append(done)

    client = emulated(twin, emulator)
    if not twin.is_async:
        with pytest.raises(TypeError, match="on_progress is an async function"):
            client.files.upload(input_file, on_progress=on_progress)
        assert emulator.requests == []
        return
    client.files.upload(input_file, on_progress=on_progress)
    assert seen == [0, len(CONTENT)]


def test_a_file_object_uploads_from_its_position_under_its_name(
    twin: Twin, emulator: Emulator, input_file: Path
) -> None:
    with input_file.open("rb") as stream:
        stream.readline()
        uploaded = emulated(twin, emulator).files.upload(stream)
    assert uploaded.filename == "in.jsonl"
    assert uploaded.id is not None
    assert emulator.file_content(uploaded.id) == CONTENT.split(b"\n", 1)[1]
    nameless = emulated(twin, emulator).files.upload(
        io.BytesIO(b'{"custom_id": "z", "body": {}}\n')
    )
    assert nameless.filename == "upload.jsonl"


@pytest.mark.parametrize(
    ("file", "error", "fragment"),
    [
        (Unseekable(CONTENT), ValueError, "must be seekable"),
        (b"bytes", TypeError, "a path or a binary file object"),
        (42, TypeError, "a path or a binary file object"),
    ],
)
def test_what_cannot_be_uploaded_is_refused_before_anything_is_sent(
    twin: Twin, emulator: Emulator, file: Any, error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        emulated(twin, emulator).files.upload(file)
    assert emulator.requests == []


def test_content_uploaded_before_is_the_existing_file_and_is_not_sent_again(
    twin: Twin, emulator: Emulator, input_file: Path
) -> None:
    client = emulated(twin, emulator)
    first = client.files.upload(input_file)
    emulator.requests.clear()
    seen: list[tuple[int, int]] = []
    again = client.files.upload(input_file, on_progress=lambda d, t: seen.append((d, t)))
    assert again == first
    assert routes(emulator) == ["initiate_file_upload", "get_file"]  # the 409, then its file
    assert seen == [(len(CONTENT), len(CONTENT))]


def test_an_existing_file_that_was_never_preprocessed_is_preprocessed(
    twin: Twin, emulator: Emulator, input_file: Path
) -> None:
    checksum = hashlib.sha256(CONTENT).hexdigest()
    form = {"purpose": "batch-api", "file_name": "x.jsonl", "checksum": checksum}
    with httpx.Client(
        transport=emulator.transport(),
        base_url="https://api.example.test/v1",
        headers={"Authorization": f"Bearer {KEY}"},
    ) as http:
        started = http.post("/files", data=form)
    with httpx.Client(transport=emulator.transport()) as bare:
        assert bare.put(started.headers["location"], content=CONTENT).status_code == 200
    emulator.requests.clear()
    uploaded = emulated(twin, emulator).files.upload(input_file)
    assert uploaded.id == started.headers["x-together-file-id"] and uploaded.processed is True
    assert routes(emulator) == ["initiate_file_upload", "get_file", "preprocess_file"]


# The upload URL's rules (the API's Location trusted, storage's redirects checked hop by
# hop) are tested in test_upload_redirects.py.


@pytest.mark.parametrize("file_id", ["", "../batches", "a b", "-x"])
def test_an_upload_whose_file_id_is_not_one_gets_nothing(
    twin: Twin, input_file: Path, file_id: str
) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        headers = {"location": "https://s3.example.com/f", "x-together-file-id": file_id}
        return httpx.Response(302, headers=headers)

    with pytest.raises(APIResponseValidationError, match="X-Together-File-Id"):
        twin.client(handler, api_key=KEY).files.upload(input_file)
    assert seen == ["POST"]


def test_a_302_is_the_answer_even_when_the_http_client_follows_redirects(
    twin: Twin, input_file: Path
) -> None:
    emulator = Emulator(api_key=KEY, clock=FakeClock(), strict_files=True)
    with emulator.serve() as base_url:
        client = with_http(twin, base_url, follow_redirects=True)
        uploaded = client.files.upload(input_file)
    assert uploaded.processed is True
    assert routes(emulator) == ["initiate_file_upload", "storage_put", "preprocess_file"]


def test_the_api_key_never_reaches_the_put(twin: Twin, input_file: Path) -> None:
    script = Script(listed_bytes=len(CONTENT))
    with storage(script) as base_url:
        # An http_client with credentials of its own, sent by default with every request.
        client = with_http(
            twin,
            base_url,
            headers={"Authorization": f"Bearer {KEY}", "X-Extra": "1"},
            cookies={"session": KEY},
            auth=("user", KEY),
        )
        client.files.upload(input_file)
    (put,) = [seen for seen in script.seen if seen.method == "PUT"]
    assert "authorization" not in put.headers and "cookie" not in put.headers
    assert not any(KEY in value for value in put.headers.values())
    assert put.headers["x-extra"] == "1"  # the http_client's other headers still apply
    assert put.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert [s.method for s in script.seen] == ["POST", "PUT", "POST"]


def test_a_put_cut_off_mid_body_is_retried_from_the_first_byte(
    twin: Twin, tmp_path: Path, fake_time: FakeTime
) -> None:
    path = tmp_path / "big.jsonl"
    content = bytes(range(256)) * (16 * 1024)  # 4 MiB
    path.write_bytes(content)
    script = Script(cut_puts=1, listed_bytes=len(content))
    seen: list[int] = []
    with storage(script) as base_url:
        uploaded = twin.client(None, api_key=KEY, base_url=base_url).files.upload(
            path, on_progress=lambda done, total: seen.append(done)
        )
    assert uploaded.id == FILE_ID
    puts = [s for s in script.seen if s.method == "PUT"]
    assert len(puts) == 2
    assert puts[0].received == len(content) // 2 and puts[0].sha256 is None
    assert puts[1].received == len(content)
    assert puts[1].sha256 == hashlib.sha256(content).hexdigest()
    assert len(fake_time.sleeps) == 1  # one backoff
    restart = seen.index(0, 1)  # the second attempt reports from 0 again
    assert seen[restart:] == [0, MIB, 2 * MIB, 3 * MIB, 4 * MIB]


def test_a_put_cut_off_with_no_retries_left_fails_and_nothing_is_preprocessed(
    twin: Twin, input_file: Path
) -> None:
    script = Script(cut_puts=1)
    with storage(script) as base_url:
        client = twin.client(None, api_key=KEY, base_url=base_url, max_retries=0)
        with pytest.raises(APIConnectionError):
            client.files.upload(input_file)
    assert [s.method for s in script.seen] == ["POST", "PUT"]


def test_a_put_answered_503_is_retried(
    twin: Twin, emulator: Emulator, input_file: Path, fake_time: FakeTime
) -> None:
    emulator.faults.add(Fault.status(503, times=2, path_prefix="/_storage"))
    uploaded = emulated(twin, emulator).files.upload(input_file)
    assert routes(emulator) == ["initiate_file_upload", *["storage_put"] * 3, "preprocess_file"]
    assert uploaded.id is not None and emulator.file_content(uploaded.id) == CONTENT


def test_a_put_the_storage_refuses_says_what_the_storage_said(twin: Twin, input_file: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            xml = (
                b"<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code><Message>The "
                b"request signature is invalid.</Message></Error>"
            )
            return httpx.Response(403, headers={"content-type": "application/xml"}, content=xml)
        headers = {"location": "https://s3.example.com/f?sig=1", "x-together-file-id": "file-1"}
        return httpx.Response(302, headers=headers)

    with pytest.raises(PermissionDeniedError) as raised:
        twin.client(handler, api_key=KEY).files.upload(input_file)
    assert raised.value.message == "SignatureDoesNotMatch: The request signature is invalid."


def test_a_file_that_shrinks_while_it_is_uploaded_fails_clearly(twin: Twin, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(CONTENT)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            raise AssertionError("the body should have failed first")
        path.write_bytes(CONTENT[:10])  # changed between the hash and the PUT
        return httpx.Response(
            302, headers={"location": "https://s3.example.com/f", "x-together-file-id": "file-1"}
        )

    with pytest.raises(TogetherError, match="it changed while it was uploaded"):
        twin.client(handler, api_key=KEY).files.upload(path)


# --- list, retrieve, delete -----------------------------------------------------------------


def test_list_retrieve_and_delete(twin: Twin, emulator: Emulator, input_file: Path) -> None:
    client = emulated(twin, emulator)
    assert client.files.list() == []
    uploaded = client.files.upload(input_file)
    assert client.files.list() == [uploaded]
    assert client.files.retrieve(uploaded.id) == uploaded
    deleted = client.files.delete(uploaded.id)
    assert isinstance(deleted, FileDeleted) and (deleted.id, deleted.deleted) == (uploaded.id, True)
    assert client.files.list() == []
    with pytest.raises(NotFoundError, match=f"File {uploaded.id} not found"):
        client.files.delete(uploaded.id)


@pytest.mark.parametrize("body", [b'{"data": null}', b"null"])
def test_a_null_file_list_is_no_files(twin: Twin, body: bytes) -> None:
    assert twin.client(lambda r: httpx.Response(200, content=body)).files.list() == []


def test_a_file_list_that_is_not_one_is_a_validation_error(twin: Twin) -> None:
    handler = lambda r: httpx.Response(200, json={"data": [{"id": 5}]})  # noqa: E731
    with pytest.raises(APIResponseValidationError):
        twin.client(handler).files.list()


# --- download -----------------------------------------------------------------------------


def test_download_streams_to_the_path_and_leaves_nothing_else(
    twin: Twin, emulator: Emulator, tmp_path: Path
) -> None:
    file_id = emulator.add_file(CONTENT)
    seen: list[tuple[int, int | None]] = []
    target = tmp_path / "saved.jsonl"
    saved = emulated(twin, emulator).files.download(
        file_id, str(target), on_progress=lambda done, total: seen.append((done, total))
    )
    assert saved == target and target.read_bytes() == CONTENT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved.jsonl"]
    assert seen[0] == (0, len(CONTENT)) and seen[-1] == (len(CONTENT), len(CONTENT))
    content_request = emulator.requests[-1]
    assert content_request.headers["accept"] == "application/octet-stream, text/plain"


def test_a_download_cut_off_part_way_leaves_no_file_and_is_not_retried(
    twin: Twin, tmp_path: Path
) -> None:
    content = b"0123456789" * (200 * 1024)  # 2 MB
    script = Script(content=content, cut_downloads=1)
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"an earlier file")
    with storage(script) as base_url:
        client = twin.client(None, api_key=KEY, base_url=base_url)
        with pytest.raises(APIConnectionError):
            client.files.download(FILE_ID, target)
        assert [s.path for s in script.seen] == [
            f"/v1/files/{FILE_ID}",
            f"/v1/files/{FILE_ID}/content",
        ]
        assert target.read_bytes() == b"an earlier file"  # untouched: nothing partial lands
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
        client.files.download(FILE_ID, target)  # the next try completes
    assert target.read_bytes() == content


def test_a_download_of_another_size_than_listed_leaves_no_file(twin: Twin, tmp_path: Path) -> None:
    script = Script(content=CONTENT, listed_bytes=len(CONTENT) + 1, chunked=True)
    with storage(script) as base_url, pytest.raises(APIResponseValidationError) as raised:
        twin.client(None, api_key=KEY, base_url=base_url).files.download(FILE_ID, tmp_path / "o")
    assert f"came to {len(CONTENT):,} bytes, not the {len(CONTENT) + 1:,}" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_chunked_download_of_the_listed_size_lands(twin: Twin, tmp_path: Path) -> None:
    script = Script(content=CONTENT, chunked=True)
    with storage(script) as base_url:
        twin.client(None, api_key=KEY, base_url=base_url).files.download(FILE_ID, tmp_path / "o")
    assert (tmp_path / "o").read_bytes() == CONTENT


def test_a_download_is_retried_until_its_body_starts(
    twin: Twin, emulator: Emulator, tmp_path: Path, fake_time: FakeTime
) -> None:
    file_id = emulator.add_file(CONTENT)
    emulator.faults.add(Fault.status(503, path_prefix=f"/v1/files/{file_id}/content"))
    emulator.faults.add(
        Fault.drop_connection(processed=False, path_prefix=f"/v1/files/{file_id}/content")
    )
    emulated(twin, emulator).files.download(file_id, tmp_path / "o")
    assert (tmp_path / "o").read_bytes() == CONTENT
    assert routes(emulator) == ["get_file", *["get_file_content"] * 3]


def test_a_download_refused_with_a_problem_document_keeps_its_title_and_detail(
    twin: Twin, tmp_path: Path
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/content"):
            problem = {
                "type": "about:blank",
                "title": "Not Acceptable",
                "status": 406,
                "detail": "file content is application/octet-stream",
            }
            return httpx.Response(
                406, json=problem, headers={"content-type": "application/problem+json"}
            )
        return httpx.Response(200, json={"id": "file-1", "bytes": 3})

    with pytest.raises(TogetherError) as raised:
        twin.client(handler).files.download("file-1", tmp_path / "o")
    assert (
        str(raised.value) == "Not Acceptable: file content is application/octet-stream (HTTP 406)"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_html_page_is_never_saved_as_a_file(twin: Twin, tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/content"):
            return httpx.Response(
                200, content=b"<html>login</html>", headers={"content-type": "text/html"}
            )
        return httpx.Response(200, json={"id": "file-1"})

    with pytest.raises(APIResponseValidationError, match="HTML page"):
        twin.client(handler).files.download("file-1", tmp_path / "o")
    assert list(tmp_path.iterdir()) == []


def test_downloading_onto_a_directory_sends_nothing(twin: Twin, tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    client = twin.client(handler)
    with pytest.raises(IsADirectoryError):
        client.files.download("file-1", tmp_path)
    assert seen == []
