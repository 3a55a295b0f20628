"""Waits on many jobs keep up to `max_concurrency` polls in flight, in both twins.

The proof is a barrier, not a stopwatch: the loopback server holds each poll until
`max_concurrency` of them are in flight at once, so a twin that polls one job at a time
never gets an answer (the barrier breaks after `BARRIER_TIMEOUT` and every poll fails).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest

from together_batches import BatchStatus

from ._loopback import Seen, loopback
from ._twins import Twin

BARRIER_TIMEOUT = 10.0  # real seconds: only a twin that never reaches the barrier waits it


class Gate:
    """Answers every poll COMPLETED once `parties` polls are in flight together; counts the
    most seen in flight at once."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=BARRIER_TIMEOUT)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0

    def __call__(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            self.barrier.wait()
        finally:
            with self.lock:
                self.in_flight -= 1
        batch_id = seen.path.rsplit("/", 1)[1]
        body = json.dumps({"id": batch_id, "status": "COMPLETED", "progress": 100})
        return 200, {"Content-Type": "application/json"}, body.encode()


@pytest.fixture
def gate(request: pytest.FixtureRequest) -> Iterator[tuple[str, Gate]]:
    server = Gate(request.param)
    with loopback(server) as (base_url, _):
        yield base_url, server


@pytest.mark.parametrize("gate", [4], indirect=True)
def test_wait_all_has_max_concurrency_polls_in_flight(twin: Twin, gate: tuple[str, Gate]) -> None:
    base_url, server = gate
    client = twin.client(None, base_url=base_url)
    ids = ["a", "b", "c", "d"]
    jobs = client.batches.wait_all(ids, max_concurrency=4, timeout=15)
    client.close()
    assert [j.id for j in jobs] == ids and all(j.status is BatchStatus.COMPLETED for j in jobs)
    assert server.peak == 4


@pytest.mark.parametrize("gate", [2], indirect=True)
def test_as_completed_never_has_more_than_max_concurrency_in_flight(
    twin: Twin, gate: tuple[str, Gate]
) -> None:
    # Six jobs through two slots: the polls meet at the barrier two by two, and a third in
    # flight would show in the peak.
    base_url, server = gate
    client = twin.client(None, base_url=base_url)
    ids = [f"job-{i}" for i in range(6)]
    done = list(client.batches.as_completed(ids, max_concurrency=2, timeout=15))
    client.close()
    assert sorted(str(j.id) for j in done) == ids
    assert server.peak == 2
