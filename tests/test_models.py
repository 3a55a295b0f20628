"""`BatchJob` and `FileObject` as values, and the tolerance rules of the generated models."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import pickle
from typing import Any

import pytest

from together_batches import (
    BatchJob,
    BatchNotCreatedError,
    BatchStatus,
    FileObject,
    InvalidFieldError,
    TogetherError,
)
from together_batches._exceptions import as_sent
from together_batches._models import BatchWarning, parse_create, parse_job, parse_job_list, warn_of
from together_batches_api.models.batch_job import BatchJob as WireBatchJob
from together_batches_api.types import InvalidPayload


def test_jobs_survive_pickle_and_copies_with_extras_and_warning() -> None:
    job = parse_create({"job": {"id": "b1", "status": "NEWISH", "progress": 5, "x": [1]},
                        "warning": "w"})  # fmt: skip
    for clone in (pickle.loads(pickle.dumps(job)), copy.copy(job), copy.deepcopy(job)):
        assert clone == job
        assert type(clone) is BatchJob
        assert (clone.warning, clone.extras["x"], clone.status) == ("w", [1], "NEWISH")


def test_jobs_are_immutable_and_unhashable() -> None:
    job = parse_job({"id": "b1", "status": "COMPLETED"})
    with pytest.raises(AttributeError, match="immutable"):
        job.id = "b2"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del job.warning
    with pytest.raises(TypeError):
        hash(job)


def test_equality_is_by_content() -> None:
    def one(**extra: Any) -> BatchJob:
        return parse_job({"id": "a", "status": "COMPLETED", **extra})

    assert one(progress=5) == parse_job({"progress": 5.0, "status": "COMPLETED", "id": "a"})
    assert one() == one(error=None)  # absent and null are the same
    assert one() != parse_job({"id": "b", "status": "COMPLETED"})
    assert parse_job({"id": "a", "status": "X"}, warning="w") != one()
    assert one() != {"id": "a", "status": "COMPLETED"}
    assert one() != WireBatchJob(id="a", status="COMPLETED")  # another class


def test_the_constructor_round_trips_through_the_wire_form() -> None:
    when = dt.datetime(2024, 1, 15, 14, 30, 0, 123000, tzinfo=dt.UTC)
    job = BatchJob(id="b1", status=BatchStatus.COMPLETED, progress=100, created_at=when,
                   extras={"tier": "gold"})  # fmt: skip
    again = parse_job(job.to_dict())
    assert again == job
    assert again.created_at == when and again.status is BatchStatus.COMPLETED
    assert (again.progress, again.progress_percent) == (1.0, 100.0)
    assert job.to_dict()["created_at"] == "2024-01-15T14:30:00.123000Z"
    assert list(job.to_dict())[:3] == ["id", "user_id", "input_file_id"]
    assert list(job.to_dict())[-1] == "tier"


def test_every_constructor_argument_reaches_the_job() -> None:
    when = dt.datetime(2024, 1, 15, tzinfo=dt.UTC)
    values: dict[str, Any] = {
        "id": "b1", "status": "COMPLETED", "user_id": "u", "input_file_id": "f",
        "file_size_bytes": 7, "job_deadline": when, "created_at": when, "endpoint": "/v1/x",
        "progress": 50.0, "model_id": "m", "output_file_id": "o", "error_file_id": "e",
        "error": "boom", "completed_at": when,
    }  # fmt: skip
    job = BatchJob(**values)
    for name, value in values.items():
        read = job.progress_percent if name == "progress" else getattr(job, name)
        assert read == value, name
    assert {f.attr for f in BatchJob.FIELDS} == set(values)


def test_the_constructor_checks_what_parsing_does() -> None:
    with pytest.raises(ValueError, match="progress"):
        BatchJob(id="b", status="X", extras={"progress": 3})
    with pytest.raises(ValueError, match="id"):
        BatchJob(id=5, status="X")  # type: ignore[arg-type]
    # Any other field is checked when read, as a response's is: a fake may hold what a
    # server might send.
    odd = BatchJob(id="b", status="X", user_id=42)  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError, match="user_id"):
        _ = odd.user_id


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "X"}, "id is required"),
        ({"id": "b"}, "status is required"),
        ({"id": None, "status": "X"}, "id is required"),
        ({"id": "b", "status": 3}, "status should be a string, got a number: 3"),
        ({"id": 7, "status": "X"}, "id should be a string, got a number: 7"),
    ],
)
def test_a_job_needs_a_string_id_and_status(body: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidPayload, match=message):
        parse_job(body)
    with pytest.raises(InvalidPayload, match=f"item 1: {message}"):
        parse_job_list([{"id": "ok", "status": "X"}, body])


# The examples (a live service drifting from the spec) and more: each value of another
# type than the spec's fails its read only, never the job or the list.
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("user_id", 42, "BatchJob.user_id should be a string, got a number: 42"),
        ("file_size_bytes", 10.5, "file_size_bytes should be an integer, got a number: 10.5"),
        ("file_size_bytes", True, "file_size_bytes should be an integer, got a boolean: True"),
        ("file_size_bytes", "12", "file_size_bytes should be an integer, got a string: '12'"),
        ("error", {"message": "boom"}, "error should be a string, got an object: {'message': 'boom'}"),
        ("progress", "50.0", "progress should be a number, got a string: '50.0'"),
        ("progress", True, "progress should be a number, got a boolean: True"),
        ("created_at", ["2024-01-01"], "created_at should be a date-time (ISO 8601 or epoch seconds), got an array"),
        ("created_at", True, "created_at should be a date-time"),
        ("created_at", "soon", "created_at is not an ISO 8601 date-time: 'soon'"),
        ("completed_at", 1e300, "completed_at is out of range as epoch seconds: 1e+300"),
        ("status", None, "status is required"),
    ],
)  # fmt: skip
def test_a_value_of_another_type_fails_its_read_only(field: str, value: Any, message: str) -> None:
    body = {"id": "b", "status": "X", "model_id": "m", field: value}
    if field == "status":  # the one kind of field that fails the job: what the client works from
        with pytest.raises(InvalidPayload, match=message):
            parse_job(body)
        return
    for job in (parse_job(body), parse_job_list([{"id": "a", "status": "X"}, body])[1]):
        assert (job.id, job.status, job.model_id) == ("b", "X", "m")
        with pytest.raises(InvalidFieldError) as raised:
            getattr(job, field)
        assert message in str(raised.value)
        assert job.to_dict()[field] == value  # the raw value stays readable
        repr(job)


@pytest.mark.parametrize(
    ("field", "value", "read"),
    [
        ("file_size_bytes", 3.0, 3),
        ("progress", 50, 0.5),
        ("created_at", 1_700_000_000, dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)),
        ("created_at", 1_700_000_000.5, dt.datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=dt.UTC)),
        ("created_at", "2024-01-01T00:00:00", dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
        ("output_file_id", None, None),
    ],
)  # fmt: skip
def test_only_unambiguous_conversions_are_made(field: str, value: Any, read: Any) -> None:
    job = parse_job({"id": "b", "status": "X", field: value})
    assert getattr(job, field) == read and type(getattr(job, field)) is type(read)


def test_a_list_error_names_the_first_bad_item_whatever_repeats_it() -> None:
    good = {"id": "b", "status": "X"}
    bad = {"id": "b", "status": 5}
    # The same bad object twice, after an equal good one: the error names its first place.
    with pytest.raises(InvalidPayload, match=r"^item 2: status "):
        parse_job_list([good, dict(good), bad, bad])
    for not_an_object in (5, "job", None, ["id"]):
        with pytest.raises(InvalidPayload, match=r"^item 1 should be a JSON object$"):
            parse_job_list([good, not_an_object, not_an_object])
    # Nothing is built from a list that fails: a good list still is, each item its own model.
    jobs = parse_job_list([good, good])
    assert [type(job) for job in jobs] == [BatchJob, BatchJob] and jobs[0] is not jobs[1]


def test_the_generated_model_raises_the_field_error_its_class_names() -> None:
    # The overlay names InvalidFieldError for every lean model; a class may name its own.
    class Own(WireBatchJob):
        __slots__ = ()
        FIELD_ERROR = LookupError

    wire = WireBatchJob.from_dict({"id": "b", "status": "X", "created_at": "soon"})
    with pytest.raises(InvalidFieldError, match=r"BatchJob.created_at"):
        _ = wire.created_at
    with pytest.raises(LookupError, match=r"Own.created_at is not an ISO 8601"):
        _ = Own.from_model(wire).created_at


def test_unknown_statuses_are_open_and_printable() -> None:
    job = parse_job({"id": "b", "status": "PAUSED"})
    assert str(job.status) == "PAUSED" and repr(job.status)
    assert isinstance(job.status, BatchStatus) and not job.status.is_known
    assert job.status.is_active


def test_repr_shows_every_field_and_the_extras() -> None:
    text = repr(parse_job({"id": "b", "status": "X", "region": "eu"}))
    assert text.startswith("BatchJob(id='b'") and "region='eu'" in text
    assert all(f"{f.attr}=" in text for f in BatchJob.FIELDS)


@pytest.mark.parametrize("body", [{"warning": "quota"}, {"job": None, "warning": "quota"}])
def test_a_create_with_a_warning_and_no_job_is_not_created(body: dict[str, Any]) -> None:
    with pytest.raises(BatchNotCreatedError) as raised:
        parse_create(body, input_file_id="file-1")
    assert (str(raised.value), raised.value.warning) == ("quota", "quota")
    assert raised.value.input_file_id == "file-1"
    assert isinstance(raised.value, TogetherError)


def test_a_create_needs_its_job_or_a_warning() -> None:
    for neither in ({}, {"warning": ""}, {"job": None}):
        with pytest.raises(
            InvalidPayload, match=r"should hold the job \(or a warning\), got neither"
        ):
            parse_create(neither)
    with pytest.raises(InvalidPayload, match=r"job\.status is required"):
        parse_create({"job": {"id": "b"}, "warning": "w"})
    assert parse_create({"job": {"id": "b", "status": "X"}}).warning is None
    assert parse_create({"job": {"id": "b", "status": "X"}, "warning": "w"}).warning == "w"


def test_file_objects_keep_every_spec_field() -> None:
    body = {"id": "file-1", "object": "file", "created_at": 1_700_000_000, "filename": "in.jsonl",
            "bytes": 12, "purpose": "batch-api", "FileType": "jsonl", "Processed": True,
            "processing_status": "COMPLETED",
            "validation_report": {"valid": True, "dataset_format": "GENERAL", "error": None,
                                  "error_type": None, "nlines": 3, "file_id": "file-1"}}  # fmt: skip
    info = FileObject.from_dict(body)
    assert (info.object_, info.bytes_, info.file_type, info.processed) == (
        "file",
        12,
        "jsonl",
        True,
    )
    assert info.created == dt.datetime.fromtimestamp(1_700_000_000, dt.UTC)
    assert info.processing_status == "COMPLETED"
    report = info.validation_report
    assert report is not None
    assert (report.valid, report.dataset_format, report.nlines) == (True, "GENERAL", 3)
    assert (report.error, report.error_type, report.extras) == (None, None, {"file_id": "file-1"})
    assert info.to_dict() == body and info.extras == {}


def test_file_objects_read_new_and_odd_values_when_asked() -> None:
    info = FileObject.from_dict({"id": "f", "processing_status": "ARCHIVED", "created_at": 1e300,
                                 "validation_report": {"valid": "yes", "nlines": 2.0}})  # fmt: skip
    assert str(info.processing_status) == "ARCHIVED"  # open: a value no version listed
    report = info.validation_report
    assert report is not None and report.nlines == 2
    with pytest.raises(InvalidFieldError, match=r"FileValidationReport.valid should be a boolean"):
        _ = report.valid
    with pytest.raises(InvalidFieldError, match="created_at is out of range"):
        _ = info.created
    odd = FileObject.from_dict({"id": "f", "validation_report": [1], "Processed": 1})
    with pytest.raises(InvalidFieldError, match="validation_report should be an object"):
        _ = odd.validation_report
    with pytest.raises(InvalidFieldError, match="Processed should be a boolean, got a number: 1"):
        _ = odd.processed
    with pytest.raises(InvalidPayload, match="id is required"):
        FileObject.from_dict({"filename": "x"})


def test_a_create_warning_is_issued_at_the_callers_line() -> None:
    job = parse_job({"id": "b", "status": "VALIDATING"}, warning="model is deprecated")

    def method() -> None:  # stands for create_batch: the caller of warn_of
        warn_of(job)

    with pytest.warns(BatchWarning) as caught:
        method()  # the line the warning must point at
        line = inspect.currentframe().f_lineno - 1  # type: ignore[union-attr]
    assert [str(w.message) for w in caught] == ["model is deprecated"]
    assert caught[0].category is BatchWarning
    # Under `make mutation`, mutmut wraps each function (`__wrapped__`) in frames of its own,
    # which moves where any stacklevel lands: the place is checked in the normal run only.
    if not hasattr(warn_of, "__wrapped__"):
        assert (caught[0].filename, caught[0].lineno) == (__file__, line)
    assert warn_of(parse_job({"id": "b", "status": "VALIDATING"})).warning is None


def test_a_create_keeps_its_job_whatever_its_warning_is() -> None:
    job = parse_create({"job": {"id": "b", "status": "X", "user_id": 42}, "warning": 7})
    assert (job.id, job.warning) == ("b", None)
    with pytest.raises(InvalidFieldError, match="user_id"):
        _ = job.user_id
    with pytest.raises(InvalidPayload, match=r"job\.id should be a string"):
        parse_create({"job": {"id": 1, "status": "X"}})


def test_a_field_as_sent_is_its_typed_value_or_what_came() -> None:
    job = BatchJob.from_dict({"id": "b", "status": "FAILED", "error": {"code": 7}, "user_id": "u"})
    assert as_sent(lambda: job.user_id) == "u"  # readable: the typed value
    assert as_sent(lambda: job.error) == {"code": 7}  # another type: what came
    assert as_sent(lambda: job.error_file_id) is None  # absent
    with pytest.raises(InvalidFieldError) as caught:
        _ = job.error
    assert caught.value.value == {"code": 7}
