"""Regenerating after a spec change reaches the user: the overlay, run against a package
generated from a changed copy of spec/, in a subprocess (PYTHONPATH puts it first)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent


def _changed_spec(tmp_path: Path, change: Any) -> Path:
    """Copy spec/, apply `change` to its components' schemas, generate; return the out dir."""
    spec = tmp_path / "spec"
    shutil.copytree(ROOT / "spec", spec)
    yaml = YAML()
    document = yaml.load(spec / "openapi.yaml")
    change(document["components"]["schemas"])
    yaml.dump(document, spec / "openapi.yaml")
    out = tmp_path / "out"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "generate.py"),
            "--spec",
            str(spec),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


def _env(out: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(out), "MYPYPATH": f"{out}{os.pathsep}{ROOT}/overlay"}


def _fields_change(schemas: Any) -> None:
    job = schemas["BatchJob"]["properties"]
    job["new_field"] = {"type": "integer", "description": "Added by the test."}
    job["file_size_bytes"] = {"type": "string"}  # a type change
    del job["user_id"]  # a removed field


@pytest.fixture(scope="module")
def fields_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _changed_spec(tmp_path_factory.mktemp("fields"), _fields_change)


def test_new_changed_and_removed_fields_reach_the_overlay(fields_out: Path) -> None:
    code = """
        from together_batches import BatchJob, InvalidFieldError
        from together_batches._models import parse_job

        job = parse_job({"id": "b", "status": "COMPLETED", "new_field": 7,
                         "file_size_bytes": "12", "user_id": "u"})
        assert isinstance(job, BatchJob)
        assert job.new_field == 7 and type(job.new_field) is int, job.new_field
        assert job.file_size_bytes == "12", job.file_size_bytes
        assert "user_id" not in {f.name for f in BatchJob.FIELDS}
        assert dict(job.extras) == {"user_id": "u"}, job.extras
        assert job.to_dict()["new_field"] == 7
        assert "new_field=7" in repr(job)
        assert BatchJob(id="b", status="X", new_field=3).new_field == 3
        # The new types are the read-time rules' too: another type fails its read only.
        for bad in ({"new_field": 1.5}, {"file_size_bytes": 12}):
            odd = parse_job({"id": "b", "status": "X", **bad})
            try:
                getattr(odd, next(iter(bad)))
            except InvalidFieldError as exc:
                print("refused", next(iter(bad)), "-", exc)
            else:
                raise AssertionError(f"read {bad}")
    """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=_env(fields_out),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "refused new_field - BatchJob.new_field should be an integer, got a number: 1.5"
    )
    assert lines[1] == (
        "refused file_size_bytes - BatchJob.file_size_bytes should be a string, got a number: 12"
    )


def test_a_new_field_is_typed_for_mypy_and_a_typo_is_caught(
    fields_out: Path, tmp_path: Path
) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        textwrap.dedent("""
        from together_batches import Together

        job = Together("k").batches.get_batch("b")
        x: int | None = job.new_field
        y: str | None = job.file_size_bytes
        z = job.new_fieldd
        """)
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            os.devnull,
            str(snippet),
        ],
        env=_env(fields_out),
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout
    assert re.search(r"snippet\.py:7: error: .*has no attribute \"new_fieldd\"", errors[0])


def test_a_new_status_fails_exactly_one_test_which_names_status_py(tmp_path: Path) -> None:
    out = _changed_spec(tmp_path, lambda s: s["BatchJobStatus"]["enum"].append("PAUSED"))
    tests = ["tests/test_surface.py", "tests/test_models.py", "tests/test_polling.py"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-o",
            "addopts=",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::pytest.PytestUnraisableExceptionWarning",
            *tests,
        ],
        env=_env(out),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(r"\b1 failed\b", summary), result.stdout[-3000:]
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED ")]
    assert len(failed) == 1 and "test_every_spec_status_is_classified" in failed[0], failed
    assert "overlay/together_batches/_status.py" in result.stdout
