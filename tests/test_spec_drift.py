"""`make spec-drift` (tools/spec_drift.py), the table of known differences it reads
(spec/differences.yaml, rendered in spec/README.md), and our models against SDK 3.1.1's."""

from __future__ import annotations

import fnmatch
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from together_batches import BatchJob, FileObject

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location("spec_drift", ROOT / "tools" / "spec_drift.py")
assert _SPEC is not None and _SPEC.loader is not None
drift: Any = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(drift)


def test_every_difference_from_the_pinned_extract_is_in_the_table() -> None:
    rows = drift.table()["rows"]
    unexplained = [key for key in drift.ours_vs_pinned() if drift.matching_row(key, rows) is None]
    assert unexplained == [], "add a row to spec/differences.yaml for each of these"


def test_no_row_of_the_table_is_stale() -> None:
    found = drift.ours_vs_pinned()
    stale = [
        row["here"] for row in drift.table()["rows"]
        if not any(fnmatch.fnmatchcase(key, p) for key in found for p in row["facts"])
    ]  # fmt: skip
    assert stale == [], "these rows explain no difference any more: remove them"
    for row in drift.table()["rows"]:
        assert set(row) == {"here", "upstream", "why", "facts"} and row["facts"], row


def test_the_readme_shows_the_table_as_rendered() -> None:
    readme = (ROOT / "spec" / "README.md").read_text(encoding="utf-8")
    assert drift.render_table() in readme, "run `python tools/spec_drift.py --table`"


def test_facts_name_operations_statuses_parameters_and_schema_fields() -> None:
    found = drift.facts(drift.load(drift.PINNED), {"FileResponse": "FileObject"})
    assert found["GET /batches"] == "declared"
    assert found["GET /batches 200"] == "application/json: array of ref BatchJob"
    assert found["GET /batches/{id} parameter path id"] == "string"
    assert found["schema BatchJob.id"] == "string format uuid"
    assert found["schema FileObject.purpose"] == "ref FilePurpose"
    assert "schema ErrorResponse" not in found  # no batch or file endpoint reaches it
    assert "schema ErrorResponse" in drift.facts(drift.load(drift.PINNED), every_schema=True)


def newer_copy(tmp_path: Path, edit: str, replacement: str) -> Path:
    text = drift.PINNED.read_text(encoding="utf-8")
    assert edit in text
    path = tmp_path / "openapi.yaml"
    path.write_text(text.replace(edit, replacement, 1), encoding="utf-8")
    return path


BATCH_JOB_USER_ID = """        user_id:
          type: string
          example: 'user_789xyz012'
"""


def run(upstream: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "spec_drift.py"), str(upstream)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_the_pinned_extract_itself_has_no_difference() -> None:
    done = run(drift.PINNED)
    assert (done.returncode, done.stdout) == (0, "0 difference(s) from the pinned extract, 0 new\n")


@pytest.mark.parametrize(
    ("replacement", "mark", "key", "why"),
    [
        # A field upstream adds that ours has not: new.
        (BATCH_JOB_USER_ID + "        priority:\n          type: integer\n", "new",
         "schema BatchJob.priority", "not in spec/differences.yaml"),
        # A field made nullable upstream, not here: new.
        (BATCH_JOB_USER_ID.replace("string", "string\n          nullable: true"), "new",
         "schema BatchJob.user_id", "not in spec/differences.yaml"),
        # Upstream moving where ours differs on purpose: known, by its row.
        ("        error:\n          type: string\n        completed_at:",
         "known", "schema BatchJob.error", "ours differs on purpose: `output_file_id`"),
    ],
)  # fmt: skip
def test_a_newer_copy_prints_each_change_as_known_or_new(
    tmp_path: Path, replacement: str, mark: str, key: str, why: str
) -> None:
    if replacement.startswith("        error:"):  # the job's error, now an object upstream
        edit = replacement
        replacement = replacement.replace("type: string", "type: object")
    else:
        edit = BATCH_JOB_USER_ID
    done = run(newer_copy(tmp_path, edit, replacement))
    first = done.stdout.splitlines()[0]
    assert first == f"{mark:5}  {key}"
    assert why in done.stdout
    assert done.returncode == (1 if mark == "new" else 0)


def test_a_change_ours_already_made_is_known(tmp_path: Path) -> None:
    status = "        - EXPIRED\n        - CANCELLED"
    newer = newer_copy(
        tmp_path, status, "        - EXPIRED\n        - CANCELING\n        - CANCELLED"
    )
    lines, new = drift.report(newer)
    assert new == 0 and len(lines) == 2
    assert lines[0].startswith("known  schema BatchJobStatus enum\n")
    assert lines[0].endswith("(ours already says this)")


def test_make_spec_drift_needs_the_upstream_path() -> None:
    done = subprocess.run(["make", "-s", "spec-drift"], cwd=ROOT, capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode != 0 and "UPSTREAM=" in done.stdout


# --- the official SDK 3.1.1's models -----------------------------------------------------------


def _wire_names(model: Any) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def test_our_models_cover_every_field_of_sdk_3_1_1s() -> None:
    import together  # noqa: PLC0415
    from together.types.batch_job import BatchJob as SdkBatchJob  # noqa: PLC0415
    from together.types.file_response import FileResponse  # noqa: PLC0415

    assert together.__version__ == "3.1.1"
    ours = {field.name for field in BatchJob.FIELDS}
    assert _wire_names(SdkBatchJob) - ours == set()
    assert _wire_names(FileResponse) - {field.name for field in FileObject.FIELDS} == set()
    assert {"processing_status", "validation_report", "FileType"} <= _wire_names(FileResponse)
