"""`client.batches.submit`, `results`, `failed_custom_ids` and `download` over both twins."""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from together_batches import (
    APIConnectionError,
    APIResponseValidationError,
    BatchJob,
    BatchResult,
    DownloadedFiles,
    InputFileError,
    ResultsIncompleteError,
    ResultsUnavailableError,
    summarize,
)
from together_batches._jsonl.results import NOT_RUN_CODE
from together_batches.testing import Emulator, FakeClock, JobPlan

from ._storage import FILE_ID, Script, storage
from ._twins import Twin

KEY = "sk-batch-workflow-a81f3c"
ENDPOINT = "/v1/chat/completions"


def request(index: int) -> tuple[str, dict[str, Any]]:
    return f"q{index}", {"model": "org/m", "messages": [{"role": "user", "content": f"n{index}"}]}


def content_of(count: int) -> bytes:
    lines = (
        json.dumps({"custom_id": cid, "body": body}) for cid, body in map(request, range(count))
    )
    return "".join(line + "\n" for line in lines).encode()


class Unseekable(io.BytesIO):
    """A pipe, as far as a submit can tell: it records whether it was read."""

    read_at_all = False

    def seekable(self) -> bool:
        return False

    def readline(self, size: int | None = -1, /) -> bytes:
        self.read_at_all = True
        return super().readline(size)


class Env:
    """An emulator whose jobs end one emulated second after their creation, and a client."""

    def __init__(self, twin: Twin, **plan: Any) -> None:
        self.clock = FakeClock()
        self.emulator = Emulator(
            api_key=KEY, clock=self.clock, strict_files=True, plan=JobPlan(0.5, 0.5, **plan)
        )
        transport = self.emulator.async_transport() if twin.is_async else self.emulator.transport()
        self.client = twin.client(transport, api_key=KEY)

    def routes(self) -> list[str | None]:
        return [r.route for r in self.emulator.requests]

    def finished(self, job: BatchJob) -> BatchJob:
        self.clock.advance(5)
        done: BatchJob = self.client.batches.get_batch(job.id)
        assert done.status == "COMPLETED"
        return done


@pytest.fixture
def env(twin: Twin) -> Env:
    return Env(twin, failed_fraction=0.5)


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(content_of(6))
    return path


# --- submit -------------------------------------------------------------------------------


def test_submit_a_path_checks_uploads_and_creates(env: Env, input_file: Path) -> None:
    seen: list[int] = []
    job = env.client.batches.submit(
        input_file,
        endpoint=ENDPOINT,
        model_id="org/m",
        on_upload_progress=lambda done, total: seen.append(done),
    )
    assert env.routes() == [
        "initiate_file_upload",
        "storage_put",
        "preprocess_file",
        "create_batch",
    ]
    assert json.loads(env.emulator.requests[-1].body)["model_id"] == "org/m"
    assert job.input_file_id is not None
    assert env.emulator.file_content(job.input_file_id) == input_file.read_bytes()
    assert seen == [0, input_file.stat().st_size]


def test_submit_requests_from_a_generator_through_a_scratch_file_it_removes(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    job = env.client.batches.submit((request(i) for i in range(4)), endpoint=ENDPOINT)
    assert job.input_file_id is not None
    lines = env.emulator.file_content(job.input_file_id).splitlines()
    assert [json.loads(line)["custom_id"] for line in lines] == ["q0", "q1", "q2", "q3"]
    assert list(scratch.iterdir()) == []
    file = env.client.files.retrieve(job.input_file_id)
    assert file.filename == "batch-input.jsonl"


def test_submit_a_file_object_from_its_position(env: Env) -> None:
    stream = io.BytesIO(b"junk\n" + content_of(2))
    stream.readline()
    job = env.client.batches.submit(stream, endpoint=ENDPOINT)
    assert env.emulator.file_content(job.input_file_id) == content_of(2)


def test_the_same_input_twice_is_uploaded_once(env: Env, input_file: Path) -> None:
    first = env.client.batches.submit(input_file, endpoint=ENDPOINT)
    second = env.client.batches.submit(input_file, endpoint=ENDPOINT)
    assert first.id != second.id and first.input_file_id == second.input_file_id
    assert env.routes().count("storage_put") == 1


BAD_LINES = [
    {"custom_id": "a", "body": {}},
    {"custom_id": "a", "body": {}},  # 2: a duplicate
    {"custom_id": "x" * 65, "body": {}},  # 3: too long
    {"body": {}},  # 4: missing
    {"custom_id": "ok", "body": {}},
]


@pytest.mark.parametrize("given_as", ["path", "requests", "file object"])
def test_an_input_with_several_problems_reports_them_all_and_sends_nothing(
    env: Env, tmp_path: Path, given_as: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in BAD_LINES))
    source: Any = {
        "path": path,
        "requests": iter(BAD_LINES),
        "file object": io.BytesIO(path.read_bytes()),
    }[given_as]
    with pytest.raises(InputFileError) as raised:
        env.client.batches.submit(source, endpoint=ENDPOINT)
    assert [(p.line, p.message) for p in raised.value.problems] == [
        (2, "custom_id 'a' is already used on line 1"),
        (3, "custom_id is 65 characters long, more than 64"),
        (4, "custom_id is missing"),
    ]
    assert "line 2:" in str(raised.value) and "line 4:" in str(raised.value)
    assert env.emulator.requests == []  # nothing uploaded, nothing created


@pytest.mark.parametrize(
    ("source", "options", "error"),
    [
        (iter([request(0)]), {"endpoint": ""}, ValueError),
        (b'{"custom_id": "a", "body": {}}\n', {"endpoint": ENDPOINT}, TypeError),
        (5, {"endpoint": ENDPOINT}, TypeError),
        (iter([request(0)]), {"endpoint": ENDPOINT, "on_upload_progress": 3}, TypeError),
    ],
)
def test_bad_arguments_to_submit_send_nothing(
    env: Env, source: Any, options: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        env.client.batches.submit(source, **options)
    assert env.emulator.requests == []


def test_an_unseekable_input_is_refused_before_it_is_read(env: Env) -> None:
    stream = Unseekable(content_of(2))
    with pytest.raises(ValueError, match="must be seekable"):
        env.client.batches.submit(stream, endpoint=ENDPOINT)
    assert not stream.read_at_all and env.emulator.requests == []


# --- results ------------------------------------------------------------------------------


def test_results_are_every_requests_outcome_output_file_first(env: Env, input_file: Path) -> None:
    job = env.finished(env.client.batches.submit(input_file, endpoint=ENDPOINT))
    assert job.output_file_id and job.error_file_id
    env.emulator.requests.clear()
    results = list(env.client.batches.results(job))
    assert env.routes() == ["get_file_content", "get_file_content"]  # a job is used as given
    assert all(isinstance(r, BatchResult) for r in results)
    assert sorted(r.custom_id for r in results) == [f"q{i}" for i in range(6)]
    succeeded = [r for r in results if r.ok]
    failed = [r for r in results if r.failed]
    assert len(succeeded) == 3 and len(failed) == 3
    assert results == succeeded + failed  # the output file, then the error file
    assert all(r.status_code == 200 and r.body["object"] == "chat.completion" for r in succeeded)
    assert {r.message for r in failed} == {"The emulator was told to fail this request."}
    by_id = env.client.batches.failed_custom_ids(job.id)
    assert by_id == [r.custom_id for r in failed]
    assert env.routes()[-3:] == ["get_batch", "get_file_content", "get_file_content"]


def test_results_of_a_job_that_has_not_ended_raise_before_any_download(
    env: Env, input_file: Path
) -> None:
    job = env.client.batches.submit(input_file, endpoint=ENDPOINT)
    env.emulator.requests.clear()
    with pytest.raises(ResultsUnavailableError, match=f"batch {job.id} is VALIDATING"):
        list(env.client.batches.results(job.id))
    with pytest.raises(ResultsUnavailableError):
        env.client.batches.failed_custom_ids(job.id)
    assert set(env.routes()) == {"get_batch"}


def test_results_of_a_failed_job_without_files_or_input_say_so(twin: Twin) -> None:
    job = {"id": "b1", "status": "FAILED", "error": "input file not found"}
    client = twin.client(lambda r: httpx.Response(200, json=job))
    with pytest.raises(
        ResultsIncompleteError,
        match=(
            r"batch b1 ended FAILED \(its error: input file not found\): it has no output or "
            "error file, and the job names no input file, so its requests that never ran "
            "cannot be listed. None of its requests ran"
        ),
    ) as raised:
        list(client.batches.results("b1"))
    assert isinstance(raised.value, ResultsUnavailableError)  # what it was before
    assert raised.value.input_file_id is None and raised.value.job.id == "b1"


# --- every request accounted for ----------------------------------------------------------


class Cancelled:
    """A batch of three requests (its input with blank lines, which the emulator skips too)
    cancelled from elsewhere after one of them ran."""

    IDS = ("q0", "q1", "q2")

    def __init__(self, twin: Twin, tmp_path: Path, **plan: Any) -> None:
        self.clock = FakeClock()
        # 3 s to run all three; a cancel at 1.5 s into running freezes progress at 50 %:
        # one request of three has finished (floor(1.5)).
        plan = {"cancel_after_seconds": 2.0, **plan}
        self.emulator = Emulator(
            api_key=KEY, clock=self.clock, strict_files=True, plan=JobPlan(0.5, 3.0, **plan)
        )
        transport = self.emulator.async_transport() if twin.is_async else self.emulator.transport()
        self.client = twin.client(transport, api_key=KEY)
        path = tmp_path / "in.jsonl"
        path.write_bytes(b"\n" + content_of(3).replace(b"}\n", b"}\n \n", 1) + b"\n")
        job = self.client.batches.submit(path, endpoint=ENDPOINT)
        self.clock.advance(10)
        self.job: BatchJob = self.client.batches.get_batch(job.id)


def test_a_cancelled_batch_accounts_for_the_requests_that_never_ran(
    twin: Twin, tmp_path: Path
) -> None:
    world = Cancelled(twin, tmp_path)
    job = world.job
    assert job.status == "CANCELLED" and job.error_file_id is None
    results = list(world.client.batches.results(job))
    assert len(results) == 3 and tuple(sorted(r.custom_id for r in results)) == Cancelled.IDS
    ran, *never = results
    assert ran.ok and not ran.not_run
    assert [r.custom_id for r in never] == [i for i in Cancelled.IDS if i != ran.custom_id]
    for record in never:
        assert record.failed and record.not_run and not record.ok
        assert record.response is None and record.status_code is None
        assert record.code == NOT_RUN_CODE == "batch_ended_first"
        assert (
            record.message == f"the request did not run: its batch {job.id} ended CANCELLED first"
        )
    to_resubmit = world.client.batches.failed_custom_ids(job.id)
    assert to_resubmit == [r.custom_id for r in never]
    summary = summarize(results)
    assert (summary.succeeded, summary.failed, summary.not_run) == (1, 0, 2)
    assert summary.total_tokens == summary.prompt_tokens + summary.completion_tokens > 0
    assert [r.route for r in world.emulator.requests][-3:] == [
        "get_batch",
        "get_file_content",  # the output file
        "get_file_content",  # the input file
    ]


def test_a_completed_batch_s_input_is_not_read_again(env: Env, input_file: Path) -> None:
    job = env.finished(env.client.batches.submit(input_file, endpoint=ENDPOINT))
    env.emulator.requests.clear()
    assert len(list(env.client.batches.results(job))) == 6
    assert env.routes() == ["get_file_content", "get_file_content"]


def test_a_batch_that_failed_before_any_request_lists_them_all_as_not_run(
    twin: Twin, tmp_path: Path
) -> None:
    world = Cancelled(twin, tmp_path, cancel_after_seconds=None, fail_after_seconds=0.2)
    job = world.job
    assert job.status == "FAILED" and not job.output_file_id and not job.error_file_id
    results = list(world.client.batches.results(job))
    assert tuple(r.custom_id for r in results) == Cancelled.IDS
    assert all(r.not_run for r in results)
    assert results[0].message == (
        f"the request did not run: its batch {job.id} ended FAILED ({JobPlan().error}) first"
    )
    assert world.client.batches.failed_custom_ids(job) == list(Cancelled.IDS)


def test_a_batch_whose_input_is_gone_says_so_after_its_results(twin: Twin, tmp_path: Path) -> None:
    world = Cancelled(twin, tmp_path)
    job = world.job
    assert job.input_file_id is not None
    world.client.files.delete(job.input_file_id)
    got: list[BatchResult] = []
    with pytest.raises(ResultsIncompleteError) as raised:
        for result in world.client.batches.results(job):
            got.append(result)
    assert len(got) == 1 and got[0].ok
    error = raised.value
    assert error.input_file_id == job.input_file_id and error.job is job
    assert str(error) == (
        f"batch {job.id} ended CANCELLED: the 1 requests its output and error files hold were "
        f"read, but its input file {job.input_file_id} is gone (404), so its requests that "
        "never ran cannot be listed. Those of your input that are not among the results "
        "never ran: resubmit them from your own copy of the input"
    )
    with pytest.raises(ResultsIncompleteError):
        world.client.batches.failed_custom_ids(job)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"custom_id": "q0", "body": {}}\nnot json\n', "line 2 is not a request"),
        (b'{"custom_id": "q0", "body": {}}\n{"body": {}}', "line 2 is not a request (it has no"),
    ],
)
def test_an_input_that_is_not_requests_is_named_not_skipped(
    twin: Twin, content: bytes, problem: str
) -> None:
    job = BatchJob(id="b1", status="EXPIRED", output_file_id="file-out", input_file_id="file-in")
    handler = files_handler({"file-out": (OK_LINE,), "file-in": (content,)})
    with pytest.raises(
        ResultsIncompleteError, match=re.escape(f"its input file cannot be read: file-in {problem}")
    ):
        list(twin.client(handler).batches.results(job))


def test_the_input_is_read_in_chunks_and_each_unrun_request_comes_once(twin: Twin) -> None:
    job = BatchJob(id="b1", status="EXPIRED", output_file_id="file-out", input_file_id="file-in")
    lines = b"".join(
        b'{"custom_id": "%s", "body": {}}\n' % name.encode() for name in ("a", "x", "\u00e9", "x")
    )
    pieces = (lines[:5], lines[5:40], b"", lines[40:70], lines[70:] + b"\n  \n")
    handler = files_handler({"file-out": (OK_LINE,), "file-in": pieces})
    results = list(twin.client(handler).batches.results(job))
    assert [(r.custom_id, r.not_run) for r in results] == [
        ("a", False),
        ("x", True),
        ("\u00e9", True),
    ]


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives in the given pieces, for either twin."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


OK_LINE = b'{"custom_id": "a", "response": {"status_code": 200, "body": {"n": 1}}}\n'
ERROR_LINE = b'{"custom_id": "e", "error": {"message": "boom", "code": 500}}\n'
DONE = BatchJob(id="b1", status="COMPLETED", output_file_id="file-out", error_file_id="file-err")


def files_handler(files: dict[str, tuple[bytes, ...]]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        file_id = request.url.path.split("/")[-2]
        return httpx.Response(200, stream=Chunks(*files[file_id]))

    return handler


def test_results_lines_split_across_chunks_are_read_whole(twin: Twin) -> None:
    line = b'{"custom_id": "\xc3\xa9", "response": {"status_code": 404, "body": null}}\n'
    pieces = (OK_LINE[:10], OK_LINE[10:] + line[:16], line[16:17], line[17:], b"\n")
    handler = files_handler({"file-out": pieces, "file-err": (ERROR_LINE[:-1],)})
    results = list(twin.client(handler).batches.results(DONE))
    assert [(r.custom_id, r.ok, r.status_code, r.message) for r in results] == [
        ("a", True, 200, None),
        ("é", False, 404, None),
        ("e", False, None, "boom"),
    ]
    assert twin.client(handler).batches.failed_custom_ids(DONE) == ["é", "e"]


@pytest.mark.parametrize(
    ("files", "where", "good"),
    [
        (
            {"file-out": (OK_LINE, b"not json\n", OK_LINE), "file-err": (ERROR_LINE,)},
            "file-out line 2 is not valid JSON",
            1,
        ),
        (
            {"file-out": (OK_LINE, OK_LINE), "file-err": (ERROR_LINE, b'{"custom_id": "x"}\n')},
            "file-err line 2 is not a result line",
            3,
        ),
        (
            {"file-out": (OK_LINE + b'{"response": {"status_code": 200}}',), "file-err": ()},
            "file-out line 2 is not a result line",
            1,
        ),
        ({"file-out": (OK_LINE, b"\xff\xfe\n"), "file-err": ()}, "file-out line 2 is not UTF-8", 1),
    ],
)
def test_a_malformed_result_line_raises_naming_it_after_the_lines_before_it(
    twin: Twin, files: dict[str, tuple[bytes, ...]], where: str, good: int
) -> None:
    got: list[BatchResult] = []
    with pytest.raises(APIResponseValidationError) as raised:
        for result in twin.client(files_handler(files)).batches.results(DONE):
            got.append(result)
    assert where in str(raised.value)
    assert len(got) == good


def test_results_cut_off_mid_file_raise_a_connection_error(twin: Twin) -> None:
    content = OK_LINE * 20_000
    script = Script(content=content, cut_downloads=1)
    got = 0
    with storage(script) as base_url:
        client = twin.client(None, api_key=KEY, base_url=base_url)
        job = BatchJob(id="b1", status="COMPLETED", output_file_id=FILE_ID)
        with pytest.raises(APIConnectionError):
            for _ in client.batches.results(job):
                got += 1
        assert 0 < got < 20_000
        assert sum(1 for _ in client.batches.results(job)) == 20_000


# --- download -----------------------------------------------------------------------------


def test_download_saves_the_output_and_the_error_file_beside_it(
    env: Env, input_file: Path, tmp_path: Path
) -> None:
    job = env.finished(env.client.batches.submit(input_file, endpoint=ENDPOINT))
    out = tmp_path / "out"
    out.mkdir()
    saved = env.client.batches.download(job.id, out)
    assert saved == DownloadedFiles(out / f"{job.id}.jsonl", out / f"{job.id}.errors.jsonl")
    assert saved.output is not None and saved.errors is not None
    assert job.output_file_id is not None and job.error_file_id is not None
    assert saved.output.read_bytes() == env.emulator.file_content(job.output_file_id)
    assert saved.errors.read_bytes() == env.emulator.file_content(job.error_file_id)
    named = env.client.batches.download(job, tmp_path / "r.jsonl")
    assert named == DownloadedFiles(tmp_path / "r.jsonl", tmp_path / "r.errors.jsonl")


def test_download_of_a_job_without_an_error_file_saves_only_the_output(
    twin: Twin, tmp_path: Path
) -> None:
    env = Env(twin)
    job = env.finished(env.client.batches.submit((request(i) for i in range(3)), endpoint=ENDPOINT))
    assert job.error_file_id is None
    stale = tmp_path / "r.errors.jsonl"  # an earlier job's errors, downloaded to this name
    stale.write_text('{"custom_id": "old"}\n')
    assert env.client.batches.download(job, tmp_path / "r.jsonl") == DownloadedFiles(
        tmp_path / "r.jsonl", None
    )
    assert not stale.exists()  # it would pass for this job's errors
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl"]


def test_download_of_a_job_that_has_not_ended_writes_nothing(
    env: Env, input_file: Path, tmp_path: Path
) -> None:
    job = env.client.batches.submit(input_file, endpoint=ENDPOINT)
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(ResultsUnavailableError):
        env.client.batches.download(job.id, target)
    assert list(target.iterdir()) == []
