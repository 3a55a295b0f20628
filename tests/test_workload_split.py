"""Splitting a workload over as few input files as the limits allow: the exact limits,
custom_ids unique over every part, and nothing left on disk when the input is bad."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from together_batches import (
    MAX_FILE_BYTES,
    MAX_REQUESTS,
    InputFileError,
    check_input_file,
    write_input_file,
)
from together_batches._workload.split import part_path, split_file, split_lines, split_requests


def line_of(custom_id: str, body: dict[str, Any]) -> bytes:
    return json.dumps({"custom_id": custom_id, "body": body}, separators=(",", ":")).encode()


def sized_request(custom_id: str, size: int) -> tuple[str, dict[str, Any]]:
    """A request whose line is exactly `size` bytes, its newline included."""
    padding = size - len(line_of(custom_id, {"t": ""})) - 1
    assert padding >= 0
    request = (custom_id, {"t": "x" * padding})
    assert len(line_of(*request)) + 1 == size
    return request


def small(count: int, start: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
    return ((f"r{i}", {"n": i}) for i in range(start, start + count))


def counts(parts: list[Any]) -> list[int]:
    return [part.requests for part in parts]


def test_part_names_count_from_one(tmp_path: Path) -> None:
    assert part_path(tmp_path, "part", 1) == tmp_path / "part-00001.jsonl"
    assert part_path(str(tmp_path), "round1", 12) == tmp_path / "round1-00012.jsonl"


@pytest.mark.parametrize(("count", "expected"), [(50_000, [50_000]), (50_001, [50_000, 1])])
def test_at_the_real_line_limit(tmp_path: Path, count: int, expected: list[int]) -> None:
    assert MAX_REQUESTS == 50_000
    parts = split_requests(small(count), tmp_path, durable=False)
    assert counts(parts) == expected
    # Each part is an input file a batch takes, exactly as the info says.
    for number, part in enumerate(parts, start=1):
        assert part.path == part_path(tmp_path, "part", number)
        assert check_input_file(part.path) == part
    last = parts[-1].path
    assert last is not None
    assert json.loads(last.read_bytes().splitlines()[-1])["custom_id"] == f"r{count - 1}"


@pytest.mark.parametrize(
    ("max_requests", "count", "expected"),
    [(1, 3, [1, 1, 1]), (3, 3, [3]), (3, 4, [3, 1]), (3, 7, [3, 3, 1]), (5, 1, [1])],
)
def test_at_smaller_line_limits(
    tmp_path: Path, max_requests: int, count: int, expected: list[int]
) -> None:
    parts = split_requests(small(count), tmp_path, max_requests=max_requests)
    assert counts(parts) == expected


@pytest.mark.parametrize(
    ("sizes", "max_bytes", "expected"),
    [
        ([100, 100, 100], 300, [3]),  # exactly the limit: one part
        ([100, 100, 101], 300, [2, 1]),  # one byte over: the line starts the next part
        ([300, 40], 300, [1, 1]),  # a line as big as a whole part is a part of its own
        ([150, 100, 60, 240], 300, [2, 2]),  # parts fill in order; lines never move
    ],
)
def test_at_byte_limits(
    tmp_path: Path, sizes: list[int], max_bytes: int, expected: list[int]
) -> None:
    requests = [sized_request(f"r{i}", size) for i, size in enumerate(sizes)]
    parts = split_requests(requests, tmp_path, max_bytes=max_bytes)
    assert counts(parts) == expected
    assert all(part.size <= max_bytes for part in parts)
    assert sum(part.size for part in parts) == sum(sizes)


def test_at_the_real_byte_limit(tmp_path: Path) -> None:
    """100 lines of exactly 1 MB fill the first part to the byte; the next line starts
    the second."""
    assert MAX_FILE_BYTES == 100_000_000
    requests: Iterator[tuple[str, dict[str, Any]]] = (
        sized_request(f"r{i}", 1_000_000) if i < 100 else (f"r{i}", {}) for i in range(101)
    )
    first, second = split_requests(requests, tmp_path, durable=False)
    assert (first.requests, first.size) == (100, MAX_FILE_BYTES)
    assert first.path is not None and first.path.stat().st_size == MAX_FILE_BYTES
    assert second.requests == 1


def test_the_parts_are_the_one_file_cut_at_line_boundaries(tmp_path: Path) -> None:
    requests = [(f"q{i}", {"prompt": "é" * (i % 7), "i": i}) for i in range(23)]
    whole = io.BytesIO()
    write_input_file(requests, whole)
    parts = split_requests(requests, tmp_path / "parts", max_requests=5, max_bytes=400)
    assert b"".join(part.path.read_bytes() for part in parts if part.path) == whole.getvalue()
    assert all(part.requests <= 5 and part.size <= 400 for part in parts)


def test_custom_ids_duplicated_across_parts_are_reported_with_their_lines(tmp_path: Path) -> None:
    requests: list[tuple[str, dict[str, Any]]] = [
        ("a", {}),
        ("b", {}),
        ("c", {}),
        ("a", {}),
        ("d", {}),
        ("b", {}),
        ("e", {}),
    ]
    with pytest.raises(InputFileError) as caught:
        split_requests(requests, tmp_path, max_requests=2)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (4, "custom_id 'a' is already used on line 1"),
        (6, "custom_id 'b' is already used on line 2"),
    ]
    assert caught.value.source == "the requests"
    assert list(tmp_path.iterdir()) == []  # the parts written before the first problem too


def test_every_problem_is_reported_by_request_number(tmp_path: Path) -> None:
    requests: list[Any] = [
        ("ok", {}),
        sized_request("big", 101),
        ("bad-body", [1]),
        "not a request",
        ("ok", {}),
        sized_request("fits", 100),
    ]
    with pytest.raises(InputFileError) as caught:
        split_requests(requests, tmp_path, max_bytes=100)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (
            2,
            "the request is 101 bytes as a line, more than a batch's whole input file may be (100)",
        ),
        (3, "body must be a JSON object, not an array"),
        (
            4,
            "a request must be a (custom_id, body) pair or a mapping with custom_id and body, not str",
        ),
        (5, "custom_id 'ok' is already used on line 1"),
    ]
    assert list(tmp_path.iterdir()) == []


def test_the_error_counts_every_problem_and_lists_the_first_ones(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        split_requests((("same", {}) for _ in range(40)), tmp_path, max_listed_problems=10)
    assert (len(caught.value.problems), caught.value.problem_count) == (10, 39)


def test_no_requests_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="there are no requests"):
        split_requests([], tmp_path)


def test_a_failing_source_leaves_no_part(tmp_path: Path) -> None:
    def requests() -> Iterator[tuple[str, dict[str, Any]]]:
        yield from small(7)
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError, match="the source broke"):
        split_requests(requests(), tmp_path, max_requests=3)
    assert list(tmp_path.iterdir()) == []


def test_the_directory_is_made_and_old_parts_are_replaced(tmp_path: Path) -> None:
    directory = tmp_path / "a" / "b"
    (first,) = split_requests(small(2), directory, prefix="x")
    assert first.path == directory / "x-00001.jsonl"
    (again,) = split_requests(small(1), directory, prefix="x")
    assert again.path == first.path and again.path.read_bytes() == line_of("r0", {"n": 0}) + b"\n"


def test_a_generator_of_many_requests_is_not_held(tmp_path: Path) -> None:
    """Only the custom_ids stay: 50,000 bodies of 4 KB (200 MB) are written and let go."""
    count = 50_000
    tracemalloc.start()
    try:
        requests = ((f"request-{i}", {"text": f"{i:08x}" * 500}) for i in range(count))
        parts = split_requests(requests, tmp_path, durable=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(counts(parts)) == count and len(parts) >= 3
    # The ids take ~15 bytes each in memory (their bytes go to a file), plus a MiB buffer
    # for that file and one for the part being written.
    assert peak < 5_000_000, peak


# --- lines already checked (retry rounds) -------------------------------------------------


def test_split_lines_fills_parts_with_the_lines_as_they_are(tmp_path: Path) -> None:
    lines = [line_of(f"r{i}", {"n": i}) + b"\n" for i in range(7)]
    parts = split_lines(iter(lines), tmp_path, prefix="round1", max_requests=3)
    assert counts(parts) == [3, 3, 1]
    assert parts[0].path == tmp_path / "round1-00001.jsonl"
    assert b"".join(p.path.read_bytes() for p in parts if p.path) == b"".join(lines)
    assert split_lines([], tmp_path, prefix="none") == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (b'{"custom_id":"x","body":{}}', "the line does not end with a newline"),
        (
            b"y" * 50 + b"\n",
            "the request is 51 bytes as a line, more than a batch's whole input file may be (40)",
        ),
    ],
)
def test_split_lines_refuses_a_line_no_part_can_hold(
    tmp_path: Path, bad: bytes, message: str
) -> None:
    with pytest.raises(InputFileError) as caught:
        split_lines([b"{}\n", b"{}\n", bad], tmp_path, prefix="p", max_requests=1, max_bytes=40)
    assert [(p.line, p.message) for p in caught.value.problems] == [(3, message)]
    assert list(tmp_path.iterdir()) == []


# --- a JSONL file of any length (the CLI's INPUT.jsonl) -----------------------------------


def test_a_file_splits_with_its_lines_as_they_are(tmp_path: Path) -> None:
    lines = [
        json.dumps({"custom_id": f"r{i}", "body": {"n": i}}).encode() + b"\n" for i in range(7)
    ]
    source = tmp_path / "input.jsonl"
    source.write_bytes(b"".join(lines)[:-1])  # the last line without its newline
    parts = split_file(source, tmp_path / "parts", max_requests=3)
    assert counts(parts) == [3, 3, 1]
    assert b"".join(p.path.read_bytes() for p in parts if p.path) == b"".join(lines)
    for part in parts:
        assert part.path is not None and check_input_file(part.path) == part
    stream = io.BytesIO(b"".join(lines))
    assert counts(split_file(stream, tmp_path / "again", max_bytes=len(lines[0]) * 2)) == [
        2,
        2,
        2,
        1,
    ]


def test_a_file_s_problems_are_reported_by_line_over_every_part(tmp_path: Path) -> None:
    good = json.dumps({"custom_id": "a", "body": {}}).encode()
    content = (
        b"\n".join(
            [
                good,
                b'{"custom_id": "b", "body": {}}',
                b"not json",
                b'{"custom_id": "c", "body": {}}',
                good,
                b'{"custom_id": "big", "body": {"t": "' + b"x" * 60 + b'"}}',
            ]
        )
        + b"\n"
    )
    source = tmp_path / "input.jsonl"
    source.write_bytes(content)
    with pytest.raises(InputFileError) as caught:
        split_file(source, tmp_path / "parts", max_requests=2, max_bytes=60)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (3, "the line is not valid JSON (Expecting value, column 1)"),
        (5, "custom_id 'a' is already used on line 1"),
        (6, "the line alone is 100 bytes, more than the file may be"),
    ]
    assert caught.value.source == str(source)
    assert not (tmp_path / "parts").exists() or list((tmp_path / "parts").iterdir()) == []


def test_a_file_s_blank_lines_are_skipped_and_its_problems_keep_their_line_numbers(
    tmp_path: Path,
) -> None:
    lines = [json.dumps({"custom_id": f"r{i}", "body": {}}).encode() + b"\n" for i in range(4)]
    content = b"\n" + lines[0] + b" \t\r\n" + lines[1] + lines[2] + b"\n\n" + lines[3] + b"\n"
    parts = split_file(io.BytesIO(content), tmp_path / "parts", max_requests=2)
    assert counts(parts) == [2, 2]
    assert b"".join(p.path.read_bytes() for p in parts if p.path) == b"".join(lines)
    with pytest.raises(InputFileError) as caught:
        split_file(io.BytesIO(content + lines[1] + b"\n" + b"oops\n"), tmp_path / "bad")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (10, "custom_id 'r1' is already used on line 4"),
        (12, "the line is not valid JSON (Expecting value, column 1)"),
    ]
    with pytest.raises(InputFileError, match="the file holds no requests"):
        split_file(io.BytesIO(b"\n\n  \n"), tmp_path / "blank")


@pytest.mark.parametrize(("size", "fits"), [(60, True), (61, False)])
def test_a_file_s_line_must_fit_a_part_newline_and_all(
    tmp_path: Path, size: int, fits: bool
) -> None:
    (custom_id, body) = sized_request("x", size)
    line = line_of(custom_id, body)  # without its newline, as a file's last line may be
    if fits:
        (part,) = split_file(io.BytesIO(line), tmp_path, max_bytes=60)
        assert part.size == 60
    else:
        with pytest.raises(InputFileError) as caught:
            split_file(io.BytesIO(line), tmp_path, max_bytes=60)
        (problem,) = caught.value.problems
        assert problem.line == 1 and "61 bytes as a line" in problem.message


def test_an_empty_file_holds_no_requests(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="the file holds no requests"):
        split_file(io.BytesIO(b""), tmp_path)
