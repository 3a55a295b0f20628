"""The public surface: a curated `__all__`, twins in step, every status classified."""

from __future__ import annotations

import inspect
import subprocess
import sys
import typing

import pytest

import together_batches
from together_batches import (
    ACTIVE_STATUSES,
    CANCELLED_STATUSES,
    FAILURE_STATUSES,
    SUCCESS_STATUSES,
    TERMINAL_STATUSES,
    AsyncBatches,
    AsyncFiles,
    AsyncTogether,
    Batches,
    BatchStatus,
    Files,
    Together,
)
from together_batches._workload.session import OnWorkloadProgress
from together_batches_api.models import BatchJobStatus


def test_all_is_curated_and_importable() -> None:
    names = together_batches.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(together_batches, name), name
    public = {n for n in vars(together_batches) if not n.startswith("_")}
    # Subpackages become attributes once imported: the emulator, the command-line tool, and
    # the resources (whose classes are exported here; the folder is where they live).
    assert public <= set(names) | {"testing", "cli", "resources"}, public - set(names)


def test_a_create_answered_without_a_job_has_its_own_public_error() -> None:
    assert "BatchNotCreatedError" in together_batches.__all__
    error = together_batches.BatchNotCreatedError
    assert issubclass(error, together_batches.TogetherError)
    assert not issubclass(error, together_batches.APIStatusError)  # the answer was a 201
    assert error.__module__ == "together_batches._exceptions"


def test_the_batch_workflow_names_are_public() -> None:
    workflow = {
        "BatchResult",
        "InputFileError",
        "InputFileInfo",
        "InputProblem",
        "MAX_CUSTOM_ID_LENGTH",
        "MAX_FILE_BYTES",
        "MAX_REQUESTS",
        "ResultsIncompleteError",
        "ResultsSummary",
        "ResultsUnavailableError",
        "check_input_file",
        "failed_custom_ids",
        "iter_results",
        "summarize",
        "write_input_file",
    }
    assert workflow <= set(together_batches.__all__)
    assert issubclass(together_batches.InputFileError, together_batches.TogetherError)
    assert issubclass(together_batches.InputFileError, ValueError)
    # The readers and checkers' internals stay private.
    assert "ResultReader" not in together_batches.__all__


def test_of_the_workload_pieces_only_the_error_and_the_progress_are_public() -> None:
    # The splitter, manifest, planner and records are wired into `batches.run`, not
    # exported; its `ManifestError` is, and `WorkloadProgress`, what `on_progress` is called
    # with, so that a callback can be annotated.
    assert issubclass(together_batches.ManifestError, together_batches.TogetherError)
    assert issubclass(together_batches.ManifestError, ValueError)
    workload = {n for n in together_batches.__all__ if "orkload" in n or n.startswith("split")}
    assert workload == {"WorkloadProgress"}
    progress = together_batches.WorkloadProgress
    assert progress.__module__ == "together_batches._workload.progress"
    assert progress.__doc__ is not None and "on_progress" in progress.__doc__
    for twin in (together_batches.Batches, together_batches.AsyncBatches):
        annotation = inspect.signature(twin.run).parameters["on_progress"].annotation
        assert annotation == "_workload.session.OnWorkloadProgress"
    callback = typing.get_args(OnWorkloadProgress)[0]
    assert typing.get_args(callback) == ([progress], object)


def test_the_workload_progress_loads_on_first_use() -> None:
    code = (
        "import sys, together_batches as t; before = 'together_batches._workload.progress' "
        "in sys.modules; t.WorkloadProgress; print(before, 'WorkloadProgress' in dir(t))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "False True"), result.stderr


def test_importing_the_package_does_not_load_attrs() -> None:
    # attrs costs ~9 ms of import time; the overlay's records are slotted dataclasses.
    code = "import sys, together_batches; print('attrs' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "False"), result.stderr


@pytest.mark.parametrize(("sync", "async_"), [(Batches, AsyncBatches), (Files, AsyncFiles)])
def test_async_twin_has_the_same_methods_and_signatures(sync: type, async_: type) -> None:
    def methods(cls: type) -> dict[str, inspect.Signature]:
        # Inherited ones too: `Batches` gets its waits from `resources.batches.Waits`.
        members = {n: m for k in reversed(cls.__mro__[:-1]) for n, m in vars(k).items()}
        return {
            name: inspect.signature(member)
            for name, member in members.items()
            if callable(member) and not name.startswith("_")
        }

    sync_methods, async_methods = methods(sync), methods(async_)
    assert sync_methods.keys() == async_methods.keys()
    for name, signature in sync_methods.items():
        other = async_methods[name]
        assert list(signature.parameters.values()) == list(other.parameters.values()), name
        function = vars(async_)[name]
        assert (
            inspect.iscoroutinefunction(function)
            or inspect.isasyncgenfunction(function)
            or (name in ("as_completed", "run"))  # checked eagerly, then iterated
        ), name


def test_client_constructors_match() -> None:
    sync = inspect.signature(Together.__init__).parameters
    async_ = inspect.signature(AsyncTogether.__init__).parameters
    assert list(sync) == list(async_)
    named = ["base_url", "timeout", "max_retries", "max_requests_per_second", "http_client"]
    assert list(sync) == ["self", "api_key", *named]
    keyword_only = [p for p in sync.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    assert [p.name for p in keyword_only] == named


def test_every_spec_status_is_classified() -> None:
    """Fails when spec/ gains a status that BatchStatus and its sets do not place."""
    for value in BatchJobStatus:
        status = BatchStatus(value.value)
        assert status.is_known, (
            f"{value} is in the spec but not in BatchStatus: add it to "
            "overlay/together_batches/_status.py, as a member and in its status sets"
        )
        assert (status in TERMINAL_STATUSES) != (status in ACTIVE_STATUSES), value
    assert {s.value for s in BatchStatus} == {s.value for s in BatchJobStatus}


@pytest.mark.parametrize(
    ("value", "terminal", "success", "failure", "cancelled", "active"),
    [
        ("VALIDATING", False, False, False, False, True),
        ("IN_PROGRESS", False, False, False, False, True),
        ("CANCELING", False, False, False, False, True),
        ("COMPLETED", True, True, False, False, False),
        ("FAILED", True, False, True, False, False),
        ("EXPIRED", True, False, True, False, False),
        ("CANCELLED", True, False, False, True, False),
        ("SOMETHING_NEW", False, False, False, False, True),
    ],
)
def test_status_helpers(
    value: str, terminal: bool, success: bool, failure: bool, cancelled: bool, active: bool
) -> None:
    status = BatchStatus(value)
    assert status == value and str(status) == value and f"{status}" == value
    assert (status.is_terminal, status.is_success, status.is_failure) == (
        terminal,
        success,
        failure,
    )
    assert (status.is_cancelled, status.is_active) == (cancelled, active)
    assert (status in SUCCESS_STATUSES, status in FAILURE_STATUSES) == (success, failure)
    assert (status in CANCELLED_STATUSES) == cancelled


def test_unknown_status_is_logged_once_per_value(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="together_batches"):
        first = BatchStatus("ONLY_ONCE_PLEASE")
        second = BatchStatus("ONLY_ONCE_PLEASE")
    assert first is second and not first.is_known
    assert [r.levelname for r in caplog.records if "ONLY_ONCE_PLEASE" in r.message] == ["WARNING"]


def test_a_non_string_status_is_rejected() -> None:
    with pytest.raises(ValueError):
        BatchStatus(3)  # type: ignore[arg-type]
