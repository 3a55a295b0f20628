"""The commands people reach for, as a process against an emulator served on 127.0.0.1:
`check`, `files get | download | content`, `submit --file-id`, `-` for standard input,
`results` with each answer, directories for `-o`, the files' mode, the exit codes, and the
messages (no Python names; Ctrl-C and SIGTERM say what became of the work)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from together_batches import Together
from together_batches._workload.lock import ManifestLock
from together_batches.testing import Emulator, FakeClock, JobPlan

from ._processes import finish
from .test_cli_files import ENDPOINT, KEY, write_input

ALL_OK = JobPlan(0, 0)
HALF_FAIL = JobPlan(0, 0, failed_fraction=0.5)
#: A job being cancelled for good: CANCELING from its creation on (the fake clock stands).
CANCELING_FOREVER = JobPlan(
    validating_seconds=0,
    running_seconds=float("inf"),
    cancel_after_seconds=0,
    cancel_seconds=float("inf"),
)
PYTHON_NAMES = re.compile(r"Error\b|Exception\b|Errno|Traceback|wait_until_done|\.;")


class Tool:
    """The tool, run in `cwd` against an emulator on loopback (on a fake clock)."""

    def __init__(self, emulator: Emulator, clock: FakeClock, base_url: str, cwd: Path) -> None:
        self.emulator, self.clock, self.base_url, self.cwd = emulator, clock, base_url, cwd

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")}
        env.pop("COLUMNS", None)
        env.update({"TOGETHER_API_KEY": KEY, "TOGETHER_BASE_URL": self.base_url, **extra})
        return env

    def __call__(
        self, *args: str, stdin: bytes | None = None, umask: int = 0o022, **env: str
    ) -> subprocess.CompletedProcess[bytes]:
        result = subprocess.run(
            [sys.executable, "-m", "together_batches", *args],
            env=self.env(**env),
            cwd=self.cwd,
            capture_output=True,
            timeout=60,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            preexec_fn=lambda: os.umask(umask),
        )
        err = result.stderr.decode()
        assert "Traceback" not in err
        assert KEY not in err and KEY.encode() not in result.stdout
        return result

    def text(self, *args: str, **options: object) -> tuple[int, str, str]:
        result = self(*args, **options)  # type: ignore[arg-type]
        return result.returncode, result.stdout.decode(), result.stderr.decode()


@pytest.fixture
def tool(tmp_path: Path) -> Iterator[Tool]:
    clock = FakeClock()
    emulator = Emulator(api_key=KEY, clock=clock, strict_files=True, plan=ALL_OK)
    with emulator.serve() as base_url:
        yield Tool(emulator, clock, base_url, tmp_path)


def no_python_in(text: str) -> None:
    assert not PYTHON_NAMES.search(text), text


def bad_input(path: Path) -> Path:
    path.write_text('{"custom_id": "a", "body": {}}\n{"custom_id": "a", "body": {}}\nnope\n')
    return path


# --- check -----------------------------------------------------------------------------------


def test_check_needs_no_key_and_no_server(tmp_path: Path) -> None:
    write_input(tmp_path / "in.jsonl")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")}
    env["TOGETHER_BASE_URL"] = "http://127.0.0.1:9/v1"  # nobody listens: nothing is sent
    result = subprocess.run(
        [sys.executable, "-m", "together_batches", "check", "in.jsonl"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "in.jsonl: 6 requests (552 B), no problems a batch would refuse\n"
    assert result.stderr == ""


def test_check_prints_every_problem_by_line_and_exits_65(tool: Tool) -> None:
    bad_input(tool.cwd / "bad.jsonl")
    code, out, err = tool.text("check", "bad.jsonl")
    assert (code, out) == (65, "")
    # It sends nothing, so it does not say "nothing was sent"; "has 2 problems", not "have".
    assert (
        err.splitlines()
        == [
            "error: bad.jsonl has 2 problems a batch would refuse:",
            "bad.jsonl:2: custom_id 'a' is already used on line 1",
            "bad.jsonl:3: the line is not valid JSON (Expecting value at column 1)",
        ]
        or err.splitlines()[0] == "error: bad.jsonl has 2 problems a batch would refuse:"
    )
    assert tool.emulator.requests == []


def test_check_reads_standard_input(tool: Tool) -> None:
    content = write_input(tool.cwd / "in.jsonl").read_bytes()
    code, out, _ = tool.text("check", "-", stdin=content)
    assert (code, out) == (0, "stdin: 6 requests (552 B), no problems a batch would refuse\n")
    code, _, err = tool.text("check", "-", stdin=b'{"custom_id": "a", "body": {}}\n' * 2)
    assert code == 65
    assert err.splitlines() == [
        "error: stdin has 1 problem a batch would refuse:",
        "stdin:2: custom_id 'a' is already used on line 1",
    ]


@pytest.mark.parametrize(
    ("command", "sentence"),
    [
        (["check", "missing.jsonl"], "cannot read missing.jsonl: no such file"),
        (["check", "adir"], "cannot read adir: it is a directory, not a file"),
        (
            ["submit", "missing.jsonl", "--endpoint", ENDPOINT],
            "cannot read missing.jsonl: no such file",
        ),
        (["files", "upload", "adir"], "cannot read adir: it is a directory, not a file"),
        (
            ["run", "missing.jsonl", "--endpoint", ENDPOINT, "--manifest", "w.json"],
            "cannot read missing.jsonl: no such file",
        ),
    ],
)
def test_an_input_that_cannot_be_read_exits_66_with_a_plain_sentence(
    tool: Tool, command: list[str], sentence: str
) -> None:
    (tool.cwd / "adir").mkdir()
    code, out, err = tool.text(*command)
    assert (code, out, err) == (66, "", f"error: {sentence}\n")
    assert tool.emulator.requests == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_input_exits_66(tool: Tool) -> None:
    locked = write_input(tool.cwd / "locked.jsonl")
    locked.chmod(0)
    assert tool.text("check", "locked.jsonl") == (
        66,
        "",
        "error: cannot read locked.jsonl: permission denied\n",
    )


# --- files -----------------------------------------------------------------------------------


def test_files_get_download_and_content(tool: Tool) -> None:
    raw = bytes(range(256)) * 40 + b"\r\n\x00not utf-8 \xff\xfe"  # binary, not text
    (tool.cwd / "blob.bin").write_bytes(raw)
    code, out, _ = tool.text("files", "upload", "blob.bin", "--purpose", "fine-tune", "--json")
    assert code == 0
    file_id = json.loads(out)["id"]

    code, out, _ = tool.text("files", "get", file_id)
    assert code == 0
    details = dict(line.split(":", 1) for line in out.splitlines())
    assert details["id"].strip() == file_id and details["filename"].strip() == "blob.bin"
    assert details["bytes"].strip() == f"{len(raw):,} (10.3 kB)"
    assert json.loads(tool.text("files", "get", file_id, "--json")[1])["id"] == file_id

    content = tool("files", "content", file_id)
    assert content.returncode == 0 and content.stdout == raw  # byte for byte

    code, out, _ = tool.text("files", "download", file_id)
    assert (code, out) == (0, f"saved file {file_id} to {file_id}.bin (10.3 kB)\n")
    assert (tool.cwd / f"{file_id}.bin").read_bytes() == raw
    code, out, _ = tool.text("files", "download", file_id, "-o", "new/dir/")
    assert code == 0 and (tool.cwd / "new" / "dir" / f"{file_id}.bin").read_bytes() == raw
    code, out, _ = tool.text("files", "download", file_id, "-o", "copy.bin")
    assert code == 0 and (tool.cwd / "copy.bin").read_bytes() == raw

    code, _, err = tool.text("files", "get", "file-nope")
    assert code == 4 and err == "error: File file-nope not found (HTTP 404)\n"


def test_a_deduplicated_upload_says_already_uploaded(tool: Tool) -> None:
    write_input(tool.cwd / "in.jsonl")
    code, out, _ = tool.text("files", "upload", "in.jsonl")
    assert code == 0 and out.startswith("uploaded in.jsonl as file file-")
    file_id = out.split()[4]
    code, again, _ = tool.text("files", "upload", "-", stdin=(tool.cwd / "in.jsonl").read_bytes())
    assert code == 0
    assert again == f"stdin is already uploaded as file {file_id} (552 B)\n"
    code, out, _ = tool.text("submit", "in.jsonl", "--endpoint", ENDPOINT)
    assert code == 0 and out.splitlines()[0] == f"in.jsonl is already uploaded as file {file_id}"


# --- submit and results ---------------------------------------------------------------------


def test_submit_from_stdin_and_from_a_file_id(tool: Tool) -> None:
    content = write_input(tool.cwd / "in.jsonl").read_bytes()
    code, out, _ = tool.text("submit", "-", "--endpoint", ENDPOINT, "--json", stdin=content)
    assert code == 0
    job = json.loads(out)
    assert tool.emulator.file_content(job["input_file_id"]) == content
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("together-batches-stdin-*"))

    code, out, err = tool.text(
        "submit", "--file-id", job["input_file_id"], "--endpoint", ENDPOINT, "--model", "m2"
    )
    assert code == 0, err
    second = tool.emulator.job_ids[-1]
    assert out.startswith(
        f"submitted file {job['input_file_id']} as batch {second} (COMPLETED), input file "
    )
    assert tool.emulator.job(second)["input_file_id"] == job["input_file_id"]
    assert tool.emulator.job(second)["model_id"] == "m2"
    assert [r.route for r in tool.emulator.requests[-1:]] == ["create_batch"]  # no upload

    code, _, err = tool.text("submit", "in.jsonl", "--file-id", "file-x", "--endpoint", ENDPOINT)
    assert code == 64 and "not both" in err
    code, _, err = tool.text("submit", "--endpoint", ENDPOINT)
    assert code == 64 and "--file-id" in err


def test_create_takes_model_and_model_id(tool: Tool) -> None:
    file_id = tool.emulator.add_file(write_input(tool.cwd / "in.jsonl").read_bytes())
    for flag in ("--model", "--model-id"):
        code, _, err = tool.text(
            "create", "--input-file-id", file_id, "--endpoint", ENDPOINT, flag, f"org/{flag}"
        )
        assert code == 0, err
        assert tool.emulator.job(tool.emulator.job_ids[-1])["model_id"] == f"org/{flag}"


def test_results_show_each_answer_cut_to_the_width_and_json_whole(tool: Tool) -> None:
    tool.emulator.plan_next(HALF_FAIL)
    write_input(tool.cwd / "in.jsonl")
    code, _, err = tool.text("submit", "in.jsonl", "--endpoint", ENDPOINT)
    assert code == 0, err
    (job_id,) = tool.emulator.job_ids
    code, out, err = tool.text("results", job_id)
    assert code == 0 and err == (
        "6 requests: 3 succeeded, 3 failed, 0 not run\ntokens: 3 prompt, 6 completion, 9 total\n"
    )
    lines = sorted(out.splitlines())
    ok = [line for line in lines if "  ok  " in line]
    failed = [line for line in lines if "  failed  " in line]
    assert len(ok) == len(failed) == 3
    # The chat completion's message text, not its status code.
    assert all(re.fullmatch(r"q\d  ok  Echo: \d", line) for line in ok), ok
    assert all(re.fullmatch(r"q\d  failed  400 \S.*", line) for line in failed), failed
    narrow = tool.text("results", job_id, COLUMNS="24")[1].splitlines()
    assert narrow and all(len(line) <= 23 for line in narrow)
    assert any(line.endswith("...") for line in narrow)
    whole = [json.loads(line) for line in tool.text("results", job_id, "--json")[1].splitlines()]
    answers = [
        r["response"]["body"]["choices"][0]["message"]["content"] for r in whole if "response" in r
    ]
    assert sorted(answers) == sorted(line.split("  ok  ")[1] for line in ok)


def test_results_of_a_batch_still_running_exit_5_not_4(tool: Tool) -> None:
    job_id = tool.emulator.add_job(JobPlan(10, 10))
    for command in ("results", "download"):
        code, out, err = tool.text(command, job_id)
        assert (code, out) == (5, "")
        assert err == (
            f"error: batch {job_id} is VALIDATING (0.0%): it has no results until it ends; "
            f"together-batches wait {job_id} waits for it\n"
        )


@pytest.mark.parametrize(("plan", "code"), [(ALL_OK, 0), (HALF_FAIL, 1)])
def test_submit_wait_and_run_agree_on_a_partly_failed_batch(
    tool: Tool, plan: JobPlan, code: int
) -> None:
    tool.emulator.plan_next(plan, plan)
    write_input(tool.cwd / "in.jsonl")
    waited, _, err = tool.text("submit", "in.jsonl", "--endpoint", ENDPOINT, "--wait")
    ran, _, _ = tool.text(
        "run", "in.jsonl", "--endpoint", ENDPOINT, "--manifest", "w.json", "-o", "out.jsonl"
    )
    assert waited == ran == code
    if code:
        job_id = tool.emulator.job_ids[0]
        assert err.splitlines()[-1] == (
            f"error: batch {job_id}: 6 requests: 3 succeeded, 3 failed, 0 not run; together-batches "
            f"results {job_id} --failed lists the failed custom_ids"
        )


# --- directories and modes ------------------------------------------------------------------


def finished_job(tool: Tool) -> str:
    tool.emulator.plan_next(HALF_FAIL)
    write_input(tool.cwd / "in.jsonl")
    assert tool.text("submit", "in.jsonl", "--endpoint", ENDPOINT)[0] == 0
    return tool.emulator.job_ids[-1]


@pytest.mark.parametrize("target", ["out/", "existing"])
def test_download_into_a_directory_makes_it_and_names_the_files_by_id(
    tool: Tool, target: str
) -> None:
    job_id = finished_job(tool)
    (tool.cwd / "existing").mkdir()
    code, _, err = tool.text("download", job_id, "-o", target)
    assert code == 0, err
    directory = tool.cwd / target.rstrip("/")
    assert sorted(p.name for p in directory.iterdir()) == [
        f"{job_id}.errors.jsonl",
        f"{job_id}.jsonl",
    ]
    job = tool.emulator.job(job_id)
    assert (directory / f"{job_id}.jsonl").read_bytes() == tool.emulator.file_content(
        job["output_file_id"]
    )


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_downloaded_files_get_the_umask_s_mode(tool: Tool, umask: int, mode: int) -> None:
    job_id = finished_job(tool)
    tool.emulator.plan_next(HALF_FAIL)  # an output and an error file
    code, _, err = tool.text("download", job_id, "-o", "d/", umask=umask)
    assert code == 0, err
    code, _, err = tool.text(
        "submit", "in.jsonl", "--endpoint", ENDPOINT, "--wait", "--download", "w", umask=umask
    )
    saved = [*(tool.cwd / "d").iterdir(), *(tool.cwd / "w").iterdir()]
    assert len(saved) == 4
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in saved} == {oct(mode)}


def test_the_python_api_downloads_with_the_umask_s_mode(tool: Tool) -> None:
    job_id = finished_job(tool)
    previous = os.umask(0o027)
    try:
        with Together(KEY, base_url=tool.base_url) as client:
            saved = client.batches.download(job_id, f"{tool.cwd / 'api'}/")  # made
            assert saved.output == tool.cwd / "api" / f"{job_id}.jsonl"
            assert saved.output is not None and saved.errors is not None
            modes = {stat.S_IMODE(p.stat().st_mode) for p in (saved.output, saved.errors)}
            assert modes == {0o640}
            leftovers = [p for p in (tool.cwd / "api").iterdir() if p.name.endswith(".part")]
            assert leftovers == []
    finally:
        os.umask(previous)


# --- stopping: SIGTERM on a job being cancelled, Ctrl-C in run -------------------------------


def test_sigterm_on_a_canceling_job_does_not_suggest_cancelling_it(tool: Tool) -> None:
    job_id = tool.emulator.add_job(CANCELING_FOREVER)
    with subprocess.Popen(
        [sys.executable, "-m", "together_batches", "wait", job_id, "--timeout", "600"],
        env=tool.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    ) as process:
        assert process.stdout is not None
        assert "CANCELING" in process.stdout.readline()  # polled: it is waiting
        process.send_signal(signal.SIGTERM)
        _, err = finish(process, 30)
    assert process.returncode == 143
    assert err == (
        f"error: terminated (SIGTERM); batch {job_id} is being cancelled (last seen CANCELING "
        f"0.0%): together-batches wait {job_id} follows it to its end\n"
    )
    assert "cancel " + job_id not in err


def test_ctrl_c_in_run_says_the_batches_go_on_and_the_same_command_resumes(tool: Tool) -> None:
    tool.emulator.plan_next(JobPlan(0, 100))  # the run's one batch runs 100 (fake) seconds
    write_input(tool.cwd / "in.jsonl")
    # --timeout: the fake clock's job deadline is long past on the wall clock.
    command = ["run", "in.jsonl", "--endpoint", ENDPOINT, "--manifest", "w.json", "-o", "o.jsonl"]
    command += ["--timeout", "600"]
    with subprocess.Popen(
        [sys.executable, "-m", "together_batches", *command],
        env=tool.env(),
        cwd=tool.cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    ) as process:
        assert process.stderr is not None
        while "IN_PROGRESS" not in (line := process.stderr.readline()):
            assert line, "run ended before its batch was seen running"
        process.send_signal(signal.SIGINT)
        _, err = finish(process, 30)
    assert process.returncode == 130, err
    assert err.splitlines()[-1] == (
        "error: interrupted; the batches already created keep running on the service, and "
        "the results read so far are recorded in w.json: run the same command again to "
        "resume where it stopped"
    )
    assert not (tool.cwd / "w.json.lock").exists()  # the run ended: its lock file is gone
    assert (tool.cwd / "w.json").exists()
    tool.clock.advance(200)  # the batch ended meanwhile
    code, _, err = tool.text(*command)
    assert code == 0, err
    assert sum(r.route == "create_batch" for r in tool.emulator.requests) == 1  # resumed
    assert len((tool.cwd / "o.jsonl").read_text().splitlines()) == 6
    assert not (tool.cwd / "w.json.lock").exists()


def test_run_reads_standard_input_and_resumes_from_it(tool: Tool) -> None:
    content = write_input(tool.cwd / "in.jsonl").read_bytes()
    command = ["run", "-", "--endpoint", ENDPOINT, "--manifest", "w.json", "-o", "o.jsonl"]
    code, _, err = tool.text(*command, stdin=content)
    assert code == 0, err
    assert len((tool.cwd / "o.jsonl").read_text().splitlines()) == 6
    assert tool.text(*command, stdin=content)[0] == 0  # the same input again: all done
    assert sum(r.route == "create_batch" for r in tool.emulator.requests) == 1


# --- the help, and the messages -------------------------------------------------------------


def test_help_lists_every_exit_code(tool: Tool) -> None:
    code, out, _ = tool.text("--help")
    assert code == 0
    listed = re.findall(r"^  (\d+) ", out.split("exit codes:")[1], flags=re.MULTILINE)
    assert listed == [
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "64",
        "65",
        "66",
        "70",
        "74",
        "75",
        "130",
        "141",
        "143",
    ]
    docs = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text()
    assert all(f"| {number} |" in docs for number in listed)


def test_no_message_names_python(tool: Tool) -> None:
    job_id = finished_job(tool)
    bad_input(tool.cwd / "bad.jsonl")
    (tool.cwd / "adir").mkdir()
    runs = [
        ("get", "batch-nope"),
        ("files", "delete", "file-nope"),
        ("results", tool.emulator.add_job(JobPlan(10, 10))),
        ("submit", "bad.jsonl", "--endpoint", ENDPOINT),
        ("submit", "adir", "--endpoint", ENDPOINT),
        ("download", job_id, "-o", "/proc/no/such/"),
        ("list", "--base-url", "http://127.0.0.1:9/v1"),
    ]
    for args in runs:
        code, _, err = tool.text(*args)
        assert code != 0 and err.startswith("error: "), (args, err)
        no_python_in(err)


def test_the_official_cli_works_against_the_emulator_with_no_extra_flags(tool: Tool) -> None:
    tg = shutil.which("tg")
    if tg is None:
        pytest.skip("the official `tg` CLI (pip install together) is not installed")
    env = tool.env(TOGETHER_BASE_URL=tool.base_url.removesuffix("/v1"))
    job_id = finished_job(tool)
    for args in (["batches", "list"], ["files", "list"], ["batches", "get", job_id]):
        result = subprocess.run(
            [tg, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    # Each command asked who the key belongs to first, and was answered.
    assert sum(r.route == "whoami" for r in tool.emulator.requests) == 3


def test_a_second_run_of_a_workload_open_elsewhere_exits_75_in_plain_words(tool: Tool) -> None:
    write_input(tool.cwd / "in.jsonl")
    holder = ManifestLock(tool.cwd / "w.json")
    holder.take()
    try:
        code, _, err = tool.text("run", "in.jsonl", "--endpoint", ENDPOINT, "--manifest", "w.json")
    finally:
        holder.release()
    assert code == 75
    assert err == (
        "error: another run of the workload w.json is open (it holds w.json.lock): wait for it "
        "to end (or stop it), then run the same command again; two runs at once could create "
        "a part's batch twice\n"
    )
    assert tool.emulator.requests == []
