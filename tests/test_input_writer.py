"""`InputFileWriter` (an input file fed one line at a time, within the limits) and the
checker's workload mode (custom_ids unique over any number of lines)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest

from together_batches import MAX_FILE_BYTES, MAX_REQUESTS, InputFileInfo
from together_batches._jsonl.checks import Checker
from together_batches._jsonl.ids import IdIndex
from together_batches._jsonl.writer import InputFileWriter


def test_the_limits_default_to_a_batch_s() -> None:
    writer = InputFileWriter(io.BytesIO())
    assert (writer.max_requests, writer.max_bytes) == (MAX_REQUESTS, MAX_FILE_BYTES)


def test_lines_go_to_a_temporary_file_renamed_into_place_on_close(tmp_path: Path) -> None:
    path = tmp_path / "part.jsonl"
    writer = InputFileWriter(path)
    writer.write(b"one\n")
    writer.write(b"two\n")
    assert not path.exists()
    (temporary,) = tmp_path.iterdir()
    assert temporary.name.startswith(".part.jsonl.") and temporary.name.endswith(".tmp")
    info = writer.close()
    assert info == InputFileInfo(2, 8, hashlib.sha256(b"one\ntwo\n").hexdigest(), path)
    assert path.read_bytes() == b"one\ntwo\n"
    assert list(tmp_path.iterdir()) == [path]
    assert writer.close() is info  # closing again answers the same


def test_a_durable_file_is_fsynced_with_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr("os.fsync", synced.append)
    InputFileWriter(tmp_path / "a.jsonl").close()
    assert synced == []
    InputFileWriter(tmp_path / "b.jsonl", durable=True).close()
    assert len(synced) == 2  # the file, then its directory (for the rename)


def test_leaving_the_with_block_by_an_error_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), InputFileWriter(tmp_path / "part.jsonl") as writer:
        writer.write(b"line\n")
        raise RuntimeError("the source broke")
    assert list(tmp_path.iterdir()) == []
    writer.discard()  # again: nothing left to do


def test_a_file_object_is_written_and_left_open() -> None:
    stream = io.BytesIO()
    writer = InputFileWriter(stream)
    writer.write(b"x" * 10 + b"\n")
    assert writer.sha256 == hashlib.sha256(b"x" * 10 + b"\n").hexdigest()  # buffered, counted
    info = writer.close()
    assert stream.getvalue() == b"x" * 10 + b"\n" and not stream.closed
    assert info == InputFileInfo(1, 11, writer.sha256, None)


def test_big_lines_are_written_as_they_come_not_kept() -> None:
    stream = io.BytesIO()
    writer = InputFileWriter(stream)
    line = b"y" * (1 << 20) + b"\n"
    writer.write(line)
    assert stream.getvalue() == line  # one MiB buffered is written at once
    writer.write(b"z\n")
    assert writer.close().sha256 == hashlib.sha256(line + b"z\n").hexdigest()


@pytest.mark.parametrize(
    ("max_requests", "max_bytes", "written", "size", "fits"),
    [
        (3, 100, [b"a\n", b"b\n"], 2, True),  # the third line of three
        (3, 100, [b"a\n", b"b\n", b"c\n"], 1, False),  # a fourth is one too many
        (10, 10, [b"abcd\n"], 5, True),  # exactly the byte limit
        (10, 10, [b"abcd\n"], 6, False),  # one byte over it
        (10, 10, [], 10, True),  # one line as big as the whole file
        (10, 10, [], 11, False),
    ],
)
def test_fits_says_whether_one_more_line_keeps_both_limits(
    max_requests: int, max_bytes: int, written: list[bytes], size: int, fits: bool
) -> None:
    writer = InputFileWriter(io.BytesIO(), max_requests=max_requests, max_bytes=max_bytes)
    for line in written:
        writer.write(line)
    assert writer.fits(size) is fits
    if not fits:
        with pytest.raises(ValueError, match="does not fit"):
            writer.write(b"q" * (size - 1) + b"\n")
        assert (writer.requests, writer.size) == (len(written), sum(map(len, written)))


@pytest.mark.parametrize("limit", ["max_requests", "max_bytes"])
def test_the_writer_s_limits_must_be_positive_ints(limit: str) -> None:
    with pytest.raises(ValueError, match=limit):
        limits: dict[str, Any] = {limit: 0}
        InputFileWriter(io.BytesIO(), **limits)


def test_a_checker_keeping_all_ids_finds_duplicates_past_max_requests() -> None:
    def duplicates(keep_all_ids: bool) -> list[tuple[int, str]]:
        checker = Checker(2, 1000, 64, 100, ids=IdIndex() if keep_all_ids else None)
        for line, custom_id in enumerate(["a", "b", "c", "a", "c"], start=1):
            checker.request(line)
            checker.fields(line, custom_id, {})
        return [(p.line, p.message) for p in checker.problems]

    # One file: past its limit the ids are not kept (the file is refused anyway).
    assert duplicates(False) == []
    assert duplicates(True) == [
        (4, "custom_id 'a' is already used on line 1"),
        (5, "custom_id 'c' is already used on line 3"),
    ]
