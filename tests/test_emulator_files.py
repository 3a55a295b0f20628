"""The emulator's files: the upload flow, dedup, list, delete, and batches reading their input."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from together_batches import Together
from together_batches.testing import Emulator, FakeClock, JobPlan

from ._processes import finish

START = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
LINES = [
    {"custom_id": f"q{i}", "body": {"model": "org/m", "messages": [{"role": "user", "content": f"n{i}"}]}}
    for i in range(6)
]  # fmt: skip
CONTENT = b"".join(json.dumps(line).encode() + b"\n" for line in LINES)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class Env:
    """An emulator on a fake clock, an API client (with the key) and a storage client (without)."""

    def __init__(self, **options: Any) -> None:
        self.clock = FakeClock(start=START)
        options.setdefault("plan", JobPlan(validating_seconds=1, running_seconds=1))
        self.emulator = Emulator(clock=self.clock, **options)
        transport = self.emulator.transport()
        self.api = httpx.Client(
            base_url="http://emulator.test/v1", transport=transport, headers=AUTH
        )
        self.storage = httpx.Client(transport=transport)

    def start(self, content: bytes = CONTENT, **form: str) -> httpx.Response:
        fields = {"purpose": "batch-api", "file_name": "in.jsonl", "checksum": sha256(content)}
        return self.api.post("/files", data={**fields, **form})

    def upload(self, content: bytes = CONTENT, **form: str) -> str:
        started = self.start(content, **form)
        assert started.status_code == 302, started.text
        assert self.storage.put(started.headers["location"], content=content).status_code == 200
        done = self.api.post(f"/files/{started.headers['x-together-file-id']}/preprocess")
        assert done.status_code == 200, done.text
        file_id: str = done.json()["id"]
        return file_id

    def finished(self, file_id: str, endpoint: str = "/v1/chat/completions") -> dict[str, Any]:
        created = self.api.post("/batches", json={"endpoint": endpoint, "input_file_id": file_id})
        assert created.status_code == 201, created.text
        self.clock.advance(5)
        job: dict[str, Any] = self.api.get(f"/batches/{created.json()['job']['id']}").json()
        assert job["status"] == "COMPLETED"
        return job

    def lines(self, file_id: str | None) -> list[dict[str, Any]]:
        if file_id is None:
            return []
        response = self.api.get(f"/files/{file_id}/content")
        assert response.status_code == 200, response.text
        return [json.loads(line) for line in response.content.splitlines()]


@pytest.fixture
def env() -> Iterator[Env]:
    made = Env()
    yield made
    made.api.close()
    made.storage.close()


# --- the upload flow ----------------------------------------------------------------------


def test_an_upload_goes_form_302_put_preprocess_and_is_then_a_processed_file(env: Env) -> None:
    started = env.start()
    assert started.status_code == 302
    assert started.content == b""
    file_id = started.headers["x-together-file-id"]
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", file_id)
    location = httpx.URL(started.headers["location"])
    # Presigned on the emulator's own origin, so that any transport or server reaches it.
    assert (location.scheme, location.host, location.path) == (
        "http", "emulator.test", f"/_storage/{file_id}",
    )  # fmt: skip
    assert "X-Amz-Signature" in location.params
    assert env.api.get(f"/files/{file_id}").status_code == 404  # nothing stored yet
    put = env.storage.put(location, content=CONTENT)
    assert (put.status_code, put.content) == (200, b"")
    assert put.headers["etag"] == f'"{hashlib.md5(CONTENT).hexdigest()}"'
    pending = env.api.get(f"/files/{file_id}").json()
    assert (pending["Processed"], pending["processing_status"]) == (False, "PENDING")
    assert pending["validation_report"] is None
    meta = env.api.post(f"/files/{file_id}/preprocess").json()
    assert meta == {
        "id": file_id, "object": "file", "created_at": int(START.timestamp()),
        "filename": "in.jsonl", "bytes": len(CONTENT), "purpose": "batch-api",
        "FileType": "jsonl", "Processed": True, "processing_status": "COMPLETED",
        "validation_report": {"valid": True, "nlines": CONTENT.count(b"\n")},
    }  # fmt: skip
    assert env.api.post(f"/files/{file_id}/preprocess").json() == meta  # idempotent
    assert env.api.get(f"/files/{file_id}/content").content == CONTENT
    put_request = next(r for r in env.emulator.requests if r.method == "PUT")
    assert "authorization" not in put_request.headers


def test_the_put_refuses_an_api_key_and_stores_nothing(env: Env) -> None:
    started = env.start()
    refused = env.storage.put(started.headers["location"], content=CONTENT, headers=AUTH)
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/xml"
    assert b"<Code>InvalidArgument</Code>" in refused.content
    file_id = started.headers["x-together-file-id"]
    unfinished = env.api.post(f"/files/{file_id}/preprocess")
    assert unfinished.status_code == 400
    assert "PUT it" in unfinished.json()["error"]["message"]


@pytest.mark.parametrize(
    ("spoil", "status", "code"),
    [
        (lambda url: url.copy_set_param("X-Amz-Signature", "0" * 64), 403, "SignatureDoesNotMatch"),
        (lambda url: url.copy_remove_param("X-Amz-Signature"), 403, "SignatureDoesNotMatch"),
        (
            lambda url: url.copy_with(path="/_storage/file-never-started"),
            403,
            "SignatureDoesNotMatch",
        ),
    ],
)
def test_the_put_needs_the_presigned_url_as_handed_out(
    env: Env, spoil: Callable[[httpx.URL], httpx.URL], status: int, code: str
) -> None:
    location = httpx.URL(env.start().headers["location"])
    refused = env.storage.put(spoil(location), content=CONTENT)
    assert refused.status_code == status
    assert f"<Code>{code}</Code>".encode() in refused.content


def test_the_put_needs_a_content_length_and_the_declared_checksum(env: Env) -> None:
    location = env.start().headers["location"]
    chunked = env.storage.put(location, content=iter([CONTENT[:10], CONTENT[10:]]))
    assert chunked.status_code == 411
    assert b"MissingContentLength" in chunked.content
    wrong = env.storage.put(location, content=CONTENT + b"\n")
    assert wrong.status_code == 400
    assert b"BadDigest" in wrong.content
    # A retried PUT from the start of the file succeeds.
    assert env.storage.put(location, content=CONTENT).status_code == 200


def test_a_put_may_be_repeated_and_the_last_content_counts(env: Env) -> None:
    started = env.start(checksum="")
    assert started.status_code == 400  # an empty checksum is not a SHA-256
    started = env.api.post("/files", data={"purpose": "batch-api", "file_name": "in.jsonl"})
    location, file_id = started.headers["location"], started.headers["x-together-file-id"]
    assert env.storage.put(location, content=b"first\n").status_code == 200
    assert env.storage.put(location, content=CONTENT).status_code == 200
    env.api.post(f"/files/{file_id}/preprocess")
    assert env.api.get(f"/files/{file_id}/content").content == CONTENT


def test_the_same_content_again_is_a_409_naming_the_first_file(env: Env) -> None:
    first = env.upload()
    again = env.start(file_name="other-name.jsonl")
    assert again.status_code == 409
    assert again.json()["file_id"] == first
    assert again.json()["error"]["message"].endswith(first)
    # Without a checksum the service cannot know: a new upload.
    plain = env.api.post("/files", data={"purpose": "batch-api", "file_name": "in.jsonl"})
    assert plain.status_code == 302
    # A file registered directly is known by its content too; a deleted one no longer is.
    added = env.emulator.add_file(b'{"custom_id": "z", "body": {}}\n')
    assert env.start(b'{"custom_id": "z", "body": {}}\n').json()["file_id"] == added
    env.api.delete(f"/files/{first}")
    assert env.start().status_code == 302


@pytest.mark.parametrize("style", ["urlencoded", "multipart", "query"])
def test_the_upload_form_is_read_in_every_style_the_sdks_send(env: Env, style: str) -> None:
    fields = {"purpose": "batch-api", "file_name": "data.parquet"}
    if style == "urlencoded":
        started = env.api.post("/files", data=fields)
    elif style == "multipart":
        # A form with an empty file part, as some clients send, forces multipart encoding.
        started = env.api.post("/files", data=fields, files={"file": ("x", b"")})
    else:
        started = env.api.post("/files", params=fields)
    assert started.status_code == 302, started.text
    file_id = started.headers["x-together-file-id"]
    env.storage.put(started.headers["location"], content=b"PAR1")
    meta = env.api.post(f"/files/{file_id}/preprocess").json()
    assert (meta["filename"], meta["FileType"]) == ("data.parquet", "parquet")


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"file_name": "in.jsonl"}, "purpose is required"),
        ({"purpose": "batch-api"}, "file_name is required"),
        ({"purpose": "fun", "file_name": "in.jsonl"}, "purpose must be one of"),
        ({"purpose": "batch-generated", "file_name": "in.jsonl"}, "purpose must be one of"),
        ({"purpose": "batch-api", "file_name": ""}, "file_name must be"),
        ({"purpose": "batch-api", "file_name": "a/b.jsonl"}, "file_name must be"),
        ({"purpose": "batch-api", "file_name": "in.jsonl", "file_type": "xml"}, "file_type"),
        ({"purpose": "batch-api", "file_name": "in.jsonl", "checksum": "AB" * 32}, "checksum"),
    ],
)
def test_a_bad_upload_form_is_a_400_saying_what_is_wrong(
    env: Env, fields: dict[str, str], fragment: str
) -> None:
    refused = env.api.post("/files", data=fields)
    assert refused.status_code == 400
    assert fragment in refused.json()["error"]["message"]
    assert env.emulator.job_ids == [] and env.api.get("/files").json() == {"data": []}


def test_uploads_need_the_api_key_but_the_put_does_not(env: Env) -> None:
    refused = env.api.post("/files", data={"purpose": "batch-api"}, headers={"Authorization": ""})
    assert refused.status_code == 401


def test_storage_url_points_uploads_at_another_origin() -> None:
    env = Env(storage_url="https://storage.example.test")
    started = env.start()
    location = httpx.URL(started.headers["location"])
    assert (location.scheme, location.host) == ("https", "storage.example.test")
    # The in-process transport answers whatever the host.
    assert env.storage.put(location, content=CONTENT).status_code == 200


def test_the_async_transport_serves_the_upload_flow() -> None:
    emulator = Emulator(clock=FakeClock(start=START))

    async def upload() -> bytes:
        transport = emulator.async_transport()
        async with (
            httpx.AsyncClient(base_url="https://api.example.test/v1", transport=transport,
                              headers=AUTH) as api,
            httpx.AsyncClient(transport=transport) as storage,
        ):  # fmt: skip
            started = await api.post(
                "/files", data={"purpose": "batch-api", "file_name": "a.jsonl"}
            )
            location = started.headers["location"]
            assert location.startswith("https://api.example.test/_storage/")
            assert (await storage.put(location, content=CONTENT)).status_code == 200
            file_id = started.headers["x-together-file-id"]
            await api.post(f"/files/{file_id}/preprocess")
            return (await api.get(f"/files/{file_id}/content")).content

    assert asyncio.run(upload()) == CONTENT


def test_the_loopback_server_serves_the_upload_flow_including_chunked_puts() -> None:
    emulator = Emulator(clock=FakeClock(start=START))
    with (
        emulator.serve() as base_url,
        httpx.Client(base_url=base_url, headers=AUTH) as api,
        httpx.Client() as storage,
    ):
        started = api.post("/files", data={"purpose": "batch-api", "file_name": "a.jsonl",
                                           "checksum": sha256(CONTENT)})  # fmt: skip
        location = started.headers["location"]
        assert location.startswith(base_url.removesuffix("/v1") + "/_storage/")
        # A chunked body is read whole (the connection stays in step), then refused.
        assert storage.put(location, content=iter([CONTENT[:7], CONTENT[7:]])).status_code == 411
        assert storage.put(location, content=CONTENT, headers=AUTH).status_code == 400
        assert storage.put(location, content=CONTENT).status_code == 200
        file_id = started.headers["x-together-file-id"]
        assert api.post(f"/files/{file_id}/preprocess").json()["bytes"] == len(CONTENT)
        assert api.get(f"/files/{file_id}/content").content == CONTENT


# --- list, delete, content ----------------------------------------------------------------


def test_the_list_holds_uploads_and_the_result_files_of_ended_jobs(env: Env) -> None:
    assert env.api.get("/files").json() == {"data": []}
    file_id = env.upload()
    job = env.finished(file_id)
    env.clock.advance(1)
    running = env.api.post(
        "/batches", json={"endpoint": "/v1/completions", "input_file_id": file_id}
    )
    listed = env.api.get("/files").json()["data"]
    assert [f["id"] for f in listed] == [file_id, job["output_file_id"]]
    assert [f["purpose"] for f in listed] == ["batch-api", "batch-generated"]
    assert running.json()["job"]["output_file_id"] is None


def test_delete_removes_a_file_for_good(env: Env) -> None:
    file_id = env.upload()
    output_id = env.finished(file_id)["output_file_id"]
    for gone in (file_id, output_id):
        assert env.api.delete(f"/files/{gone}").json() == {"id": gone, "deleted": True}
        assert env.api.get(f"/files/{gone}").status_code == 404
        assert env.api.get(f"/files/{gone}/content").status_code == 404
        assert env.api.delete(f"/files/{gone}").status_code == 404
    assert env.api.get("/files").json() == {"data": []}
    assert env.api.delete("/files/file-never").json()["error"]["type"] == "not_found_error"


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        (None, 200),
        ("*/*", 200),
        ("application/octet-stream, text/plain", 200),
        ("application/json, */*;q=0.1", 200),
        ("application/json", 406),
        ("application/json; charset=utf-8, application/problem+json", 406),
    ],
)
def test_content_refuses_only_a_request_that_accepts_nothing_but_json(
    env: Env, accept: str | None, status: int
) -> None:
    file_id = env.upload()
    headers = {} if accept is None else {"Accept": accept}
    response = env.api.get(f"/files/{file_id}/content", headers=headers)
    assert response.status_code == status
    if status == 406:
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert (problem["status"], problem["title"]) == (406, "Not Acceptable")
        assert "application/octet-stream" in problem["detail"]


def test_our_client_asks_for_content_in_one_accept_header_without_json() -> None:
    key = "sk-content-accept-5e0c61d9"
    emulator = Emulator(clock=FakeClock(start=START), api_key=key)
    file_id = emulator.add_file(CONTENT)
    sent: list[httpx.Request] = []
    http = httpx.Client(transport=emulator.transport(), event_hooks={"request": [sent.append]})
    with Together(api_key=key, base_url="http://emulator.test/v1", http_client=http) as client:
        assert client.files.content(file_id) == CONTENT  # the strict emulator did not 406
        assert sent[-1].headers.get_list("accept") == ["application/octet-stream, text/plain"]
        client.files.retrieve(file_id)
        assert sent[-1].headers.get_list("accept") == ["application/json"]
    http.close()


# --- batches read their input -------------------------------------------------------------


def test_each_valid_line_gets_a_chat_completion_echoing_its_prompt(env: Env) -> None:
    job = env.finished(env.upload())
    assert job["file_size_bytes"] == len(CONTENT) and job["model_id"] == "org/m"
    assert job["error_file_id"] is None
    output = {line["custom_id"]: line["response"] for line in env.lines(job["output_file_id"])}
    assert sorted(output) == [f"q{i}" for i in range(6)]
    for custom_id, response in output.items():
        assert response["status_code"] == 200
        body = response["body"]
        assert body["object"] == "chat.completion" and body["model"] == "org/m"
        assert body["choices"][0]["message"] == {
            "role": "assistant",
            "content": f"Echo: n{custom_id[1:]}",
        }
        usage = body["usage"]
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0


def test_completions_get_text_completions(env: Env) -> None:
    content = b'{"custom_id": "c", "body": {"model": "m", "prompt": "Once upon"}}\n'
    job = env.finished(env.upload(content), endpoint="/v1/completions")
    (line,) = env.lines(job["output_file_id"])
    body = line["response"]["body"]
    assert body["object"] == "text_completion"
    assert body["choices"][0]["text"] == "Echo: Once upon"


def test_an_endpoint_the_emulator_cannot_answer_fails_every_request(env: Env) -> None:
    job = env.finished(env.upload(), endpoint="/v1/audio/transcriptions")
    errors = env.lines(job["error_file_id"])
    assert sorted(e["custom_id"] for e in errors) == [f"q{i}" for i in range(6)]
    assert all(e["error"]["code"] == 404 for e in errors)
    assert "/v1/audio/transcriptions" in errors[0]["error"]["message"]
    assert env.lines(job["output_file_id"]) == []


def test_invalid_lines_go_to_the_error_file_saying_what_is_wrong(env: Env) -> None:
    content = b"\n".join([
        b'{"custom_id": "ok", "body": {"model": "m"}}',
        b"not json",
        b"[1, 2]",
        b'{"body": {}}',
        b'{"custom_id": 7, "body": {}}',
        b'{"custom_id": "no-body"}',
        b'{"custom_id": "ok", "body": {}}',
        json.dumps({"custom_id": "x" * 65, "body": {}}).encode(),
        b"",
    ]) + b"\n"  # fmt: skip
    job = env.finished(env.upload(content))
    assert [line["custom_id"] for line in env.lines(job["output_file_id"])] == ["ok"]
    errors = {e["custom_id"]: e["error"] for e in env.lines(job["error_file_id"])}
    assert {key: value["message"] for key, value in errors.items()} == {
        "line-2": "line 2 is not valid JSON",
        "line-3": "line 3 is not a JSON object",
        "line-4": "line 4 has no custom_id",
        "line-5": "line 5 has no custom_id",
        "no-body": "line 6: body must be a JSON object",
        "ok": "line 7: custom_id 'ok' repeats line 1",
        "x" * 65: "line 8: custom_id is longer than 64 characters",
    }
    assert {value["code"] for value in errors.values()} == {400}


def test_the_failed_fraction_fails_valid_lines_only_and_the_same_ones_for_a_seed() -> None:
    content = CONTENT + b"broken\n"
    outcomes = []
    for _ in range(2):
        env = Env(plan=JobPlan(1, 1, failed_fraction=0.5), seed=5)
        job = env.finished(env.upload(content))
        errors = env.lines(job["error_file_id"])
        outcomes.append(env.api.get(f"/files/{job['error_file_id']}/content").content)
        scripted = [e for e in errors if e["custom_id"] != "line-7"]
        assert len(scripted) == 3 and len(env.lines(job["output_file_id"])) == 3
        assert {e["error"]["message"] for e in scripted} == {
            "The emulator was told to fail this request."
        }
    assert outcomes[0] == outcomes[1]


def test_strict_files_wants_an_uploaded_preprocessed_input() -> None:
    env = Env(strict_files=True)

    def create(file_id: str) -> httpx.Response:
        body = {"endpoint": "/v1/chat/completions", "input_file_id": file_id}
        return env.api.post("/batches", json=body)

    assert "not found" in create("file-unknown").json()["error"]
    started = env.start()
    file_id = started.headers["x-together-file-id"]
    assert create(file_id).status_code == 400  # started, nothing PUT yet
    env.storage.put(started.headers["location"], content=CONTENT)
    assert "not been preprocessed" in create(file_id).json()["error"]
    env.api.post(f"/files/{file_id}/preprocess")
    assert create(file_id).status_code == 201
    assert create(env.emulator.add_file(CONTENT, "x.jsonl")).status_code == 201


# --- the CLI's emulator command -----------------------------------------------------------


def test_the_emulator_command_takes_the_plan_failures_and_strict_files() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")}
    command = [
        sys.executable, "-m", "together_batches", "emulator", "--port", "0", "--api-key", KEY,
        "--validating-seconds", "0", "--running-seconds", "0", "--failed-fraction", "0.5",
        "--strict-input-files",
    ]  # fmt: skip
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        hint = process.stdout.readline()
        assert "50% of requests fail" in hint and "input files must be uploaded" in hint
        with httpx.Client(base_url=base_url, headers=AUTH) as api, httpx.Client() as storage:
            create = {"endpoint": "/v1/chat/completions", "input_file_id": "file-unknown"}
            assert api.post("/batches", json=create).status_code == 400
            started = api.post("/files", data={"purpose": "batch-api", "file_name": "a.jsonl"})
            storage.put(started.headers["location"], content=CONTENT)
            file_id = started.headers["x-together-file-id"]
            api.post(f"/files/{file_id}/preprocess")
            job = api.post("/batches", json={**create, "input_file_id": file_id}).json()["job"]
            assert job["status"] == "COMPLETED"
            errors = api.get(f"/files/{job['error_file_id']}/content").content.splitlines()
            assert len(errors) == 3
        process.send_signal(signal.SIGINT)
        _, err = finish(process, 10)
    assert process.returncode == 0, err


@pytest.mark.parametrize(
    "bad",
    [["--failed-fraction", "1.5"], ["--running-seconds", "-1"], ["--validating-seconds", "x"]],
)
def test_the_emulator_command_refuses_bad_plan_options(bad: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "together_batches", "emulator", "--port", "0", *bad],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 64
    assert "Traceback" not in result.stderr
