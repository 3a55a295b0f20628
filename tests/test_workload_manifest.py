"""A workload's manifest: its JSON both ways, written atomically, read strictly, and a
resumed run matched against it (refused with `ManifestError` on any difference)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from together_batches import InputFileInfo, ManifestError, TogetherError
from together_batches._workload.events import new_workload
from together_batches._workload.manifest import (
    SCHEMA,
    VERSION,
    check_matches,
    load_manifest,
    save_manifest,
    to_json,
    workload_from_json,
)
from together_batches._workload.records import Part, PartFile, Workload, part_file

FILE_A = PartFile("w.parts/part-00001.jsonl", 3, 120, "a" * 64)
FILE_B = PartFile("w.parts/part-00002.jsonl", 2, 80, "b" * 64)


def workload(**changes: Any) -> Workload:
    base = new_workload(
        [FILE_A, FILE_B],
        endpoint="/v1/chat/completions",
        model_id="m",
        retry_failed=1,
        max_requests=3,
        max_bytes=1000,
    )
    return Workload(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **changes})


def busy() -> Workload:
    """A workload with every field of a part set somewhere."""
    leftover = PartFile("w.parts/leftover-00001.jsonl", 1, 40, "c" * 64)
    first = Part(
        1,
        0,
        FILE_A,
        file_id="file-1",
        batch_id="b-1",
        status="EXPIRED",
        progress=0.5,
        output_file_id="out-1",
        consumed=True,
        succeeded=2,
        leftover=leftover,
    )
    second = Part(2, 0, FILE_B, file_id="file-2", creating=True, create_sent_at=1.7e9)
    third = Part(3, 1, leftover, sources=(1,), error_file_id=None)
    return workload(parts=(first, second, third), results_offset=99)


def test_the_json_round_trips(tmp_path: Path) -> None:
    data = to_json(busy())
    assert (SCHEMA, VERSION) == ("together-batches/workload", 1)
    assert (data["schema"], data["version"]) == (SCHEMA, VERSION)
    assert data["parts"][2]["sources"] == [1]
    assert workload_from_json(json.loads(json.dumps(data))) == busy()
    path = tmp_path / "w.json"
    save_manifest(path, busy())
    assert load_manifest(path) == busy()
    assert json.loads(path.read_text()) == data


def test_no_file_is_a_new_workload(tmp_path: Path) -> None:
    assert load_manifest(tmp_path / "missing.json") is None


def test_saving_replaces_the_file_whole_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.json"
    save_manifest(path, workload())
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr("os.fsync", fsync)
    save_manifest(path, busy())
    assert len(synced) == 2  # the file, then its directory
    assert load_manifest(path) == busy()
    assert [p.name for p in tmp_path.iterdir()] == ["w.json"]


def test_a_failed_save_keeps_the_previous_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.json"
    save_manifest(path, workload())

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", broken)
    with pytest.raises(OSError, match="disk full"):
        save_manifest(path, busy())
    assert load_manifest(path) == workload()
    assert [p.name for p in tmp_path.iterdir()] == ["w.json"]


def bad(data: Any) -> str:
    with pytest.raises(ManifestError) as caught:
        workload_from_json(data, source="w.json")
    return str(caught.value)


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text("{not json")
    with pytest.raises(ManifestError, match=r"w.json is not a workload manifest: it is not JSON"):
        load_manifest(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema="other"), 'its schema is "other", not'),
        (lambda d: d.pop("schema"), "its schema is null"),
        (
            lambda d: d.update(version=2),
            "it is of version 2, and this together-batches reads version 1",
        ),
        (lambda d: d.update(version="1"), 'version must be a version, not "1"'),
        (lambda d: d.update(endpoint=""), "endpoint must be an endpoint"),
        (lambda d: d.update(retry_failed=-1), "retry_failed must be a count, not -1"),
        (lambda d: d.update(max_bytes=0), "max_bytes must be a size >= 1, not 0"),
        (lambda d: d.update(parts={}), "parts must be a list"),
        (lambda d: d["parts"].append(3), "parts[3] must be an object"),
        (lambda d: d["parts"][1].update(number=5), "parts[1].number must be 2, not 5"),
        (
            lambda d: d["parts"][0]["input"].update(sha256=None),
            "parts[0].input.sha256 must be a checksum",
        ),
        (lambda d: d["parts"][0].update(input=None), "parts[0].input must be an object"),
        (lambda d: d["parts"][0].update(progress=1.5), "parts[0].progress must be 0 to 1, not 1.5"),
        (
            lambda d: d["parts"][0].update(consumed=1),
            "parts[0].consumed must be true or false, not 1",
        ),
        (
            lambda d: d["parts"][0].update(sources=[0.5]),
            "parts[0].sources must be a list of part numbers",
        ),
        (
            lambda d: d["parts"][0]["leftover"].update(requests=True),
            "parts[0].leftover.requests must be a count, not true",
        ),
        (
            lambda d: d["parts"][1].update(create_sent_at="now"),
            'parts[1].create_sent_at must be a time, not "now"',
        ),
        (lambda d: d["parts"][2].update(batch_id=7), "parts[2].batch_id must be an id, not 7"),
    ],
)
def test_a_malformed_manifest_is_refused_naming_the_field(change: Any, message: str) -> None:
    data = to_json(busy())
    change(data)
    text = bad(data)
    assert text.startswith("w.json is not a workload manifest this version can read: ")
    assert message in text, text


def test_a_manifest_that_is_not_an_object_is_refused() -> None:
    assert "the manifest must be an object" in bad([1, 2])
    assert isinstance(ManifestError("x"), (TogetherError, ValueError))


def test_part_file_records_a_path_relative_to_the_manifest(tmp_path: Path) -> None:
    info = InputFileInfo(3, 120, "a" * 64, tmp_path / "w.parts" / "part-00001.jsonl")
    assert part_file(info, tmp_path) == PartFile("w.parts/part-00001.jsonl", 3, 120, "a" * 64)
    elsewhere = InputFileInfo(1, 2, "d" * 64, Path("/elsewhere/x.jsonl"))
    assert part_file(elsewhere, tmp_path).path == "/elsewhere/x.jsonl"
    with pytest.raises(ValueError, match="must have a path"):
        part_file(InputFileInfo(1, 2, "d" * 64), tmp_path)


# --- matching a resumed run ---------------------------------------------------------------


def infos(*files: PartFile) -> list[InputFileInfo]:
    return [InputFileInfo(f.requests, f.size, f.sha256, Path(f.path)) for f in files]


def mismatch(recorded: Workload, given: Workload, parts: list[InputFileInfo]) -> str:
    with pytest.raises(ManifestError) as caught:
        check_matches(recorded, given, parts, path="w.json")
    text = str(caught.value)
    assert text.startswith("the manifest w.json records another workload: ")
    assert text.endswith(
        "Nothing was uploaded or submitted. Run again with the requests and "
        "settings it was started with, or pass another manifest path to "
        "start a new workload."
    )
    return text


def test_the_same_requests_and_settings_match() -> None:
    # Only round 0 is matched (retry rounds come from results), and paths are not.
    check_matches(busy(), workload(), infos(FILE_A, FILE_B), path="w.json")


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "endpoint",
            "/v1/completions",
            "it records endpoint='/v1/chat/completions', and this run has '/v1/completions'",
        ),
        ("model_id", None, "it records model_id='m', and this run has None"),
        ("retry_failed", 2, "it records retry_failed=1, and this run has 2"),
        ("max_requests", 4, "it records max_requests=3"),
        ("max_bytes", 999, "it records max_bytes=1000"),
    ],
)
def test_another_setting_is_refused(setting: str, value: Any, message: str) -> None:
    text = mismatch(busy(), workload(**{setting: value}), infos(FILE_A, FILE_B))
    assert message in text, text


def test_a_part_with_another_checksum_is_refused_naming_it() -> None:
    changed = PartFile(FILE_B.path, 2, 80, "f" * 64)
    text = mismatch(busy(), workload(), infos(FILE_A, changed))
    assert (
        "its part 2 (requests 4 to 5) has 2 requests, 80 bytes, sha256 bbbbbbbbbbbb..., "
        "and the same part of these requests 2, 80 bytes, sha256 ffffffffffff..."
    ) in text


def test_another_number_of_parts_is_refused() -> None:
    extra = PartFile("w.parts/part-00003.jsonl", 1, 40, "e" * 64)
    text = mismatch(busy(), workload(), infos(FILE_A, FILE_B, extra))
    assert "it records 2 parts (5 requests), and these requests make 3 (6 requests)" in text
    text = mismatch(busy(), workload(), infos(FILE_A))
    assert "it records 2 parts (5 requests), and these requests make 1 (3 requests)" in text
