"""Child processes of the CLI tests: the end of one is awaited with a bound, never forever."""

from __future__ import annotations

import subprocess


def finish(process: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    """`communicate` within `timeout` seconds; a child still running then is killed and the
    test fails, instead of hanging in `Popen.__exit__`'s unbounded wait.

    Returns:
        The child's standard output and standard error.
    """
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        raise AssertionError(
            f"{process.args!r} did not stop within {timeout:g}s; stderr: {err[-2000:]!r}"
        ) from None
