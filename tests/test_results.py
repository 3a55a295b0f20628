"""Batch results: typed records from output and error lines, streamed, never skipping a line."""

from __future__ import annotations

import copy
import io
import json
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from together_batches import (
    APIResponseValidationError,
    BatchResult,
    InvalidFieldError,
    ResultsSummary,
    failed_custom_ids,
    iter_results,
    summarize,
)
from together_batches._jsonl.results import NOT_RUN_CODE, ResultReader, parse_result
from together_batches_api.models import BatchOutputResponse, BatchRequestError, BatchResultLine
from together_batches_api.types import InvalidPayload

COMPLETION = {"id": "c1", "object": "chat.completion", "choices": [{"index": 0}]}


def output(custom_id: str, status: int = 200, body: object = COMPLETION) -> dict[str, Any]:
    return {"custom_id": custom_id, "response": {"status_code": status, "body": body}}


def error(custom_id: str, message: str = "bad", code: object = 400) -> dict[str, Any]:
    return {"custom_id": custom_id, "error": {"message": message, "code": code}}


def jsonl(*items: object) -> bytes:
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (output("a"), ("a", 200, COMPLETION, None, None, True)),
        (output("a", 201, None), ("a", 201, None, None, None, True)),
        (
            output("a", 400, {"error": {"message": "no"}}),
            ("a", 400, {"error": {"message": "no"}}, None, None, False),
        ),
        (output("a", 500), ("a", 500, COMPLETION, None, None, False)),
        ({**output("a"), "response": {"status_code": 200.0}}, ("a", 200, None, None, None, True)),
        (
            {**output("a"), "error": None, "id": "batch_req_1"},
            ("a", 200, COMPLETION, None, None, True),
        ),
        (error("b"), ("b", None, None, "bad", 400, False)),
        (error("b", code="rate_limited"), ("b", None, None, "bad", "rate_limited", False)),
        (error("b", code=None), ("b", None, None, "bad", None, False)),
        (
            {"custom_id": "b", "error": {}},
            ("b", None, None, "(the error line gives no message)", None, False),
        ),
        ({**error("b"), "response": None}, ("b", None, None, "bad", 400, False)),
        ({**output("c"), **error("c")}, ("c", 200, COMPLETION, "bad", 400, False)),
    ],
)
def test_each_kind_of_line_becomes_a_typed_record(
    line: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    result = parse_result(copy.deepcopy(line))
    got = (result.custom_id, result.status_code, result.body, result.message, result.code)
    assert (*got, result.ok) == expected
    assert result.failed is not result.ok
    assert type(result.status_code) in (int, type(None))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b"not json", "is not valid JSON"),
        (b"[1, 2]", "is not a result line: BatchResult should be a JSON object, got list"),
        (b'{"response": {"status_code": 200}}', "is not a result line: custom_id is required"),
        (b'{"custom_id": 3, "response": {"status_code": 200}}', "custom_id should be a str"),
        (b'{"custom_id": "a", "response": "ok"}', "response should be an object"),
        (b'{"custom_id": "a", "response": {"body": {}}}', "response.status_code is required"),
        (
            b'{"custom_id": "a", "response": {"status_code": "200"}}',
            "status_code should be an integer",
        ),
        (
            b'{"custom_id": "a", "response": {"status_code": 200.5}}',
            "status_code should be an integer",
        ),
        (b'{"custom_id": "a"}', "needs a response or an error"),
        (b'{"custom_id": "a", "response": null, "error": null}', "needs a response or an error"),
        (b'{"custom_id": "a", "error": "boom"}', "error should be an object"),
        (b'{"custom_id": "\xff"}', "is not UTF-8 text"),
    ],
)
def test_a_malformed_line_raises_naming_the_file_and_line(line: bytes, problem: str) -> None:
    content = jsonl(output("first"), error("second")) + line + b"\n" + jsonl(output("after"))
    reader = ResultReader("file-out-1")
    with pytest.raises(APIResponseValidationError) as caught:
        reader.feed(content)  # the two good lines come first...
        reader.close()  # ...and the bad one raises on the next call
    message = str(caught.value)
    assert message.startswith("file-out-1 line 3 "), message
    assert problem in message, message
    assert caught.value.status_code == 200
    # Never skipped: the reader stays failed.
    with pytest.raises(APIResponseValidationError):
        reader.feed(jsonl(output("later")))


def test_records_before_a_bad_line_are_delivered_first() -> None:
    reader = ResultReader("out")
    assert [r.custom_id for r in reader.feed(jsonl(output("a"), output("b")) + b"oops\n")] == [
        "a",
        "b",
    ]
    with pytest.raises(APIResponseValidationError, match="out line 3 is not valid JSON"):
        reader.close()
    first_bad = ResultReader("out")
    with pytest.raises(APIResponseValidationError, match="out line 1 "):
        first_bad.feed(b"oops\n" + jsonl(output("a")))


def test_iter_results_reads_bytes_or_text_lines_and_skips_only_blank_ones() -> None:
    content = jsonl(output("a"), error("b")) + b"\n  \n" + jsonl(output("c", 404))
    from_file = list(iter_results(io.BytesIO(content), file="output.jsonl"))
    from_text = list(iter_results(content.decode().splitlines()))
    assert from_file == from_text
    assert [(r.custom_id, r.ok) for r in from_file] == [("a", True), ("b", False), ("c", False)]
    with pytest.raises(APIResponseValidationError, match=r"output\.jsonl line 6 "):
        list(iter_results(io.BytesIO(content + b"{}\n"), file="output.jsonl"))


@settings(max_examples=80, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_chunk_boundaries_never_change_the_records(cuts: list[int]) -> None:
    content = (
        jsonl(output("ünïcødé-✓", body={"text": "€" * 20}), error("b"), output("c", 500))
        + json.dumps(output("last")).encode()
    )  # no final newline
    points = sorted({min(cut, len(content)) for cut in cuts})
    chunks = [content[a:b] for a, b in zip([0, *points], [*points, len(content)], strict=True)]
    reader = ResultReader("f")
    records = [record for chunk in chunks for record in reader.feed(chunk)] + reader.close()
    assert [r.custom_id for r in records] == ["ünïcødé-✓", "b", "c", "last"]
    assert records[0].body == {"text": "€" * 20}
    assert reader.lines == 4


def test_a_file_cut_inside_a_character_is_reported() -> None:
    content = jsonl(output("a")) + '{"custom_id": "é'.encode()[:-1]
    reader = ResultReader("f")
    assert len(reader.feed(content)) == 1
    with pytest.raises(APIResponseValidationError, match="f line 2 is not UTF-8 text"):
        reader.close()


def test_a_line_longer_than_the_limit_is_an_error_not_a_memory_sink() -> None:
    reader = ResultReader("f", max_line_length=1000)
    reader.feed(b'{"custom_id": "a", "response": {"status_code": 200, "body": "')
    with pytest.raises(APIResponseValidationError, match="f line 1 is longer than 1,000"):
        for _ in range(5):
            reader.feed(b"x" * 400)


def test_failed_custom_ids_lists_each_failure_once_in_order() -> None:
    results = [
        parse_result(item)
        for item in (output("a"), error("b"), output("c", 429), error("b"), output("d"))
    ]
    assert failed_custom_ids(results) == ["b", "c"]
    assert failed_custom_ids([]) == []


def test_a_record_is_an_immutable_value_built_on_the_generated_line_model() -> None:
    built = BatchResult(
        custom_id="a", response=BatchOutputResponse(status_code=200, body=COMPLETION)
    )
    parsed = parse_result(output("a"))
    assert built == parsed and isinstance(parsed, BatchResultLine)
    assert pickle.loads(pickle.dumps(parsed)) == parsed
    assert parsed.response is not None and parsed.response.body == COMPLETION
    with pytest.raises(AttributeError):
        parsed.custom_id = "b"  # type: ignore[misc]
    failed = BatchResult(custom_id="b", error=BatchRequestError(message="m", code="x"))
    assert (failed.failed, failed.message, failed.code) == (True, "m", "x")
    assert parse_result({**output("a"), "id": "req-1"}).extras == {"id": "req-1"}
    assert "custom_id='a'" in repr(parsed)
    # The error's message is read when asked for: another type fails that read, not the line.
    odd = parse_result({"custom_id": "c", "error": {"message": 5, "code": 1}})
    assert (odd.failed, odd.code) == (True, 1)
    with pytest.raises(InvalidFieldError, match=r"message should be a string, got a number: 5"):
        _ = odd.message


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 700)
    | st.floats(allow_nan=False)
    | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=4,
)
LINES = st.fixed_dictionaries(
    {},
    optional={
        "custom_id": st.text(max_size=4) | JSON,
        "response": st.fixed_dictionaries({}, optional={"status_code": JSON, "body": JSON}) | JSON,
        "error": st.fixed_dictionaries({}, optional={"message": JSON, "code": JSON}) | JSON,
    },
)


@settings(max_examples=300, deadline=None)
@given(line=LINES | JSON)
def test_the_fast_path_accepts_exactly_what_the_generated_model_does(line: Any) -> None:
    # Valid: a custom_id, and a response or an error, each readable (what ok/failed needs).
    try:
        BatchResultLine.check(line)
        read = BatchResultLine.from_dict(line)
        response, error = read.response, read.error  # both read: either may be malformed
        valid = response is not None or error is not None
    except (InvalidPayload, InvalidFieldError):
        valid = False
    try:
        result = parse_result(line)
    except InvalidPayload:
        assert not valid
        return
    assert valid
    model = BatchResultLine.from_dict(line)
    assert result.custom_id == model.custom_id
    assert result.response == model.response and result.error == model.error


def test_a_summary_counts_each_kind_and_sums_the_usage_of_every_response() -> None:
    def usage(**counts: object) -> dict[str, Any]:
        return {**COMPLETION, "usage": counts}

    not_run = BatchResult(
        custom_id="n", error=BatchRequestError(message="did not run", code=NOT_RUN_CODE)
    )
    results = [
        parse_result(output("a", body=usage(prompt_tokens=3, completion_tokens=4, total_tokens=7))),
        parse_result(output("b", body=usage(prompt_tokens=2, completion_tokens=1))),  # no total
        parse_result(output("c", 500, body=usage(prompt_tokens=5, completion_tokens=0))),
        parse_result(output("d", body=usage(prompt_tokens="x", completion_tokens=2.0))),
        parse_result(output("e", body=[1])),
        parse_result(output("f", body={"usage": None})),
        parse_result(error("g")),
        parse_result(error("h", code=NOT_RUN_CODE)),  # as saved by `results`, read back
        not_run,
    ]
    summary = summarize(iter(results))
    assert summary == ResultsSummary(
        succeeded=5,
        failed=2,
        not_run=2,
        prompt_tokens=10,
        completion_tokens=7,
        total_tokens=17,
    )
    assert summary.requests == 9
    assert summarize([]) == ResultsSummary() and ResultsSummary().requests == 0
    assert summary + summary == ResultsSummary(10, 4, 4, 20, 14, 34)
    with pytest.raises(AttributeError):
        summary.failed = 0  # type: ignore[misc]


def test_not_run_is_told_by_the_record_alone_and_survives_a_round_trip() -> None:
    made = BatchResult(custom_id="n", error=BatchRequestError(message="m", code=NOT_RUN_CODE))
    (read_back,) = iter_results([json.dumps(made.to_dict())])
    assert made.not_run and read_back.not_run and read_back.failed and not read_back.ok
    assert not parse_result(output("a")).not_run and not parse_result(error("b")).not_run
