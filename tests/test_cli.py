"""The `together-batches` command: pure rendering in tables, then the real tool as a process.

The process tests run `python -m together_batches` against an emulator served on 127.0.0.1
by this test process. Its clock is fake (it stands still), so each job's outcome is fixed by
its `JobPlan` at creation and a wait ends on its first poll; only the timeout, Ctrl-C, pty
and demo tests spend real seconds.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from rich.console import Console

from together_batches import APIConnectionError, BatchJob, BatchStatus, PollFailure, Together
from together_batches._display.plain import PlainLines
from together_batches._display.text import (
    failure_text,
    format_duration,
    plain_failure_line,
    plain_progress_line,
)
from together_batches._display.wait import WaitLive
from together_batches.cli.views.render import (
    TABLE_HEADER,
    exit_code_for,
    format_table,
    job_details,
    outcome_line,
    parse_status_filter,
    redact,
    table_rows,
)
from together_batches.cli.views.show import show_details, show_table
from together_batches.testing import Emulator, FakeClock, JobPlan, SystemClock

from ._processes import finish
from ._screen import frames, screen

KEY = "sk-cli-test-7f3a9c21"
COMPLETES = JobPlan(validating_seconds=0, running_seconds=0)
FAILS = JobPlan(fail_after_seconds=0, error="out of capacity")
EXPIRES = JobPlan(expires_after_seconds=0)
RUNS_FOREVER = JobPlan(validating_seconds=0, running_seconds=float("inf"))
WHEN = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)

# ---------------------------------------------------------------------------------------------
# Pure rendering


def job(**fields: Any) -> BatchJob:
    defaults: dict[str, Any] = {
        "id": "batch-1",
        "status": BatchStatus.IN_PROGRESS,
        "progress": 42.0,
    }
    return BatchJob(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (BatchStatus.COMPLETED, 0),
        (BatchStatus.FAILED, 1),
        (BatchStatus.EXPIRED, 1),
        (BatchStatus.CANCELLED, 3),
        (BatchStatus("SOMETHING_NEW"), 1),
        (None, 1),
    ],
)
def test_exit_code_for(status: BatchStatus | None, code: int) -> None:
    assert exit_code_for(status) == code


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (None, set()),
        ([], set()),
        (["completed"], {"COMPLETED"}),
        (["failed,Expired", "CANCELLED"], {"FAILED", "EXPIRED", "CANCELLED"}),
        ([" in_progress , ,"], {"IN_PROGRESS"}),
        (["canceling"], {"CANCELING"}),
    ],
)
def test_parse_status_filter(values: list[str] | None, expected: set[str]) -> None:
    assert parse_status_filter(values) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["PAUSED"], "'PAUSED' is not a batch status (choose from VALIDATING, IN_PROGRESS,"),
        (["completed,RUNING"], "'RUNING' is not a batch status"),
        ([" , "], "expected a status, such as COMPLETED"),
    ],
)
def test_parse_status_filter_refuses_what_is_not_a_status(values: list[str], message: str) -> None:
    # A typo would filter out every job and print "No batch jobs": refused instead.
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_status_filter(values)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (-3, "0:00"), (59.9, "0:59"), (61, "1:01"), (3599, "59:59"), (3600, "1:00:00")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def terminal(width: int = 100) -> tuple[io.StringIO, Console]:
    out = io.StringIO()
    return out, Console(file=out, force_terminal=True, width=width, color_system=None)


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("width", [30, 45, 80, 200])
def test_the_live_view_keeps_each_job_to_one_line_of_the_terminal(width: int) -> None:
    out, console = terminal(width)
    clock = Ticks()
    with WaitLive(console, clock=clock) as view:
        view.update(job(progress=50.0))
        view.failed(failure(3))
        clock.now = 3725.0
        view.update(job(id="batch-2", status=BatchStatus("A_VERY_LONG_NEW_STATUS")))
    drawn = frames(out.getvalue())
    assert drawn and all(len(line) <= width for frame in drawn for line in frame)
    rows = [len(frame) for frame in drawn]
    assert rows[0] == 1 and rows[-1] == 2 and rows == sorted(rows)  # a row per job, unwrapped
    assert screen(out.getvalue()) == [*drawn[-1], ""]  # the last frame, and nothing else


def test_the_live_view_shows_status_percent_and_elapsed_time() -> None:
    out, console = terminal(100)
    clock = Ticks()
    with WaitLive(console, clock=clock) as view:
        clock.now = 7.2
        view.update(job(progress=50.0))
        clock.now = 65.0
        view.update(job(status=BatchStatus.COMPLETED, progress=100.0))
        clock.now = 99.0  # ended: its time stands still
    last = frames(out.getvalue())[-1][0].split()
    assert last[:2] == ["batch-1", "COMPLETED"]
    assert last[-2:] == ["100.0%", "1:05"]


def test_plain_progress_line() -> None:
    assert plain_progress_line(job(), 75) == "1:15  batch-1  IN_PROGRESS  42.0%"


REFUSED = APIConnectionError("Connection error (ConnectError: refused).")


def failure(consecutive: int = 3) -> PollFailure:
    return PollFailure("batch-1", REFUSED, consecutive, 4.4)


def test_failure_text() -> None:
    # No Python names (the classes), no full stop before what follows.
    assert failure_text(failure(1)) == "1 failed poll: Connection error (refused)"
    assert failure_text(failure(3)) == "3 failed polls: Connection error (refused)"


def test_plain_failure_line() -> None:
    assert plain_failure_line(failure(), 7) == (
        "0:07  batch-1  poll failed (3 in a row): Connection error (refused); next poll in 4s"
    )


def test_the_live_view_shows_a_failure_until_a_poll_answers() -> None:
    out, console = terminal(200)
    with WaitLive(console, clock=Ticks()) as view:
        view.failed(failure(1))
        view.failed(failure(2))
        view.update(job())
    shown = [frame[0] for frame in frames(out.getvalue())]
    assert [line.split()[1] for line in shown] == ["POLLING"] * 3 + ["IN_PROGRESS"] * 2
    assert "1 failed poll: " in shown[1] and "2 failed polls: " in shown[2]
    assert "failed" not in shown[3]


def test_the_live_view_never_goes_backwards() -> None:
    out, console = terminal(100)
    with WaitLive(console, clock=Ticks()) as view:
        for percent in (10.0, 40.0, 35.0, 60.0):  # a server that once reports less
            view.update(job(progress=percent))
    shown = [float(frame[0].split()[-2].rstrip("%")) for frame in frames(out.getvalue())]
    assert shown == [0.0, 10.0, 40.0, 40.0, 60.0, 60.0]


def test_plain_lines_never_go_backwards() -> None:
    out = io.StringIO()
    with PlainLines(out) as lines:
        for percent in (10.0, 40.0, 35.0, 60.0):
            lines.update(job(progress=percent))
    assert [line.split()[-1] for line in out.getvalue().splitlines()] == [
        "10.0%",
        "40.0%",
        "60.0%",
    ]


def test_plain_lines_print_each_failure() -> None:
    out = io.StringIO()
    with PlainLines(out) as lines:
        lines.failed(failure(1))
        lines.failed(failure(2))
    printed = out.getvalue().splitlines()
    assert [line.split("  ", 2)[2].split(":")[0] for line in printed] == [
        "poll failed (1 in a row)",
        "poll failed (2 in a row)",
    ]


@pytest.mark.parametrize(
    ("shown", "line"),
    [
        (
            job(status=BatchStatus.COMPLETED, progress=100.0, output_file_id="file-o"),
            "batch batch-1 COMPLETED (100.0%); output file file-o",
        ),
        (
            job(status=BatchStatus.FAILED, error="boom", error_file_id="file-e"),
            "batch batch-1 FAILED (42.0%); error: boom; error file file-e",
        ),
        (job(status=BatchStatus.CANCELLED), "batch batch-1 CANCELLED (42.0%)"),
    ],
)
def test_outcome_line(shown: BatchJob, line: str) -> None:
    assert outcome_line(shown) == line


def test_table_rows_and_format_table() -> None:
    jobs = [
        job(created_at=WHEN, endpoint="/v1/chat/completions", model_id="m"),
        BatchJob(id="batch-2", status="VALIDATING"),
    ]
    rows = table_rows(jobs)
    assert rows == [
        ("batch-1", "IN_PROGRESS", "42.0%", "2025-01-15 12:00:00Z", "/v1/chat/completions", "m"),
        ("batch-2", "VALIDATING", "0.0%", "-", "-", "-"),
    ]
    assert format_table(TABLE_HEADER, rows) == [
        "ID       STATUS       PROGRESS  CREATED               ENDPOINT              MODEL",
        "batch-1  IN_PROGRESS  42.0%     2025-01-15 12:00:00Z  /v1/chat/completions  m",
        "batch-2  VALIDATING   0.0%      -                     -                     -",
    ]


def _unaligned(text: str) -> list[str]:
    """`field:   value` lines with the alignment collapsed to one space."""
    return [" ".join(line.split()) for line in text.splitlines()]


def test_job_details_leaves_out_absent_fields_and_shows_extras() -> None:
    shown = job(created_at=WHEN, extras={"region": "us"})
    assert job_details(shown) == [
        "id:         batch-1",
        "status:     IN_PROGRESS",
        "created_at: 2025-01-15 12:00:00Z",
        "progress:   42.0%",
        "region:     us",
    ]


@pytest.mark.parametrize(
    ("text", "secret", "expected"),
    [
        ("key sk-abcdef in here", "sk-abcdef", "key *** in here"),
        ("nothing", None, "nothing"),
        ("a b c", "b", "a b c"),  # too short to mask without garbling text
    ],
)
def test_redact(text: str, secret: str | None, expected: str) -> None:
    assert redact(text, secret) == expected


# ---------------------------------------------------------------------------------------------
# The tool as a process


@attrs.frozen
class Served:
    emulator: Emulator
    base_url: str


@pytest.fixture
def served() -> Iterator[Served]:
    emulator = Emulator(api_key=KEY, clock=FakeClock(start=WHEN))
    with emulator.serve() as base_url:
        yield Served(emulator, base_url)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")}
    env.update(extra)
    return env


def cli(
    *args: str, base_url: str | None = None, key: str | None = KEY, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """Run the tool; check the promises every run keeps: no traceback, never the key."""
    env = clean_env()
    if base_url is not None:
        env["TOGETHER_BASE_URL"] = base_url
    if key is not None:
        env["TOGETHER_API_KEY"] = key
    result = subprocess.run(
        [sys.executable, "-m", "together_batches", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in result.stderr
    assert KEY not in result.stdout + result.stderr
    return result


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_list_empty_then_table_json_and_status_filter(served: Served) -> None:
    result = cli("list", base_url=served.base_url)
    assert (result.returncode, result.stdout) == (0, "No batch jobs.\n")
    done = served.emulator.add_job(COMPLETES)
    failed = served.emulator.add_job(FAILS)

    table = cli("list", base_url=served.base_url)
    assert table.returncode == 0
    header, *rows = table.stdout.splitlines()
    assert header.split() == ["ID", "STATUS", "PROGRESS", "CREATED", "ENDPOINT", "MODEL"]
    assert {row.split()[0]: row.split()[1] for row in rows} == {done: "COMPLETED", failed: "FAILED"}

    only = cli("list", "--status", "completed,expired", "--json", base_url=served.base_url)
    assert [item["id"] for item in json.loads(only.stdout)] == [done]
    none = cli("list", "--status", "CANCELLED", base_url=served.base_url)
    assert none.stdout == "No batch jobs with that status.\n"


def test_connection_options_after_the_subcommand_and_no_environment(served: Served) -> None:
    job_id = served.emulator.add_job(COMPLETES)
    result = cli("get", job_id, "--json", "--api-key", KEY, "--base-url", served.base_url, key=None)
    assert result.returncode == 0
    assert json.loads(result.stdout)["status"] == "COMPLETED"


def test_get_human_and_json(served: Served) -> None:
    job_id = served.emulator.add_job(FAILS)
    human = cli("get", job_id, base_url=served.base_url)
    assert human.returncode == 0
    assert f"id: {job_id}" in _unaligned(human.stdout)
    assert "error: out of capacity" in _unaligned(human.stdout)
    as_json = json.loads(cli("get", job_id, "--json", base_url=served.base_url).stdout)
    assert as_json == served.emulator.job(job_id) | {"progress": as_json["progress"]}


def test_get_unknown_job_is_one_line_and_exit_4(served: Served) -> None:
    result = cli("get", "batch-nope", base_url=served.base_url)
    assert result.returncode == 4
    assert result.stdout == ""
    line = one_error_line(result)
    assert line == "error: Batch job batch-nope not found (HTTP 404)"


def test_create_prints_the_job_and_the_warning_on_stderr(served: Served) -> None:
    served.emulator.plan_next(JobPlan(warning="model is busy; expect delays"))
    result = cli(
        "create",
        "--input-file-id",
        "file-in",
        "--endpoint",
        "/v1/chat/completions",
        "--model-id",
        "m-1",
        "--priority",
        "1",
        "--completion-window",
        "24h",
        "--json",
        base_url=served.base_url,
    )
    assert result.returncode == 0
    assert result.stderr == "warning: model is busy; expect delays\n"
    created = json.loads(result.stdout)
    assert (created["status"], created["model_id"], created["input_file_id"]) == (
        "VALIDATING",
        "m-1",
        "file-in",
    )
    sent = json.loads(served.emulator.requests[-1].body)
    assert (sent["priority"], sent["completion_window"]) == (1, "24h")


def test_cancel_prints_a_canceling_job(served: Served) -> None:
    job_id = served.emulator.add_job(RUNS_FOREVER)
    result = cli("cancel", job_id, base_url=served.base_url)
    assert result.returncode == 0
    assert "status: CANCELING" in _unaligned(result.stdout)


@pytest.mark.parametrize(
    ("plan", "code", "status"),
    [(COMPLETES, 0, "COMPLETED"), (FAILS, 1, "FAILED"), (EXPIRES, 1, "EXPIRED")],
)
def test_wait_exit_codes(served: Served, plan: JobPlan, code: int, status: str) -> None:
    job_id = served.emulator.add_job(plan)
    result = cli("wait", job_id, base_url=served.base_url)
    assert result.returncode == code
    assert "\r" not in result.stdout  # not a terminal: plain lines
    progress, outcome = result.stdout.splitlines()
    assert progress.split()[1:3] == [job_id, status]
    assert outcome.startswith(f"batch {job_id} {status} ")


def test_wait_on_a_cancelled_job_exits_3_and_json_is_the_job(served: Served) -> None:
    job_id = served.emulator.add_job(attrs.evolve(RUNS_FOREVER, cancel_seconds=0))
    with Together(api_key=KEY, base_url=served.base_url) as client:
        client.batches.cancel_batch(job_id)
    result = cli("wait", job_id, "--json", base_url=served.base_url)
    assert result.returncode == 3
    assert json.loads(result.stdout)["status"] == "CANCELLED"
    assert "CANCELLED" in result.stderr  # the progress goes to stderr with --json


def test_wait_timeout_exits_2_with_the_last_state(served: Served) -> None:
    job_id = served.emulator.add_job(RUNS_FOREVER)
    started = time.monotonic()
    result = cli(
        "wait", job_id, "--timeout", "0.6", "--poll-interval", "0.2", base_url=served.base_url
    )
    assert time.monotonic() - started < 10
    assert result.returncode == 2
    assert one_error_line(result) == (
        f"error: timed out after 0.6s waiting for batch {job_id}; last seen IN_PROGRESS 0.0%"
    )


def test_wait_against_a_server_that_refuses_shows_each_failed_poll() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli(
        "wait",
        "batch-1",
        "--timeout",
        "1",
        "--poll-interval",
        "0.1",
        base_url=f"http://127.0.0.1:{port}/v1",
    )
    assert result.returncode == 2
    failed = [line for line in result.stdout.splitlines() if "poll failed" in line]
    assert len(failed) >= 2, result.stdout
    assert "batch-1  poll failed (1 in a row): Could not connect (" in failed[0]
    assert "Error" not in failed[0] and "Errno" not in failed[0]
    assert "(2 in a row)" in failed[1]
    assert one_error_line(result).startswith("error: timed out after 1s waiting for batch batch-1")


def test_wait_without_timeout_ends_at_the_jobs_own_deadline(served: Served) -> None:
    # The emulator's fake clock is in 2025: the job's deadline (plus grace) is long past on
    # the wall clock, so the wait gives up after its first poll, with exit 2, not a crash.
    job_id = served.emulator.add_job(RUNS_FOREVER)
    result = cli("wait", job_id, base_url=served.base_url)
    assert result.returncode == 2
    assert one_error_line(result) == (
        f"error: timed out after the job's deadline waiting for batch {job_id}; "
        "last seen IN_PROGRESS 0.0%"
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["wait", "x", "--timeout", "soon"], "argument --timeout: expected a positive number"),
        (
            ["wait", "x", "--poll-interval", "5", "--max-poll-interval", "1"],
            "argument --max-poll-interval: must be at least --poll-interval (5s)",
        ),
        (["wait", "x", "--max-poll-interval", "1"], "must be at least the default 2s"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["get", ".."], "argument ID: an id must be a non-empty id other than '.' and '..'"),
        (["cancel", "."], "argument ID: an id must be"),
        (["wait", ""], "argument ID: an id must be"),
        (["create", "--input-file-id", "..", "--endpoint", "/v1/x"], "argument --input-file-id"),
        (["create", "--input-file-id", "f", "--endpoint", " "], "argument --endpoint: must not"),
        (["list", "--status", "RUNING"], "argument --status: 'RUNING' is not a batch status"),
        (["emulator", "--port", "70000"], "argument --port: expected a port from 0 to 65535"),
        ([], "required: COMMAND"),
    ],
)
def test_usage_errors_exit_64(served: Served, args: list[str], fragment: str) -> None:
    result = cli(*args, base_url=served.base_url)
    assert result.returncode == 64
    line = one_error_line(result)
    assert fragment in line
    # The tool's own names, not the library's: no parameter names, no exception classes.
    assert not re.search(r"\b[a-z]+_[a-z_]+\b|Error\b", line), line
    assert served.emulator.requests == []  # nothing was sent


def test_missing_api_key_names_the_variable(served: Served) -> None:
    result = cli("list", base_url=served.base_url, key=None)
    assert result.returncode == 64
    assert "TOGETHER_API_KEY" in one_error_line(result)


def test_a_wrong_key_is_an_auth_error_and_is_not_echoed(served: Served) -> None:
    wrong = "sk-wrong-key-5b9d0e"
    result = cli("list", "--api-key", wrong, base_url=served.base_url)
    assert result.returncode == 4
    line = one_error_line(result)
    assert line.startswith("error: Invalid or missing API key (HTTP 401)") and wrong not in line


def test_ctrl_c_during_wait_exits_130_without_a_traceback(served: Served) -> None:
    job_id = served.emulator.add_job(RUNS_FOREVER)
    env = clean_env(TOGETHER_API_KEY=KEY, TOGETHER_BASE_URL=served.base_url)
    with subprocess.Popen(
        # --timeout: the fake clock's job deadline is long past on the wall clock.
        [sys.executable, "-m", "together_batches", "wait", job_id, "--timeout", "600"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert job_id in process.stdout.readline()  # the first poll answered: it is waiting
        process.send_signal(signal.SIGINT)
        _, err = finish(process, 10)
    assert process.returncode == 130
    assert err == (
        f"error: interrupted; batch {job_id} is still running (last seen IN_PROGRESS 0.0%), "
        f"not cancelled: together-batches cancel {job_id} cancels it "
        "(wait --cancel-on-timeout does so on Ctrl-C)\n"
    )
    assert {r.method for r in served.emulator.requests} == {"GET"}  # no cancel was sent


def test_emulator_command_serves_until_ctrl_c() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "together_batches", "emulator", "--port", "0", "--api-key", KEY],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", base_url)
        assert KEY in process.stdout.readline()  # the hint names the key to use
        with Together(api_key=KEY, base_url=base_url) as client:
            assert client.batches.list_batches() == []
        process.send_signal(signal.SIGINT)
        _, err = finish(process, 10)
    assert process.returncode == 0
    assert "Traceback" not in err


def test_demo_runs_end_to_end_without_key_or_network() -> None:
    # The timeout only stops a hung demo; how long the demo takes (seconds, in real time) is
    # not asserted: a shared, loaded machine makes any bound flaky.
    result = subprocess.run(
        [sys.executable, "-m", "together_batches", "demo"],
        # A base URL nobody listens on: the demo must use its own emulator, not this.
        env=clean_env(TOGETHER_BASE_URL="http://127.0.0.1:9/v1"),
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    # Check: a valid input written, and a broken one refused with every problem by line.
    assert re.match(r"Checked and wrote demo-input\.jsonl: 8 chat requests, ", lines[1])
    assert lines[3:6] == [
        "  line 2: custom_id 'demo-1' is already used on line 1",
        "  line 3: custom_id is missing",
        "  line 4: body must be a JSON object, not a string",
    ]
    # Upload and submit, wait, results: the failed requests (the emulator's failed_fraction).
    assert re.match(r"Uploaded it as file file-\S+ .* and created batch \S+ ", lines[6])
    assert any(
        re.match(r"batch \S+ COMPLETED \(100\.0%\); output file file-\S+; error file", x)
        for x in lines
    )
    assert "Results, read line by line: 8 requests: 6 succeeded, 2 failed." in lines
    assert sum(bool(re.match(r"  demo-\d  ok  Echo: ", x)) for x in lines) == 3
    failed = lines[lines.index("Failed requests (to resubmit: batches.failed_custom_ids):") + 1 :]
    # Which two fail depends on the job's (random) id; two different ones, each a 400.
    shown = [x.split()[:3] for x in failed[:2]]
    assert all(re.fullmatch(r"demo-\d", i) and rest == ["failed", "400"] for i, *rest in shown)
    assert shown[0][0] != shown[1][0]
    assert_the_demo_ends_with_a_workload(lines)
    assert lines[-1] == "Emulator stopped."


def assert_the_demo_ends_with_a_workload(lines: list[str]) -> None:
    start = lines.index(
        "A workload larger than one batch: batches.run over 240 requests, at most 60 a part "
        "(max_requests), retry_failed=1, tracked in demo-workload.json:"
    )
    end = lines.index(
        "Handed on 240 outcomes, each once, its last attempt's: 240 succeeded, 0 failed."
    )
    # Not a terminal: the progress view's plain lines, the last one the final state.
    progress = lines[start + 1 : end]
    assert progress and all(re.match(r"\d:\d\d +\d+%  \d+/240 requests done ", x) for x in progress)
    assert progress[-1].endswith(
        "100%  240/240 requests done (0 failed); parts: 5 COMPLETED; retry round 1 of 1"
    )
    # One part's scripted failures (which part depends on the order of the creates), retried.
    story = re.fullmatch(
        r"Retry round 1 sent the requests that failed \(6 of part ([1-4])\) again as part 5\.",
        lines[end + 1],
    )
    assert story is not None
    assert lines[end + 2] == "What `together-batches status demo-workload.json` shows:"
    assert lines[end + 3] == (
        "  240/240 requests done (0 failed); parts: 5 COMPLETED; retry round 1 of 1"
    )
    assert lines[end + 4].split() == ["PART", "ROUND", "STATE", "REQUESTS", "SUCCEEDED", "BATCH"]
    rows = [x.split()[:5] for x in lines[end + 5 : end + 10]]
    assert [row[:4] for row in rows] == [
        *([str(n), "0", "COMPLETED", "60"] for n in range(1, 5)),
        ["5", "1", "COMPLETED", "6"],
    ]
    failed = str(story.group(1))
    assert [row[4] for row in rows] == [
        *("54" if row[0] == failed else "60" for row in rows[:4]),
        "6",
    ]
    assert lines[end + 10] == (
        "The same call again, with the same manifest (as after a crash): 0 outcomes handed on "
        "again, 0 requests sent to the API, 0 changes of state: every part is recorded as done "
        "and read."
    )


def read_pty(fd: int, process: subprocess.Popen[bytes], deadline: float) -> bytes:
    chunks: list[bytes] = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed its side
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    return b"".join(chunks)


def test_wait_on_a_terminal_draws_a_live_bar() -> None:
    # Real time here: the job runs 3 s, polled every 1.5 s, so the elapsed time must move
    # between polls for the bar to show it.
    emulator = Emulator(
        api_key=KEY, clock=SystemClock(), plan=JobPlan(validating_seconds=0, running_seconds=3)
    )
    with emulator.serve() as base_url:
        job_id = emulator.add_job()
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        env = clean_env(TOGETHER_API_KEY=KEY, TOGETHER_BASE_URL=base_url)
        with subprocess.Popen(
            [sys.executable, "-m", "together_batches", "wait", job_id, "--poll-interval", "1.5"],
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
        ) as process:
            os.close(slave)
            output = read_pty(master, process, time.monotonic() + 20).decode()
            process.wait(timeout=10)
        os.close(master)
    assert process.returncode == 0
    assert "Traceback" not in output and KEY not in output
    rows = [frame[0].split() for frame in frames(output.replace("\r\n", "\n"))]
    drawn = [(row[1], row[-2], row[-1]) for row in rows if len(row) >= 4 and row[0] == job_id]
    assert drawn, output
    assert drawn[-1][:2] == ("COMPLETED", "100.0%")
    percents = [float(percent.rstrip("%")) for _, percent, _ in drawn]
    assert len(set(percents)) >= 2 and percents == sorted(percents)  # never backwards
    # Two or three polls, yet every second shows: the live view redraws in between.
    assert {"0:00", "0:01", "0:02"} <= {elapsed for _, _, elapsed in drawn}
    assert f"batch {job_id} COMPLETED (100.0%)" in output


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_tables_are_drawn_with_rich_on_a_terminal_and_plain_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    rows = table_rows([job(), job(id="batch-2", status=BatchStatus.COMPLETED, progress=100.0)])
    plain = io.StringIO()
    show_table(TABLE_HEADER, rows, plain)
    assert plain.getvalue().splitlines() == format_table(TABLE_HEADER, rows)
    drawn = Tty()
    show_table(TABLE_HEADER, rows, drawn)
    assert "\x1b[1;4m" in drawn.getvalue()  # the header, bold and underlined
    assert [line.split() for line in screen(drawn.getvalue())[1:3]] == [
        line.split() for line in format_table(TABLE_HEADER, rows)[1:]
    ]
    wide = Tty()  # wider than the terminal: plain, every cell whole, rather than cut
    long_rows = [(*row[:-1], "m" * 80) for row in rows]
    show_table(TABLE_HEADER, long_rows, wide)
    assert wide.getvalue().splitlines() == format_table(TABLE_HEADER, long_rows)
    details = Tty()
    show_details([("id", "batch-1"), ("status", "COMPLETED")], details)
    assert screen(details.getvalue())[:2] == ["id:      batch-1", "status:  COMPLETED"]
