"""The workload's bounded concurrency for uploads and creates, in both twins' helpers: every
answer is handed on, in the caller's thread, and the first error is raised after the rest."""

from __future__ import annotations

import asyncio
import threading

import pytest

from together_batches._workload.driver import concurrently
from together_batches._workload.driver_async import each_concurrently


def answer(item: int) -> int:
    if item in (3, 5):
        raise ValueError(f"no {item}")
    return item * 10


def test_threads_hand_on_every_answer_then_the_first_error() -> None:
    got: list[int] = []
    caller = threading.get_ident()
    with pytest.raises(ValueError, match=r"no [35]"):
        for value in concurrently(answer, range(8), limit=3):
            assert threading.get_ident() == caller
            got.append(value)
    assert sorted(got) == [0, 10, 20, 40, 60, 70]


def test_threads_without_errors_and_a_limit_below_one() -> None:
    assert sorted(concurrently(lambda n: n + 1, range(5), limit=0)) == [1, 2, 3, 4, 5]


def test_tasks_hand_on_every_answer_then_the_first_error() -> None:
    got: list[int] = []
    in_flight = [0, 0]  # now, most

    async def call(item: int) -> int:
        in_flight[0] += 1
        in_flight[1] = max(in_flight)
        await asyncio.sleep(0)
        in_flight[0] -= 1
        return answer(item)

    with pytest.raises(ValueError, match=r"no [35]"):
        asyncio.run(each_concurrently(call, range(8), 3, got.append))
    assert sorted(got) == [0, 10, 20, 40, 60, 70]
    assert in_flight[1] == 3  # bounded by the limit


def test_tasks_are_cancelled_when_the_handler_raises() -> None:
    started: list[int] = []

    async def call(item: int) -> int:
        started.append(item)
        await asyncio.sleep(0 if item == 0 else 3600)  # only the first ever answers
        return item

    def then(value: int) -> None:
        raise RuntimeError(f"crash at {value}")

    with pytest.raises(RuntimeError, match="crash at 0"):
        asyncio.run(each_concurrently(call, range(4), 8, then))
    assert sorted(started) == [0, 1, 2, 3]
