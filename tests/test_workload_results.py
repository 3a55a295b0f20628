"""One part's results sorted as they are read: what is handed on, what is tried again, and
the failed record of a request whose batch ended before it ran."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from together_batches import BatchResult
from together_batches._jsonl.results import parse_result
from together_batches._workload.records import Part, PartFile
from together_batches._workload.results import UNFINISHED_CODE, PartResults, custom_id_of

IDS = ["a", "b", "c", "d", "e"]


def input_lines(ids: list[str] = IDS) -> list[bytes]:
    # As a workload writes them: pairs first, a dict keeping its own key order.
    lines = [
        json.dumps({"custom_id": i, "body": {"n": n}}).encode() + b"\n" for n, i in enumerate(ids)
    ]
    lines[-1] = json.dumps({"body": {}, "x": 1, "custom_id": ids[-1]}).encode() + b"\n"
    return lines


def part(status: str = "COMPLETED", requests: int = len(IDS)) -> Part:
    return Part(3, 0, PartFile("p.jsonl", requests, 1, "s" * 64), batch_id="b-3", status=status)


def ok(custom_id: str, status_code: int = 200) -> BatchResult:
    return parse_result(
        {"custom_id": custom_id, "response": {"status_code": status_code, "body": {}}}
    )


def error(custom_id: str) -> BatchResult:
    return parse_result({"custom_id": custom_id, "error": {"message": "boom", "code": 500}})


class Reads:
    """An input file's lines that count whether they were read at all."""

    def __init__(self, lines: list[bytes]) -> None:
        self.lines, self.read = lines, False

    def __iter__(self) -> Iterator[bytes]:
        self.read = True
        return iter(self.lines)


def test_custom_id_of_reads_it_wherever_it_is_in_the_line() -> None:
    assert [custom_id_of(line) for line in input_lines()] == IDS


@pytest.mark.parametrize("final", [False, True])
def test_ok_results_are_handed_on_failures_only_in_the_final_round(final: bool) -> None:
    tally = PartResults(part(), final=final)
    handed = [r.custom_id for r in [ok("a"), error("b"), ok("c", 429), ok("d")] if tally.feed(r)]
    assert handed == (["a", "b", "c", "d"] if final else ["a", "d"])
    assert tally.succeeded == 2


def test_the_leftovers_are_the_lines_of_requests_without_an_ok_result() -> None:
    tally = PartResults(part("EXPIRED"), final=False)
    for result in [error("a"), ok("b"), ok("c", 500), ok("b")]:  # "e" and "d" never ran
        tally.feed(result)
    lines = input_lines()
    assert list(tally.leftovers(lines)) == [lines[0], lines[2], lines[3], lines[4]]
    assert tally.succeeded == 1  # "b" twice is one request


def test_a_request_with_an_ok_and_an_error_line_is_not_retried() -> None:
    tally = PartResults(part(), final=False)
    for result in [error("a"), ok("a"), *(ok(i) for i in IDS[1:])]:
        tally.feed(result)
    reads = Reads(input_lines())
    assert list(tally.leftovers(reads)) == [] and not reads.read  # all succeeded: not read


def test_unfinished_requests_get_a_failed_record_in_the_final_round() -> None:
    tally = PartResults(part("CANCELLED"), final=True)
    for result in [ok("b"), error("d")]:
        tally.feed(result)
    made = list(tally.unfinished(input_lines()))
    assert [r.custom_id for r in made] == ["a", "c", "e"]
    first = made[0]
    assert first.failed and not first.ok and first.code == UNFINISHED_CODE == "batch_ended_first"
    assert first.message == "the request did not run: its batch b-3 ended CANCELLED first"


def test_every_request_with_a_result_reads_no_input() -> None:
    tally = PartResults(part(), final=True)
    for result in [ok("a"), error("b"), ok("c"), ok("d", 400), error("e")]:
        tally.feed(result)
    reads = Reads(input_lines())
    assert list(tally.unfinished(reads)) == [] and not reads.read
