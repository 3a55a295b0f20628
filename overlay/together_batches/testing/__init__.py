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

Files go up as on the live service: `POST /v1/files` answers 302 to a presigned URL on the
emulator itself (`/_storage/...`, which refuses an API key), the client PUTs the bytes
there, then calls `POST /v1/files/{id}/preprocess`; the same content again (by checksum)
answers 409 with the first file's id. A job reads its input: one output line per valid
line, one error line per invalid line and per scripted failure (`JobPlan.failed_fraction`,
or `emulator.fail_requests(ids, attempts=N)`: those requests fail in their first N jobs).
`emulator.plan_for(custom_id, plan)` gives the job holding a request its timeline, whatever
order a client creates its batches in (`plan_next` scripts the next creates, in order).
The emulator itself imports nothing of the client (only `fast_forward` patches its clock),
so that it can test it.
"""

from ._app import RecordedRequest
from ._clock import Clock, FakeClock, SystemClock, fast_forward
from ._emulator import Emulator
from ._fault_queue import FaultQueue
from ._faults import Fault, FaultKind
from ._foreground import run_server
from ._http import Response
from ._plan import JobPlan, Snapshot, progress_at, snapshot_at

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
