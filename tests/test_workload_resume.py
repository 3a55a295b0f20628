"""The workload's pure pieces driven end to end as `_workload.plan`'s design note says, over
a fake server, with a crash at every step and a resume after it: nothing is uploaded or
created twice, and each request ends with its last attempt's outcome.

The driver here is a model of `batches.run`: the real one calls the client instead of
`FakeServer` (which decides each request's fate when its batch is created).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import pytest

from together_batches import BatchJob, BatchResult, ManifestError
from together_batches._jsonl.results import parse_result
from together_batches._jsonl.writer import InputFileWriter, new_sha256
from together_batches._workload.events import (
    Consumed,
    Created,
    CreateSent,
    Event,
    NotCreated,
    RoundPlanned,
    Uploaded,
    apply,
    new_workload,
)
from together_batches._workload.manifest import check_matches, load_manifest, save_manifest
from together_batches._workload.plan import (
    Action,
    Consume,
    Create,
    FindBatch,
    PlanRound,
    Upload,
    Wait,
    find_batch,
    leftover_name,
    next_actions,
    parts_directory,
    round_prefix,
    seen,
)
from together_batches._workload.records import Part, PartFile, Workload, part_file
from together_batches._workload.results import UNFINISHED_CODE, PartResults, custom_id_of
from together_batches._workload.split import split_lines, split_requests

ENDPOINT = "/v1/chat/completions"


class Crash(Exception):
    """The process dies here: what was saved stays, nothing else."""


@dataclass
class FakeBatch:
    id: str
    file_id: str
    created_at: float
    status: str
    results: list[dict[str, Any]]


@dataclass
class FakeServer:
    """Files deduplicated by checksum (409), and batches whose requests' fates are fixed
    when they are created: `fails(custom_id, attempt)`, and `expire` (a batch whose first
    request is one of these, on its first attempt, expires with only the first half of its
    requests run). Fates follow the requests, not the order batches are created in."""

    fails: Callable[[str, int], bool]
    expire: frozenset[str] = frozenset()
    files: dict[str, str] = field(default_factory=dict)  # sha256 -> file id
    contents: dict[str, bytes] = field(default_factory=dict)
    puts: list[str] = field(default_factory=list)  # the checksum of each upload sent
    batches: dict[str, FakeBatch] = field(default_factory=dict)
    attempts: Counter[str] = field(default_factory=Counter)
    now: float = 1_700_000_000.0

    def upload(self, data: bytes) -> str:
        digest = new_sha256()
        digest.update(data)
        sha = digest.hexdigest()
        if sha not in self.files:  # else: 409, the same file, no bytes sent
            self.files[sha] = f"file-{len(self.files) + 1}"
            self.contents[self.files[sha]] = data
            self.puts.append(sha)
        return self.files[sha]

    def create(self, file_id: str) -> str:
        self.now += 1
        number = len(self.batches) + 1
        lines = self.contents[file_id].splitlines(keepends=True)
        first = custom_id_of(lines[0])
        expires = first in self.expire and self.attempts[first] == 0
        ran = lines[: len(lines) // 2] if expires else lines
        results = []
        for line in ran:
            custom_id = custom_id_of(line)
            if self.fails(custom_id, self.attempts[custom_id]):
                results.append({"custom_id": custom_id, "error": {"message": "no", "code": 500}})
            else:
                response = {"status_code": 200, "body": {"attempt": self.attempts[custom_id]}}
                results.append({"custom_id": custom_id, "response": response})
        self.attempts.update(custom_id_of(line) for line in lines)
        status = "EXPIRED" if expires else "COMPLETED"
        batch = FakeBatch(f"batch-{number}", file_id, self.now, status, results)
        self.batches[batch.id] = batch
        return batch.id

    def job(self, batch: FakeBatch, status: str | None = None) -> BatchJob:
        created = dt.datetime.fromtimestamp(batch.created_at, dt.UTC)
        return BatchJob(
            id=batch.id,
            input_file_id=batch.file_id,
            endpoint=ENDPOINT,
            created_at=created,
            status=status or batch.status,
            progress=50.0 if status else 100.0,
            output_file_id=None if status else f"out-{batch.id}",
        )

    def jobs(self) -> list[BatchJob]:
        return [self.job(batch) for batch in self.batches.values()]

    def results(self, batch_id: str) -> Iterator[BatchResult]:
        return (parse_result(json.loads(json.dumps(r))) for r in self.batches[batch_id].results)


class Driver:
    """`batches.run` as the design note lays it out, over `FakeServer`; it raises `Crash`
    at its `crash_at`th step."""

    def __init__(self, manifest: Path, server: FakeServer, crash_at: int | None = None) -> None:
        self.manifest, self.server, self.crash_at = manifest, server, crash_at
        self.base, self.directory = manifest.parent, parts_directory(manifest)
        self.steps: list[str] = []

    def step(self, kind: str) -> None:
        self.steps.append(kind)
        if len(self.steps) == self.crash_at:
            raise Crash(kind)

    def record(self, workload: Workload, event: Event, kind: str) -> Workload:
        workload = apply(workload, event)
        save_manifest(self.manifest, workload)
        self.step(kind)
        return workload

    def run(
        self, requests: Iterable[Any], *, retry_failed: int, max_requests: int
    ) -> Iterator[BatchResult]:
        recorded = load_manifest(self.manifest)
        if recorded is not None:  # a resumed run splits as the manifest says
            max_requests, max_bytes = recorded.max_requests, recorded.max_bytes
        else:
            max_bytes = 10_000
        infos = split_requests(
            requests,
            self.directory,
            prefix=round_prefix(0),
            max_requests=max_requests,
            max_bytes=max_bytes,
        )
        files = [part_file(info, self.base) for info in infos]
        given = new_workload(
            files,
            endpoint=ENDPOINT,
            retry_failed=retry_failed,
            max_requests=max_requests,
            max_bytes=max_bytes,
        )
        if recorded is None:
            workload = given
            save_manifest(self.manifest, workload)
        else:
            check_matches(recorded, given, infos, path=str(self.manifest))
            workload = recorded
        while actions := next_actions(workload):
            for action in actions:
                workload = yield from self.do(workload, action)

    def do(self, workload: Workload, action: Action) -> Generator[BatchResult, None, Workload]:
        server = self.server
        if isinstance(action, Upload):
            file_id = server.upload((self.base / action.part.input.path).read_bytes())
            self.step("upload sent")
            return self.record(workload, Uploaded(action.part.number, file_id), "uploaded")
        if isinstance(action, Create):
            number = action.part.number
            workload = self.record(workload, CreateSent(number, at=server.now), "create sent")
            assert action.part.file_id is not None
            batch_id = server.create(action.part.file_id)
            self.step("created, answer not saved")
            return self.record(workload, Created(number, batch_id), "created")
        if isinstance(action, FindBatch):
            found = find_batch(
                action.part, server.jobs(), endpoint=ENDPOINT, model_id=None, known=action.known
            )
            event = (
                NotCreated(action.part.number)
                if found is None
                else Created(action.part.number, found)
            )
            return self.record(workload, event, "found" if found else "not found")
        if isinstance(action, Wait):
            for part in action.parts:
                assert part.batch_id is not None
                batch = server.batches[part.batch_id]
                workload = self.record(
                    workload, seen(part.number, server.job(batch, "IN_PROGRESS")), "mid-wait"
                )
                workload = self.record(workload, seen(part.number, server.job(batch)), "ended")
            return workload
        if isinstance(action, Consume):
            return (yield from self.consume(workload, action.part, action.final))
        assert isinstance(action, PlanRound)
        lines = chain.from_iterable(self.lines(p.leftover) for p in action.sources if p.leftover)
        infos = split_lines(
            lines,
            self.directory,
            prefix=round_prefix(action.round),
            max_requests=workload.max_requests,
            max_bytes=workload.max_bytes,
        )
        files = tuple(part_file(info, self.base) for info in infos)
        return self.record(workload, RoundPlanned(action.round, files), "round planned")

    def lines(self, file: PartFile) -> Iterator[bytes]:
        with (self.base / file.path).open("rb") as stream:
            yield from stream

    def consume(
        self, workload: Workload, part: Part, final: bool
    ) -> Generator[BatchResult, None, Workload]:
        assert part.batch_id is not None
        tally = PartResults(part, final=final)
        for result in self.server.results(part.batch_id):
            if tally.feed(result):
                yield result
                self.step("mid-results")
        leftover = None
        if final:
            yield from tally.unfinished(self.lines(part.input))
        else:
            with InputFileWriter(self.directory / leftover_name(part)) as writer:
                for line in tally.leftovers(self.lines(part.input)):
                    writer.write(line)
                if writer.requests:
                    leftover = part_file(writer.close(), self.base)
        return self.record(workload, Consumed(part.number, tally.succeeded, leftover), "consumed")


def requests(count: int = 11) -> Iterator[tuple[str, dict[str, Any]]]:
    return ((f"r{i}", {"messages": [{"role": "user", "content": f"q{i}"}]}) for i in range(count))


def fails(custom_id: str, attempt: int) -> bool:
    """r0 always fails; r3 and r9 fail on their first attempt only."""
    return custom_id == "r0" or (attempt == 0 and custom_id in {"r3", "r9"})


def outcomes(results: Iterable[BatchResult]) -> dict[str, tuple[bool, Any]]:
    """Each request's last outcome handed on: (ok, the attempt or the error code)."""
    last: dict[str, tuple[bool, Any]] = {}
    for result in results:
        last[result.custom_id] = (result.ok, result.body["attempt"] if result.ok else result.code)
    return last


@dataclass
class Scenario:
    retry_failed: int
    expire: frozenset[str]
    expected: dict[str, tuple[bool, Any]]
    batches: int
    uploads: int = 0  # the same as batches when 0
    count: int = 11

    @property
    def files(self) -> int:
        return self.uploads or self.batches


# Parts of 4, 4, 3. With 2 retries and part 2 (r4..r7) expiring after r4 and r5: round 1
# holds r0, r3, r6, r7, r9 (batches 4 and 5), round 2 holds r0 (batch 6), which fails again.
RETRIED = Scenario(
    2,
    frozenset({"r4"}),
    {
        **{f"r{i}": (True, 0) for i in (1, 2, 4, 5, 8, 10)},
        **{f"r{i}": (True, 1) for i in (3, 6, 7, 9)},
        "r0": (False, 500),
    },
    batches=6,
)
# No retry: the failures stay, and r6, r7 (never run) get a failed record of their own.
FINAL = Scenario(
    0,
    frozenset({"r4"}),
    {
        **{f"r{i}": (True, 0) for i in (1, 2, 4, 5, 8, 10)},
        "r0": (False, 500),
        "r3": (False, 500),
        "r9": (False, 500),
        "r6": (False, UNFINISHED_CODE),
        "r7": (False, UNFINISHED_CODE),
    },
    batches=3,
)
# One request that always fails, retried twice: each round's part is the same bytes, so the
# server answers the same file (409), and a batch found after a crash must be a new one.
SAME = Scenario(2, frozenset(), {"r0": (False, 500)}, batches=3, uploads=1, count=1)
SCENARIOS = pytest.mark.parametrize(
    "scenario", [RETRIED, FINAL, SAME], ids=["retried", "final", "same-bytes"]
)


@pytest.fixture(autouse=True)
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    # Thousands of saves below; that they are synced is test_workload_manifest's business.
    monkeypatch.setattr("os.fsync", lambda fd: None)


def run(driver: Driver, scenario: Scenario, handed: list[BatchResult]) -> None:
    chosen = requests(scenario.count)
    for result in driver.run(chosen, retry_failed=scenario.retry_failed, max_requests=4):
        handed.append(result)


@SCENARIOS
def test_a_workload_runs_to_its_last_attempts(tmp_path: Path, scenario: Scenario) -> None:
    server = FakeServer(fails, scenario.expire)
    handed: list[BatchResult] = []
    run(Driver(tmp_path / "w.json", server), scenario, handed)
    assert outcomes(handed) == scenario.expected
    assert len(handed) == len(scenario.expected)  # each request handed on once
    assert (len(server.puts), len(server.batches)) == (scenario.files, scenario.batches)
    workload = load_manifest(tmp_path / "w.json")
    assert workload is not None and all(part.consumed for part in workload.parts)
    assert workload.round == scenario.retry_failed
    # Run again, finished: nothing is sent, waited for, or handed on.
    again: list[BatchResult] = []
    run(Driver(tmp_path / "w.json", server), scenario, again)
    assert again == [] and len(server.batches) == scenario.batches


@SCENARIOS
def test_a_crash_at_any_step_then_a_resume_sends_nothing_twice(
    tmp_path: Path, scenario: Scenario
) -> None:
    dry = Driver(tmp_path / "dry" / "w.json", FakeServer(fails, scenario.expire))
    dry.manifest.parent.mkdir()
    run(dry, scenario, [])
    crashed_at: set[str] = set()
    for crash_at in range(1, len(dry.steps) + 1):
        manifest = tmp_path / str(crash_at) / "w.json"
        manifest.parent.mkdir()
        server = FakeServer(fails, scenario.expire)
        handed: list[BatchResult] = []
        with pytest.raises(Crash) as caught:
            run(Driver(manifest, server, crash_at), scenario, handed)
        crashed_at.add(str(caught.value))
        run(Driver(manifest, server), scenario, handed)
        where = f"crash at step {crash_at} ({caught.value})"
        assert len(server.puts) == len(set(server.puts)) == scenario.files, where
        assert len(server.batches) == scenario.batches, where  # none created twice
        # Each request's last outcome is its last attempt's; a part whose results were
        # being read when the crash came is read again (at least once).
        assert outcomes(handed) == scenario.expected, where
    assert {
        "upload sent",
        "uploaded",
        "create sent",
        "created, answer not saved",
        "created",
        "mid-wait",
        "ended",
        "consumed",
    } <= crashed_at
    if scenario.count > 1:
        assert "mid-results" in crashed_at
    if scenario.retry_failed:
        assert "round planned" in crashed_at


def test_a_resume_with_other_requests_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    server = FakeServer(fails)
    manifest = tmp_path / "w.json"
    with pytest.raises(Crash):
        run(Driver(manifest, server, crash_at=3), FINAL, [])
    sent = (list(server.puts), dict(server.batches))
    changed = (("r0", {"other": True}), *list(requests())[1:])
    with pytest.raises(ManifestError, match="its part 1 \\(requests 1 to 4\\)"):
        list(Driver(manifest, server).run(changed, retry_failed=0, max_requests=4))
    with pytest.raises(ManifestError, match="retry_failed=0, and this run has 1"):
        list(Driver(manifest, server).run(requests(), retry_failed=1, max_requests=4))
    assert (server.puts, server.batches) == sent[0:2]
