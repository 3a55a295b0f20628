"""The workload commands: `run` (resumable, `-o` writing each outcome once) and `status`, as
a process against a served emulator, and `run -o` cut short in-process, then resumed."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from together_batches import BatchResult, Together
from together_batches._workload.driver import drive
from together_batches._workload.session import Session
from together_batches.cli.commands import workload as workload_cli
from together_batches.testing import Emulator, FakeClock, JobPlan

from .test_cli_files import ENDPOINT, KEY, Tool, write_input


@pytest.fixture
def tool(tmp_path: Path) -> Iterator[Tool]:
    # Jobs end as soon as they are created: a wait's first poll sees them done.
    emulator = Emulator(api_key=KEY, clock=FakeClock(), strict_files=True, plan=JobPlan(0, 0))
    with emulator.serve() as base_url:
        yield Tool(emulator, base_url, tmp_path)


def lines_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_run_writes_the_results_and_the_same_command_resumes(tool: Tool) -> None:
    write_input(tool.cwd / "in.jsonl")
    command = ("run", "in.jsonl", "--endpoint", ENDPOINT, "--manifest", "w.json", "-o", "out.jsonl")
    first = tool(*command)
    assert first.returncode == 0, first.stderr
    assert sorted(str(r["custom_id"]) for r in lines_of(tool.cwd / "out.jsonl")) == [
        f"q{i}" for i in range(6)
    ]
    assert "6/6 requests done (0 failed)" in first.stderr
    sent = len(tool.emulator.requests)
    again = tool(*command)
    assert again.returncode == 0, again.stderr
    assert len(lines_of(tool.cwd / "out.jsonl")) == 6  # not written twice
    assert len(tool.emulator.requests) == sent  # finished: nothing sent
    status = tool("status", "w.json")
    assert status.returncode == 0
    assert "6/6 requests done" in status.stdout
    assert "COMPLETED" in status.stdout.splitlines()[-1]


def test_run_retries_the_failures(tool: Tool) -> None:
    tool.emulator.plan_next(JobPlan(0, 0, failed_fraction=0.5))
    write_input(tool.cwd / "in.jsonl")
    result = tool(
        "run",
        "in.jsonl",
        "--endpoint",
        ENDPOINT,
        "--manifest",
        "w.json",
        "--retry-failed",
        "1",
        "-o",
        "out.jsonl",
    )
    assert result.returncode == 0, result.stderr
    results = lines_of(tool.cwd / "out.jsonl")
    assert len(results) == 6 and all("response" in r for r in results)


def test_run_exits_1_when_requests_failed_for_good(tool: Tool) -> None:
    tool.emulator.plan_next(JobPlan(0, 0, failed_fraction=0.5))
    write_input(tool.cwd / "in.jsonl")
    result = tool("run", "in.jsonl", "--endpoint", ENDPOINT, "--manifest", "w.json")
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 6  # to stdout without -o
    assert "3 of 6 succeeded" in result.stderr


def test_run_refuses_a_manifest_of_other_requests_and_status_a_missing_one(tool: Tool) -> None:
    write_input(tool.cwd / "in.jsonl")
    assert tool("run", "in.jsonl", "--endpoint", ENDPOINT, "--manifest", "w.json").returncode == 0
    write_input(tool.cwd / "in.jsonl", count=7)
    sent = len(tool.emulator.requests)
    refused = tool("run", "in.jsonl", "--endpoint", ENDPOINT, "--manifest", "w.json")
    assert refused.returncode == 64 and "records another workload" in refused.stderr
    assert len(tool.emulator.requests) == sent
    missing = tool("status", "nowhere.json")
    assert missing.returncode == 64 and "no manifest at nowhere.json" in missing.stderr


class Crash(Exception):
    pass


def test_run_cut_short_mid_results_writes_each_outcome_once_when_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = Emulator(api_key=KEY, clock=FakeClock(), strict_files=True, plan=JobPlan(0, 0))
    write_input(tmp_path / "in.jsonl")
    args = argparse.Namespace(
        input=str(tmp_path / "in.jsonl"),
        endpoint=ENDPOINT,
        model_id=None,
        manifest=str(tmp_path / "w.json"),
        retry_failed=0,
        timeout=None,
        output=str(tmp_path / "out.jsonl"),
    )

    def crashing(client: Together, session: Session) -> Iterator[BatchResult]:
        for count, result in enumerate(drive(client, session), start=1):
            yield result
            if count == 2:
                raise Crash

    with Together(
        KEY,
        base_url="https://api.example.test/v1",
        http_client=httpx.Client(transport=emulator.transport()),
    ) as client:
        monkeypatch.setattr(workload_cli, "drive", crashing)
        with pytest.raises(Crash):
            workload_cli.cmd_run(client, args)
        assert len(lines_of(tmp_path / "out.jsonl")) == 2
        monkeypatch.setattr(workload_cli, "drive", drive)
        assert workload_cli.cmd_run(client, args) == 0
    ids = [str(r["custom_id"]) for r in lines_of(tmp_path / "out.jsonl")]
    assert sorted(ids) == [f"q{i}" for i in range(6)]  # each once
    assert sum(1 for r in emulator.requests if r.route == "create_batch") == 1
