"""Together's own SDK (3.x) against the emulator: its upload and the whole batch flow.

`together==3.1.1` is pinned in the dev extras (requirements/dev.lock), so this runs in
`make test`: the emulator must keep speaking the protocol the official client speaks. (It
is skipped only where the package is not installed, outside the dev environment.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from together_batches.testing import Emulator, FakeClock, JobPlan

together = pytest.importorskip("together", minversion="3")

KEY = "test-key"


def test_the_official_sdk_uploads_submits_and_reads_results(tmp_path: Path) -> None:
    clock = FakeClock(start=datetime(2025, 3, 1, tzinfo=UTC))
    emulator = Emulator(clock=clock, plan=JobPlan(1, 1, failed_fraction=0.5))
    lines = [
        {
            "custom_id": f"r{i}",
            "body": {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        }
        for i in range(4)
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with emulator.serve() as base_url:
        # 3.x takes the origin as its base URL: its paths start with /v1.
        client = together.Together(
            api_key=KEY, base_url=base_url.removesuffix("/v1"), max_retries=0
        )
        uploaded = client.files.upload(file=path, purpose="batch-api", check=False)
        assert (uploaded.bytes, uploaded.purpose) == (path.stat().st_size, "batch-api")
        assert emulator.requests[-1].route == "preprocess_file"
        put = next(r for r in emulator.requests if r.method == "PUT")
        assert "authorization" not in put.headers
        # The fields 3.1.1 reads instead of the deprecated `Processed` (its upload keeps only
        # some of the answer's fields; a retrieve has them all).
        assert uploaded.processing_status == "COMPLETED"
        report = client.files.retrieve(uploaded.id).validation_report
        assert report is not None and (report.valid, report.nlines) == (True, 4)
        # The same content again: the SDK takes the 409 and returns the existing file.
        assert client.files.upload(file=path, purpose="batch-api", check=False).id == uploaded.id

        created = client.batches.create(endpoint="/v1/chat/completions", input_file_id=uploaded.id)
        clock.advance(5)
        job = client.batches.retrieve(created.job.id)
        assert job.status == "COMPLETED"
        output = client.files.content(job.output_file_id).read().splitlines()
        errors = client.files.content(job.error_file_id).read().splitlines()
        assert (len(output), len(errors)) == (2, 2)
        listed = {file.id for file in client.files.list().data}
        assert {uploaded.id, job.output_file_id, job.error_file_id} <= listed
        assert client.files.delete(uploaded.id).deleted is True
