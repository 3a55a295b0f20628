"""What a batch's (or a workload's) results come to: how many requests succeeded, failed and
never ran, and the tokens their responses used, summed from each response body's `usage`.

    summary = summarize(client.batches.results(job))
    print(summary.succeeded, summary.failed, summary.not_run, summary.total_tokens)

`summarize` reads its results once, as they come, keeping nothing but the counts: it can
wrap an iterator that is also printed or saved (`summarize(show(r) for r in results)`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .results import BatchResult

__all__ = ["ResultsSummary", "summarize"]

_USAGE = "usage"
_PROMPT, _COMPLETION, _TOTAL = "prompt_tokens", "completion_tokens", "total_tokens"


@dataclass(frozen=True, slots=True)
class ResultsSummary:
    """The counts and tokens of some results (`summarize`); two add up with `+`.

    Attributes:
        succeeded: Requests with a 2xx response.
        failed: Requests that ran and failed: an error line, or a response with an error
            status.
        not_run: Requests that never ran, their batch having ended first (`not_run`).
        prompt_tokens: The `usage.prompt_tokens` of every response, summed.
        completion_tokens: The `usage.completion_tokens` of every response, summed.
        total_tokens: The `usage.total_tokens` of every response (prompt + completion when
            a usage gives no total), summed.
    """

    succeeded: int = 0
    failed: int = 0
    not_run: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    @property
    def requests(self) -> int:
        """Every request counted: succeeded, failed and not run."""
        return self.succeeded + self.failed + self.not_run

    def __add__(self, other: ResultsSummary) -> ResultsSummary:
        if not isinstance(other, ResultsSummary):
            return NotImplemented
        return ResultsSummary(
            self.succeeded + other.succeeded,
            self.failed + other.failed,
            self.not_run + other.not_run,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.total_tokens + other.total_tokens,
        )


def _count(value: object) -> int:
    """A token count as the usage gives it: an int (or an integral float), else nothing."""
    if type(value) is int and value >= 0:
        return value
    if type(value) is float and value.is_integer() and value >= 0:
        return int(value)
    return 0


def summarize(results: Iterable[BatchResult]) -> ResultsSummary:
    """Count results, and sum the tokens their responses used.

    Each result counts once, as it comes: a request with two lines (an output line and an
    error line) counts twice, as `results` yields both. Tokens are read from each
    response body's `usage` (`prompt_tokens`, `completion_tokens`, `total_tokens`),
    whatever its status; a body without one, or a count that is not a number, adds none.

    Args:
        results: Records, e.g. `client.batches.results(job)` or `batches.run(...)`; read
            once.

    Returns:
        The counts and the token sums.
    """
    succeeded = failed = not_run = prompt = completion = total = 0
    for result in results:
        if result.ok:
            succeeded += 1
        elif result.not_run:
            not_run += 1
        else:
            failed += 1
        response = result.response
        body = None if response is None else response.body
        usage = body.get(_USAGE) if type(body) is dict else None
        if type(usage) is dict:
            used = _count(usage.get(_PROMPT)), _count(usage.get(_COMPLETION))
            prompt += used[0]
            completion += used[1]
            total += _count(usage[_TOTAL]) if _TOTAL in usage else used[0] + used[1]
    return ResultsSummary(succeeded, failed, not_run, prompt, completion, total)
