"""A create answered 201 with a warning and no job (SDK 3.1.1 allows it): `BatchNotCreatedError`,
whose message is the warning, from `create_batch`, `submit` and `run` over both twins, and
`not created: <warning>` with exit 5 from the command line."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from together_batches import APIResponseValidationError, BatchNotCreatedError, BatchWarning
from together_batches._exceptions import BatchNotCreatedError as Raised
from together_batches.cli.errors import not_created_line
from together_batches.testing import Emulator, FakeClock, Fault

from ._twins import Twin
from .test_cli import KEY as CLI_KEY
from .test_cli import Served, cli, one_error_line
from .test_workload_run import World

KEY = "sk-not-created-41d7"
WARNING = "Batch not created: the input file exceeds your daily token quota"
ENDPOINT = "/v1/chat/completions"
CONTENT = b'{"custom_id": "r1", "body": {"model": "m", "messages": []}}\n'


def not_created(times: int = 1) -> Fault:
    """The next create(s) answered 201 with only the warning: nothing is created."""
    return Fault.reply(201, {"warning": WARNING}, times, method="POST", path_prefix="/v1/batches")


def test_create_batch_raises_with_the_warning_and_is_not_retried(twin: Twin) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return httpx.Response(201, json={"warning": WARNING})

    client = twin.client(handler, api_key=KEY)
    with warnings.catch_warnings():
        warnings.simplefilter("error", BatchWarning)  # no BatchWarning: there is no job
        with pytest.raises(BatchNotCreatedError) as raised:
            client.batches.create_batch("file-in-1", ENDPOINT)
    assert type(raised.value) is Raised
    assert str(raised.value) == raised.value.warning == WARNING
    assert raised.value.input_file_id == "file-in-1"
    assert seen == ["POST /v1/batches"]


@pytest.mark.parametrize("body", [{}, {"job": None}, {"warning": ""}])
def test_a_create_answered_with_neither_a_job_nor_a_warning_is_malformed(
    twin: Twin, body: dict[str, object]
) -> None:
    # Whether a batch was started cannot be told: a validation error, which `run` answers
    # with a look for the part's batch on resume, never a second create in the dark.
    client = twin.client(lambda request: httpx.Response(201, json=body), api_key=KEY)
    with pytest.raises(APIResponseValidationError, match="got neither"):
        client.batches.create_batch("file-in-1", ENDPOINT)


def test_submit_uploads_then_raises_naming_the_uploaded_file(twin: Twin, tmp_path: Path) -> None:
    emulator = Emulator(api_key=KEY, clock=FakeClock(), strict_files=True)
    emulator.faults.add(not_created())
    transport = emulator.async_transport() if twin.is_async else emulator.transport()
    client = twin.client(transport, api_key=KEY)
    path = tmp_path / "in.jsonl"
    path.write_bytes(CONTENT)
    with pytest.raises(BatchNotCreatedError, match=f"^{WARNING}$") as raised:
        client.batches.submit(path, endpoint=ENDPOINT)
    file_id = raised.value.input_file_id
    assert file_id is not None and emulator.file_content(file_id) == CONTENT
    assert emulator.job_ids == []
    routes = [r.route for r in emulator.requests]
    assert routes == ["initiate_file_upload", "storage_put", "preprocess_file", "create_batch"]
    # The file is there for the next create, which the service answers with a job.
    job = client.batches.create_batch(file_id, ENDPOINT)
    assert job.input_file_id == file_id and emulator.job_ids == [job.id]


def test_run_records_the_part_as_not_created_raises_and_creates_it_on_resume(
    world: World,
) -> None:
    world.emulator.faults.add(not_created())
    with pytest.raises(BatchNotCreatedError) as raised:
        world.run()
    assert str(raised.value) == WARNING
    (note,) = raised.value.__notes__
    refused = [p for p in world.workload().parts if p.batch_id is None]
    assert len(refused) == 1  # which part met the fault is up to the threads or tasks
    assert note.startswith(f"workload part {refused[0].number} (input ")
    assert "run again with the same manifest" in note
    # Not a lost create: no part is left "creating", so a resume looks for no batch.
    assert not any(part.creating for part in world.workload().parts)
    assert world.routes("create_batch") == 3 and len(world.emulator.job_ids) == 2

    results = world.run()
    assert sorted(r.custom_id for r in results) == [f"r{i}" for i in range(8)]
    assert all(r.ok for r in results)
    assert world.routes("create_batch") == 4 and len(world.emulator.job_ids) == 3
    assert world.routes("list_batches") == 0  # nothing was looked for
    assert world.routes("initiate_file_upload") == 3  # nothing uploaded twice


@pytest.fixture
def world(twin: Twin, tmp_path: Path) -> World:
    return World(twin, tmp_path)


# --- the command line --------------------------------------------------------------------


def test_not_created_line() -> None:
    assert not_created_line(Raised("quota")) == "not created: quota"
    assert not_created_line(Raised("quota", input_file_id="file-1")) == (
        "not created: quota; the input file file-1 is uploaded: create --input-file-id "
        "file-1 starts a batch on it"
    )
    error = Raised("quota", input_file_id="file-1")
    error.add_note("workload part 2 (input p2.jsonl) was not created")
    assert not_created_line(error) == (
        "not created: quota; workload part 2 (input p2.jsonl) was not created"
    )


@pytest.fixture
def served() -> Iterator[Served]:
    emulator = Emulator(api_key=CLI_KEY, clock=FakeClock())
    with emulator.serve() as base_url:
        yield Served(emulator, base_url)


def test_the_cli_create_prints_the_warning_and_exits_6(served: Served) -> None:
    served.emulator.faults.add(not_created())
    result = cli(
        "create", "--input-file-id", "file-1", "--endpoint", ENDPOINT, base_url=served.base_url
    )
    assert result.returncode == 6 and result.stdout == ""
    assert one_error_line(result) == (
        f"error: not created: {WARNING}; the input file file-1 is uploaded: create "
        "--input-file-id file-1 starts a batch on it"
    )
    assert served.emulator.job_ids == []


def test_the_cli_submit_prints_the_warning_and_exits_6(served: Served, tmp_path: Path) -> None:
    served.emulator.faults.add(not_created())
    path = tmp_path / "in.jsonl"
    path.write_bytes(CONTENT)
    result = cli("submit", str(path), "--endpoint", ENDPOINT, base_url=served.base_url)
    assert result.returncode == 6
    (put,) = [r for r in served.emulator.requests if r.route == "storage_put"]
    assert one_error_line(result) == (
        f"error: not created: {WARNING}; the input file {put.path_id} is uploaded: create "
        f"--input-file-id {put.path_id} starts a batch on it"
    )
    assert served.emulator.job_ids == []
