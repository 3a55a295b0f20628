"""`IdIndex`: custom_ids in compact memory, exact even when hashes collide."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from together_batches import InputFileError
from together_batches._jsonl import ids as ids_module
from together_batches._jsonl.ids import IdIndex
from together_batches._workload import split as split_module
from together_batches._workload.split import split_file, split_requests

#: Hashes that collide all the time: every id of a length is one hash.
TINY: Callable[[str], int] = len


def constant(_: str) -> int:
    return 7


@pytest.mark.parametrize("disk", [False, True])
@pytest.mark.parametrize("hasher", [hash, TINY, constant], ids=["siphash", "len", "constant"])
def test_each_id_is_kept_once_with_its_first_value(
    disk: bool, hasher: Callable[[str], int], tmp_path: Path
) -> None:
    index = IdIndex(disk=disk, directory=tmp_path, hasher=hasher)
    ids = [f"r{i}" for i in range(300)] + ["é", "\ud800", "", "x" * 200]
    assert [index.add(custom_id, n) for n, custom_id in enumerate(ids, start=1)] == [None] * len(
        ids
    )
    assert [index.add(custom_id, 0) for custom_id in ids] == list(range(1, len(ids) + 1))
    assert len(index) == len(ids)
    assert all(custom_id in index for custom_id in ids)
    assert "r300" not in index and "r1 " not in index and 5 not in index
    index.close()
    assert len(index) == 0 and "r1" not in index


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab\u00e9", max_size=4), max_size=60))
def test_it_answers_as_a_dict_would_whatever_the_collisions(ids: list[str]) -> None:
    index, first = IdIndex(hasher=TINY), dict[str, int]()
    for line, custom_id in enumerate(ids, start=1):
        expected = first.setdefault(custom_id, line)
        assert index.add(custom_id, line) == (None if expected == line else expected)
    assert len(index) == len(first)


def test_a_disk_index_reads_back_entries_written_to_its_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ids_module, "_FLUSH_AT", 64)  # nearly every entry goes to the file
    index = IdIndex(disk=True, directory=tmp_path, hasher=lambda s: hash(s) % 5)
    for n in range(500):
        assert index.add(f"id-{n}", n) is None
    assert [index.add(f"id-{n}", -1) for n in (0, 250, 499)] == [0, 250, 499]
    assert list(tmp_path.iterdir()) == []  # the file has no name
    index.close()


def test_buckets_are_split_as_the_index_grows_and_ids_stay_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ids_module, "_BUCKET_IDS", 4)  # split at 1,024 ids, 4,096, ...
    index = IdIndex()
    for n in range(20_000):
        assert index.add(f"q{n}", n) is None
    assert len(index._hashes) == 1 << 14
    assert all(index.add(f"q{n}", -1) == n for n in range(0, 20_000, 7))
    assert "q20000" not in index


def test_the_table_takes_at_most_16_bytes_an_id_at_scale() -> None:
    index = IdIndex()
    for n in range(300_000):
        index.add(f"request-{n:09d}", n)
    assert index.table_bytes / len(index) <= 16


def colliding_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every split check custom_ids with a hash that collides for ids of one length."""

    def tiny_index(directory: Path) -> IdIndex:
        directory.mkdir(parents=True, exist_ok=True)
        return IdIndex(disk=True, directory=directory, hasher=TINY)

    monkeypatch.setattr(split_module, "_workload_ids", tiny_index)


def test_colliding_hashes_are_never_reported_as_duplicates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    colliding_ids(monkeypatch)
    requests = [(f"r{n:03d}", {"n": n}) for n in range(400)]  # one hash for all 400
    infos = split_requests(requests, tmp_path / "a", max_requests=150)
    assert [info.requests for info in infos] == [150, 150, 100]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"custom_id": c, "body": b}) + "\n" for c, b in requests))
    assert sum(info.requests for info in split_file(source, tmp_path / "b")) == 400


def test_real_duplicates_among_collisions_are_found_with_their_first_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    colliding_ids(monkeypatch)
    names = ["aa", "bb", "cc", "bb", "dd", "aa", "bb"]
    requests: list[Any] = [(name, {}) for name in names]
    with pytest.raises(InputFileError) as caught:
        split_requests(requests, tmp_path, max_requests=2)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (4, "custom_id 'bb' is already used on line 2"),
        (6, "custom_id 'aa' is already used on line 1"),
        (7, "custom_id 'bb' is already used on line 2"),
    ]
    assert list(tmp_path.iterdir()) == []
