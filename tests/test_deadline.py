"""The deadline arithmetic of requests and waits (`_http.deadlines`), as tables: no I/O, no clock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from together_batches._config import to_timeout
from together_batches._http import deadlines as D

DEFAULT = httpx.Timeout(60.0, connect=10.0)


def phases(timeout: httpx.Timeout) -> tuple[float | None, ...]:
    return (timeout.connect, timeout.read, timeout.write, timeout.pool)


@pytest.mark.parametrize(
    ("timeout", "budget"),
    [
        (DEFAULT, 60.0),  # the longest phase bounds the whole attempt
        (httpx.Timeout(5.0), 5.0),
        (to_timeout(3, DEFAULT), 3.0),  # a number: the whole attempt, connect within it
        (httpx.Timeout(2.0, read=30.0), 30.0),
        (httpx.Timeout(None), None),  # asked for no timeout: no bound
        (httpx.Timeout(20.0, read=None), None),  # an endless read was asked for
    ],
)
def test_attempt_budget(timeout: httpx.Timeout, budget: float | None) -> None:
    assert D.attempt_budget(timeout) == budget


@pytest.mark.parametrize(
    ("requested", "left", "expected"),
    [
        (None, 1000.0, (10.0, 60.0, 60.0, 60.0)),  # the client's
        (None, 30.0, (10.0, 30.0, 30.0, 30.0)),  # cut to the time left
        (5.0, 1000.0, (5.0, 5.0, 5.0, 5.0)),
        (httpx.Timeout(None), 42.0, (42.0, 42.0, 42.0, 42.0)),  # "no timeout" still ends
        (httpx.Timeout(20.0, read=None), 1000.0, (20.0, 1000.0, 20.0, 20.0)),
    ],
)
def test_cut_timeout(requested: Any, left: float, expected: tuple[float, ...]) -> None:
    assert phases(D.cut_timeout(to_timeout(requested, DEFAULT), left)) == expected


@pytest.mark.parametrize(
    ("timeout", "outer", "whole", "expected_phases", "end"),
    [
        # A plain call: the phases as given, the attempt ends a budget from now.
        (DEFAULT, None, True, (10.0, 60.0, 60.0, 60.0), 160.0),
        (httpx.Timeout(None), None, True, (None, None, None, None), None),
        # A download: each phase only.
        (DEFAULT, None, False, (10.0, 60.0, 60.0, 60.0), None),
        # Under a wait's deadline 7 s away: everything cut to it.
        (DEFAULT, 107.0, True, (7.0, 7.0, 7.0, 7.0), 107.0),
        (DEFAULT, 107.0, False, (7.0, 7.0, 7.0, 7.0), 107.0),
        (httpx.Timeout(None), 107.0, True, (7.0, 7.0, 7.0, 7.0), 107.0),
        # The call's own bound comes first.
        (httpx.Timeout(5.0), 107.0, True, (5.0, 5.0, 5.0, 5.0), 105.0),
        # A deadline already past: nothing left.
        (DEFAULT, 90.0, True, (0.0, 0.0, 0.0, 0.0), 90.0),
    ],
)
def test_attempt_limits(
    timeout: httpx.Timeout,
    outer: float | None,
    whole: bool,
    expected_phases: tuple[float | None, ...],
    end: float | None,
) -> None:
    got, got_end = D.attempt_limits(timeout, 100.0, outer, whole=whole)
    assert phases(got) == expected_phases
    assert got_end == end
    if outer is None:
        assert got is timeout  # untouched: the request keeps exactly what was asked for


@pytest.mark.parametrize(
    ("due", "deadline", "now", "sleep"),
    [(105.0, 200.0, 100.0, 5.0), (250.0, 200.0, 100.0, 100.0), (90.0, 200.0, 100.0, 0.0)],
)
def test_sleep_seconds(due: float, deadline: float, now: float, sleep: float) -> None:
    assert D.sleep_seconds(due, deadline, now) == sleep


@pytest.mark.parametrize(
    ("read", "end", "now", "expected"),
    [
        (60.0, 130.0, 100.0, 30.0),  # headers came late: the body gets what is left
        (60.0, 160.0, 100.0, None),  # all of it is left: keep it
        (60.0, 159.5, 100.0, None),  # within a second: not worth touching the request
        (60.0, 159.0, 100.0, 59.0),
        (None, 130.0, 100.0, 30.0),  # an endless read still ends with the attempt
        (5.0, 130.0, 100.0, None),
        (60.0, 90.0, 100.0, 0.0),
    ],
)
def test_body_read_timeout(
    read: float | None, end: float, now: float, expected: float | None
) -> None:
    got = D.body_read_timeout(read, end, now)
    assert got == (None if expected is None else pytest.approx(expected))
