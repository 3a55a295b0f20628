"""Whatever httpx raises during a send reaches users as a `TogetherError`, in both twins.

The walk below covers httpx's exception classes themselves (every subclass of `HTTPError`,
recursively, and the stream and URL errors outside that tree), so a class added by a later
httpx is checked the day it appears.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from together_batches import APIConnectionError, APIStatusError, TogetherError
from together_batches._http.errors import SEND_ERRORS, connection_error
from together_batches._http.retry import Failure, classify_exception

from ._loopback import Reply, Seen, loopback
from ._twins import Twin
from .conftest import FakeTime
from .test_cli import KEY, cli, one_error_line


def _subclasses(root: type[Exception]) -> Iterator[type[Exception]]:
    yield root
    for sub in root.__subclasses__():
        yield from _subclasses(sub)


HTTPX_CLASSES = sorted(
    {
        cls
        for root in SEND_ERRORS
        for cls in _subclasses(root)
        if cls.__module__.startswith("httpx")
    },
    key=lambda cls: cls.__name__,
)
REQUEST = httpx.Request("GET", "https://api.example.test/v1/batches/b1")


def make(cls: type[Exception]) -> Exception:
    """An instance of any httpx exception class, built as httpx itself builds it."""
    parameters = inspect.signature(cls).parameters
    kwargs: dict[str, Any] = {}
    if "request" in parameters:
        kwargs["request"] = REQUEST
    if "response" in parameters:
        kwargs["response"] = httpx.Response(503, request=REQUEST)
    if "message" in parameters:
        return cls("boom", **kwargs)
    return cls(**kwargs)


def test_the_walk_finds_the_classes_that_slipped_through_before() -> None:
    names = {cls.__name__ for cls in HTTPX_CLASSES}
    assert {"DecodingError", "TooManyRedirects", "StreamClosed", "HTTPStatusError"} <= names
    assert {"ReadTimeout", "ConnectError", "RemoteProtocolError", "InvalidURL"} <= names
    assert len(names) >= 25


@pytest.mark.parametrize("cls", HTTPX_CLASSES, ids=lambda cls: cls.__name__)
def test_every_httpx_error_from_a_send_is_a_together_error(
    twin: Twin, cls: type[Exception]
) -> None:
    raised = make(cls)

    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    client = twin.client(handler, max_retries=0)
    with pytest.raises(TogetherError) as caught:
        client.batches.get_batch("b1")
    assert caught.value.__cause__ is raised
    message = str(caught.value)
    assert type(raised).__name__ in message or isinstance(caught.value, APIStatusError)
    # What happened, then what to do, after a colon or a comma.
    assert len(message) > 30 and message[0].isupper()


@pytest.mark.parametrize("cls", HTTPX_CLASSES, ids=lambda cls: cls.__name__)
def test_every_httpx_error_is_classified_and_mapped(cls: type[Exception]) -> None:
    raised: Any = make(cls)
    assert isinstance(classify_exception(raised), Failure)
    assert isinstance(connection_error(raised), TogetherError)


def test_an_event_hooks_status_error_keeps_its_status(twin: Twin) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.HTTPStatusError(
            "hook", request=request, response=httpx.Response(404, request=request)
        )

    with pytest.raises(APIStatusError) as caught:
        twin.client(handler).batches.get_batch("b1")
    assert caught.value.status_code == 404
    assert "event hook" in str(caught.value)


def test_the_waiter_survives_an_undecodable_body(twin: Twin, fake_time: FakeTime) -> None:
    answers: list[Exception | dict[str, Any]] = [
        httpx.DecodingError("Error -3 while decompressing data", request=REQUEST),
        {"id": "b1", "status": "COMPLETED", "progress": 100},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        item = answers.pop(0)
        if isinstance(item, Exception):
            raise item
        return httpx.Response(200, json=item)

    job = twin.client(handler).batches.wait_until_done("b1", timeout=60)
    assert job.status == "COMPLETED" and answers == []


def corrupt_gzip(request: Seen) -> Reply:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    return 200, headers, b"this is not gzip" + json.dumps({"id": "b1"}).encode()


def test_a_corrupt_gzip_body_raises_a_together_error(twin: Twin, fake_time: FakeTime) -> None:
    with loopback(corrupt_gzip) as (base_url, seen):
        client = twin.client(None, base_url=base_url)
        with pytest.raises(APIConnectionError, match="could not be decoded") as caught:
            client.batches.get_batch("b1")
    assert isinstance(caught.value.__cause__, httpx.DecodingError)
    assert "Content-Encoding" in str(caught.value)
    assert len(seen) == 3  # a GET is retried: the next answer may be whole


def test_the_cli_exits_4_on_a_corrupt_gzip_body() -> None:
    with loopback(corrupt_gzip) as (base_url, _):
        result = cli("get", "b1", base_url=base_url)
    assert result.returncode == 4
    line = one_error_line(result)
    assert line.startswith("error: The response body could not be decoded (")
    assert "DecodingError" not in line and "Errno" not in line
    assert KEY not in line
