"""The generated low-level package: regeneration, open enums, and the requests it builds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from ruamel.yaml import YAML

from together_batches_api import AuthenticatedClient
from together_batches_api.api.batches import cancel_batch, create_batch, get_batch, list_batches
from together_batches_api.api.files import (
    delete_file,
    get_file,
    get_file_content,
    initiate_file_upload,
    list_files,
    preprocess_file,
)
from together_batches_api.models import (
    BatchJob,
    BatchJobStatus,
    CreateBatchRequest,
    FileDeleteResponse,
    FileList,
    FileObject,
    FileUploadConflict,
    FileUploadRequest,
)

ROOT = Path(__file__).resolve().parent.parent
JOB = {
    "id": "batch-xyz789",
    "status": "IN_PROGRESS",
    "progress": 75,
    "created_at": "2024-01-15T14:30:00Z",
    "job_deadline": "2024-01-15T15:30:00.123Z",
    "output_file_id": None,
}


def _regenerate(spec_dir: Path, out_dir: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "generate.py"),
            "--spec",
            str(spec_dir),
            "--out",
            str(out_dir),
        ],
        check=True,
        capture_output=True,
    )


def _run_in(out_dir: Path, code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(out_dir)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_regenerating_a_changed_spec_reaches_the_new_value_and_field(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(ROOT / "spec", spec)
    yaml = YAML()
    document = yaml.load(spec / "openapi.yaml")
    schemas = document["components"]["schemas"]
    schemas["BatchJobStatus"]["enum"].append("PAUSED")
    schemas["BatchJob"]["properties"]["priority_class"] = {"type": "string"}
    yaml.dump(document, spec / "openapi.yaml")

    _regenerate(spec, tmp_path / "out")
    out = _run_in(
        tmp_path / "out",
        """
        from together_batches_api.models import BatchJob, BatchJobStatus
        job = BatchJob.from_dict({"id": "b1", "status": "PAUSED", "priority_class": "low"})
        assert job.status is BatchJobStatus.PAUSED, job.status
        print(job.priority_class, job.status)
        """,
    )
    assert out == "low PAUSED"


def test_generation_is_deterministic(tmp_path: Path) -> None:
    _regenerate(ROOT / "spec", tmp_path / "a")
    _regenerate(ROOT / "spec", tmp_path / "b")
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.py"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.py"))
    assert files_a == files_b and files_a
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_check_generated_names_the_drifted_file_and_says_what_to_run(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(ROOT / "spec", spec)
    out = tmp_path / "out"
    _regenerate(spec, out)
    text = (spec / "openapi.yaml").read_text()
    (spec / "openapi.yaml").write_text(text.replace("- VALIDATING", "- VALIDATING\n        - HELD"))
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "generate.py"),
            "--check",
            "--spec",
            str(spec),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "models/batch_job_status.py" in result.stdout
    assert "make generate" in result.stdout


def test_a_status_no_spec_ever_had_parses_and_keeps_its_string() -> None:
    job = BatchJob.from_dict({**JOB, "status": "REVERSING_POLARITY"})
    assert isinstance(job.status, BatchJobStatus)
    assert job.status == "REVERSING_POLARITY"
    assert str(job.status) == "REVERSING_POLARITY"
    assert job.status.value == "REVERSING_POLARITY"
    assert "REVERSING_POLARITY" not in BatchJobStatus.__members__
    assert job.to_dict()["status"] == "REVERSING_POLARITY"


def test_known_statuses_are_members_including_canceling() -> None:
    assert BatchJobStatus("CANCELING") is BatchJobStatus.CANCELING
    assert {s.value for s in BatchJobStatus} >= {
        "VALIDATING",
        "IN_PROGRESS",
        "COMPLETED",
        "FAILED",
        "EXPIRED",
        "CANCELING",
        "CANCELLED",
    }


def test_the_generated_client_has_a_default_timeout() -> None:
    client = AuthenticatedClient(base_url="https://api.together.ai/v1", token="k")
    timeout = client.get_httpx_client().timeout
    assert timeout.read is not None and timeout.connect is not None


def _client(seen: list[httpx.Request], status: int, body: object) -> AuthenticatedClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=json.dumps(body).encode())

    client = AuthenticatedClient(base_url="https://api.together.ai/v1", token="sk-test")
    client.set_httpx_client(
        httpx.Client(
            base_url="https://api.together.ai/v1",
            headers={"Authorization": "Bearer sk-test"},
            transport=httpx.MockTransport(handler),
        )
    )
    return client


def test_list_builds_get_batches_and_parses_null_as_none() -> None:
    seen: list[httpx.Request] = []
    result = list_batches.sync(client=_client(seen, 200, None))
    assert result is None
    (request,) = seen
    assert (request.method, request.url.path) == ("GET", "/v1/batches")
    assert request.headers["Authorization"] == "Bearer sk-test"


def test_get_and_cancel_quote_the_id_as_one_segment() -> None:
    seen: list[httpx.Request] = []
    job = get_batch.sync("a/b c", client=_client(seen, 200, JOB))
    assert isinstance(job, BatchJob) and job.id == "batch-xyz789"
    cancel_batch.sync("batch-xyz789", client=_client(seen, 200, JOB))
    assert [(r.method, r.url.raw_path) for r in seen] == [
        ("GET", b"/v1/batches/a%2Fb%20c"),
        ("POST", b"/v1/batches/batch-xyz789/cancel"),
    ]
    assert seen[1].content == b""


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_generated_functions_refuse_dot_ids_before_sending(bad: str) -> None:
    seen: list[httpx.Request] = []
    client = _client(seen, 200, JOB)
    calls = (
        get_batch.sync,
        cancel_batch.sync,
        get_file.sync,
        get_file_content.sync,
        delete_file.sync,
        preprocess_file.sync,
    )
    for call in calls:
        with pytest.raises(ValueError, match=r"'\.\.'"):
            call(bad, client=client)
    assert seen == []


def test_create_posts_the_json_body() -> None:
    seen: list[httpx.Request] = []
    body = CreateBatchRequest(endpoint="/v1/chat/completions", input_file_id="file-1")
    result = create_batch.sync(client=_client(seen, 201, {"job": JOB, "warning": "w"}), body=body)
    (request,) = seen
    assert (request.method, request.url.path) == ("POST", "/v1/batches")
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "endpoint": "/v1/chat/completions",
        "input_file_id": "file-1",
    }
    assert result is not None and not isinstance(result, type(None))


def test_file_endpoints_build_their_paths() -> None:
    seen: list[httpx.Request] = []
    get_file.sync_detailed("file-1", client=_client(seen, 200, {"id": "file-1"}))
    get_file_content.sync_detailed("file-1", client=_client(seen, 200, {}))
    assert [(r.method, r.url.path) for r in seen] == [
        ("GET", "/v1/files/file-1"),
        ("GET", "/v1/files/file-1/content"),
    ]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503])
def test_every_declared_error_status_parses_the_flat_error_body(status: int) -> None:
    seen: list[httpx.Request] = []
    response = get_batch.sync_detailed("b1", client=_client(seen, status, {"error": "nope"}))
    assert response.parsed is not None
    assert getattr(response.parsed, "error", None) == "nope"


def test_every_request_asks_for_what_its_success_answers_and_content_never_for_json() -> None:
    # A strict server answers `accept: application/json` on a file's content with 406.
    content = get_file_content.build_request("file-1")
    assert content["headers"] == {"accept": "application/octet-stream, text/plain"}
    assert "json" not in content["headers"]["accept"]
    for kwargs in (
        get_batch.build_request("b1"),
        list_batches.build_request(),
        get_file.build_request("file-1"),
        list_files.build_request(),
        delete_file.build_request("file-1"),
        preprocess_file.build_request("file-1"),
    ):
        assert kwargs["headers"] == {"accept": "application/json"}, kwargs
    # The upload's success is a 302 without a body: nothing to ask for.
    upload = initiate_file_upload.build_request(
        body=FileUploadRequest(purpose="batch-api", file_name="in.jsonl")
    )
    assert "accept" not in upload["headers"]


def test_generated_accept_replaces_a_default_accept_when_merged_as_dicts() -> None:
    defaults = httpx.Headers({"Accept": "application/json", "Authorization": "Bearer k"})
    kwargs = get_file_content.build_request("file-1")
    request = httpx.Request("GET", "https://x.test/", headers={**defaults, **kwargs["headers"]})
    assert request.headers.get_list("accept") == ["application/octet-stream, text/plain"]


def test_upload_initiation_is_a_form_without_the_unset_fields() -> None:
    kwargs = initiate_file_upload.build_request(
        body=FileUploadRequest(
            purpose="batch-api", file_name="in.jsonl", file_type="jsonl", checksum="ab" * 32
        )
    )
    assert (kwargs["method"], kwargs["url"]) == ("post", "/files")
    assert kwargs["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert kwargs["data"] == {
        "purpose": "batch-api",
        "file_name": "in.jsonl",
        "file_type": "jsonl",
        "checksum": "ab" * 32,
    }
    minimal = initiate_file_upload.build_request(
        body=FileUploadRequest(purpose="batch-api", file_name="in.jsonl")
    )
    assert minimal["data"] == {"purpose": "batch-api", "file_name": "in.jsonl"}
    request = httpx.Request("POST", "https://x.test/v1/files", data=kwargs["data"])
    assert request.content.startswith(b"purpose=batch-api&file_name=in.jsonl")


def test_new_file_endpoints_build_their_paths_and_parse_their_answers() -> None:
    seen: list[httpx.Request] = []
    listed = list_files.sync(client=_client(seen, 200, {"data": [{"id": "file-1", "bytes": 3}]}))
    assert isinstance(listed, FileList)
    assert [(f.id, f.bytes_) for f in listed.data] == [("file-1", 3)]
    gone = delete_file.sync("a/b", client=_client(seen, 200, {"id": "a/b", "deleted": True}))
    assert isinstance(gone, FileDeleteResponse) and gone.deleted is True
    done = preprocess_file.sync("file-1", client=_client(seen, 200, {"id": "file-1"}))
    assert isinstance(done, FileObject)
    body = FileUploadRequest(purpose="batch-api", file_name="in.jsonl")
    conflict = initiate_file_upload.sync(client=_client(seen, 409, {"file_id": "f0"}), body=body)
    assert isinstance(conflict, FileUploadConflict) and conflict.file_id == "f0"
    assert [(r.method, r.url.raw_path) for r in seen] == [
        ("GET", b"/v1/files"),
        ("DELETE", b"/v1/files/a%2Fb"),
        ("POST", b"/v1/files/file-1/preprocess"),
        ("POST", b"/v1/files"),
    ]
