"""A local, stateful emulator of Together's Batch API, for tests, demos and benchmarks.

    from datetime import UTC, datetime
    import httpx
    from together_batches.testing import Emulator, FakeClock, Fault, JobPlan

    clock = FakeClock(start=datetime(2025, 1, 15, tzinfo=UTC))
    emulator = Emulator(clock=clock, plan=JobPlan(validating_seconds=5, running_seconds=60))
    emulator.faults.add(Fault.rate_limited(times=1, retry_after=2))
    with httpx.Client(base_url="http://emulator/v1", transport=emulator.transport(),
                      headers={"Authorization": "Bearer test-key"}) as http:
        job = http.post("/batches", json={"endpoint": "/v1/chat/completions",
                                          "input_file_id": "file-1"})  # 429 first
    clock.advance(65)  # the job has COMPLETED

The same emulator also serves real HTTP: `with emulator.serve() as base_url: ...`. Around
a `Together` client, `with fast_forward(clock):` makes its sleeps (retries, waits) advance
the clock instead, so `wait_until_done` on a 24 h job returns at once.
"""

from ._app import RecordedRequest, Response
from ._clock import Clock, FakeClock, SystemClock, fast_forward
from ._emulator import Emulator, run_server
from ._faults import Fault, FaultKind, FaultQueue
from ._state import JobPlan, Snapshot, progress_at, snapshot_at

__all__ = [
    "Clock",
    "Emulator",
    "FakeClock",
    "Fault",
    "FaultKind",
    "FaultQueue",
    "JobPlan",
    "RecordedRequest",
    "Response",
    "Snapshot",
    "SystemClock",
    "progress_at",
    "run_server",
    "fast_forward",
    "snapshot_at",
]
