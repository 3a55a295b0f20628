"""The live views when their terminal goes away: a library warning printed above the
workload's view must not raise into the run, nothing is raised from rich's refresh thread,
the view's end raises what the terminal did (so that the command exits as a closed pipe
should), and a view whose first draw fails leaves no handler of its own on the library's
logger (else warnings would be lost, or printed to the dead stream, for the rest of the
process)."""

from __future__ import annotations

import logging
import threading

import pytest
from rich.console import Console

from together_batches import BatchJob, BatchStatus
from together_batches._display.wait import WaitLive
from together_batches._display.workload import WorkloadLive

from .test_cli_workload_view import Clock, Closing, progress

LOGGER = logging.getLogger("together_batches")


@pytest.fixture(autouse=True)
def unconfigured(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in a program that set up no logging (pytest adds handlers of its own while a test
    # runs): the workload's view then prints the library's warnings above itself.
    monkeypatch.setattr(LOGGER, "hasHandlers", lambda: False)


def console(out: Closing) -> Console:
    return Console(file=out, force_terminal=True, width=100, color_system=None)


def test_a_warning_above_a_gone_terminal_does_not_reach_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashes: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", crashes.append)
    out = Closing()
    handlers, survived = list(LOGGER.handlers), False
    with pytest.raises(BrokenPipeError), WorkloadLive(console(out), clock=Clock()) as view:
        view.update(progress())
        out.gone = True
        # What the wait logs after a failed poll: it must not raise BrokenPipeError here.
        LOGGER.warning("poll of batch b1 failed (HTTP 503); retrying in 2.0 s")
        view.update(progress(done=200))
        survived = True
    assert survived  # the view's end is what raised
    assert LOGGER.handlers == handlers
    assert crashes == []


def _job() -> BatchJob:
    return BatchJob(id="b1", status=BatchStatus.IN_PROGRESS, progress=10.0)


@pytest.mark.parametrize("kind", ["workload", "wait"])
def test_a_view_whose_first_draw_fails_leaves_the_logger_as_it_was(kind: str) -> None:
    out = Closing()
    out.gone = True
    handlers = list(LOGGER.handlers)
    with pytest.raises(BrokenPipeError):
        if kind == "workload":
            with WorkloadLive(console(out), clock=Clock()):
                pass
        else:
            with WaitLive(console(out), clock=Clock()) as view:
                view.update(_job())
    assert LOGGER.handlers == handlers
