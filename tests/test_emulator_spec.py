"""The emulator answers what spec/openapi.yaml declares, for every path, method and status."""

from __future__ import annotations

import itertools
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]
from ruamel.yaml import YAML

from together_batches.testing import Emulator, FakeClock, Fault, JobPlan, snapshot_at

from .conftest import holds_no_watched_key

SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml"
START = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
AUTH = {"Authorization": "Bearer test-key"}
CREATE = {"endpoint": "/v1/chat/completions", "input_file_id": "file-unknown"}

#: Each emulator route and the spec operation (path template, method) it implements.
OPERATIONS = {
    "list_batches": ("/batches", "get"),
    "create_batch": ("/batches", "post"),
    "get_batch": ("/batches/{id}", "get"),
    "cancel_batch": ("/batches/{id}/cancel", "post"),
    "get_file": ("/files/{id}", "get"),
    "get_file_content": ("/files/{id}/content", "get"),
}


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    """Inline every local `$ref` (the spec has no recursive schemas)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(target, root)
        return {key: _resolve(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, root) for item in node]
    return node


def _load_spec() -> dict[str, Any]:
    raw = YAML(typ="safe", pure=True).load(SPEC_PATH.read_text())
    # A JSON round trip turns ruamel's types into plain ones jsonschema is happy with.
    plain: dict[str, Any] = json.loads(json.dumps(raw))
    resolved: dict[str, Any] = _resolve(plain, plain)
    return resolved


SPEC = _load_spec()
FORMATS = FormatChecker(formats=())


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return "T" in value and datetime.fromisoformat(value).tzinfo is not None


# jsonschema checks date-time only with an optional package that is not installed here.
FORMATS.checks("date-time", raises=ValueError)(_is_date_time)


def _declared(route: str, status: int) -> tuple[str, dict[str, Any]]:
    template, method = OPERATIONS[route]
    responses = SPEC["paths"][template][method]["responses"]
    entry = responses.get(str(status)) or responses.get("default")
    assert entry is not None, f"{method.upper()} {template} does not declare {status}"
    ((content_type, media),) = entry["content"].items()
    return content_type, media["schema"]


def violations(emulator: Emulator, response: httpx.Response) -> list[str]:
    """Check a response against the spec; answers one message per problem."""
    route = emulator.requests[-1].route
    assert route is not None, "only spec operations are checked"
    content_type, schema = _declared(route, response.status_code)
    problems = []
    if response.headers["content-type"].split(";")[0] != content_type:
        problems.append(f"{route} {response.status_code}: content type {content_type} expected")
    if content_type == "application/json":
        validator = Draft202012Validator(schema, format_checker=FORMATS)
        problems += [
            f"{route} {response.status_code}: {error.message} at {list(error.absolute_path)}"
            for error in validator.iter_errors(response.json())
        ]
    return problems


class Driver:
    """Sends requests through the in-process transport and checks every answer."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.http = httpx.Client(
            base_url="http://emulator.test/v1", transport=emulator.transport(), headers=AUTH
        )
        self.problems: list[str] = []
        self.seen: set[tuple[str, int]] = set()

    def __call__(self, method: str, path: str, **options: Any) -> httpx.Response:
        response = self.http.request(method, path, **options)
        self.problems += violations(self.emulator, response)
        route = self.emulator.requests[-1].route
        assert route is not None
        self.seen.add((route, response.status_code))
        return response


def test_the_spec_schemas_are_valid() -> None:
    for template, operations in SPEC["paths"].items():
        for method, operation in operations.items():
            for status, entry in operation["responses"].items():
                for media in entry["content"].values():
                    Draft202012Validator.check_schema(media["schema"])
                assert (template, method) in OPERATIONS.values(), (template, method, status)


def test_a_representative_session_matches_the_spec() -> None:
    clock = FakeClock(start=START)
    emulator = Emulator(clock=clock, plan=JobPlan(10, 100, failed_fraction=0.25))
    call = Driver(emulator)
    assert call("GET", "/batches").json() is None

    emulator.plan_next(JobPlan(10, 100, failed_fraction=0.25, warning="2 lines were duplicates"))
    created = call("POST", "/batches", json=CREATE).json()
    assert created["warning"]
    job_id = created["job"]["id"]
    input_id = emulator.add_file(b'{"custom_id": "a", "body": {"model": "m"}}\n')
    full_create = {**CREATE, "input_file_id": input_id, "completion_window": "24h", "priority": 1}
    call("POST", "/batches", json=full_create)
    emulator.plan_next(JobPlan(10, 100, fail_after_seconds=50, error="boom"))
    failed_id = call("POST", "/batches", json=CREATE).json()["job"]["id"]
    emulator.plan_next(JobPlan(10, 100, expires_after_seconds=70))
    expired_id = call("POST", "/batches", json=CREATE).json()["job"]["id"]
    to_cancel = call("POST", "/batches", json=CREATE).json()["job"]["id"]

    statuses = []
    for _ in range(4):
        statuses.append(call("GET", f"/batches/{job_id}").json()["status"])
        clock.advance(40)
    assert statuses == ["VALIDATING", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED"]
    assert call("POST", f"/batches/{to_cancel}/cancel").status_code == 400  # already completed
    job = call("GET", f"/batches/{job_id}").json()
    assert call("GET", f"/batches/{failed_id}").json()["status"] == "FAILED"
    assert call("GET", f"/batches/{expired_id}").json()["status"] == "EXPIRED"

    emulator.plan_next(JobPlan(10, 100))
    live = call("POST", "/batches", json=CREATE).json()["job"]["id"]
    clock.advance(30)
    assert call("POST", f"/batches/{live}/cancel").json()["status"] == "CANCELING"
    clock.advance(5)
    assert call("GET", f"/batches/{live}").json()["status"] == "CANCELLED"
    assert len(call("GET", "/batches").json()) == 6

    for file_id in (job["output_file_id"], job["error_file_id"], input_id):
        assert call("GET", f"/files/{file_id}").status_code == 200
        assert call("GET", f"/files/{file_id}/content").status_code == 200

    assert call("POST", "/batches", content=b"{").status_code == 400
    assert call("POST", "/batches", json={"endpoint": 3}).status_code == 400
    for route, (template, method) in OPERATIONS.items():
        path = template.replace("{id}", "no%2Fsuch")
        assert call(method.upper(), path, headers={"Authorization": "Bearer x"}).status_code == 401
        if route not in ("list_batches", "create_batch"):
            assert call(method.upper(), path).status_code == 404

    emulator.faults.add(
        Fault.rate_limited(path_prefix="/v1/batches"),
        Fault.status(503, method="POST"),
        Fault.status(500, path_prefix="/v1/files"),
        Fault.rate_limited(retry_after_ms=100, path_prefix="/v1/files"),
    )
    assert call("GET", "/batches").status_code == 429
    assert call("POST", "/batches", json=CREATE).status_code == 503
    assert call("GET", f"/files/{input_id}").status_code == 500
    assert call("GET", f"/files/{input_id}/content").status_code == 429
    emulator.faults.add(Fault.null_list())
    assert call("GET", "/batches").json() is None

    assert call.problems == []
    assert {route for route, _ in call.seen} == set(OPERATIONS)


def test_an_unknown_status_is_the_one_deliberate_departure_from_the_spec() -> None:
    emulator = Emulator(clock=FakeClock(start=START))
    call = Driver(emulator)
    emulator.faults.add(Fault.unknown_status("REVERSING_POLARITY"))
    call("POST", "/batches", json=CREATE)
    assert len(call.problems) == 1
    assert "REVERSING_POLARITY" in call.problems[0]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
CREATE_BODIES = st.fixed_dictionaries(
    {},
    optional={
        "endpoint": st.sampled_from(["/v1/chat/completions", ""]) | JSON_VALUES,
        "input_file_id": st.sampled_from(["file-1"]) | JSON_VALUES,
        "completion_window": st.sampled_from(["24h", "48h"]) | JSON_VALUES,
        "priority": st.integers() | JSON_VALUES,
        "model_id": st.text(max_size=10) | JSON_VALUES,
    },
)


@settings(max_examples=60, deadline=None)
@given(body=CREATE_BODIES | JSON_VALUES)
def test_any_create_body_gets_201_or_400_as_declared(body: Any) -> None:
    emulator = Emulator(clock=FakeClock(start=START))
    call = Driver(emulator)
    response = call("POST", "/batches", content=json.dumps(body).encode())
    valid = (
        isinstance(body, dict)
        and all(isinstance(body.get(f), str) and body[f] for f in ("endpoint", "input_file_id"))
        and body.get("completion_window", "24h") == "24h"
        and type(body.get("priority", 0)) is int
        and isinstance(body.get("model_id", ""), str)
    )
    assert response.status_code == (201 if valid else 400)
    assert call.problems == []


@settings(max_examples=60, deadline=None)
@given(
    job_id=st.text(min_size=1, max_size=20)
    .filter(lambda s: s not in {".", ".."})
    .filter(holds_no_watched_key)  # ids go into logged URLs (see conftest)
)
def test_any_id_is_one_decoded_segment(job_id: str) -> None:
    emulator = Emulator(clock=FakeClock(start=START))
    call = Driver(emulator)
    for template in ("/batches/{}", "/batches/{}/cancel", "/files/{}", "/files/{}/content"):
        method = "POST" if template.endswith("cancel") else "GET"
        response = call(method, template.format(quote(job_id, safe="")))
        assert response.status_code == 404
        assert emulator.requests[-1].path_id == job_id
    assert call.problems == []


PLANS = st.builds(
    JobPlan,
    validating_seconds=st.floats(0, 100),
    running_seconds=st.floats(0, 1000) | st.just(math.inf),
    fail_after_seconds=st.none() | st.floats(0, 2000),
    expires_after_seconds=st.floats(0, 3000),
    cancel_seconds=st.floats(0, 10),
)
ORDER = {"VALIDATING": 0, "IN_PROGRESS": 1, "CANCELING": 2}


@settings(max_examples=200, deadline=None)
@given(
    plan=PLANS,
    times=st.lists(st.floats(0, 4000), min_size=2, max_size=6),
    cancel_after=st.none() | st.floats(0, 4000),
)
def test_timelines_only_move_forward(
    plan: JobPlan, times: list[float], cancel_after: float | None
) -> None:
    snapshots = [snapshot_at(plan, elapsed, cancel_after) for elapsed in sorted(times)]
    for before, after in itertools.pairwise(snapshots):
        assert 0 <= before.progress <= after.progress <= 100
        if before.terminal:
            assert after == before
        elif not after.terminal:
            assert ORDER[before.status] <= ORDER[after.status]
        if after.status == "COMPLETED":
            assert after.progress == 100


@pytest.mark.parametrize("null_when_empty", [True, False])
def test_empty_lists_match_the_spec_either_way(null_when_empty: bool) -> None:
    emulator = Emulator(clock=FakeClock(start=START), null_when_empty=null_when_empty)
    call = Driver(emulator)
    assert call("GET", "/batches").json() == (None if null_when_empty else [])
    assert call.problems == []
