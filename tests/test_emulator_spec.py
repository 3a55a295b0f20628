"""The emulator answers what spec/openapi.yaml declares, for every path, method and status."""

from __future__ import annotations

import hashlib
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
    "list_files": ("/files", "get"),
    "initiate_file_upload": ("/files", "post"),
    "delete_file": ("/files/{id}", "delete"),
    "preprocess_file": ("/files/{id}/preprocess", "post"),
}
#: The spec's schemas of the lines of batch files (components, not responses).
LINE_SCHEMAS = ("BatchInputLine", "BatchOutputLine", "BatchErrorLine")


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


def _declared(route: str, status: int) -> dict[str, Any]:
    template, method = OPERATIONS[route]
    responses = SPEC["paths"][template][method]["responses"]
    entry = responses.get(str(status)) or responses.get("default")
    assert entry is not None, f"{method.upper()} {template} does not declare {status}"
    declared: dict[str, Any] = entry
    return declared


def _schema_problems(where: str, schema: dict[str, Any], value: object) -> list[str]:
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    return [
        f"{where}: {error.message} at {list(error.absolute_path)}"
        for error in validator.iter_errors(value)
    ]


def _header_problems(where: str, declared: dict[str, Any], response: httpx.Response) -> list[str]:
    problems = []
    for name, header in declared.get("headers", {}).items():
        value = response.headers.get(name)
        if value is None:
            if header.get("required"):
                problems.append(f"{where}: header {name} is missing")
            continue
        problems += _schema_problems(f"{where} header {name}", header["schema"], value)
        if header["schema"].get("format") == "uri" and not httpx.URL(value).is_absolute_url:
            problems.append(f"{where}: header {name} is not an absolute URL: {value}")
    return problems


def violations(emulator: Emulator, response: httpx.Response) -> list[str]:
    """Check a response against the spec; answers one message per problem."""
    route = emulator.requests[-1].route
    assert route is not None, "only spec operations are checked"
    where = f"{route} {response.status_code}"
    declared = _declared(route, response.status_code)
    problems = _header_problems(where, declared, response)
    content = declared.get("content")
    if content is None:
        return problems + ([f"{where}: a body where none is declared"] if response.content else [])
    content_type = response.headers.get("content-type", "").split(";")[0]
    if content_type not in content:
        return [*problems, f"{where}: content type {content_type}, not one of {list(content)}"]
    if content_type.endswith("json"):
        problems += _schema_problems(where, content[content_type]["schema"], response.json())
    return problems


def line_violations(name: str, content: bytes) -> list[str]:
    """Check every line of a JSON Lines file against one of the spec's line schemas."""
    schema = SPEC["components"]["schemas"][name]
    problems = []
    for number, line in enumerate(content.splitlines(), start=1):
        problems += _schema_problems(f"{name} line {number}", schema, json.loads(line))
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
                for media in entry.get("content", {}).values():
                    Draft202012Validator.check_schema(media["schema"])
                for header in entry.get("headers", {}).values():
                    Draft202012Validator.check_schema(header["schema"])
                assert (template, method) in OPERATIONS.values(), (template, method, status)
    for name in LINE_SCHEMAS:
        Draft202012Validator.check_schema(SPEC["components"]["schemas"][name])


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
    upload_session(emulator, call)

    assert call("POST", "/batches", content=b"{").status_code == 400
    assert call("POST", "/batches", json={"endpoint": 3}).status_code == 400
    for template, method in OPERATIONS.values():
        path = template.replace("{id}", "no%2Fsuch")
        assert call(method.upper(), path, headers={"Authorization": "Bearer x"}).status_code == 401
        if "{id}" in template:
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
    emulator.faults.add(Fault.status(503, path_prefix="/v1/files", method="POST"))
    assert call("POST", "/files", data={"purpose": "batch-api"}).status_code == 503
    emulator.faults.add(Fault.null_list())
    assert call("GET", "/batches").json() is None

    assert call.problems == []
    assert {route for route, _ in call.seen} == set(OPERATIONS)


def upload_session(emulator: Emulator, call: Driver) -> None:
    """Upload, dedup, preprocess, list, content, delete: every files answer, checked."""
    content = b'{"custom_id": "u1", "body": {"model": "m", "prompt": "hi"}}\n'
    form = {"purpose": "batch-api", "file_name": "up.jsonl", "checksum": sha256(content)}
    started = call("POST", "/files", data=form)
    assert started.status_code == 302
    file_id = started.headers["x-together-file-id"]
    # The PUT goes to the presigned URL, without the API key: not a spec operation.
    with httpx.Client(transport=emulator.transport()) as storage:
        assert storage.put(started.headers["location"], content=content).status_code == 200
    assert call("POST", f"/files/{file_id}/preprocess").json()["Processed"] is True
    again = call("POST", "/files", data=form)
    assert (again.status_code, again.json()["file_id"]) == (409, file_id)
    assert call("POST", "/files", data={"file_name": "x.jsonl"}).status_code == 400
    pending = call("POST", "/files", data={"purpose": "batch-api", "file_name": "p.jsonl"})
    pending_id = pending.headers["x-together-file-id"]
    assert call("POST", f"/files/{pending_id}/preprocess").status_code == 400
    listed = call("GET", "/files").json()["data"]
    assert file_id in {item["id"] for item in listed}
    refused = call("GET", f"/files/{file_id}/content", headers={"Accept": "application/json"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    assert call("DELETE", f"/files/{file_id}").json() == {"id": file_id, "deleted": True}
    assert call("DELETE", f"/files/{file_id}").status_code == 404


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_result_and_input_files_have_the_spec_line_shapes() -> None:
    clock = FakeClock(start=START)
    emulator = Emulator(clock=clock, plan=JobPlan(1, 1, failed_fraction=0.3))
    good = [
        {
            "custom_id": f"r{i}",
            "body": {"model": "m", "messages": [{"role": "user", "content": "x"}]},
        }
        for i in range(10)
    ]
    content = b"".join(json.dumps(line).encode() + b"\n" for line in good)
    assert line_violations("BatchInputLine", content) == []
    bad = b'not json\n{"custom_id": "r1", "body": {}}\n{"body": {}}\n[1]\n'
    for endpoint in ("/v1/chat/completions", "/v1/completions", "/v1/audio/transcriptions"):
        file_id = emulator.add_file(content + bad)
        job_id = emulator.add_job(input_file_id=file_id, endpoint=endpoint)
        clock.advance(5)
        job = emulator.job(job_id)
        assert job["status"] == "COMPLETED"
        errors = emulator.file_content(job["error_file_id"])
        assert line_violations("BatchErrorLine", errors) == []
        if job["output_file_id"] is not None:
            assert (
                line_violations("BatchOutputLine", emulator.file_content(job["output_file_id"]))
                == []
            )
        # Synthesized inputs are valid input files too.
    synthesized = emulator.add_job()
    clock.advance(5)
    output = emulator.file_content(emulator.job(synthesized)["output_file_id"])
    assert line_violations("BatchOutputLine", output) == []


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
