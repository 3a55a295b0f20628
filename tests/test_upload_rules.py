"""The upload protocol's pure rules, as tables: where an upload may go, what a file id looks
like, how the answer to `POST /files` is read, and what the streaming send decides."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from together_batches import BatchJob, ResultsUnavailableError
from together_batches._files.hosts import literal_address, location_problem, redirect_problem
from together_batches._files.transfer import expected_size
from together_batches._files.upload import (
    MAX_REDIRECTS,
    REDIRECTS,
    Existing,
    Started,
    file_id_problem,
    file_type_of,
    put_call,
    read_initiate,
    read_put,
)
from together_batches._http.calls import Call
from together_batches._http.sending import send_options, streams
from together_batches.resources.workflow import errors_path, result_file_ids
from together_batches_api.types import InvalidPayload

from .test_layout import IO_ROOMS, IO_STDLIB, _reach, _within

API = "https://api.together.ai/v1"
STORAGE = "https://together-files.s3.us-west-2.amazonaws.com/f?X-Amz-Signature=s"


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("10.1", "10.0.0.1"),
        ("169.254.169.254", "169.254.169.254"),
        ("127.0.0.1.", "127.0.0.1"),
        ("%31%32%37.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("fe80::1%25eth0", "fe80::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("52.216.8.1", "52.216.8.1"),
        # Names, and numbers no resolver reads as an address.
        ("example.com", None),
        ("localhost", None),
        ("1.2.3.4.5", None),
        ("256.0.0.1", None),
        ("1.16777216", None),
        ("4294967296", None),
        ("08.0.0.1", None),
        ("0xg.0.0.1", None),
        ("1_0.0.0.1", None),
        ("+1.0.0.1", None),
        ("", None),
        ("::g", None),
    ],
)
def test_literal_address_reads_every_spelling_a_resolver_does(
    host: str, address: str | None
) -> None:
    expected = None if address is None else ipaddress.ip_address(address)
    assert literal_address(host) == expected


REFUSED = [
    "https://127.0.0.1/f",
    "https://127.1/f",
    "https://0x7f000001/f",
    "https://2130706433/f",
    "https://[::ffff:127.0.0.1]/f",
    "https://[::1]:8443/f",
    "https://169.254.169.254/latest",
    "https://169.254.1.2/f",
    "https://10.0.0.5/f",
    "https://172.16.3.4/f",
    "https://192.168.1.1/f",
    "https://0.0.0.0/f",
    "https://0/f",
    "https://100.64.0.1/f",
    "https://[fe80::1%25eth0]/f",
    "https://[fc00::1]/f",
    "https://[::]/f",
    "https://[2002:7f00:1::]/f",
    "https://[::127.0.0.1]/f",
    "https://224.0.0.1/f",
    "https://localhost/f",
    "https://LOCALHOST./f",
    "https://files.localhost/f",
    "https://user:pw@10.0.0.1/f",
    "https://%31%32%37.0.0.1/f",
    "https://127.0.0.1.:443/f",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://METADATA.google.internal./x",
]


@pytest.mark.parametrize("url", REFUSED)
def test_redirects_to_this_machine_or_a_private_network_are_refused(url: str) -> None:
    problem = redirect_problem(url, base_url=API)
    assert problem is not None
    assert "names" in problem


@pytest.mark.parametrize("url", [*REFUSED, "http://storage.example.com/f", "http://10.0.0.5/f"])
def test_the_apis_own_location_is_trusted_private_and_http_alike(url: str) -> None:
    # As SDK 3.1.1: it comes over the connection trusted with the key and the file.
    assert location_problem(url) is None


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://storage.example.com/f", "is not https"),
        ("ftp://storage.example.com/f", "not an http(s) URL"),
        ("/_storage/f", "not an http(s) URL"),
        ("https:///f", "not an http(s) URL"),
        ("https://exa\tmple.com/f", "is not a URL"),
        ("https://0177.0.0.1/f", "is not a URL"),  # httpx itself refuses the octal form
    ],
)
def test_redirects_that_are_not_https_urls_are_refused(url: str, fragment: str) -> None:
    problem = redirect_problem(url, base_url=API)
    assert problem is not None and fragment in problem
    if fragment != "is not https":  # the API's own Location may be http, but must be a URL
        assert location_problem(url) == problem


@pytest.mark.parametrize(
    "url",
    [STORAGE, "https://52.216.8.1/f", "https://[2600:1f18::1]/f", "https://storage.example/f"],
)
def test_redirects_to_public_https_urls_are_followed(url: str) -> None:
    assert redirect_problem(url, base_url=API) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765/_storage/f",
        "https://127.1/f",
        "http://10.0.0.1/f",
        "http://localhost/f",
    ],
)
def test_a_plain_http_base_url_may_be_redirected_anywhere_over_http_or_https(url: str) -> None:
    assert redirect_problem(url, base_url="http://127.0.0.1:8765/v1") is None
    assert redirect_problem(url, base_url="https://127.0.0.1:8765/v1") is not None


def test_a_plain_http_base_url_still_needs_an_http_url() -> None:
    assert redirect_problem("ftp://10.0.0.1/f", base_url="http://localhost/v1") is not None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("file-abc_1.2", None),
        ("f", None),
        ("0", None),
        ("", "is missing"),
        (None, "is missing"),
        (7, "is missing"),
        ("-file", "is not a file id"),
        (".", "is not a file id"),
        ("..", "is not a file id"),
        ("file/abc", "is not a file id"),
        ("file abc", "is not a file id"),
        ("file%2F", "is not a file id"),
        ("filé", "is not a file id"),
        ("a\n", "is not a file id"),
        ("a" * 257, "is not a file id"),
    ],
)
def test_file_id_problem(value: object, problem: str | None) -> None:
    found = file_id_problem(value)
    assert found is None if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("in.jsonl", "jsonl"),
        ("IN.JSONL", "jsonl"),
        ("a.csv", "csv"),
        ("a.b.parquet", "parquet"),
        ("noext", "jsonl"),
        ("a.json", "jsonl"),
        (".jsonl", "jsonl"),
    ],
)
def test_file_type_of(name: str, kind: str) -> None:
    assert file_type_of(name) == kind


def _headers(**values: str) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in values.items()})


def test_a_302_is_where_to_put_the_file() -> None:
    headers = _headers(location=STORAGE, x_together_file_id="file-1")
    assert read_initiate(302, headers, b"") == Started("file-1", STORAGE)


@pytest.mark.parametrize(
    "location", ["https://127.1/f?X-Amz-Signature=s", "http://s.example/f", "http://10.0.0.7/f"]
)
def test_the_apis_302_is_trusted_to_any_http_url(location: str) -> None:
    headers = _headers(location=location, x_together_file_id="file-1")
    assert read_initiate(302, headers, b"") == Started("file-1", location)


def test_a_409_names_the_file_that_has_the_content() -> None:
    body = json.dumps({"file_id": "file-old", "error": {"message": "exists"}}).encode()
    assert read_initiate(409, httpx.Headers(), body) == Existing("file-old")


@pytest.mark.parametrize(
    ("status", "headers", "body", "fragment"),
    [
        (302, {"x_together_file_id": "file-1"}, b"", "no Location"),
        (302, {"location": STORAGE}, b"", "X-Together-File-Id header is missing"),
        (302, {"location": STORAGE, "x_together_file_id": "../x"}, b"", "is not a file id"),
        (
            302,
            {"location": "ftp://s.example/f?X-Amz-Signature=secret", "x_together_file_id": "f"},
            b"",
            "ftp://s.example/f, is not an http(s) URL",
        ),
        (302, {"location": "/relative", "x_together_file_id": "f"}, b"", "not an http(s) URL"),
        (409, {}, b'{"file_id": "a/b"}', "no usable file"),
        (409, {}, b'{"error": "exists", "file_id": ""}', "file_id is missing"),
        (409, {}, b'{"error": {"file_id": 7}}', "file_id is missing"),
        (200, {}, b"{}", "answered 302"),
        (201, {}, b"{}", "answered 302"),
    ],
)
def test_answers_that_do_not_say_where_to_upload_are_refused(
    status: int, headers: dict[str, str], body: bytes, fragment: str
) -> None:
    with pytest.raises(InvalidPayload) as raised:
        read_initiate(status, _headers(**headers), body)
    assert fragment in str(raised.value)
    assert "secret" not in str(raised.value)  # a presigned URL's query is its credential


def _read_put(status: int, location: str | None = None, **options: Any) -> str | None:
    headers = httpx.Headers({} if location is None else {"location": location})
    options.setdefault("url", "https://storage.example/up/f?sig=1")
    options.setdefault("base_url", API)
    options.setdefault("hops", 0)
    return read_put(status, headers, b"", **options)


@pytest.mark.parametrize("status", [200, 201, 204])
def test_a_2xx_to_the_put_is_stored(status: int) -> None:
    assert _read_put(status, "https://elsewhere.example/x") is None


@pytest.mark.parametrize("status", sorted(REDIRECTS))
@pytest.mark.parametrize(
    ("location", "target"),
    [
        ("https://s3.us-east-2.example/f?sig=2", "https://s3.us-east-2.example/f?sig=2"),
        ("/moved/f?sig=3", "https://storage.example/moved/f?sig=3"),  # relative to the hop
        ("g?sig=4", "https://storage.example/up/g?sig=4"),
        ("//cdn.example/f", "https://cdn.example/f"),
    ],
)
def test_a_redirect_is_where_to_put_again(status: int, location: str, target: str) -> None:
    assert _read_put(status, location) == target


def test_the_redirects_followed_are_the_five_of_rfc_9110_that_move_a_request() -> None:
    assert {301, 302, 303, 307, 308} == REDIRECTS and MAX_REDIRECTS == 5
    assert _read_put(300, "https://x.example/f") is None  # not a redirect it follows


@pytest.mark.parametrize(
    ("status", "location", "options", "fragment"),
    [
        (307, None, {}, "answered the upload's PUT 307 with no Location"),
        (307, "", {}, "with no Location"),
        (307, "http://s.example/f?sig=secret", {}, "to http://s.example/f, which is not https"),
        (302, "https://169.254.169.254/latest?sig=secret", {}, "link-local address"),
        (308, "https://localhost/f", {}, "names this machine"),
        (301, "https://metadata.google.internal/x", {}, "cloud metadata"),
        (303, "ftp://s.example/f", {}, "not an http(s) URL"),
        (307, "https://s.example/f?sig=secret", {"hops": 5}, "more than 5 times"),
        (307, "http://[::1/f", {}, "is not a URL"),
    ],
)
def test_redirects_the_put_must_not_follow(
    status: int, location: str | None, options: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidPayload) as raised:
        _read_put(status, location, **options)
    assert fragment in str(raised.value) and "secret" not in str(raised.value)


def test_a_plain_http_base_url_may_be_redirected_to_loopback_over_http() -> None:
    local = {"url": "http://127.0.0.1:9/_storage/f", "base_url": "http://127.0.0.1:9/v1"}
    assert _read_put(307, "http://127.0.0.1:10/f", **local) == "http://127.0.0.1:10/f"
    with pytest.raises(InvalidPayload, match="more than 5 times"):
        _read_put(307, "http://127.0.0.1:10/f", hops=5, **local)


def test_the_put_never_follows_a_redirect_by_itself_and_carries_no_key() -> None:
    call = put_call("https://s.example/a/f", 3, lambda: b"abc", base_url=API, hops=4)
    assert call.follow_redirects is False and call.bare is True
    assert call.answers == REDIRECTS and call.request["method"] == "PUT"
    assert call.request["headers"] == {"Content-Length": "3"}
    assert call.parse_answer is not None
    moved = httpx.Headers({"location": "g"})
    assert call.parse_answer(307, moved, b"") == "https://s.example/a/g"
    assert call.parse_answer(200, httpx.Headers(), b"") is None
    last = put_call("https://s.example/a/f", 3, lambda: b"abc", base_url=API, hops=5)
    assert last.parse_answer is not None
    with pytest.raises(InvalidPayload, match="more than 5 times"):
        last.parse_answer(307, moved, b"")


def _call(**fields: Any) -> Call[None]:
    return Call({"method": "GET", "url": "/x"}, idempotent=True, parse=lambda _: None, **fields)


def test_send_options() -> None:
    assert send_options(_call()) == {}
    assert send_options(_call(follow_redirects=False)) == {"follow_redirects": False}
    assert send_options(_call(bare=True)) == {"auth": None}


@pytest.mark.parametrize(
    ("status", "content_type", "raw", "handed_over"),
    [
        (200, "application/octet-stream", True, True),
        (206, "", True, True),
        (200, "text/html; charset=utf-8", True, False),
        (200, "text/html", False, True),
        (302, "", True, False),
        (404, "application/json", True, False),
        (503, "text/html", True, False),
    ],
)
def test_which_streamed_responses_are_handed_over_unread(
    status: int, content_type: str, raw: bool, handed_over: bool
) -> None:
    response = httpx.Response(status, headers={"content-type": content_type})
    assert streams(_call(raw=raw), response) is handed_over


@pytest.mark.parametrize(
    ("headers", "listed", "size"),
    [
        ({"content-length": "10"}, 12, 12),
        ({"content-length": "10"}, None, 10),
        ({"content-length": "10", "content-encoding": "gzip"}, None, None),
        ({"content-length": "10", "content-encoding": "identity"}, None, 10),
        ({}, None, None),
        ({"content-length": "ten"}, None, None),
        ({}, 0, 0),
    ],
)
def test_expected_size(headers: dict[str, str], listed: int | None, size: int | None) -> None:
    assert expected_size(httpx.Headers(headers), listed) == size


@pytest.mark.parametrize(
    ("path", "errors"),
    [
        ("out/results.jsonl", "out/results.errors.jsonl"),
        ("results", "results.errors.jsonl"),
        ("a.b.jsonl", "a.b.errors.jsonl"),
        ("x.txt", "x.txt.errors.jsonl"),
        (".jsonl", ".jsonl.errors.jsonl"),
    ],
)
def test_the_error_file_goes_beside_the_output_file(path: str, errors: str) -> None:
    assert errors_path(Path(path)) == Path(errors)


@pytest.mark.parametrize(
    ("fields", "files", "fragment"),
    [
        ({"status": "COMPLETED", "output_file_id": "o", "error_file_id": "e"}, ["o", "e"], ""),
        ({"status": "COMPLETED", "output_file_id": "o"}, ["o"], ""),
        ({"status": "FAILED", "error_file_id": "e"}, ["e"], ""),
        ({"status": "CANCELLED", "output_file_id": "o"}, ["o"], ""),
        (
            {"status": "IN_PROGRESS", "progress": 40.0, "output_file_id": "o"},
            None,
            "is IN_PROGRESS (40.0%): it has no results until it ends",
        ),
        ({"status": "VALIDATING"}, None, "wait for it first"),
        ({"status": "SOMETHING_NEW"}, None, "is SOMETHING_NEW"),
        (
            {"status": "FAILED", "error": "bad input"},
            None,
            "ended FAILED without an output or an error file; its error: bad input",
        ),
        ({"status": "EXPIRED"}, None, "ended EXPIRED without an output or an error file"),
    ],
)
def test_result_files_of_a_job(
    fields: dict[str, Any], files: list[str] | None, fragment: str
) -> None:
    job = BatchJob(id="b1", **fields)
    if files is not None:
        assert result_file_ids(job) == files
        return
    with pytest.raises(ResultsUnavailableError) as raised:
        result_file_ids(job)
    assert raised.value.job is job
    assert str(raised.value).startswith("batch b1 ") and fragment in str(raised.value)


@pytest.mark.parametrize(
    "module",
    [
        "together_batches._files.hosts",
        "together_batches._files.upload",
        "together_batches._jsonl.results",
    ],
)
def test_the_upload_and_results_rules_reach_no_io_module(module: str) -> None:
    reached = _within(_reach(module), IO_ROOMS) | (_reach(module) & IO_STDLIB)
    assert not reached, f"{module} reaches {sorted(reached)}"
