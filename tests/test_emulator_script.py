"""The emulator's fates keyed on requests (`plan_for`, `fail_requests`, `attempts`) and the
cancel a plan scripts (`JobPlan.cancel_after_seconds`): whatever order jobs are created in,
each gets the fate its requests were given."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from together_batches.testing import Emulator, FakeClock, JobPlan, snapshot_at
from together_batches.testing._lines import InputRequest
from together_batches.testing._plan import split_results
from together_batches.testing._script import RequestScript

START = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)
KEY = "sk-emulator-script-9d41"
PLAN = JobPlan(validating_seconds=10, running_seconds=100)


# --- the scripted cancel, in the pure timeline ---------------------------------------------

CANCEL_AT_60 = JobPlan(10, 100, cancel_after_seconds=60)


@pytest.mark.parametrize(
    ("plan", "elapsed", "cancel_after", "status", "progress", "ended_after"),
    [
        (CANCEL_AT_60, 59, None, "IN_PROGRESS", 49.0, None),
        (CANCEL_AT_60, 60, None, "CANCELING", 50.0, None),
        (CANCEL_AT_60, 61, None, "CANCELLED", 50.0, 61),
        (CANCEL_AT_60, 10**6, None, "CANCELLED", 50.0, 61),
        (CANCEL_AT_60, 61, 30, "CANCELLED", 20.0, 31),  # a client's earlier cancel wins
        (CANCEL_AT_60, 61, 90, "CANCELLED", 50.0, 61),  # ... a later one changes nothing
        (JobPlan(10, 100, cancel_after_seconds=5), 5, None, "CANCELING", 0.0, None),
        (JobPlan(10, 100, cancel_after_seconds=200), 500, None, "COMPLETED", 100.0, 110),
        (
            JobPlan(10, 100, fail_after_seconds=40, cancel_after_seconds=60),
            61,
            None,
            "FAILED",
            30.0,
            40,
        ),
        (
            JobPlan(10, 100, expires_after_seconds=60, cancel_after_seconds=60, cancel_seconds=0),
            60,
            None,
            "EXPIRED",
            50.0,
            60,
        ),  # a tie goes to the scheduled end
    ],
)
def test_snapshot_at_with_a_scripted_cancel(
    plan: JobPlan,
    elapsed: float,
    cancel_after: float | None,
    status: str,
    progress: float,
    ended_after: float | None,
) -> None:
    snapshot = snapshot_at(plan, elapsed, cancel_after)
    assert (snapshot.status, snapshot.progress, snapshot.ended_after) == (
        status,
        progress,
        ended_after,
    )


def test_a_scripted_cancel_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="cancel_after_seconds"):
        JobPlan(cancel_after_seconds=-1)


# --- which finished requests fail ----------------------------------------------------------


def requests_of(count: int, bad: int | None = None) -> tuple[InputRequest, ...]:
    return tuple(
        InputRequest(f"r{i}", {}, i + 1, "broken" if i == bad else None) for i in range(count)
    )


@pytest.mark.parametrize(
    ("progress", "fraction", "failing", "ok", "failed"),
    [
        (100.0, 0.0, frozenset(), 10, 0),
        (100.0, 0.0, frozenset({"r1", "r2", "nobody"}), 8, 2),
        (100.0, 0.5, frozenset({"r1", "r2"}), 4, 6),  # the fraction of the 8 others
        (100.0, 0.0, frozenset({"r9"}), 9, 1),  # the invalid line fails anyway (bad=9)
        (0.0, 0.0, frozenset({"r1"}), 0, 0),  # not finished: no line at all
    ],
)
def test_split_results_fails_the_scripted_requests_it_finished(
    progress: float, fraction: float, failing: frozenset[str], ok: int, failed: int
) -> None:
    bad = 9 if "r9" in failing else None
    succeeded, errors = split_results(requests_of(10, bad), progress, fraction, "job-1", failing)
    assert (len(succeeded), len(errors)) == (ok, failed)
    assert not {r.custom_id for r in succeeded} & failing


def test_split_results_fails_only_the_finished_ones_of_a_partial_job() -> None:
    requests = requests_of(10)
    finished, _ = split_results(requests, 50.0, 0.0, "job-2")
    ran = {r.custom_id for r in finished}
    succeeded, errors = split_results(requests, 50.0, 0.0, "job-2", frozenset({"r0", "r1"}))
    assert {r.custom_id for r in errors} == ran & {"r0", "r1"}
    assert {r.custom_id for r in succeeded} == ran - {"r0", "r1"}


# --- the script itself -------------------------------------------------------------------


def test_a_script_counts_attempts_at_valid_requests_only() -> None:
    script = RequestScript()
    script.cast(requests_of(3, bad=2))
    script.cast(requests_of(2))
    assert script.attempts == {"r0": 2, "r1": 2}


def test_a_plan_rule_matches_the_job_holding_its_request_at_its_attempt() -> None:
    script = RequestScript()
    first, second = JobPlan(1, 1), JobPlan(2, 2)
    script.plan_for("r1", second, attempt=2)
    script.plan_for("r1", first)
    script.plan_for("r0", second)  # r1's rule was added first: it wins the first job
    assert script.cast(requests_of(2)).plan is first
    assert script.cast(requests_of(2)).plan is second
    assert script.cast(requests_of(2)).plan is None  # a third attempt: no rule
    assert script.cast(requests_of(1, bad=0)).plan is None  # an invalid line holds nothing


def test_a_request_fails_in_its_first_attempts_then_runs() -> None:
    script = RequestScript()
    script.fail(["r0"], attempts=2)
    script.fail(["r1"])
    assert script.cast(requests_of(3)).failing == {"r0", "r1"}
    assert script.cast(requests_of(3)).failing == {"r0"}
    assert script.cast(requests_of(3)).failing == frozenset()


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_a_script_refuses_an_attempt_that_is_not_a_count(bad: Any) -> None:
    script = RequestScript()
    with pytest.raises(ValueError, match="attempt must be an int >= 1"):
        script.plan_for("r0", PLAN, attempt=bad)
    with pytest.raises(ValueError, match="attempts must be an int >= 1"):
        script.fail(["r0"], attempts=bad)


# --- over HTTP ---------------------------------------------------------------------------


class Env:
    def __init__(self) -> None:
        self.clock = FakeClock(start=START)
        self.emulator = Emulator(api_key=KEY, clock=self.clock, plan=PLAN)
        self.http = httpx.Client(
            base_url="http://emulator.test/v1",
            transport=self.emulator.transport(),
            headers={"Authorization": f"Bearer {KEY}"},
        )

    def file(self, *custom_ids: str) -> str:
        lines = (json.dumps({"custom_id": c, "body": {"prompt": c}}) + "\n" for c in custom_ids)
        return self.emulator.add_file("".join(lines).encode())

    def create(self, file_id: str) -> str:
        answer = self.http.post(
            "/batches", json={"endpoint": "/v1/completions", "input_file_id": file_id}
        )
        assert answer.status_code == 201, answer.text
        job_id: str = answer.json()["job"]["id"]
        return job_id

    def get(self, job_id: str) -> dict[str, Any]:
        job: dict[str, Any] = self.http.get(f"/batches/{job_id}").json()
        return job

    def ids_in(self, file_id: str | None) -> set[str]:
        if file_id is None:
            return set()
        text = self.http.get(f"/files/{file_id}/content").text
        return {json.loads(line)["custom_id"] for line in text.splitlines()}


@pytest.fixture
def env() -> Iterator[Env]:
    made = Env()
    yield made
    made.http.close()


@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_each_job_gets_the_plan_of_a_request_it_holds_in_any_order(env: Env, order: str) -> None:
    env.emulator.plan_for("b1", JobPlan(10, 1000, expires_after_seconds=510))
    env.emulator.plan_next(JobPlan(0, 1))  # used by the job no request's rule scripts
    files = {"a": env.file("a1", "a2"), "b": env.file("b1", "b2")}
    names = ["a", "b"] if order == "as listed" else ["b", "a"]
    jobs = {name: env.create(files[name]) for name in names}
    env.clock.advance(600)
    assert env.get(jobs["a"])["status"] == "COMPLETED"
    assert (env.get(jobs["b"])["status"], env.get(jobs["b"])["progress"]) == ("EXPIRED", 50)
    assert env.emulator.attempts() == {"a1": 1, "a2": 1, "b1": 1, "b2": 1}


def test_scripted_requests_fail_then_succeed_in_a_later_job(env: Env) -> None:
    env.emulator.fail_requests(["q1", "q3"])
    env.emulator.fail_requests(["q2"], attempts=2)
    file_id = env.file("q0", "q1", "q2", "q3")
    first = env.create(file_id)
    retry = env.create(env.file("q1", "q2", "q3"))
    third = env.create(env.file("q2"))
    env.clock.advance(200)
    done = env.get(first)
    assert env.ids_in(done["error_file_id"]) == {"q1", "q2", "q3"}
    assert env.ids_in(done["output_file_id"]) == {"q0"}
    assert env.ids_in(env.get(retry)["error_file_id"]) == {"q2"}
    assert env.ids_in(env.get(third)["output_file_id"]) == {"q2"}
    assert env.emulator.attempts() == {"q0": 1, "q1": 2, "q2": 3, "q3": 2}


def test_a_job_cancelled_by_its_plan_is_seen_cancelling_then_cancelled(env: Env) -> None:
    env.emulator.plan_for("c1", JobPlan(10, 100, cancel_after_seconds=35, cancel_seconds=5))
    job_id = env.create(env.file("c0", "c1", "c2", "c3"))
    env.clock.advance(36)
    assert (env.get(job_id)["status"], env.get(job_id)["progress"]) == ("CANCELING", 25)
    again = env.http.post(f"/batches/{job_id}/cancel")  # a client's cancel now: no change
    assert (again.status_code, again.json()["status"]) == (200, "CANCELING")
    env.clock.advance(4)
    cancelled = env.get(job_id)
    assert (cancelled["status"], cancelled["progress"]) == ("CANCELLED", 25)
    assert len(env.ids_in(cancelled["output_file_id"])) == 1  # a quarter of 4 ran
    assert env.http.post(f"/batches/{job_id}/cancel").status_code == 400


def test_a_job_made_directly_counts_as_an_attempt_and_keeps_its_plan(env: Env) -> None:
    env.emulator.plan_for("d0", JobPlan(0, 1000))
    env.emulator.fail_requests(["d0"])
    job_id = env.emulator.add_job(
        JobPlan(0, 0), input_file_id=env.file("d0", "d1"), endpoint="/v1/completions"
    )
    done = env.get(job_id)
    assert done["status"] == "COMPLETED"  # its own plan, not the request's
    assert env.ids_in(done["error_file_id"]) == {"d0"}
    assert env.emulator.attempts() == {"d0": 1, "d1": 1}
