"""The workflow and file commands: their pure text as tables, the transfer bar, and the tool
as a process against a served emulator (submit, results, download, files)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from together_batches import (
    BatchResult,
    FileObject,
    InputFileError,
    InputProblem,
    ResultsSummary,
)
from together_batches._display.choose import TransferBar
from together_batches._display.transfer import TransferLive
from together_batches.cli.views.files import (
    file_rows,
    format_bytes,
    problem_lines,
    result_json,
    result_line,
    results_summary,
    summary_lines,
)
from together_batches.testing import Emulator, FakeClock, JobPlan
from together_batches_api.models.batch_output_response import BatchOutputResponse
from together_batches_api.models.batch_request_error import BatchRequestError

from ._screen import frames, screen

KEY = "sk-cli-files-3e9a0c"
ENDPOINT = "/v1/chat/completions"


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, "?"),
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (1_500_000, "1.5 MB"),
        (999_949, "999.9 kB"),
        (999_950, "1.0 MB"),
        (100_000_000, "100.0 MB"),
        (2 * 10**12, "2.0 TB"),
        (5 * 10**15, "5000.0 TB"),
    ],
)
def test_format_bytes(size: int | None, text: str) -> None:
    assert format_bytes(size) == text


@pytest.mark.parametrize(
    ("done", "total", "width", "words"),
    [
        (0, 100, 80, ["0.0%", "0 B of 100 B", "0:03"]),
        (25, 100, 80, ["25.0%", "25 B of 100 B", "0:03"]),
        (100, 100, 80, ["100.0%", "100 B of 100 B", "0:03"]),
        (0, 0, 80, ["100.0%", "0 B of 0 B", "0:03"]),
        (150, 100, 80, ["100.0%", "150 B of 100 B", "0:03"]),
        (2_500_000, None, 80, ["2.5 MB", "0:03"]),
    ],
)
def test_the_transfer_bar_shows_percent_amounts_and_time(
    done: int, total: int | None, width: int, words: list[str]
) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=width, color_system=None)
    now = [0.0]
    with TransferLive(console, "Uploading", "in.jsonl", clock=lambda: now[0]) as bar:
        now[0] = 3.2
        bar(done, total)
    last = frames(out.getvalue())[-1]
    assert len(last) == 1 and len(last[0]) <= width
    assert last[0].startswith("Uploading in.jsonl")
    assert " ".join(last[0].split()).endswith(" ".join(words))
    assert screen(out.getvalue()) == [last[0], ""]


def test_the_transfer_bar_keeps_to_one_line_on_a_narrow_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=30, color_system=None)
    with TransferLive(console, "Uploading", "a-file-with-a-long-name.jsonl") as bar:
        bar(25, 100)
    assert all(len(frame) == 1 and len(frame[0]) <= 30 for frame in frames(out.getvalue()))


def test_the_transfer_bar_never_goes_backwards() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    with TransferLive(console, "Uploading", "in.jsonl") as bar:
        bar(60, 100)
        bar(0, 100)  # a retried PUT starts again from the first byte
        bar(100, 100)
    assert "100 B of 100 B" in frames(out.getvalue())[-1][0]
    shown = [float(f[0].split("%")[0].split()[-1]) for f in frames(out.getvalue())]
    assert shown == sorted(shown) and shown[-1] == 100.0


def _result(**fields: object) -> BatchResult:
    return BatchResult(custom_id="q1", **fields)  # type: ignore[arg-type]


def _chat(content: object, **message: object) -> dict[str, object]:
    return {
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, **message}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }


def _ok(body: object, status: int = 200) -> BatchResult:
    return _result(response=BatchOutputResponse(status_code=status, body=body))


@pytest.mark.parametrize(
    ("result", "line"),
    [
        (_ok(_chat("Paris is the\ncapital.")), "q1  ok  Paris is the capital."),
        (_ok(_chat([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}])), "q1  ok  a b"),
        (
            _ok(_chat(None, tool_calls=[{"function": {"name": "get_weather"}}])),
            "q1  ok  (tool calls: get_weather)",
        ),
        (_ok({"choices": [{"text": " a completion"}]}), "q1  ok  a completion"),
        # Another endpoint's body: its compact JSON.
        (
            _ok({"object": "list", "data": [{"embedding": [0.1, 0.2]}]}),
            'q1  ok  {"object":"list","data":[{"embedding":[0.1,0.2]}]}',
        ),
        (_ok({}, 429), "q1  failed  429 {}"),
        (
            _result(error=BatchRequestError(message="boom\nbang", code=500)),
            "q1  failed  500 boom bang",
        ),
        (_result(error=BatchRequestError()), "q1  failed  (the error line gives no message)"),
    ],
)
def test_result_line(result: BatchResult, line: str) -> None:
    assert result_line(result) == line


@pytest.mark.parametrize(
    ("width", "line"),
    [
        (0, "q1  ok  " + "word " * 19 + "word"),  # no terminal: whole
        (30, "q1  ok  word word word wor..."),  # 29 columns: never the last one
        (200, "q1  ok  " + "word " * 19 + "word"),
    ],
)
def test_result_line_is_cut_to_the_width(width: int, line: str) -> None:
    assert result_line(_ok(_chat("word " * 20)), width) == line


def test_result_json_is_the_line_as_in_its_file() -> None:
    result = _result(response=BatchOutputResponse(status_code=200, body={"é": 1}))
    assert result_json(result) == '{"custom_id":"q1","response":{"status_code":200,"body":{"é":1}}}'


def test_results_summary() -> None:
    assert results_summary(4, 2) == "6 requests: 4 succeeded, 2 failed"
    assert results_summary(1, 0) == "1 request: 1 succeeded, 0 failed"


def test_summary_lines_count_each_kind_and_the_tokens() -> None:
    assert summary_lines(ResultsSummary(4, 1, 2, 1200, 300, 1500)) == [
        "7 requests: 4 succeeded, 1 failed, 2 not run",
        "tokens: 1,200 prompt, 300 completion, 1,500 total",
    ]
    assert summary_lines(ResultsSummary(succeeded=1))[0] == (
        "1 request: 1 succeeded, 0 failed, 0 not run"
    )


def test_problem_lines_list_every_problem_and_count_those_not_listed() -> None:
    problems = [InputProblem(2, "custom_id 'a' is already used on line 1"), InputProblem(4, "x")]
    assert problem_lines(InputFileError(problems, problem_count=5, source="in.jsonl")) == [
        "error: in.jsonl has 5 problems a batch would refuse; nothing was sent:",
        "in.jsonl:2: custom_id 'a' is already used on line 1",
        "in.jsonl:4: x",
        "... and 3 more",
    ]
    assert problem_lines(InputFileError(problems[:1], source="a"))[0].startswith(
        "error: a has 1 problem a"
    )


def test_file_rows() -> None:
    file = FileObject(
        id="file-1", filename="in.jsonl", bytes_=1500, purpose="batch-api", created_at=1700000000
    )
    assert file_rows([file, FileObject(id="file-2")]) == [
        ("file-1", "in.jsonl", "batch-api", "1.5 kB", "2023-11-14 22:13:20Z"),
        ("file-2", "-", "-", "-", "-"),
    ]
    # A value of another type than the spec's shows as it came, marked; the row is shown.
    odd = FileObject.from_dict({"id": "file-3", "filename": 7, "bytes": "12",
                                "created_at": 10.5, "purpose": "batch-api"})  # fmt: skip
    assert file_rows([odd]) == [
        ("file-3", "7 (unreadable: expected a string)", "batch-api",
         '"12" (unreadable: expected an integer)', "10.5 (unreadable: expected an integer)"),
    ]  # fmt: skip


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_transfer_bar_draws_on_a_terminal_and_ends_its_line() -> None:
    out = Terminal()
    with TransferBar(out, "Downloading", "out.jsonl") as bar:
        bar(0, 10)
        bar(10, 10)  # the end is always drawn
    drawn = frames(out.getvalue())
    assert drawn[0][0].startswith("Downloading out.jsonl")
    assert drawn[-1][0].endswith("10 B of 10 B  0:00")
    assert screen(out.getvalue()) == [drawn[-1][0], ""]  # its line ended


def test_the_transfer_bar_draws_nothing_before_the_first_bytes() -> None:
    out = Terminal()
    with TransferBar(out, "Uploading", "in.jsonl"):
        pass  # an input refused before its upload starts: no empty bar left behind
    assert out.getvalue() == ""


def test_the_transfer_bar_stays_silent_off_a_terminal() -> None:
    stream = io.StringIO()
    with TransferBar(stream, "Uploading", "in.jsonl") as bar:
        bar(5, 10)
    assert stream.getvalue() == ""


# --- the tool as a process ------------------------------------------------------------------


def write_input(path: Path, count: int = 6) -> Path:
    lines = [
        {
            "custom_id": f"q{i}",
            "body": {"model": "m", "messages": [{"role": "user", "content": str(i)}]},
        }
        for i in range(count)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


class Tool:
    """The tool, run in `cwd` against an emulator served on loopback."""

    def __init__(self, emulator: Emulator, base_url: str, cwd: Path) -> None:
        self.emulator, self.base_url, self.cwd = emulator, base_url, cwd

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")}
        env.update(TOGETHER_API_KEY=KEY, TOGETHER_BASE_URL=self.base_url)
        result = subprocess.run(
            [sys.executable, "-m", "together_batches", *args],
            env=env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert "Traceback" not in result.stderr
        assert KEY not in result.stdout + result.stderr
        return result


@pytest.fixture
def tool(tmp_path: Path) -> Iterator[Tool]:
    # Jobs end as soon as they are created: a wait's first poll sees them done.
    emulator = Emulator(
        api_key=KEY, clock=FakeClock(), strict_files=True, plan=JobPlan(0, 0, failed_fraction=0.5)
    )
    with emulator.serve() as base_url:
        yield Tool(emulator, base_url, tmp_path)


def test_submit_of_a_file_with_problems_prints_each_with_its_line_and_exits_65(tool: Tool) -> None:
    bad = tool.cwd / "bad.jsonl"
    bad.write_text(
        '{"custom_id": "a", "body": {}}\n{"custom_id": "a", "body": {}}\n{"body": {}}\n'
        + json.dumps({"custom_id": "x" * 65, "body": {}})
        + "\n[]\n"
    )
    result = tool("submit", "bad.jsonl", "--endpoint", ENDPOINT)
    assert result.returncode == 65
    assert result.stderr.splitlines() == [
        "error: bad.jsonl has 4 problems a batch would refuse; nothing was sent:",
        "bad.jsonl:2: custom_id 'a' is already used on line 1",
        "bad.jsonl:3: custom_id is missing",
        "bad.jsonl:4: custom_id is 65 characters long, more than 64",
        "bad.jsonl:5: the line must be a JSON object, not an array",
    ]
    assert result.stdout == ""
    assert tool.emulator.requests == []
    assert tool("files", "upload", "bad.jsonl").returncode == 65
    assert tool.emulator.requests == []


def test_results_of_a_cancelled_batch_show_the_requests_that_never_ran(tmp_path: Path) -> None:
    clock = FakeClock()  # the cancel comes 1.5 s into 3 s of running: one of three has run
    plan = JobPlan(0.5, 3.0, cancel_after_seconds=2.0)
    emulator = Emulator(api_key=KEY, clock=clock, strict_files=True, plan=plan)
    with emulator.serve() as base_url:
        tool = Tool(emulator, base_url, tmp_path)
        write_input(tmp_path / "in.jsonl", count=3)
        assert tool("submit", "in.jsonl", "--endpoint", ENDPOINT, "--model", "m").returncode == 0
        (job_id,) = emulator.job_ids
        clock.advance(10)
        listed = tool("results", job_id)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 3 and lines[0].split("  ")[1] == "ok"  # the one that ran, first
    message = f"the request did not run: its batch {job_id} ended CANCELLED first"
    assert all(line.endswith(f"  not run  {message}") for line in lines[1:])
    assert sorted(line.split("  ")[0] for line in lines) == ["q0", "q1", "q2"]
    counts, tokens = listed.stderr.splitlines()
    assert counts == "3 requests: 1 succeeded, 0 failed, 2 not run"
    assert tokens.startswith("tokens: ") and not tokens.startswith("tokens: 0 prompt")


def test_submit_wait_download_then_results_and_download(tool: Tool) -> None:
    write_input(tool.cwd / "in.jsonl")
    result = tool(
        "submit",
        "in.jsonl",
        "--endpoint",
        ENDPOINT,
        "--model",
        "m",
        "--wait",
        "--download",
        "out/files",
    )
    # Half the requests fail (the emulator's failed_fraction): exit 1, as `run` does.
    assert result.returncode == 1, result.stderr
    (job_id,) = tool.emulator.job_ids
    job = tool.emulator.job(job_id)
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == f"submitted in.jsonl as batch {job_id} (COMPLETED), input file {job['input_file_id']}"
    )
    assert f"saved the output file {job['output_file_id']} to out/files/{job_id}.jsonl" in lines
    assert (
        f"saved the error file {job['error_file_id']} to out/files/{job_id}.errors.jsonl" in lines
    )
    assert lines[-1].startswith(f"batch {job_id} COMPLETED (100.0%)")
    saved = tool.cwd / "out" / "files"
    assert (saved / f"{job_id}.jsonl").read_bytes() == tool.emulator.file_content(
        job["output_file_id"]
    )
    assert (saved / f"{job_id}.errors.jsonl").read_bytes() == tool.emulator.file_content(
        job["error_file_id"]
    )

    failed = [
        json.loads(line)["custom_id"]
        for line in tool.emulator.file_content(job["error_file_id"]).splitlines()
    ]
    listed = tool("results", job_id)
    counts, tokens = listed.stderr.splitlines()
    assert listed.returncode == 0 and counts == "6 requests: 3 succeeded, 3 failed, 0 not run"
    assert re.fullmatch(r"tokens: \d+ prompt, \d+ completion, \d+ total", tokens), tokens
    assert sorted(line.split()[0] for line in listed.stdout.splitlines()) == [
        f"q{i}" for i in range(6)
    ]
    assert sum("  failed  400 " in line for line in listed.stdout.splitlines()) == 3
    assert tool("results", job_id, "--failed").stdout.split() == failed
    as_json = [json.loads(line) for line in tool("results", job_id, "--json").stdout.splitlines()]
    assert len(as_json) == 6 and {"custom_id", "response"} <= as_json[0].keys()

    downloaded = tool("download", job_id, "-o", "r.jsonl")
    assert downloaded.returncode == 0
    assert (tool.cwd / "r.errors.jsonl").read_bytes() == tool.emulator.file_content(
        job["error_file_id"]
    )
    assert tool("download", job_id).returncode == 0
    assert (tool.cwd / f"{job_id}.jsonl").exists() and (
        tool.cwd / f"{job_id}.errors.jsonl"
    ).exists()


def test_submit_without_wait_prints_the_job_and_json_keeps_stdout_for_json(tool: Tool) -> None:
    write_input(tool.cwd / "in.jsonl")
    result = tool("submit", "in.jsonl", "--endpoint", ENDPOINT, "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["id"] == tool.emulator.job_ids[0]
    assert result.stderr.startswith("submitted in.jsonl as batch ")


def test_results_and_download_of_a_job_still_running_say_how_to_wait(tool: Tool) -> None:
    tool.emulator.plan_next(JobPlan(10, 10))
    write_input(tool.cwd / "in.jsonl")
    assert tool("submit", "in.jsonl", "--endpoint", ENDPOINT).returncode == 0
    (job_id,) = tool.emulator.job_ids
    for command in ("results", "download"):
        result = tool(command, job_id)
        assert result.returncode == 5  # not ready: not an API error (4)
        assert result.stderr == (
            f"error: batch {job_id} is VALIDATING (0.0%): it has no results until it ends; "
            f"together-batches wait {job_id} waits for it\n"
        )
    assert list(tool.cwd.iterdir()) == [tool.cwd / "in.jsonl"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["submit", "in.jsonl", "--endpoint", ENDPOINT, "--download", "d"],
            "argument --download: needs --wait",
        ),
        (
            ["submit", "in.jsonl", "--endpoint", ENDPOINT, "--timeout", "5"],
            "argument --timeout: needs --wait",
        ),
        (["submit", "in.jsonl"], "--endpoint"),
        (["files"], "ACTION"),
        (["files", "delete", ".."], "argument ID"),
        (["results", ""], "argument ID"),
    ],
)
def test_usage_errors_exit_64_before_anything_is_sent(
    tool: Tool, args: list[str], fragment: str
) -> None:
    write_input(tool.cwd / "in.jsonl")
    result = tool(*args)
    assert result.returncode == 64 and fragment in result.stderr
    assert tool.emulator.requests == []


def test_files_list_upload_delete(tool: Tool) -> None:
    assert tool("files", "list").stdout == "No files.\n"
    write_input(tool.cwd / "in.jsonl")
    uploaded = tool("files", "upload", "in.jsonl", "--json")
    assert uploaded.returncode == 0
    file = json.loads(uploaded.stdout)
    assert (file["filename"], file["Processed"]) == ("in.jsonl", True)
    table = tool("files", "list").stdout.splitlines()
    assert table[0].split() == ["ID", "FILENAME", "PURPOSE", "SIZE", "CREATED"]
    assert table[1].startswith(f"{file['id']}  in.jsonl  batch-api")
    assert json.loads(tool("files", "list", "--json").stdout)[0]["id"] == file["id"]
    (tool.cwd / "notes.txt").write_text("not a batch file")
    plain = tool("files", "upload", "notes.txt", "--purpose", "fine-tune")
    assert plain.returncode == 0 and plain.stdout.startswith("uploaded notes.txt as file file-")
    assert tool("files", "delete", file["id"]).stdout == f"deleted file {file['id']}\n"
    gone = tool("files", "delete", file["id"])
    assert gone.returncode == 4 and f"File {file['id']} not found" in gone.stderr
