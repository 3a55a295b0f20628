"""The upload's PUT as SDK 3.1.1 sends it, over both twins: the API's `Location` trusted, storage's
redirects (301, 302, 303, 307, 308) followed by sending the PUT again, bytes and all, at most
5 times, each hop held to https and a public host (unless the base URL is plain http), and no
hop carrying the key, cookies or auth."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from together_batches import APIResponseValidationError

from ._storage import FILE_ID, Script, storage
from ._twins import Twin
from .test_files_client import CONTENT, KEY, with_http

SHA256 = hashlib.sha256(CONTENT).hexdigest()
METADATA = {"id": "file-1", "object": "file", "bytes": len(CONTENT), "Processed": True}


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(CONTENT)
    return path


class Scripted:
    """The API at https://api.example.test and storage anywhere, as a MockTransport handler:
    `POST /v1/files` answers 302 to `location`, PUTs are answered from `puts` (a status and
    a Location each; 200 once they run out), preprocess answers the file."""

    def __init__(self, location: str, puts: list[tuple[int, str]] | None = None) -> None:
        self.location = location
        self.puts = list(puts or [])
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.method == "PUT":
            assert request.content == CONTENT  # each hop sends the whole file again
            if self.puts:
                status, location = self.puts.pop(0)
                return httpx.Response(status, headers={"location": location})
            return httpx.Response(200)
        if request.url.path == "/v1/files":
            headers = {"location": self.location, "x-together-file-id": "file-1"}
            return httpx.Response(302, headers=headers)
        return httpx.Response(200, json=METADATA)  # preprocess

    def trail(self) -> list[str]:
        return [f"{r.method} {r.url.copy_with(query=None)}" for r in self.seen]


@pytest.mark.parametrize(
    "location",
    [
        "https://127.1/_storage/f",
        "https://[::1]/f",
        "https://169.254.169.254/f",
        "https://10.0.0.7/f",
        "http://storage.example.com/f",
        "http://localhost:9000/bucket/f",
    ],
)
def test_the_apis_own_location_is_trusted(twin: Twin, input_file: Path, location: str) -> None:
    # As SDK 3.1.1: private and plain-http storage (MinIO, an internal S3) work.
    api = Scripted(f"{location}?X-Amz-Signature=sig")
    uploaded = twin.client(api, api_key=KEY).files.upload(input_file)
    assert uploaded.id == "file-1"
    assert api.trail() == [
        "POST https://api.example.test/v1/files",
        f"PUT {location}",
        "POST https://api.example.test/v1/files/file-1/preprocess",
    ]
    assert "authorization" not in api.seen[1].headers


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("http://storage.example.com/f", "is not https"),
        ("https://127.0.0.1/f", "names a private, loopback or link-local address"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://0x7f000001/f", "(0x7f000001 is 127.0.0.1)"),
        ("https://localhost/f", "names this machine"),
        ("https://metadata.google.internal/computeMetadata/v1/", "cloud metadata"),
    ],
)
def test_a_redirect_to_a_refused_url_gets_nothing(
    twin: Twin, input_file: Path, target: str, problem: str
) -> None:
    api = Scripted("https://s3.example.com/f?X-Amz-Signature=sig", [(307, f"{target}?sig=2")])
    with pytest.raises(APIResponseValidationError) as raised:
        twin.client(api, api_key=KEY).files.upload(input_file)
    assert f"storage redirected the upload to {target}, which" in str(raised.value)
    assert problem in str(raised.value) and "sig" not in str(raised.value)
    assert api.trail() == ["POST https://api.example.test/v1/files", "PUT https://s3.example.com/f"]


def test_a_public_https_redirect_is_followed_under_an_https_base_url(
    twin: Twin, input_file: Path
) -> None:
    api = Scripted(
        "https://s3.example.com/f?sig=1",
        [(301, "https://s3.us-east-2.example.com/f?sig=2"), (307, "/g?sig=3")],
    )
    seen: list[tuple[int, int]] = []
    uploaded = twin.client(api, api_key=KEY).files.upload(
        input_file, on_progress=lambda done, total: seen.append((done, total))
    )
    assert uploaded.id == "file-1"
    assert api.trail()[1:4] == [
        "PUT https://s3.example.com/f",
        "PUT https://s3.us-east-2.example.com/f",
        "PUT https://s3.us-east-2.example.com/g",  # a relative Location, read against the hop
    ]
    # Each hop sends the file from its first byte, and says so.
    assert seen.count((0, len(CONTENT))) == 3 and seen[-1] == (len(CONTENT), len(CONTENT))


# --- real sockets: a scripted API and storage on 127.0.0.1, plain http --------------------


def _credentialed(twin: Twin, base_url: str) -> Any:
    """A client over an http_client with credentials of its own, sent by default."""
    return with_http(
        twin,
        base_url,
        headers={"Authorization": f"Bearer {KEY}", "X-Extra": "1"},
        cookies={"session": KEY},
        auth=("user", KEY),
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_host_is_followed_with_the_bytes_and_no_credentials(
    twin: Twin, input_file: Path, status: int
) -> None:
    elsewhere = Script()
    with storage(elsewhere) as other_base:
        target = other_base.removesuffix("/v1") + f"/_storage/{FILE_ID}?X-Amz-Signature=2"
        api = Script(listed_bytes=len(CONTENT), put_redirects=[(status, target)])
        with storage(api) as base_url:
            uploaded = _credentialed(twin, base_url).files.upload(input_file)
    assert uploaded.id == FILE_ID
    assert [s.method for s in api.seen] == ["POST", "PUT", "POST"]  # form, PUT, preprocess
    (first,) = [s for s in api.seen if s.method == "PUT"]
    (moved,) = elsewhere.seen
    # A 303 too is sent again as the PUT it answered, bytes and all (as SDK 3.1.1 does).
    assert moved.method == "PUT" and moved.path == f"/_storage/{FILE_ID}?X-Amz-Signature=2"
    for put in (first, moved):
        assert put.sha256 == SHA256
        assert put.headers["content-length"] == str(len(CONTENT))
        # No key, no cookie (neither the http_client's nor the one storage set), no auth.
        assert "authorization" not in put.headers and "cookie" not in put.headers
        assert not any(KEY in value or "crumb" in value for value in put.headers.values())
        assert put.headers["x-extra"] == "1"
    assert "authorization" in api.seen[0].headers  # the API's calls do carry credentials


def test_at_most_five_redirects_are_followed(twin: Twin, input_file: Path) -> None:
    hops = [(307, f"/_storage/{FILE_ID}?hop={n}") for n in range(1, 7)]
    api = Script(listed_bytes=len(CONTENT), put_redirects=hops)
    with storage(api) as base_url:
        client = twin.client(None, api_key=KEY, base_url=base_url)
        with pytest.raises(APIResponseValidationError, match="more than 5 times"):
            client.files.upload(input_file)
    puts = [s for s in api.seen if s.method == "PUT"]
    assert len(puts) == 6  # the first PUT and 5 redirects, each with the whole file
    assert all(put.sha256 == SHA256 for put in puts)
    assert [s.method for s in api.seen] == ["POST", *["PUT"] * 6]  # nothing preprocessed


def test_five_redirects_are_followed_to_the_end(twin: Twin, input_file: Path) -> None:
    hops = [(308, f"/_storage/{FILE_ID}?hop={n}") for n in range(1, 6)]
    api = Script(listed_bytes=len(CONTENT), put_redirects=hops)
    with storage(api) as base_url:
        uploaded = twin.client(None, api_key=KEY, base_url=base_url).files.upload(input_file)
    assert uploaded.id == FILE_ID
    assert [s.path.rpartition("?")[2] for s in api.seen if s.method == "PUT"] == [
        "X-Amz-Signature=abc",
        *[f"hop={n}" for n in range(1, 6)],
    ]
    assert json.loads(api.metadata(len(CONTENT)))["id"] == uploaded.id
