"""The `together-batches` process: real signals, `--verbose`, and what its error lines say.

Every test runs the tool as a subprocess against an emulator (or a loopback server) on
127.0.0.1, as tests/test_cli.py does; the signals are real ones, sent once the wait has
printed its first poll (so it is waiting, with its handlers in place).
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from together_batches import Together
from together_batches.testing import Emulator, FakeClock, Fault

from ._loopback import Reply, Seen, loopback
from ._processes import finish
from .test_cli import KEY, RUNS_FOREVER, WHEN, Served, clean_env, cli, one_error_line


@pytest.fixture
def served() -> Iterator[Served]:
    """An emulator on a fake clock that stands still, served on 127.0.0.1 (as in test_cli)."""
    emulator = Emulator(api_key=KEY, clock=FakeClock(start=WHEN))
    with emulator.serve() as base_url:
        yield Served(emulator, base_url)


def start_wait(served: Served, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """Start `wait` on a job that never ends; returns once its first poll answered."""
    job_id = served.emulator.add_job(RUNS_FOREVER)
    env = clean_env(TOGETHER_API_KEY=KEY, TOGETHER_BASE_URL=served.base_url)
    process = subprocess.Popen(
        # --timeout: the fake clock's job deadline is long past on the wall clock.
        [sys.executable, "-m", "together_batches", "wait", job_id, "--timeout", "600", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    assert job_id in process.stdout.readline()  # the first poll answered: it is waiting
    return process, job_id


def stop(process: subprocess.Popen[str], signum: signal.Signals) -> str:
    with process:
        process.send_signal(signum)
        _, err = finish(process, 20)
    assert "Traceback" not in err and KEY not in err
    return err


def cancels(served: Served) -> list[str]:
    return [r.raw_path for r in served.emulator.requests if r.method == "POST"]


# --- SIGTERM and Ctrl-C during `wait` -----------------------------------------------------


def test_sigterm_during_wait_cancels_like_ctrl_c_and_exits_143(served: Served) -> None:
    process, job_id = start_wait(served, "--cancel-on-timeout")
    err = stop(process, signal.SIGTERM)
    assert process.returncode == 143
    assert err == f"error: terminated (SIGTERM); cancel requested: batch {job_id} is CANCELING\n"
    assert cancels(served) == [f"/v1/batches/{job_id}/cancel"]
    assert served.emulator.job(job_id)["status"] == "CANCELING"


def test_sigterm_without_cancel_says_the_job_is_still_running(served: Served) -> None:
    process, job_id = start_wait(served)
    err = stop(process, signal.SIGTERM)
    assert process.returncode == 143
    assert err.startswith(f"error: terminated (SIGTERM); batch {job_id} is still running ")
    assert f"together-batches cancel {job_id}" in err
    assert cancels(served) == []


def test_ctrl_c_with_cancel_on_timeout_cancels_and_says_so(served: Served) -> None:
    process, job_id = start_wait(served, "--cancel-on-timeout")
    err = stop(process, signal.SIGINT)
    assert process.returncode == 130
    assert err == f"error: interrupted; cancel requested: batch {job_id} is CANCELING\n"
    assert cancels(served) == [f"/v1/batches/{job_id}/cancel"]


def test_a_cancel_that_fails_says_the_job_may_still_be_running(served: Served) -> None:
    served.emulator.faults.add(Fault.status(500, method="POST"))
    process, job_id = start_wait(served, "--cancel-on-timeout")
    err = stop(process, signal.SIGTERM)
    assert process.returncode == 143
    assert err.startswith(
        f"error: terminated (SIGTERM); could not cancel batch {job_id} (Emulated server error "
    )
    assert "it may still be running (last seen IN_PROGRESS 0.0%)" in err
    assert len(cancels(served)) == 1  # one attempt: the tool is being stopped


def test_a_timeout_with_cancel_on_timeout_says_what_the_cancel_did(served: Served) -> None:
    job_id = served.emulator.add_job(RUNS_FOREVER)
    result = cli(
        "wait",
        job_id,
        "--timeout",
        "0.6",
        "--poll-interval",
        "0.2",
        "--cancel-on-timeout",
        base_url=served.base_url,
    )
    assert result.returncode == 2
    assert one_error_line(result) == (
        f"error: timed out after 0.6s waiting for batch {job_id}; last seen IN_PROGRESS 0.0%; "
        f"cancel requested: batch {job_id} is CANCELING"
    )


# --- the emulator command -------------------------------------------------------------------


@pytest.fixture
def emulator_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    with subprocess.Popen(
        [sys.executable, "-m", "together_batches", "emulator", "--port", "0", "--api-key", KEY],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    ) as process:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        process.stdout.readline()  # the hint line
        yield process, base_url
        if process.poll() is None:
            process.kill()


def test_the_emulator_command_stops_cleanly_on_sigterm(
    emulator_process: tuple[subprocess.Popen[str], str],
) -> None:
    process, base_url = emulator_process
    with Together(api_key=KEY, base_url=base_url) as client:
        assert client.batches.list_batches() == []
    process.send_signal(signal.SIGTERM)
    _, err = finish(process, 20)
    assert process.returncode == 0
    assert err == "emulator stopped\n"  # printed once the server had shut down


def test_the_emulator_on_a_taken_port_says_which_option_to_change() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("emulator", "--port", str(port), key=None)
    assert result.returncode == 4
    assert one_error_line(result) == (
        f"error: cannot serve on 127.0.0.1:{port}: Address already in use "
        "(check --host and --port; --port 0 picks a free one)"
    )


# --- --verbose ------------------------------------------------------------------------------


def echoing(request: Seen) -> Reply:
    """A 500 whose body repeats the request's Authorization header."""
    body = {"error": f"upstream rejected {request.headers.get('authorization')}"}
    return 500, {"Content-Type": "application/json"}, json.dumps(body).encode()


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_logs_debug_lines_and_never_the_key(where: str) -> None:
    args = ["--verbose", "get", "b1"] if where == "before" else ["get", "b1", "-v"]
    with loopback(echoing) as (base_url, seen):
        result = cli(*args, base_url=base_url)  # cli() checks: no key anywhere in the output
    assert result.returncode == 4 and len(seen) == 3
    lines = result.stderr.splitlines()
    assert sum("together_batches DEBUG retrying GET" in line for line in lines) == 2
    assert sum("httpx INFO HTTP Request: GET" in line for line in lines) == 3
    assert lines[-1].startswith("error: upstream rejected Bearer ***")


def test_without_verbose_nothing_is_logged(served: Served) -> None:
    served.emulator.faults.add(Fault.status(503))
    result = cli("get", served.emulator.add_job(), base_url=served.base_url)
    assert result.returncode == 0 and result.stderr == ""


# --- base URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("api.together.ai/v1", "must start with http:// or https://"),
        ("ftp://api.example.test/v1", "must start with http:// or https://"),
        ("https://", "has no host"),
        ("http://[::1/v1", "is not a URL (Invalid port: ':1')"),
        ("http://example.test:99999/v1", "has a port out of range (99999)"),
        ("http://example.test/v1 ", "contains whitespace"),
    ],
)
def test_a_malformed_base_url_is_a_usage_error(url: str, problem: str) -> None:
    from_env = cli("list", base_url=url)
    assert from_env.returncode == 64
    assert one_error_line(from_env) == (
        f"error: TOGETHER_BASE_URL {url!r} {problem}: give the API's base URL, such as "
        "https://api.together.ai"
    )
    from_option = cli("get", "b1", "--base-url", url)
    assert from_option.returncode == 64
    assert one_error_line(from_option).startswith(f"error: --base-url {url!r} {problem}")


def test_a_base_url_with_or_without_v1_reaches_the_api(served: Served) -> None:
    # The client adds /v1 where it is missing (`_config.api_base_url` has the table).
    origin = served.base_url.removesuffix("/v1")
    for result in (
        cli("list", base_url=origin),
        cli("list", base_url=origin + "/"),
        cli("list", "--base-url", origin + "/v1/"),
    ):
        assert (result.returncode, result.stdout, result.stderr) == (0, "No batch jobs.\n", "")


def test_a_404_has_no_base_url_hint(served: Served) -> None:
    line = one_error_line(cli("get", "batch-nope", base_url=served.base_url))
    assert line.endswith("(HTTP 404)") and "/v1" not in line


def test_connection_and_auth_errors_name_the_options_to_check(served: Served) -> None:
    refused = one_error_line(cli("list", base_url="http://127.0.0.1:9/v1"))
    # No Python names (APIConnectionError, ConnectError, Errno) and no ".;".
    assert refused == (
        "error: Could not connect (Connection refused): check the base URL and the network, "
        "then retry; the base URL was http://127.0.0.1:9/v1 (--base-url or TOGETHER_BASE_URL)"
    )
    assert refused.endswith(
        "; the base URL was http://127.0.0.1:9/v1 (--base-url or TOGETHER_BASE_URL)"
    )
    wrong = one_error_line(cli("list", base_url=served.base_url, key="sk-wrong-key-90f1e2"))
    assert re.search(r"check the key given by --api-key or TOGETHER_API_KEY$", wrong)
