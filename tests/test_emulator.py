"""The Batch API emulator: timelines, outcomes, cancel, HTTP semantics, faults, transports."""

from __future__ import annotations

import asyncio
import io
import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from together_batches.testing import (
    Emulator,
    FakeClock,
    Fault,
    FaultKind,
    JobPlan,
    SystemClock,
    progress_at,
    run_server,
    snapshot_at,
)

START = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
CREATE = {"endpoint": "/v1/chat/completions", "input_file_id": "file-unknown"}
SERVER_THREAD = "together-batches-emulator"


class Env:
    """An emulator on a fake clock, with a client on its in-process transport."""

    def __init__(self, **options: Any) -> None:
        self.clock = FakeClock(start=START)
        self.emulator = Emulator(clock=self.clock, **options)
        self.http = httpx.Client(
            base_url="http://emulator.test/v1", transport=self.emulator.transport(), headers=AUTH
        )

    def create(self, **body: Any) -> dict[str, Any]:
        response = self.http.post("/batches", json={**CREATE, **body})
        assert response.status_code == 201, response.text
        job: dict[str, Any] = response.json()["job"]
        return job

    def get(self, job_id: str) -> dict[str, Any]:
        response = self.http.get(f"/batches/{job_id}")
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        return job

    def lines(self, file_id: str) -> list[dict[str, Any]]:
        response = self.http.get(f"/files/{file_id}/content")
        assert response.status_code == 200, response.text
        return [json.loads(line) for line in response.text.splitlines()]


@pytest.fixture
def env() -> Iterator[Env]:
    environment = Env(plan=JobPlan(validating_seconds=10, running_seconds=100))
    yield environment
    environment.http.close()


def _iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


# --- clocks -------------------------------------------------------------------------------


def test_fake_clock_moves_only_forward_and_only_when_told() -> None:
    clock = FakeClock(start=START)
    assert clock.now() == START == clock.now()
    assert clock.advance(90) == START + timedelta(seconds=90)
    clock.set(START + timedelta(days=1))
    assert clock.now() == START + timedelta(days=1)
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock.set(START)
    with pytest.raises(ValueError):
        FakeClock(start=datetime(2025, 1, 1))  # a naive start is refused


def test_system_clock_runs_at_its_speed() -> None:
    clock = SystemClock(speed=3600.0)
    before = clock.now()
    time.sleep(0.02)
    elapsed = (clock.now() - before).total_seconds()
    assert elapsed >= 0.02 * 3600 * 0.9
    assert abs((SystemClock().now() - datetime.now(UTC)).total_seconds()) < 5
    with pytest.raises(ValueError):
        SystemClock(speed=0)


# --- pure timeline ------------------------------------------------------------------------

PLAN = JobPlan(validating_seconds=10, running_seconds=100)


@pytest.mark.parametrize(
    ("plan", "elapsed", "cancel_after", "status", "progress", "ended_after"),
    [
        (PLAN, 0, None, "VALIDATING", 0.0, None),
        (PLAN, 9.9, None, "VALIDATING", 0.0, None),
        (PLAN, 10, None, "IN_PROGRESS", 0.0, None),
        (PLAN, 35, None, "IN_PROGRESS", 25.0, None),
        (PLAN, 110, None, "COMPLETED", 100.0, 110),
        (PLAN, 10**6, None, "COMPLETED", 100.0, 110),
        (JobPlan(10, 100, fail_after_seconds=5), 5, None, "FAILED", 0.0, 5),
        (JobPlan(10, 100, fail_after_seconds=60), 59, None, "IN_PROGRESS", 49.0, None),
        (JobPlan(10, 100, fail_after_seconds=60), 61, None, "FAILED", 50.0, 60),
        (JobPlan(10, 100, fail_after_seconds=110), 110, None, "FAILED", 100.0, 110),
        (JobPlan(10, math.inf), 86399, None, "IN_PROGRESS", 0.0, None),
        (JobPlan(10, math.inf), 86400, None, "EXPIRED", 0.0, 86400),
        (JobPlan(10, 100, expires_after_seconds=60), 60, None, "EXPIRED", 50.0, 60),
        (PLAN, 60, 60, "CANCELING", 50.0, None),
        (PLAN, 60.5, 60, "CANCELING", 50.0, None),
        (PLAN, 500, 60, "CANCELLED", 50.0, 61),
        (JobPlan(10, 100, cancel_seconds=0), 60, 60, "CANCELLED", 50.0, 60),
        (PLAN, 5, 5, "CANCELING", 0.0, None),
    ],
)
def test_snapshot_at(
    plan: JobPlan,
    elapsed: float,
    cancel_after: float | None,
    status: str,
    progress: float,
    ended_after: float | None,
) -> None:
    snapshot = snapshot_at(plan, elapsed, cancel_after)
    assert (snapshot.status, snapshot.progress, snapshot.ended_after) == (
        status,
        progress,
        ended_after,
    )


def test_progress_at_handles_instant_runs() -> None:
    assert progress_at(JobPlan(validating_seconds=1, running_seconds=0), 1) == 100.0
    assert progress_at(JobPlan(validating_seconds=1, running_seconds=0), 0.5) == 0.0


def test_job_plan_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        JobPlan(running_seconds=-1)
    with pytest.raises(ValueError):
        JobPlan(failed_fraction=1.5)


# --- lifecycle over HTTP ------------------------------------------------------------------


def test_a_job_validates_runs_with_rising_progress_and_completes(env: Env) -> None:
    job = env.create()
    assert job["status"] == "VALIDATING"
    assert job["progress"] == 0
    assert job["created_at"] == _iso(START)
    assert job["job_deadline"] == _iso(START + timedelta(hours=24))
    assert job["endpoint"] == "/v1/chat/completions"
    assert job["input_file_id"] == "file-unknown"
    for name in ("output_file_id", "error_file_id", "error", "completed_at"):
        assert job[name] is None
    seen = []
    for _ in range(5):
        env.clock.advance(20)
        current = env.get(job["id"])
        seen.append((current["status"], current["progress"]))
    assert seen == [
        ("IN_PROGRESS", 10.0),
        ("IN_PROGRESS", 30.0),
        ("IN_PROGRESS", 50.0),
        ("IN_PROGRESS", 70.0),
        ("IN_PROGRESS", 90.0),
    ]
    env.clock.advance(10)
    done = env.get(job["id"])
    assert done["status"] == "COMPLETED"
    assert done["progress"] == 100
    assert done["completed_at"] == _iso(START + timedelta(seconds=110))
    assert done["error_file_id"] is None
    lines = env.lines(done["output_file_id"])
    assert sorted(line["custom_id"] for line in lines) == sorted(f"request-{i}" for i in range(8))
    # The documented order is "not input order"; the emulator shuffles to keep clients honest.
    assert [line["custom_id"] for line in lines] != [f"request-{i}" for i in range(8)]
    for line in lines:
        assert line["response"]["status_code"] == 200
        body = line["response"]["body"]
        assert body["object"] == "chat.completion"
        assert body["choices"][0]["message"]["role"] == "assistant"


def test_output_file_metadata(env: Env) -> None:
    job = env.create()
    env.clock.advance(200)
    file_id = env.get(job["id"])["output_file_id"]
    meta = env.http.get(f"/files/{file_id}").json()
    content = env.http.get(f"/files/{file_id}/content")
    assert content.headers["content-type"] == "application/octet-stream"
    assert meta == {
        "id": file_id,
        "object": "file",
        "created_at": int((START + timedelta(seconds=110)).timestamp()),
        "filename": f"{job['id']}-output.jsonl",
        "bytes": len(content.content),
        "purpose": "batch-generated",
        "FileType": "jsonl",
        "Processed": True,
        "processing_status": "COMPLETED",
        "validation_report": {"valid": True, "nlines": content.content.count(b"\n")},
    }


def test_registered_input_files_drive_the_requests(env: Env) -> None:
    content = b"".join(
        json.dumps(
            {"custom_id": f"q{i}", "body": {"model": "org/model-x", "prompt": "hi"}}
        ).encode()
        + b"\n"
        for i in range(5)
    )
    file_id = env.emulator.add_file(content + b"not json\n\n", filename="mine.jsonl")
    meta = env.http.get(f"/files/{file_id}").json()
    size = len(content) + len(b"not json\n\n")
    assert (meta["filename"], meta["purpose"], meta["bytes"]) == ("mine.jsonl", "batch-api", size)
    job = env.create(input_file_id=file_id)
    assert job["model_id"] == "org/model-x"
    assert job["file_size_bytes"] == size
    assert env.create(input_file_id=file_id, model_id="other/model")["model_id"] == "other/model"
    env.clock.advance(200)
    lines = env.lines(env.get(job["id"])["output_file_id"])
    assert sorted(line["custom_id"] for line in lines) == [f"q{i}" for i in range(5)]
    assert env.http.get(f"/files/{file_id}/content").content == content + b"not json\n\n"


def test_failed_fraction_splits_results_into_output_and_error_files() -> None:
    env = Env(plan=JobPlan(validating_seconds=1, running_seconds=1, failed_fraction=0.25))
    job = env.create()
    env.clock.advance(5)
    done = env.get(job["id"])
    assert done["status"] == "COMPLETED"
    output = env.lines(done["output_file_id"])
    errors = env.lines(done["error_file_id"])
    assert (len(output), len(errors)) == (6, 2)
    ids = [line["custom_id"] for line in output + errors]
    assert sorted(ids) == sorted(f"request-{i}" for i in range(8))
    for line in errors:
        assert set(line) == {"custom_id", "error"}
        assert set(line["error"]) == {"message", "code"}


def test_synthesized_request_count_is_configurable() -> None:
    env = Env(synthesized_requests=3, plan=JobPlan(validating_seconds=0, running_seconds=0))
    job = env.create()
    assert len(env.lines(env.get(job["id"])["output_file_id"])) == 3


def test_scripted_failure_keeps_the_requests_finished_before_it() -> None:
    env = Env(plan=JobPlan(10, 100, fail_after_seconds=60, error="GPU on fire"))
    job = env.create()
    env.clock.advance(59)
    assert env.get(job["id"])["status"] == "IN_PROGRESS"
    env.clock.advance(1)
    failed = env.get(job["id"])
    assert (failed["status"], failed["error"], failed["progress"]) == ("FAILED", "GPU on fire", 50)
    assert failed["completed_at"] == _iso(START + timedelta(seconds=60))
    assert len(env.lines(failed["output_file_id"])) == 4
    assert failed["error_file_id"] is None


def test_failure_while_validating_has_no_output() -> None:
    env = Env(plan=JobPlan(10, 100, fail_after_seconds=3))
    job = env.create()
    env.clock.advance(3)
    failed = env.get(job["id"])
    assert failed["status"] == "FAILED"
    assert failed["output_file_id"] is None
    assert failed["progress"] == 0


def test_jobs_expire_at_the_24h_deadline() -> None:
    env = Env(plan=JobPlan(validating_seconds=10, running_seconds=math.inf))
    job = env.create()
    env.clock.advance(24 * 3600 - 1)
    assert env.get(job["id"])["status"] == "IN_PROGRESS"
    env.clock.advance(1)
    expired = env.get(job["id"])
    assert expired["status"] == "EXPIRED"
    assert expired["completed_at"] == expired["job_deadline"] == _iso(START + timedelta(days=1))
    assert expired["error"] is None
    assert expired["output_file_id"] is None


def test_expiry_can_be_scripted_sooner_and_keeps_partial_output() -> None:
    env = Env(plan=JobPlan(10, 100, expires_after_seconds=60))
    job = env.create()
    assert job["job_deadline"] == _iso(START + timedelta(seconds=60))
    env.clock.advance(60)
    expired = env.get(job["id"])
    assert (expired["status"], expired["progress"]) == ("EXPIRED", 50)
    assert len(env.lines(expired["output_file_id"])) == 4


def test_plans_can_be_scripted_per_create(env: Env) -> None:
    env.emulator.plan_next(JobPlan(0, 1, warning="input has 2 duplicate lines"), JobPlan(0, 50))
    first = env.http.post("/batches", json=CREATE).json()
    second = env.http.post("/batches", json=CREATE).json()
    third = env.http.post("/batches", json=CREATE).json()
    assert first["warning"] == "input has 2 duplicate lines"
    assert "warning" not in second
    assert "warning" not in third
    env.clock.advance(5)
    statuses = [env.get(r["job"]["id"])["status"] for r in (first, second, third)]
    assert statuses == ["COMPLETED", "IN_PROGRESS", "VALIDATING"]


def test_add_job_and_inspection_helpers(env: Env) -> None:
    old = env.emulator.add_job(JobPlan(1, 1), created_at=START - timedelta(hours=1))
    new = env.emulator.add_job(model_id="org/m", endpoint="/v1/completions")
    assert env.emulator.job_ids == [old, new]
    assert env.emulator.job(old)["status"] == "COMPLETED"
    assert env.emulator.job(new)["model_id"] == "org/m"
    assert env.emulator.job(new)["endpoint"] == "/v1/completions"
    assert env.emulator.file_content(env.emulator.job(old)["output_file_id"]).count(b"\n") == 8
    with pytest.raises(KeyError):
        env.emulator.job("nope")
    with pytest.raises(KeyError):
        env.emulator.file_content("file-nope")
    assert env.emulator.requests == []  # direct helpers are not requests


def test_ids_are_reproducible_with_a_seed() -> None:
    assert Env(seed=7).create()["id"] == Env(seed=7).create()["id"] != Env(seed=8).create()["id"]


# --- cancel -------------------------------------------------------------------------------


def test_cancel_goes_through_canceling_to_cancelled_and_keeps_finished_requests() -> None:
    env = Env(plan=JobPlan(10, 100, cancel_seconds=5))
    job = env.create()
    env.clock.advance(60)
    answer = env.http.post(f"/batches/{job['id']}/cancel")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["progress"]) == ("CANCELING", 50)
    env.clock.advance(4)
    again = env.http.post(f"/batches/{job['id']}/cancel")
    assert (again.status_code, again.json()["status"]) == (200, "CANCELING")
    assert env.get(job["id"])["progress"] == 50  # frozen at the cancel
    env.clock.advance(1)
    cancelled = env.get(job["id"])
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["completed_at"] == _iso(START + timedelta(seconds=65))
    assert len(env.lines(cancelled["output_file_id"])) == 4
    env.clock.advance(1000)  # the completion it was scheduled for never comes
    assert env.get(job["id"])["status"] == "CANCELLED"
    refused = env.http.post(f"/batches/{job['id']}/cancel")
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/json"
    assert isinstance(refused.json()["error"], str)


def test_cancel_while_validating_leaves_no_output(env: Env) -> None:
    job = env.create()
    env.http.post(f"/batches/{job['id']}/cancel")
    env.clock.advance(1)
    cancelled = env.get(job["id"])
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["output_file_id"] is None


@pytest.mark.parametrize("plan", [JobPlan(0, 0), JobPlan(fail_after_seconds=0)])
def test_cancel_of_a_terminal_job_is_refused(plan: JobPlan) -> None:
    env = Env(plan=plan)
    job = env.create()
    response = env.http.post(f"/batches/{job['id']}/cancel")
    assert response.status_code == 400
    assert "Cannot cancel" in response.json()["error"]


# --- HTTP semantics -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": "Bearer "},
    ],
)
def test_requests_without_the_key_get_401(env: Env, headers: dict[str, str]) -> None:
    env.http.headers.pop("Authorization")
    batch = env.http.get("/batches", headers=headers)
    assert batch.status_code == 401
    assert isinstance(batch.json()["error"], str)
    files = env.http.get("/files/file-x", headers=headers)
    assert files.status_code == 401
    assert files.json()["error"]["type"] == "authentication_error"
    assert env.emulator.job_ids == []


def test_any_key_is_accepted_when_none_is_configured() -> None:
    env = Env(api_key=None)
    assert env.http.get("/batches", headers={"Authorization": "Bearer whatever"}).status_code == 200


def test_unknown_ids_get_404_in_their_endpoint_style(env: Env) -> None:
    for path in ("/batches/nope", "/batches/nope/cancel"):
        method = "POST" if path.endswith("cancel") else "GET"
        response = env.http.request(method, path)
        assert response.status_code == 404
        assert response.json() == {"error": "Batch job nope not found"}
    for path in ("/files/file-nope", "/files/file-nope/content"):
        response = env.http.get(path)
        assert response.status_code == 404
        assert response.json() == {
            "error": {
                "message": "File file-nope not found",
                "type": "not_found_error",
                "param": None,
                "code": None,
            }
        }


def test_a_job_files_do_not_exist_before_the_job_ends() -> None:
    env = Env(seed=0)
    job = env.create()
    env.clock.advance(110)
    file_id = env.get(job["id"])["output_file_id"]
    other = Env(plan=JobPlan(10, 100), seed=0)
    other.create()
    # Same seed, so the same ids: the second emulator's job has not ended yet.
    assert other.http.get(f"/files/{file_id}").status_code == 404
    other.clock.advance(110)
    assert other.http.get(f"/files/{file_id}").status_code == 200


def test_ids_differ_from_run_to_run_without_a_seed() -> None:
    assert Env().create()["id"] != Env().create()["id"]


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("GET", "/v1", 404, None),
        ("GET", "/v1/", 404, None),
        ("GET", "/v1/batches/", 404, None),
        ("GET", "/v2/batches", 404, None),
        ("GET", "/v1/models", 404, None),
        ("GET", "/v1/batches/x/cancel/more", 404, None),
        ("GET", "/_storage", 404, None),
        ("DELETE", "/v1/batches/x", 405, "GET"),
        ("GET", "/v1/batches/x/cancel", 405, "POST"),
        ("PUT", "/v1/batches", 405, "GET, POST"),
        ("POST", "/v1/files/file-x", 405, "GET, DELETE"),
        ("GET", "/v1/files/file-x/preprocess", 405, "POST"),
        ("PUT", "/v1/files", 405, "GET, POST"),
        ("GET", "/_storage/file-x", 405, "PUT"),
        # Methods served nowhere: 405 on any path, never the HTML 501 of http.server.
        ("TRACE", "/v1/batches", 405, "GET, POST"),
        ("HEAD", "/v1/batches/x", 405, "GET"),
        ("OPTIONS", "/v1/files", 405, "GET, POST"),
        ("PATCH", "/v1/nowhere", 405, "GET, POST, PUT, DELETE"),
        ("BREW", "/v1/batches", 405, "GET, POST"),
    ],
)
def test_unknown_routes(env: Env, method: str, path: str, status: int, allow: str | None) -> None:
    response = env.emulator.handle(method, path, AUTH)
    assert response.status == status
    assert response.header("content-type") == "application/json"
    assert "error" in response.json()
    assert response.header("allow") == allow


@pytest.mark.parametrize("method", ["TRACE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "BREW"])
def test_the_server_answers_unserved_methods_with_a_json_405(method: str) -> None:
    emulator = Emulator(clock=FakeClock(start=START))
    with emulator.serve() as base_url, httpx.Client(headers=AUTH) as http:
        response = http.request(method, f"{base_url}/batches")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST"
        assert response.headers["content-type"] == "application/json"
        if method == "HEAD":
            # No body, as HTTP has it, and the connection is still usable after it.
            assert response.content == b""
            assert http.get(f"{base_url}/batches").status_code == 200
        else:
            assert "not allowed" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"",
        b"[]",
        b'"x"',
        b"null",
        b"{}",
        json.dumps({"endpoint": "/v1/chat/completions"}).encode(),
        json.dumps({"input_file_id": "file-1"}).encode(),
        json.dumps({"endpoint": 1, "input_file_id": "file-1"}).encode(),
        json.dumps({"endpoint": "/v1/chat/completions", "input_file_id": None}).encode(),
        json.dumps({**CREATE, "completion_window": "48h"}).encode(),
        json.dumps({**CREATE, "completion_window": None}).encode(),
        json.dumps({**CREATE, "priority": "1"}).encode(),
        json.dumps({**CREATE, "priority": 1.5}).encode(),
        json.dumps({**CREATE, "priority": True}).encode(),
        json.dumps({**CREATE, "model_id": 3}).encode(),
    ],
)
def test_bad_create_bodies_get_400(env: Env, body: bytes) -> None:
    response = env.http.post("/batches", content=body)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)
    assert env.emulator.job_ids == []


def test_full_create_body_is_accepted(env: Env) -> None:
    body = {**CREATE, "completion_window": "24h", "priority": 1, "model_id": "org/m"}
    response = env.http.post("/batches", json=body)
    assert response.status_code == 201
    assert response.json()["job"]["model_id"] == "org/m"


def test_strict_files_refuses_unknown_input_files() -> None:
    env = Env(strict_files=True)
    assert env.http.post("/batches", json=CREATE).status_code == 400
    file_id = env.emulator.add_file(b'{"custom_id": "a", "body": {}}\n')
    assert env.http.post("/batches", json={**CREATE, "input_file_id": file_id}).status_code == 201


def test_list_is_null_when_empty_unless_told_otherwise(env: Env) -> None:
    empty = env.http.get("/batches")
    assert (empty.status_code, empty.content, empty.json()) == (200, b"null", None)
    assert Env(null_when_empty=False).http.get("/batches").json() == []
    ids = [env.create()["id"], env.create()["id"]]
    assert [job["id"] for job in env.http.get("/batches").json()] == ids


def test_percent_encoded_ids_are_one_segment_and_recorded(env: Env) -> None:
    env.http.get("/batches")
    env.emulator.handle("POST", "/v1/batches/a%2Fb%3Fc/cancel?x=1", AUTH)
    env.emulator.handle("GET", "/v1/files/file%2F..%2Fx/content", AUTH)
    seen = [(r.method, r.raw_path, r.route, r.path_id) for r in env.emulator.requests]
    assert seen == [
        ("GET", "/v1/batches", "list_batches", None),
        ("POST", "/v1/batches/a%2Fb%3Fc/cancel?x=1", "cancel_batch", "a/b?c"),
        ("GET", "/v1/files/file%2F..%2Fx/content", "get_file_content", "file/../x"),
    ]
    assert env.emulator.requests[0].headers["authorization"] == f"Bearer {KEY}"
    env.emulator.requests.clear()
    assert env.emulator.requests == []


def test_a_real_job_id_round_trips_through_quoting(env: Env) -> None:
    job_id = env.create()["id"]
    assert env.http.get(f"/batches/{job_id}").json()["id"] == job_id
    assert env.emulator.requests[-1].path_id == job_id


# --- faults -------------------------------------------------------------------------------


def test_status_faults_apply_in_order_then_stop(env: Env) -> None:
    env.emulator.faults.add(Fault.status(500), Fault.status(503, times=2, retry_after=1.5))
    codes = [env.http.get("/batches") for _ in range(4)]
    assert [r.status_code for r in codes] == [500, 503, 503, 200]
    assert codes[1].headers["retry-after"] == "1.5"
    assert isinstance(codes[0].json()["error"], str)
    assert len(env.emulator.faults) == 0


def test_faults_can_be_limited_to_a_route_or_method(env: Env) -> None:
    env.emulator.faults.add(
        Fault.status(503, path_prefix="/v1/files"), Fault.status(500, method="post")
    )
    assert env.http.get("/batches").status_code == 200
    assert env.http.post("/batches", json=CREATE).status_code == 500
    assert env.emulator.job_ids == []  # the answer stood in for the server: nothing created
    nested = env.http.get("/files/file-x")
    assert nested.status_code == 503
    assert nested.json()["error"]["type"] == "server_error"
    pending = env.emulator.faults.pending
    assert pending == []


def test_502_is_an_html_page(env: Env) -> None:
    env.emulator.faults.add(Fault.status(502))
    response = env.http.get("/batches")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert b"502 Bad Gateway" in response.content


def test_rate_limits_carry_retry_hints(env: Env) -> None:
    env.emulator.faults.add(
        Fault.rate_limited(times=1, retry_after=2),
        Fault.rate_limited(retry_after=None, retry_after_ms=250),
    )
    first = env.http.post("/batches", json=CREATE)
    assert first.status_code == 429
    assert first.headers["retry-after"] == "2"
    assert "retry-after-ms" not in first.headers
    assert first.json()["error_type"] == "dynamic_request_limited"
    second = env.http.get("/batches")
    assert (second.status_code, second.headers["retry-after-ms"]) == (429, "250")
    assert "retry-after" not in second.headers
    assert env.emulator.job_ids == []
    assert env.http.post("/batches", json=CREATE).status_code == 201


def test_not_json_fault(env: Env) -> None:
    env.emulator.faults.add(Fault.not_json())
    response = env.http.get("/batches")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_truncated_fault_cuts_a_processed_answer(env: Env) -> None:
    env.emulator.faults.add(Fault.truncated(method="POST"))
    response = env.http.post("/batches", json=CREATE)
    assert response.status_code == 201
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(ValueError):
        response.json()
    job_id = env.emulator.job_ids[0]
    assert (
        response.text
        == json.dumps({"job": env.get(job_id)}, separators=(",", ":"))[: len(response.text)]
    )


@pytest.mark.parametrize("processed", [True, False])
def test_dropped_connections_raise_and_may_have_taken_effect(env: Env, processed: bool) -> None:
    env.emulator.faults.add(Fault.drop_connection(processed=processed))
    with pytest.raises(httpx.RemoteProtocolError):
        env.http.post("/batches", json=CREATE)
    assert len(env.emulator.job_ids) == int(processed)
    assert env.http.get("/batches").status_code == 200


def test_slow_fault_really_waits(env: Env) -> None:
    env.emulator.faults.add(Fault.slow(0.15))
    started = time.perf_counter()
    assert env.http.get("/batches").status_code == 200
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    env.http.get("/batches")
    assert time.perf_counter() - started < 0.1


def test_unknown_status_shows_on_the_next_successful_job_answers(env: Env) -> None:
    job_id = env.create()["id"]
    other_id = env.create()["id"]
    env.emulator.faults.add(Fault.unknown_status("REVERSING_POLARITY", times=3))
    assert env.http.get("/files/file-x").status_code == 404  # not a job answer: not consumed
    assert env.http.get("/batches/nope").status_code == 404  # not a success: not consumed
    assert env.get(job_id)["status"] == "REVERSING_POLARITY"
    listed = env.http.get("/batches").json()
    assert [job["status"] for job in listed] == ["REVERSING_POLARITY", "VALIDATING"]
    created = env.http.post("/batches", json=CREATE).json()
    assert created["job"]["status"] == "REVERSING_POLARITY"
    assert env.get(other_id)["status"] == "VALIDATING"


def test_null_list_fault(env: Env) -> None:
    env.create()
    env.emulator.faults.add(Fault.null_list())
    env.create()  # other routes leave it queued
    assert env.http.get("/batches").json() is None
    assert len(env.http.get("/batches").json()) == 2


def test_fault_queue_bookkeeping(env: Env) -> None:
    with pytest.raises(ValueError):
        Fault.status(500, times=0)
    env.emulator.faults.add(Fault.slow(1, times=3))
    assert env.emulator.faults.pending == [(Fault.slow(1, times=3), 3)]
    assert env.emulator.faults.pending[0][0].kind is FaultKind.SLOW
    env.emulator.faults.clear()
    assert len(env.emulator.faults) == 0


# --- transports and the server ------------------------------------------------------------


def test_async_transport_serves_the_same_emulator() -> None:
    clock = FakeClock(start=START)
    emulator = Emulator(clock=clock, plan=JobPlan(1, 1))

    async def scenario() -> list[Any]:
        async with httpx.AsyncClient(
            base_url="http://emulator.test/v1", transport=emulator.async_transport(), headers=AUTH
        ) as http:
            created = await http.post("/batches", json=CREATE)
            clock.advance(5)
            job = (await http.get(f"/batches/{created.json()['job']['id']}")).json()
            emulator.faults.add(Fault.drop_connection(), Fault.slow(0.1))
            with pytest.raises(httpx.RemoteProtocolError):
                await http.get("/batches")
            started = time.perf_counter()
            listed = await http.get("/batches")
            return [
                created.status_code,
                job["status"],
                listed.status_code,
                time.perf_counter() - started,
            ]

    created, status, listed, waited = asyncio.run(scenario())
    assert (created, status, listed) == (201, "COMPLETED", 200)
    assert waited >= 0.1


def _server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == SERVER_THREAD]


def test_loopback_server_speaks_real_http_and_stops_cleanly() -> None:
    clock = FakeClock(start=START)
    emulator = Emulator(clock=clock, plan=JobPlan(1, 1))
    with emulator.serve(port=0) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v1")
        assert len(_server_threads()) == 1
        with httpx.Client(base_url=base_url, headers=AUTH) as http:
            assert http.get("/batches").json() is None
            created = http.post("/batches", json=CREATE)
            assert created.status_code == 201
            assert created.headers["content-length"] == str(len(created.content))
            assert created.http_version == "HTTP/1.1"
            clock.advance(5)
            job = http.get(f"/batches/{created.json()['job']['id']}").json()
            assert job["status"] == "COMPLETED"
            lines = http.get(f"/files/{job['output_file_id']}/content").text.splitlines()
            assert len(lines) == 8
            assert http.get("/batches/a%2Fb").status_code == 404
            assert emulator.requests[-1].path_id == "a/b"
            assert http.get("/batches", headers={"Authorization": "Bearer no"}).status_code == 401
            emulator.faults.add(Fault.drop_connection(), Fault.status(502), Fault.slow(0.1))
            with pytest.raises(httpx.RemoteProtocolError):
                http.get("/batches")
            bad_gateway = http.get("/batches")
            assert bad_gateway.status_code == 502
            assert bad_gateway.headers["content-type"] == "text/html"
            started = time.perf_counter()
            assert http.get("/batches").status_code == 200
            assert time.perf_counter() - started >= 0.1
            emulator.faults.add(Fault.drop_connection(processed=False))
            with pytest.raises(httpx.RemoteProtocolError):
                http.post("/batches", json=CREATE)
            # The client is still open on a keep-alive connection when the server stops.
            http.get("/batches")
            port = int(base_url.rsplit(":", 1)[1].split("/")[0])
            started = time.perf_counter()
    assert time.perf_counter() - started < 2
    assert _server_threads() == []
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_run_server_prints_the_url_and_stops_on_request() -> None:
    stop = threading.Event()
    out = io.StringIO()
    thread = threading.Thread(
        target=run_server,
        kwargs={"port": 0, "api_key": "k", "speed": 60.0, "stop": stop, "out": out},
    )
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        base_url = out.getvalue().splitlines()[0]
        assert base_url.startswith("http://127.0.0.1:")
        response = httpx.get(f"{base_url}/batches", headers={"Authorization": "Bearer k"})
        assert response.status_code == 200
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert _server_threads() == []


def test_the_server_handles_concurrent_clients_consistently() -> None:
    emulator = Emulator(clock=FakeClock(start=START))
    with emulator.serve() as base_url:

        def worker() -> list[int]:
            with httpx.Client(base_url=base_url, headers=AUTH) as http:
                return [http.post("/batches", json=CREATE).status_code for _ in range(5)]

        results: list[list[int]] = []
        threads = [threading.Thread(target=lambda: results.append(worker())) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(5)
        with httpx.Client(base_url=base_url, headers=AUTH) as http:
            listed = http.get("/batches").json()
    assert [code for codes in results for code in codes] == [201] * 40
    assert len({job["id"] for job in listed}) == 40
    assert len(emulator.requests) == 41


@pytest.mark.parametrize("path", ["http://emulator.test/v3/whoami", "/whoami"])
def test_whoami_answers_a_project_key_as_the_official_cli_reads_it(path: str) -> None:
    env = Env()
    answer = env.http.get(path)
    assert answer.status_code == 200
    identity = answer.json()
    assert identity["type"] == "project_api_key"
    assert set(identity["project"]) == {"id", "name", "slug"}
    assert set(identity["organization"]) == {"id", "name"} and "id" in identity["api_key"]
    assert env.emulator.requests[-1].route == "whoami"
    refused = env.http.get(path, headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401
