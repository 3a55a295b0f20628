"""`progress=True` over both twins: the live views drawn by the library itself, on a rich
console forced to be a terminal (what standard error is, in a terminal), and plain lines when
standard error is not one. Each test checks the last frame, that no frame goes backwards,
and that nothing else is left on the screen; and that the caller's own callbacks are still
called."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from together_batches import BatchJob, WorkloadProgress
from together_batches._display import live
from together_batches.testing import Emulator, FakeClock, JobPlan, fast_forward

from ._screen import frames, screen
from ._twins import Twin

KEY = "sk-display-7d1c2a"
ENDPOINT = "/v1/chat/completions"


class Screen:
    """What `progress=True` draws on: a console that says it is a terminal."""

    def __init__(self) -> None:
        self.out = io.StringIO()

    def console(self) -> Console:
        return Console(file=self.out, force_terminal=True, width=120, color_system=None)

    def frames(self) -> list[list[str]]:
        return frames(self.out.getvalue())

    def last(self) -> list[str]:
        """The last frame, checked to be all that is left on the screen."""
        drawn = self.frames()
        assert drawn, "nothing was drawn"
        assert screen(self.out.getvalue()) == [*drawn[-1], ""]
        return drawn[-1]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Screen:
    shown = Screen()
    monkeypatch.setattr(live, "library_console", shown.console)
    return shown


class Env:
    def __init__(self, twin: Twin) -> None:
        self.clock = FakeClock()
        self.emulator = Emulator(
            api_key=KEY, clock=self.clock, strict_files=True, plan=JobPlan(5, 20)
        )
        transport = self.emulator.async_transport() if twin.is_async else self.emulator.transport()
        self.client = twin.client(transport, api_key=KEY)


@pytest.fixture
def env(twin: Twin) -> Env:
    return Env(twin)


def content(count: int) -> bytes:
    lines = [
        {
            "custom_id": f"q{i}",
            "body": {"model": "m", "messages": [{"role": "user", "content": "x"}]},
        }
        for i in range(count)
    ]
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def percents(rows: list[str]) -> list[float]:
    return [float(row.split("%")[0].split()[-1]) for row in rows if "%" in row]


def assert_never_backwards(drawn: list[list[str]], row: int = 0) -> None:
    shown = percents([frame[row] for frame in drawn if len(frame) > row])
    assert shown == sorted(shown), shown


def test_wait_until_done_draws_the_job_until_it_ends(env: Env, terminal: Screen) -> None:
    job_id = env.emulator.add_job()
    seen: list[BatchJob] = []
    with fast_forward(env.clock):
        done = env.client.batches.wait_until_done(
            job_id, poll_interval=1.0, max_poll_interval=2.0, on_progress=seen.append, progress=True
        )
    assert done.status == "COMPLETED"
    (last,) = terminal.last()
    assert last.split()[:2] == [job_id, "COMPLETED"] and "100.0%" in last
    assert_never_backwards(terminal.frames())
    assert len(seen) >= 3 and seen[-1].status == "COMPLETED"  # the caller's callback too
    assert len(terminal.frames()) >= 3  # a frame at least per change of the job


def test_wait_all_and_as_completed_draw_a_row_per_job(env: Env, terminal: Screen) -> None:
    ids = [env.emulator.add_job(), env.emulator.add_job(plan=JobPlan(5, 40))]
    with fast_forward(env.clock):
        jobs = env.client.batches.wait_all(ids, poll_interval=1.0, progress=True)
    assert [job.status for job in jobs] == ["COMPLETED", "COMPLETED"]
    rows = terminal.last()
    assert sorted(row.split()[0] for row in rows) == sorted(ids)
    assert all(row.split()[1] == "COMPLETED" for row in rows)
    for row in range(2):
        assert_never_backwards(terminal.frames(), row)

    again = Screen()
    terminal.out = again.out
    with fast_forward(env.clock):
        ended = list(env.client.batches.as_completed(ids, progress=True))
    assert {job.id for job in ended} == set(ids)
    assert all(row.split()[1] == "COMPLETED" for row in again.last())


def test_upload_and_submit_draw_the_upload_s_bar(
    env: Env, terminal: Screen, tmp_path: Path
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(content(5))
    sent: list[int] = []
    env.client.files.upload(path, on_progress=lambda done, total: sent.append(done), progress=True)
    (last,) = terminal.last()
    assert last.startswith("Uploading in.jsonl") and "100.0%" in last
    assert sent[-1] == path.stat().st_size  # the caller's callback too

    again = Screen()
    terminal.out = again.out
    path.write_bytes(content(6))  # new content: uploaded, not found already there
    job = env.client.batches.submit(path, endpoint=ENDPOINT, progress=True)
    assert job.id is not None
    (last,) = again.last()
    assert last.startswith("Uploading in.jsonl") and "100.0%" in last


def test_run_draws_the_workload_until_it_ends(env: Env, terminal: Screen, tmp_path: Path) -> None:
    seen: list[WorkloadProgress] = []
    requests = [(f"r{i}", {"model": "m", "messages": []}) for i in range(8)]
    with fast_forward(env.clock):
        results = list(
            env.client.batches.run(
                requests,
                endpoint=ENDPOINT,
                manifest=tmp_path / "w.json",
                max_requests=3,
                on_progress=seen.append,
                progress=True,
            )
        )
    assert len(results) == 8
    (last,) = terminal.last()
    assert "100%" in last and "8/8 done, 0 failed; parts: 3 COMPLETED" in last
    assert_never_backwards(terminal.frames())
    assert seen and seen[-1].succeeded == 8  # the caller's callback too


def test_off_a_terminal_progress_is_plain_lines_on_stderr(
    env: Env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(live, "library_console", lambda: Console(file=io.StringIO()))
    job_id = env.emulator.add_job()
    with fast_forward(env.clock):
        env.client.batches.wait_until_done(job_id, poll_interval=1.0, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "\x1b" not in captured.err and "\r" not in captured.err
    lines = captured.err.splitlines()
    assert lines and lines[-1].endswith(f"{job_id}  COMPLETED  100.0%")


def test_progress_is_off_by_default(env: Env, terminal: Screen) -> None:
    job_id = env.emulator.add_job()
    with fast_forward(env.clock):
        env.client.batches.wait_until_done(job_id, poll_interval=1.0)
    assert terminal.out.getvalue() == ""


def test_an_async_callback_is_still_refused_by_the_sync_client(terminal: Screen) -> None:
    sync = Env(Twin("sync"))

    async def on_progress(job: Any) -> None:
        return None

    with pytest.raises(TypeError, match="on_progress is an async function"):
        sync.client.batches.wait_until_done("b1", on_progress=on_progress, progress=True)
    assert terminal.out.getvalue() == ""  # nothing drawn for a call refused
