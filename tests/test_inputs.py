"""Batch input files: building and checking them, every problem reported with its line."""

from __future__ import annotations

import hashlib
import io
import json
import math
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from together_batches import (
    MAX_CUSTOM_ID_LENGTH,
    MAX_FILE_BYTES,
    MAX_REQUESTS,
    InputFileError,
    InputFileInfo,
    InputProblem,
    TogetherError,
    check_input_file,
    write_input_file,
)

BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def jsonl(*items: object) -> bytes:
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


def problems_of(content: bytes, **limits: int) -> list[InputProblem]:
    with pytest.raises(InputFileError) as caught:
        check_input_file(io.BytesIO(content), **limits)
    return list(caught.value.problems)


def test_the_limits_are_the_documented_ones() -> None:
    assert (MAX_REQUESTS, MAX_FILE_BYTES, MAX_CUSTOM_ID_LENGTH) == (50_000, 100_000_000, 64)


def test_a_valid_file_gives_its_count_size_and_checksum(tmp_path: Path) -> None:
    content = jsonl(*({"custom_id": f"r{i}", "body": BODY} for i in range(3)))
    path = tmp_path / "in.jsonl"
    path.write_bytes(content)
    expected = InputFileInfo(3, len(content), hashlib.sha256(content).hexdigest(), path)
    assert check_input_file(path) == expected
    assert check_input_file(str(path)) == expected
    # A file object is read from where it stands, to its end.
    stream = io.BytesIO(b"ignored\n" + content)
    stream.readline()
    assert check_input_file(stream) == InputFileInfo(3, len(content), expected.sha256)


def test_crlf_lines_a_missing_final_newline_and_extra_keys_are_fine() -> None:
    content = b'{"custom_id": "a", "body": {}}\r\n{"custom_id": "b", "body": {}, "x": 1}'
    info = check_input_file(io.BytesIO(content))
    assert (info.requests, info.size) == (2, len(content))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"not json", "the line is not valid JSON (Expecting value, column 1)"),
        (b'{"custom_id": "a", "body": {}', "the line is not valid JSON"),
        (b"\xff\xfe{}", "the line is not UTF-8 text"),
        ('{"custom_id": "a", "body": {}}'.encode("utf-16-le"), "the line is not valid JSON"),
        (b"[1, 2]", "the line must be a JSON object, not an array"),
        (b'"text"', "the line must be a JSON object, not a string"),
        (b'{"body": {}}', "custom_id is missing"),
        (b'{"custom_id": null, "body": {}}', "custom_id must be a string, not null"),
        (b'{"custom_id": 7, "body": {}}', "custom_id must be a string, not a number"),
        (b'{"custom_id": "", "body": {}}', "custom_id is empty"),
        (
            json.dumps({"custom_id": "x" * 65, "body": {}}).encode(),
            "custom_id is 65 characters long, more than 64",
        ),
        (b'{"custom_id": "a"}', "body is missing"),
        (b'{"custom_id": "a", "body": "hi"}', "body must be a JSON object, not a string"),
        (b'{"custom_id": "a", "body": [1]}', "body must be a JSON object, not an array"),
    ],
)
def test_each_kind_of_bad_line_is_named_with_its_line_number(line: bytes, message: str) -> None:
    content = jsonl({"custom_id": "first", "body": {}}) + line + b"\n"
    (problem,) = problems_of(content)
    assert problem.line == 2
    assert problem.message.startswith(message), problem.message


def test_blank_lines_are_neither_requests_nor_problems_and_lines_keep_their_numbers() -> None:
    content = (
        b"\n"
        + jsonl({"custom_id": "a", "body": {}})
        + b"  \t\r\n\n"
        + jsonl({"custom_id": "b", "body": {}})
        + b'{"custom_id": "a", "body": {}}\n'
        + b"\n"
    )
    (problem,) = problems_of(content)
    assert problem == InputProblem(6, "custom_id 'a' is already used on line 2")
    fixed = content.replace(b'"a", "body": {}}\n\n', b'"c", "body": {}}\n\n')
    info = check_input_file(io.BytesIO(fixed))
    assert (info.requests, info.size) == (3, len(fixed))
    assert info.sha256 == hashlib.sha256(fixed).hexdigest()  # the file's bytes, blanks and all
    assert problems_of(b"\n \n") == [InputProblem(1, "the file holds no requests")]


def test_the_request_limit_counts_requests_not_blank_lines() -> None:
    content = b"\n\n".join(jsonl({"custom_id": f"r{i}", "body": {}}) for i in range(4))
    assert check_input_file(io.BytesIO(content), max_requests=4).requests == 4
    (problem,) = problems_of(content, max_requests=3)  # r0 on line 1, r3 on line 10
    assert problem == InputProblem(
        10,
        "the file holds 4 requests, more than the 3 a batch takes: split it over several batches",
    )


def test_a_byte_order_mark_before_a_line_is_allowed_as_json_loads_allows_it() -> None:
    content = b"\xef\xbb\xbf" + jsonl(
        {"custom_id": "a", "body": {}}, {"custom_id": "b", "body": {}}
    )
    assert check_input_file(io.BytesIO(content)).requests == 2


def test_custom_id_length_counts_characters_not_bytes() -> None:
    assert check_input_file(io.BytesIO(jsonl({"custom_id": "é" * 64, "body": {}}))).requests == 1
    (problem,) = problems_of(jsonl({"custom_id": "é" * 65, "body": {}}))
    assert "65 characters" in problem.message


def test_duplicate_over_long_and_missing_custom_ids_are_reported_together() -> None:
    content = jsonl(
        {"custom_id": "a", "body": {}},
        {"custom_id": "b", "body": {}},
        {"custom_id": "a", "body": {}},
        {"custom_id": "y" * 80, "body": {}},
        {"body": {}},
        {"custom_id": "b", "body": 3},
    )
    with pytest.raises(InputFileError) as caught:
        check_input_file(io.BytesIO(content))
    error = caught.value
    assert [(p.line, p.message) for p in error.problems] == [
        (3, "custom_id 'a' is already used on line 1"),
        (4, "custom_id is 80 characters long, more than 64"),
        (5, "custom_id is missing"),
        (6, "custom_id 'b' is already used on line 2"),
        (6, "body must be a JSON object, not a number"),
    ]
    assert error.problem_count == 5
    assert isinstance(error, TogetherError) and isinstance(error, ValueError)
    text = str(error)
    assert text.startswith("the input file: 5 problems a batch would refuse. Fix them")
    assert "  line 3: custom_id 'a' is already used on line 1" in text
    assert "  line 6: body must be a JSON object" in text


def test_every_problem_is_counted_while_the_list_is_capped() -> None:
    content = b"".join(b"oops\n" for _ in range(30))
    with pytest.raises(InputFileError) as caught:
        check_input_file(io.BytesIO(content), max_listed_problems=25)
    error = caught.value
    assert (len(error.problems), error.problem_count) == (25, 30)
    assert [p.line for p in error.problems] == list(range(1, 26))
    lines = str(error).splitlines()
    assert len(lines) == 1 + InputFileError.SHOWN + 1
    assert lines[-1] == "  ... and 10 more"


def test_too_many_requests_is_one_problem_at_the_first_line_over() -> None:
    content = jsonl(*({"custom_id": f"r{i}", "body": {}} for i in range(5)))
    assert check_input_file(io.BytesIO(content), max_requests=5).requests == 5
    (problem,) = problems_of(content, max_requests=3)
    assert problem == InputProblem(
        4, "the file holds 5 requests, more than the 3 a batch takes: split it over several batches"
    )


def test_too_many_bytes_is_reported_at_the_line_that_passes_the_limit() -> None:
    content = jsonl(*({"custom_id": f"r{i}", "body": {}} for i in range(3)))
    line = len(content) // 3
    assert check_input_file(io.BytesIO(content), max_bytes=len(content)).size == len(content)
    (problem,) = problems_of(content, max_bytes=line * 2)
    assert problem.line == 3
    assert problem.message.startswith(f"the file is {len(content)} bytes, more than the")


def test_a_line_longer_than_the_whole_limit_is_read_past_not_kept() -> None:
    huge = json.dumps({"custom_id": "big", "body": {"text": "x" * 10_000}}).encode() + b"\n"
    content = huge + b'{"custom_id": 5, "body": {}}\n'
    problems = problems_of(content, max_bytes=1000)
    assert [p.line for p in problems] == [1, 1, 2]
    assert (
        problems[0].message == f"the line alone is {len(huge):,} bytes, more than the file may be"
    )
    assert problems[1].message.startswith("the file is")
    assert problems[2].message == "custom_id must be a string, not a number"


def test_an_empty_file_holds_no_requests() -> None:
    assert problems_of(b"") == [InputProblem(1, "the file holds no requests")]


@pytest.mark.parametrize(
    "limit", ["max_requests", "max_bytes", "max_custom_id_length", "max_listed_problems"]
)
@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_limits_must_be_positive_ints(limit: str, value: Any) -> None:
    with pytest.raises(ValueError, match=limit):
        check_input_file(io.BytesIO(b""), **{limit: value})
    with pytest.raises(ValueError, match=limit):
        write_input_file([], io.BytesIO(), **{limit: value})


def test_a_path_that_cannot_be_read_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        check_input_file(tmp_path / "missing.jsonl")


# --- writing ------------------------------------------------------------------------------


def test_requests_as_pairs_dicts_or_a_generator_write_a_file_that_checks(tmp_path: Path) -> None:
    def requests() -> Iterator[Any]:
        yield "r0", BODY
        yield {"custom_id": "r1", "body": BODY}
        yield {"custom_id": "r2", "body": {"prompt": "naïve ✓"}, "extra": True}

    path = tmp_path / "out.jsonl"
    info = write_input_file(requests(), path)
    content = path.read_bytes()
    assert info == InputFileInfo(3, len(content), hashlib.sha256(content).hexdigest(), path)
    assert [json.loads(line) for line in content.splitlines()] == [
        {"custom_id": "r0", "body": BODY},
        {"custom_id": "r1", "body": BODY},
        {"custom_id": "r2", "body": {"prompt": "naïve ✓"}, "extra": True},
    ]
    assert "naïve ✓".encode() in content  # UTF-8, not \\u escapes
    assert check_input_file(path) == info
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_writing_to_a_file_object_streams_in_flushes(tmp_path: Path) -> None:
    stream = io.BytesIO()
    big = {"text": "x" * 100_000}
    info = write_input_file(((f"r{i}", big) for i in range(30)), stream)
    assert info.requests == 30 and info.size == len(stream.getvalue())
    assert info.sha256 == hashlib.sha256(stream.getvalue()).hexdigest() and info.path is None


def test_every_bad_request_is_reported_and_no_file_is_left(tmp_path: Path) -> None:
    requests: list[Any] = [
        ("ok", BODY),
        ("set", {"tags": {1, 2}}),
        ("nan", {"temperature": math.nan}),
        ("ok", BODY),
        (3, BODY),
        ("list", ["not", "a", "mapping"]),
        {"custom_id": "no-body"},
        ["custom_id", "body", "extra"],
        "a string",
    ]
    path = tmp_path / "out.jsonl"
    with pytest.raises(InputFileError) as caught:
        write_input_file(requests, path)
    got = [(p.line, p.message) for p in caught.value.problems]
    assert got[0][0] == 2 and got[0][1].startswith("the request cannot be written as JSON")
    assert got[1][0] == 3 and "JSON" in got[1][1]
    assert got[2:] == [
        (4, "custom_id 'ok' is already used on line 1"),
        (5, "custom_id must be a string, not a number"),
        (6, "body must be a JSON object, not an array"),
        (7, "body is missing"),
        (
            8,
            "a request must be a (custom_id, body) pair or a mapping with custom_id and body, not list",
        ),
        (
            9,
            "a request must be a (custom_id, body) pair or a mapping with custom_id and body, not str",
        ),
    ]
    assert caught.value.source == "the requests"
    assert list(tmp_path.iterdir()) == []


def test_a_failing_generator_leaves_no_file_behind(tmp_path: Path) -> None:
    def requests() -> Iterator[tuple[str, dict[str, Any]]]:
        yield "r0", BODY
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError, match="the source broke"):
        write_input_file(requests(), tmp_path / "out.jsonl")
    assert list(tmp_path.iterdir()) == []


def test_a_valid_file_replaces_an_existing_one_only_when_complete(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"old\n")
    with pytest.raises(InputFileError):
        write_input_file([("a", BODY), ("a", BODY)], path)
    assert path.read_bytes() == b"old\n"
    write_input_file([("a", BODY)], path)
    assert json.loads(path.read_bytes()) == {"custom_id": "a", "body": BODY}


def test_millions_of_requests_stream_in_bounded_memory() -> None:
    """Over the limit, the ids are not kept: memory does not grow with the input."""

    class Sink(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            return len(data)

    count = 200_000
    tracemalloc.start()
    try:
        with pytest.raises(InputFileError) as caught:
            write_input_file(
                ((f"request-{i}", {"n": i}) for i in range(count)), Sink(), max_requests=1_000
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (problem,) = caught.value.problems
    assert problem.message.startswith(f"the file holds {count:,} requests")
    # 200,000 ids kept would take well over 10 MB; one line and 1,000 ids, far less.
    assert peak < 3_000_000, peak


def test_write_input_file_never_writes_a_blank_line() -> None:
    stream = io.BytesIO()
    requests: list[Any] = [("a", {"text": "\n\n"}), {"custom_id": "b", "body": {"t": " \n "}}]
    write_input_file(requests, stream)
    lines = stream.getvalue().split(b"\n")
    assert lines[-1] == b"" and all(line.strip() for line in lines[:-1]) and len(lines) == 3
