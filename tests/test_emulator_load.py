"""The emulator's real HTTP server under bursts of concurrent connections: none is refused.

The standard library's servers listen with a backlog of 5; a burst of new connections then
overflows the kernel's accept queue and some are reset. Each burst here opens 200 new
connections at once (a fresh client per burst, so no keep-alive connection is reused).
"""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from together_batches.testing import Emulator, FakeClock

KEY = "sk-emulator-load-test-3e8d1c"
AUTH = {"Authorization": f"Bearer {KEY}"}
BURST = 200
CREATE = {"endpoint": "/v1/chat/completions", "input_file_id": "file-in"}


async def burst(base_url: str, method: str, path: str) -> list[int | BaseException]:
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, limits=limits) as http:
        body = CREATE if method == "POST" else None
        answers = await asyncio.gather(
            *(http.request(method, path, json=body, timeout=60) for _ in range(BURST)),
            return_exceptions=True,
        )
    return [a.status_code if isinstance(a, httpx.Response) else a for a in answers]


def test_bursts_of_200_concurrent_requests_see_no_failure() -> None:
    emulator = Emulator(api_key=KEY, clock=FakeClock(start=dt.datetime(2025, 1, 15, tzinfo=dt.UTC)))
    with emulator.serve() as base_url:
        for _ in range(3):
            created = asyncio.run(burst(base_url, "POST", "/batches"))
            failures = [a for a in created if a != 201]
            assert failures == [], failures[:5]
        listed = asyncio.run(burst(base_url, "GET", "/batches"))
        assert [a for a in listed if a != 200] == []
    assert len(emulator.job_ids) == 3 * BURST
