"""The tolerant reader through the public API, over both twins, against scripted servers:
a job or a file whose fields drift from the spec (the issue's examples: `user_id` a number,
`created_at` epoch seconds, `file_size_bytes` 10.5, `error` an object, `progress` "50.0")
is returned, listed and waited for; reading the drifted field raises `InvalidFieldError`."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any

import httpx
import pytest

from together_batches import (
    BatchFailedError,
    BatchJob,
    BatchStatus,
    FileObject,
    InvalidFieldError,
    ResultsUnavailableError,
)
from together_batches._display.text import percent_of, plain_progress_line
from together_batches.cli.views.files import file_rows
from together_batches.cli.views.render import (
    job_details,
    outcome_line,
    table_rows,
)

from ._loopback import Reply, Seen, loopback
from ._twins import Twin, drain
from .conftest import FakeTime

GOOD = {"id": "b-good", "status": "IN_PROGRESS", "progress": 10.0, "user_id": "u1"}
# The field each example drifts, the value that came, and what reading it says.
DRIFTS: list[tuple[str, Any, str]] = [
    ("user_id", 42, "BatchJob.user_id should be a string, got a number: 42"),
    ("file_size_bytes", 10.5, "BatchJob.file_size_bytes should be an integer, got a number: 10.5"),
    ("error", {"message": "boom"}, "BatchJob.error should be a string, got an object"),
    ("progress", "50.0", "BatchJob.progress should be a number, got a string: '50.0'"),
    ("model_id", ["m"], "BatchJob.model_id should be a string, got an array: ['m']"),
    ("job_deadline", "tomorrow", "BatchJob.job_deadline is not an ISO 8601 date-time"),
]  # fmt: skip


def answer(body: Any) -> httpx.Response:
    return httpx.Response(200, content=json.dumps(body).encode())


def drifted(field: str, value: Any) -> dict[str, Any]:
    return {"id": "b-odd", "status": "IN_PROGRESS", "endpoint": "/v1/chat/completions",
            field: value}  # fmt: skip


def read(job: BatchJob, field: str) -> Any:
    return job.progress_percent if field == "progress" else getattr(job, field)


@pytest.mark.parametrize(("field", "value", "message"), DRIFTS)
def test_get_and_list_return_a_drifted_job_and_only_its_read_fails(
    twin: Twin, field: str, value: Any, message: str
) -> None:
    body = drifted(field, value)

    def server(request: httpx.Request) -> httpx.Response:
        return answer([GOOD, body, GOOD] if request.url.path == "/v1/batches" else body)

    client = twin.client(server)
    got = client.batches.get_batch("b-odd")
    listed = client.batches.list_batches()
    assert [job.id for job in listed] == ["b-good", "b-odd", "b-good"]
    for job in (got, listed[1]):
        assert (job.id, job.status, job.endpoint) == (
            "b-odd",
            "IN_PROGRESS",
            "/v1/chat/completions",
        )
        with pytest.raises(InvalidFieldError) as raised:
            read(job, field)
        assert message in str(raised.value)
        assert isinstance(raised.value, ValueError)
        assert job.to_dict()[field] == value
    assert listed[0].user_id == "u1" and listed[0].progress_percent == 10.0


def test_epoch_seconds_read_as_date_times(twin: Twin) -> None:
    body = {"id": "b1", "status": "COMPLETED", "created_at": 1_700_000_000,
            "completed_at": 1_700_000_060.5}  # fmt: skip
    job = twin.client(lambda request: answer(body)).batches.get_batch("b1")
    assert job.created_at == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    assert job.completed_at == dt.datetime(2023, 11, 14, 22, 14, 20, 500000, tzinfo=dt.UTC)


def test_a_wait_on_a_job_with_a_drifted_user_id_completes(twin: Twin, fake_time: FakeTime) -> None:
    script = [drifted("user_id", 42),
              {**drifted("user_id", 42), "status": "COMPLETED", "output_file_id": "file-out"}]  # fmt: skip
    polls: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        polls.append(request.url.path)
        return answer(script[min(len(polls), len(script)) - 1])

    failures: list[object] = []
    done = twin.client(server).batches.wait_until_done(
        "b-odd", timeout=600, on_poll_error=failures.append
    )
    assert done.status is BatchStatus.COMPLETED and done.output_file_id == "file-out"
    assert len(polls) == 2 and failures == []


def test_an_unreadable_progress_is_unknown_to_the_wait_not_a_failed_poll(
    twin: Twin, fake_time: FakeTime
) -> None:
    script = [{"id": "b1", "status": "IN_PROGRESS", "progress": 10},
              {"id": "b1", "status": "IN_PROGRESS", "progress": "50.0"},
              {"id": "b1", "status": "IN_PROGRESS", "progress": "50.0"},
              {"id": "b1", "status": "FAILED", "progress": "50.0", "error": {"code": 7}}]  # fmt: skip
    polls: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        polls.append(request.url.path)
        return answer(script[min(len(polls), len(script)) - 1])

    seen: list[BatchJob] = []
    failures: list[object] = []
    done = twin.client(server).batches.wait_until_done(
        "b1", on_progress=seen.append, on_poll_error=failures.append
    )
    assert done.status is BatchStatus.FAILED and len(polls) == 4 and failures == []
    # Seen: the first, the move to an unknown progress, the terminal one (unknown twice is
    # no change).
    assert [job.to_dict()["progress"] for job in seen] == [10, "50.0", "50.0"]
    assert [str(job.status) for job in seen] == ["IN_PROGRESS", "IN_PROGRESS", "FAILED"]
    # raise_on_failure builds its message from the values as sent.
    polls.clear()
    with pytest.raises(BatchFailedError, match=r"ended FAILED; error: \{'code': 7\}"):
        twin.client(lambda request: answer(script[-1])).batches.wait_until_done(
            "b1", raise_on_failure=True
        )


def test_files_carry_processing_status_and_validation_report(twin: Twin) -> None:
    body = {"id": "file-1", "object": "file", "created_at": 1_700_000_000, "bytes": "12",
            "processing_status": "INVALID_FORMAT",
            "validation_report": {"valid": False, "dataset_format": "GENERAL", "nlines": 3,
                                  "error": "line 2 is not JSON", "error_type": "INVALID_FORMAT",
                                  "file_id": "file-1"}}  # fmt: skip

    def server(request: httpx.Request) -> httpx.Response:
        return answer({"data": [body]} if request.url.path == "/v1/files" else body)

    client = twin.client(server)
    for info in (client.files.retrieve("file-1"), client.files.list()[0]):
        assert isinstance(info, FileObject) and info.processing_status == "INVALID_FORMAT"
        report = info.validation_report
        assert report is not None and (report.valid, report.nlines) == (False, 3)
        assert (report.error, report.error_type) == ("line 2 is not JSON", "INVALID_FORMAT")
        assert report.extras == {"file_id": "file-1"}
        with pytest.raises(InvalidFieldError, match=r"FileObject.bytes should be an integer"):
            _ = info.bytes_


# --- the CLI's views -------------------------------------------------------------------------


def test_get_and_list_show_an_unreadable_value_as_it_came_marked() -> None:
    job = BatchJob.from_dict({"id": "b1", "status": "IN_PROGRESS", "user_id": 42,
                              "progress": "50.0", "created_at": [1], "model_id": "m",
                              "error": {"message": "boom"}})  # fmt: skip
    details = dict(line.split(":", 1) for line in job_details(job))
    assert details["user_id"].strip() == "42 (unreadable: expected a string)"
    assert details["progress"].strip() == '"50.0" (unreadable: expected a number)'
    assert details["error"].strip() == '{"message": "boom"} (unreadable: expected a string)'
    assert details["model_id"].strip() == "m"
    (row,) = table_rows([job])
    assert row == (
        "b1", "IN_PROGRESS", '"50.0" (unreadable: expected a number)',
        "[1] (unreadable: expected a date-time (ISO 8601 or epoch seconds))", "-", "m",
    )  # fmt: skip
    # The live views count it as unknown.
    assert plain_progress_line(job, 7).endswith("b1  IN_PROGRESS  ?%")
    assert percent_of(job) is None  # the rich view's bar: unknown, held where it was
    assert outcome_line(job) == "batch b1 IN_PROGRESS (?%); error: {'message': 'boom'}"
    assert file_rows([FileObject.from_dict({"id": "f", "bytes": 1.5})])[0][3] == (
        "1.5 (unreadable: expected an integer)"
    )


def test_results_of_a_running_job_say_so_whatever_its_progress_and_error(twin: Twin) -> None:
    client = twin.client(lambda request: answer({}))
    running = BatchJob.from_dict({"id": "b1", "status": "IN_PROGRESS", "progress": "50.0"})
    with pytest.raises(ResultsUnavailableError, match=r"b1 is IN_PROGRESS \(progress unknown\)"):
        drain(client.batches.results(running))
    ended = BatchJob.from_dict({"id": "b1", "status": "FAILED", "error": {"code": 7}})
    with pytest.raises(ResultsUnavailableError, match=r"its error: \{'code': 7\}"):
        drain(client.batches.results(ended))


def test_the_tool_gets_and_lists_drifted_jobs_without_failing() -> None:
    odd = {"id": "b-odd", "status": "COMPLETED", "user_id": 42, "progress": "50.0",
           "created_at": 1_700_000_000, "error": {"message": "boom"}}  # fmt: skip

    def server(request: Seen) -> Reply:
        body = [GOOD, odd] if request.path == "/v1/batches" else odd
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    with loopback(server) as (base_url, _):
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")}
        env |= {"TOGETHER_BASE_URL": base_url, "TOGETHER_API_KEY": "sk-test-key"}

        def tool(*args: str) -> str:
            done = subprocess.run(
                [sys.executable, "-m", "together_batches", *args], env=env, capture_output=True,
                text=True, timeout=60, stdin=subprocess.DEVNULL, check=False,
            )  # fmt: skip
            assert (done.returncode, done.stderr) == (0, ""), done.stderr
            return done.stdout

        shown = {line.split(":", 1)[0]: line.split(":", 1)[1].strip()
                 for line in tool("get", "b-odd").splitlines()}  # fmt: skip
        listed = tool("list").splitlines()
    assert shown["user_id"] == "42 (unreadable: expected a string)"
    assert shown["progress"] == '"50.0" (unreadable: expected a number)'
    assert shown["created_at"] == "2023-11-14 22:13:20Z"
    assert shown["error"] == '{"message": "boom"} (unreadable: expected a string)'
    assert [row.split()[:2] for row in listed[1:]] == [
        ["b-good", "IN_PROGRESS"],
        ["b-odd", "COMPLETED"],
    ]
    assert '"50.0" (unreadable: expected a number)  2023-11-14 22:13:20Z' in listed[2]
