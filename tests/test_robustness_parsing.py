"""Property tests: whatever a server sends, parsing raises only `TogetherError`s, a valid
body always parses, and any id reaches exactly one endpoint as one segment."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from together_batches import BatchJob, BatchStatus, Together, TogetherError
from together_batches._files import calls as file_calls
from together_batches._http import calls
from together_batches._http.calls import Call

from ._loopback import Reply, Seen, loopback
from .conftest import holds_no_watched_key

CALLS: dict[str, Callable[[], Call[Any]]] = {
    "list": calls.list_batches,
    "get": lambda: calls.get_batch("b1"),
    "cancel": lambda: calls.cancel_batch("b1"),
    "create": lambda: calls.create_batch(
        "f1", "/v1/completions", completion_window="24h", model_id=None, priority=None
    ),
    "file": lambda: file_calls.retrieve_file("file-1"),
    "content": lambda: file_calls.file_content("file-1"),
}
STATUSES = st.sampled_from(
    [200, 201, 204, 301, 400, 401, 403, 404, 408, 429, 499, 500, 502, 503, 520]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=20,
)
# Bodies shaped like the real ones, with any value in any field.
FIELDS = [
    "id",
    "status",
    "progress",
    "created_at",
    "job_deadline",
    "completed_at",
    "error",
    "file_size_bytes",
    "output_file_id",
    "job",
    "warning",
    "bytes",
    "filename",
]
NEAR_MISS = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=8)
BODIES = (
    JSON.map(lambda v: json.dumps(v).encode())
    | NEAR_MISS.map(lambda v: json.dumps(v).encode())
    | st.lists(NEAR_MISS, max_size=3).map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=200)
)


def _decode(name: str, status: int, body: bytes) -> object:
    request = httpx.Request("GET", "https://api.example.test/v1/x")
    return calls.decode(CALLS[name](), httpx.Response(status, content=body, request=request))


@settings(max_examples=400, deadline=None)
@given(name=st.sampled_from(sorted(CALLS)), status=STATUSES, body=BODIES)
# Found by this test: an empty object first in a list had the shape the list's check starts
# from, so it was never checked (a job with no id or status, whose `.status` raised KeyError).
@example(name="list", status=200, body=b"[{}]")
@example(name="list", status=200, body=b'[{}, {"id": "b", "status": "COMPLETED"}]')
def test_any_body_raises_only_together_errors(name: str, status: int, body: bytes) -> None:
    with contextlib.suppress(TogetherError):
        result = _decode(name, status, body)
        # Fields are read lazily: reading every one must not raise anything else either.
        for job in result if isinstance(result, list) else [result]:
            repr(job)
            if isinstance(job, BatchJob):
                job.to_dict()
                _ = (job.status, job.progress, job.extras, job.warning)


TIMES = st.datetimes(
    min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
).map(lambda d: d.isoformat().replace("+00:00", "Z"))
TEXT = st.text(max_size=30)
VALID_JOB = st.fixed_dictionaries(
    {
        "id": TEXT,
        "status": st.sampled_from([s.value for s in BatchStatus]) | st.text(min_size=1),
    },
    optional={
        "user_id": TEXT,
        "input_file_id": TEXT,
        "endpoint": TEXT,
        "model_id": TEXT,
        "file_size_bytes": st.integers(min_value=0, max_value=2**53),
        "progress": st.floats(min_value=0, max_value=100) | st.integers(0, 100),
        "created_at": TIMES,
        "job_deadline": TIMES,
        "completed_at": st.none() | TIMES,
        "output_file_id": st.none() | TEXT,
        "error_file_id": st.none() | TEXT,
        "error": st.none() | TEXT,
        "some_future_field": JSON,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jobs=st.lists(VALID_JOB, max_size=4))
def test_a_valid_body_always_parses(jobs: list[dict[str, Any]]) -> None:
    parsed = _decode("list", 200, json.dumps(jobs).encode())
    assert isinstance(parsed, list) and len(parsed) == len(jobs)
    for job, raw in zip(parsed, jobs, strict=True):
        assert isinstance(job, BatchJob)
        assert job.id == raw["id"]
        assert job.progress_percent == float(raw.get("progress", 0.0))
        assert job.status == raw["status"]
        if "created_at" in raw:
            assert job.created_at is not None and job.created_at.tzinfo is not None
        if "some_future_field" in raw:
            assert job.extras["some_future_field"] == raw["some_future_field"]
    if jobs:
        assert isinstance(_decode("get", 200, json.dumps(jobs[0]).encode()), BatchJob)


def _record(request: Seen) -> Reply:
    return 200, {"Content-Type": "application/json"}, b'{"id": "x", "status": "IN_PROGRESS"}'


# Ids go into logged URLs: never one holding a key the session watches (see conftest).
IDS = (
    st.text(min_size=1, max_size=40)
    .filter(lambda s: s not in (".", ".."))
    .filter(holds_no_watched_key)
)


@pytest.fixture(scope="module")
def id_server() -> Iterator[tuple[Together, list[Seen]]]:
    with (
        loopback(_record) as (base_url, seen),
        Together("k", base_url=base_url, max_retries=0) as client,
    ):
        yield client, seen


@settings(max_examples=200, deadline=None)
@given(batch_id=IDS)
def test_any_id_reaches_one_endpoint_as_one_segment(
    id_server: tuple[Together, list[Seen]], batch_id: str
) -> None:
    try:
        batch_id.encode("utf-8")
    except UnicodeEncodeError:
        return  # rejected with ValueError before sending: see test_ids_and_secrets
    client, seen = id_server
    seen.clear()
    client.batches.get_batch(batch_id)
    client.batches.cancel_batch(batch_id)
    (get, cancel) = seen
    assert get.method == "GET" and cancel.method == "POST"
    for request, suffix in ((get, ""), (cancel, "/cancel")):
        assert request.path.startswith("/v1/batches/")
        segment = request.path.removeprefix("/v1/batches/")
        if suffix:
            assert segment.endswith(suffix)
            segment = segment.removesuffix(suffix)
        assert "/" not in segment and "?" not in segment and "#" not in segment
        assert unquote(segment) == batch_id
