"""Bad ids never reach the network; any other id is one path segment; the key leaks nowhere."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from together_batches import (
    AsyncTogether,
    BatchFailedError,
    BatchWarning,
    NotFoundError,
    Together,
    TogetherError,
)

from ._loopback import Reply, Seen, loopback
from ._twins import Twin
from .conftest import FakeTime

SECRET = "sk-very-secret-key-0123456789"
JOB = {"id": "x", "status": "IN_PROGRESS", "progress": 10}


def job_server(request: Seen) -> Reply:
    headers = {"Content-Type": "application/json"}
    if request.path.startswith("/v1/batches/") and request.method in ("GET", "POST"):
        return 200, headers, json.dumps(JOB).encode()
    return 404, headers, b'{"error": "no such route"}'


@pytest.fixture
def server() -> Iterator[tuple[str, list[Seen]]]:
    with loopback(job_server) as served:
        yield served


def _methods(batches: Any) -> list[Any]:
    return [batches.get_batch, batches.cancel_batch]


@pytest.mark.parametrize("bad", ["", ".", "..", "\ud800"])
def test_dot_ids_raise_value_error_before_any_request(
    twin: Twin, server: tuple[str, list[Seen]], bad: str
) -> None:
    base_url, seen = server
    batches = twin.client(None, base_url=base_url).batches
    for method in _methods(batches):
        with pytest.raises(ValueError, match="batch_job_id"):
            method(bad)
    with pytest.raises(ValueError):
        batches.create_batch(bad, "/v1/chat/completions")
    assert seen == []


@pytest.mark.parametrize("bad", [None, 42, b"batch-1", ["b"]])
def test_non_string_ids_raise_type_error(
    twin: Twin, server: tuple[str, list[Seen]], bad: Any
) -> None:
    base_url, seen = server
    batches = twin.client(None, base_url=base_url).batches
    for method in _methods(batches):
        with pytest.raises(TypeError):
            method(bad)
    assert seen == []


@pytest.mark.parametrize(
    "batch_id",
    [
        "a/b",
        "../cancel",
        "a/../../files/x",
        "%2e%2e",
        "x?y=1",
        "x#frag",
        "sp ace",
        "ünï",
        "./",
        "...",
        "a\\b",
        "batch-xyz789",
    ],
)
def test_any_other_id_is_sent_as_one_segment(
    twin: Twin, server: tuple[str, list[Seen]], batch_id: str
) -> None:
    base_url, seen = server
    batches = twin.client(None, base_url=base_url).batches
    batches.get_batch(batch_id)
    batches.cancel_batch(batch_id)
    get, cancel = seen
    for request, suffix in ((get, ""), (cancel, "/cancel")):
        assert request.path.startswith("/v1/batches/")
        segment = request.path.removeprefix("/v1/batches/")
        segment = segment.removesuffix(suffix) if suffix else segment
        assert "/" not in segment and "?" not in segment and "#" not in segment
        assert unquote(segment) == batch_id
    assert (get.method, cancel.method) == ("GET", "POST")


def test_the_key_is_nowhere_in_reprs_errors_or_logs(
    twin: Twin, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    answers = iter([503, 429, 200, 401, 404, 500, 500, 500])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers, 500)
        body = JOB if status == 200 else {"error": f"status {status}"}
        return httpx.Response(status, json=body, headers={"retry-after": "0"})

    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for name in ("together_batches", "httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        client = twin.client(handler, api_key=SECRET)
        texts += [
            repr(client),
            repr(client._target),
            repr(client.batches),
            str(vars(client._target)),
        ]
        texts.append(repr(client.batches.get_batch("b1")))
        for _ in range(3):
            try:
                client.batches.get_batch("b1")
            except TogetherError as exc:
                texts += [str(exc), repr(exc), repr(getattr(exc, "response", None))]
                texts.append(repr(getattr(getattr(exc, "response", None), "request", None)))
                texts.append(repr(getattr(getattr(exc, "response", None), "headers", None)))
    texts += [record.getMessage() for record in caplog.records]
    texts += [caplog.text]
    assert any("retrying" in text for text in texts)  # the logs were captured
    for text in texts:
        assert SECRET not in text


def test_the_key_is_not_in_a_connection_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for cls in (Together, AsyncTogether):
        client = cls(SECRET, base_url="http://127.0.0.1:9/v1", max_retries=0)
        assert SECRET not in repr(client)
    with Together(SECRET, base_url="http://127.0.0.1:9/v1", max_retries=0) as client:
        try:
            client.batches.get_batch("b")
        except TogetherError as exc:
            assert SECRET not in str(exc) and SECRET not in repr(exc)
            assert SECRET not in repr(exc.__cause__)


def test_not_found_on_a_real_server(twin: Twin, server: tuple[str, list[Seen]]) -> None:
    base_url, _ = server
    client = twin.client(None, base_url=base_url.replace("/v1", "/v2"))
    with pytest.raises(NotFoundError, match="no such route"):
        client.batches.get_batch("b1")


# --- a server that echoes the Authorization header -----------------------------------------

ECHOED = "sk-echoed-back-by-the-server-5f1c9a7e2b"


def echo_server(request: Seen) -> Reply:
    """Puts the request's Authorization header into every kind of text it answers with."""
    auth = request.headers.get("authorization", "")
    as_json = {"Content-Type": "application/json"}
    name = request.path.rsplit("/", 1)[-1]
    if request.method == "POST" and request.path == "/v1/batches":
        created = {"job": {"id": "b1", "status": "VALIDATING"}, "warning": f"slow for {auth}"}
        return 200, as_json, json.dumps(created).encode()
    answers: dict[str, Reply] = {
        "e401": (401, as_json, json.dumps({"error": f"invalid credentials: {auth}"}).encode()),
        "nested": (403, as_json, json.dumps({"error": {"message": f"no: {auth}"}}).encode()),
        "e500": (500, {"Content-Type": "text/plain"}, f"upstream said {auth}".encode()),
        "html": (200, {"Content-Type": "text/html"}, f"<p>Authorization: {auth}</p>".encode()),
        "shape": (200, as_json, json.dumps({"id": 7, "status": auth}).encode()),
        "failed": (
            200,
            as_json,
            json.dumps({"id": "failed", "status": "FAILED", "error": f"rejected {auth}"}).encode(),
        ),
    }
    if name == "flaky":  # once an echoing 503, then done
        if sum(seen.path.endswith("/flaky") for seen in ECHO_SEEN) == 1:
            return 503, as_json, json.dumps({"error": f"busy, {auth}"}).encode()
        return 200, as_json, json.dumps({"id": "flaky", "status": "COMPLETED"}).encode()
    return answers[name]


ECHO_SEEN: list[Seen] = []


def _texts_of(exc: BaseException) -> list[str]:
    return [str(exc), repr(exc), repr(exc.args), json.dumps(getattr(exc, "body", None))]


def test_a_server_echoing_the_key_gets_it_masked_everywhere(
    twin: Twin, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    def recording(request: Seen) -> Reply:
        ECHO_SEEN.append(request)
        return echo_server(request)

    ECHO_SEEN.clear()
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG), loopback(recording) as (base_url, _):
        batches = twin.client(None, base_url=base_url, api_key=ECHOED).batches
        for name in ("e401", "nested", "e500", "html", "shape"):
            with pytest.raises(TogetherError) as caught:
                batches.get_batch(name)
            texts += _texts_of(caught.value)
        with pytest.raises(BatchFailedError) as failed:
            batches.wait_until_done("failed", raise_on_failure=True, timeout=60)
        texts += [*_texts_of(failed.value), str(failed.value.job.error), repr(failed.value.job)]
        assert batches.wait_until_done("flaky", timeout=60).status == "COMPLETED"
        with pytest.warns(BatchWarning) as warned:
            created = batches.create_batch("file-1", "/v1/chat/completions")
        texts += [str(w.message) for w in warned] + [str(created.warning)]
    logged = [record.getMessage() for record in caplog.records]
    assert any("poll 1 of batch flaky: failed: InternalServerError" in t for t in logged)
    texts += logged
    assert ECHOED in ECHO_SEEN[0].headers["authorization"]  # the key was sent, and echoed
    assert all(ECHOED not in text for text in texts), [t for t in texts if ECHOED in t]
    masked = [text for text in texts if "Bearer ***" in text]
    assert len(masked) >= 10  # each echo shows up, masked


def test_a_key_httpx_refuses_to_send_is_not_quoted_back(twin: Twin) -> None:
    # A key read from a file often ends in a newline, and h11 quotes the bad header value.
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError(f"Illegal header value {request.headers['authorization']}")

    client = twin.client(handler, api_key=ECHOED, max_retries=0)
    with pytest.raises(TogetherError) as caught:
        client.batches.get_batch("b1")
    assert ECHOED not in str(caught.value) and "Bearer ***" in str(caught.value)
