"""Fates that follow the requests, not the order jobs are created in.

`Emulator.plan_next` scripts the next creates in order, which is enough for one job at a
time; a client that creates several batches at once (threads, tasks) makes that order a
race. A `RequestScript` keys each fate on a request instead: the job that holds request
`custom_id` for the `attempt`th time follows a given plan, and a request fails (an error
line) in the first `attempts` jobs that hold it. So a test can say "the part holding r5
expires, r7 fails once and then succeeds" whatever order the parts are created in.

An attempt is a job created holding the request (a valid line naming its custom_id),
whether or not the job ends up running it: a request of an expired job that never ran has
used up an attempt too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import attrs

from ._lines import InputRequest
from ._plan import JobPlan

__all__ = ["Casting", "RequestScript"]


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, not {value!r}")


@attrs.frozen
class _PlanRule:
    custom_id: str
    attempt: int
    plan: JobPlan


@attrs.frozen
class Casting:
    """What the script says about one new job.

    Args:
        plan: The plan of the first rule that matches the job, or None when none does.
        failing: The custom_ids of its requests that are scripted to fail in it.
    """

    plan: JobPlan | None
    failing: frozenset[str]


@attrs.define(eq=False)
class RequestScript:
    """Plans and failures keyed on requests; not locked itself (the emulator's lock is).

    Attributes:
        attempts: How many jobs were created holding each request, by custom_id.
    """

    attempts: Counter[str] = attrs.field(factory=Counter, init=False)
    _rules: list[_PlanRule] = attrs.field(factory=list, init=False)
    _fails: dict[str, int] = attrs.field(factory=dict, init=False)

    def plan_for(self, custom_id: str, plan: JobPlan, *, attempt: int = 1) -> None:
        """Script the plan of the job created holding `custom_id` for the `attempt`th time.

        Rules are tried in the order they were added; the first that matches a job wins.

        Raises:
            ValueError: `attempt` is not an int >= 1.
        """
        _check_count("attempt", attempt)
        self._rules.append(_PlanRule(custom_id, attempt, plan))

    def fail(self, custom_ids: Iterable[str], *, attempts: int = 1) -> None:
        """Script requests to fail in the first `attempts` jobs that hold them (each one
        it ran answers an error line); later jobs run them as their plan says.

        Raises:
            ValueError: `attempts` is not an int >= 1.
        """
        _check_count("attempts", attempts)
        for custom_id in custom_ids:
            self._fails[custom_id] = attempts

    def cast(self, requests: Iterable[InputRequest]) -> Casting:
        """Count a new job's attempt at each of its valid requests, and say its fate.

        Args:
            requests: The new job's input requests (invalid lines are not counted: their
                custom_id may be made up, or another line's).

        Returns:
            Its scripted plan (or None) and the requests that fail in it.
        """
        held = [request.custom_id for request in requests if request.problem is None]
        self.attempts.update(held)
        attempts, fails = self.attempts, self._fails
        failing: frozenset[str] = frozenset()
        if fails:
            failing = frozenset(cid for cid in held if attempts[cid] <= fails.get(cid, 0))
        plan = None
        if self._rules:
            ids = frozenset(held)
            plan = next(
                (
                    rule.plan
                    for rule in self._rules
                    if rule.custom_id in ids and attempts[rule.custom_id] == rule.attempt
                ),
                None,
            )
        return Casting(plan, failing)
