"""The CLI's live views when their terminal goes away: a library warning printed above the
workload's view must not raise into the run, and a view whose first draw fails leaves no
handler of its own on the library's logger (else warnings would be lost, or printed to the
dead stream, for the rest of the process)."""

from __future__ import annotations

import logging

import pytest

from together_batches.cli.views.progress import LiveBar
from together_batches.cli.views.workload import WorkloadBar

from .test_cli_workload_view import Clock, Closing, progress

LOGGER = logging.getLogger("together_batches")


@pytest.fixture(autouse=True)
def unconfigured(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in a program that set up no logging (pytest adds handlers of its own while a test
    # runs): the workload's view then prints the library's warnings above itself.
    monkeypatch.setattr(LOGGER, "hasHandlers", lambda: False)


def test_a_warning_above_a_gone_terminal_does_not_reach_the_run() -> None:
    out = Closing()
    handlers, survived = list(LOGGER.handlers), False
    with pytest.raises(BrokenPipeError), WorkloadBar(out, tick=60.0, clock=Clock()) as bar:
        bar.update(progress())
        out.gone = True
        # What the wait logs after a failed poll: it must not raise BrokenPipeError here.
        LOGGER.warning("poll of batch b1 failed (HTTP 503); retrying in 2.0 s")
        survived = True
    assert survived  # the end's own last draw is what raised, as before
    assert LOGGER.handlers == handlers


@pytest.mark.parametrize(
    "make",
    [lambda out: WorkloadBar(out, tick=60.0, clock=Clock()), lambda out: LiveBar(out, tick=60.0)],
    ids=["workload", "wait"],
)
def test_a_view_whose_first_draw_fails_leaves_the_logger_as_it_was(make: object) -> None:
    out = Closing()
    out.gone = True
    handlers = list(LOGGER.handlers)
    view = make(out)  # type: ignore[operator]
    with pytest.raises(BrokenPipeError):
        view.__enter__()
    assert LOGGER.handlers == handlers
