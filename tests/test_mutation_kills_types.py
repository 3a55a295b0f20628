"""Tests of the generated models' runtime (`together_batches_api.types`) that kill the mutants
`make mutation` found alive there.

The spec's models use a few of the field kinds the runtime supports; `sample_model` builds a
model with every kind (lists, dates, nested objects, a required field that may be null). It
is built inside each test, not at import: the code that prepares a model class runs when the
class is made, and under mutation testing only code run by a test can meet a mutant.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
from http import HTTPStatus
from types import MappingProxyType
from typing import Any

import pytest

from together_batches import BatchJob, BatchStatus, FileObject, InvalidFieldError
from together_batches._models import parse_job, parse_job_list
from together_batches_api import types as T
from together_batches_api.models.batch_job import BatchJob as WireBatchJob

WHEN = dt.datetime(2024, 1, 15, 9, 5, 7, tzinfo=dt.UTC)
JOB = {"id": "b1", "status": "IN_PROGRESS"}


class Built(T.LeanModel):
    """A model built from keyword arguments named as the wire (as the generated ones are)."""

    __slots__ = ()

    def __init__(self, **values: Any) -> None:
        extras = values.pop("extras", None)
        self._init({f.name: values.pop(f.name, None) for f in self.FIELDS}, extras)


def sample_model() -> tuple[type[Built], type[Built]]:
    """A model with a field of every kind, and the nested model it holds."""

    class Inner(Built):
        __slots__ = ()
        FIELDS = (T.WireField("n", "n", T.INT, required=True),)

    def item(kind: str, *, nullable: bool = False) -> T.WireField:
        return T.WireField("", "", kind, nullable=nullable)

    class Sample(Built):
        __slots__ = ()
        FIELDS = (
            T.WireField("key", "key", T.STR, required=True),
            T.WireField("maybe", "maybe", T.STR, required=True, nullable=True),
            T.WireField("label", "label", T.STR),
            T.WireField("at", "at", T.DATETIME),
            T.WireField("day", "day", T.DATE),
            T.WireField("inner", "inner", T.MODEL, model=Inner),
            T.WireField("counts", "counts", T.LIST, item=item(T.INT)),
            T.WireField("holes", "holes", T.LIST, item=item(T.INT, nullable=True)),
            T.WireField("anything", "anything", T.LIST, item=item(T.ANY)),
            T.WireField("loose", "loose", T.LIST),
            T.WireField("times", "times", T.LIST, item=item(T.DATETIME)),
            T.WireField("states", "states", T.LIST, item=item(T.ENUM, nullable=True)),
        )

    return Sample, Inner


BASE = {"key": "k", "maybe": None}


def invalid(model: type[T.LeanModel], body: object) -> str:
    with pytest.raises(T.InvalidPayload) as raised:
        model.from_dict(body)  # type: ignore[arg-type]
    return str(raised.value)


# --- fields and models as classes ----------------------------------------------------------


def test_a_wire_field_keeps_what_it_is_given() -> None:
    plain = T.WireField("a", "b", T.STR)
    assert (plain.name, plain.attr, plain.kind) == ("a", "b", "str")
    assert (plain.required, plain.nullable, plain.item, plain.model, plain.enum) == (
        False,
        False,
        None,
        None,
        None,
    )
    inner = T.WireField("", "", T.INT)
    full = T.WireField(
        "c",
        "d",
        T.LIST,
        required=True,
        nullable=True,
        item=inner,
        model=FileObject,
        enum=BatchStatus,
    )
    assert (full.required, full.nullable, full.item, full.model, full.enum) == (
        True,
        True,
        inner,
        FileObject,
        BatchStatus,
    )


def test_a_new_model_class_checks_its_fields() -> None:
    sample, _ = sample_model()
    assert sample.from_dict(dict(BASE)).to_dict()["maybe"] is None
    assert invalid(sample, {"maybe": None}) == "key is required"
    assert invalid(sample, {"key": "k"}) == "maybe is required"  # nullable, but required
    assert invalid(sample, {**BASE, "label": 3}) == "label should be a str, got int"
    # A date-time is checked as a string when built and parsed when read.
    assert invalid(sample, {**BASE, "at": 5}) == "at should be a date-time string, got int"
    built = sample.from_dict({**BASE, "at": "soon"})
    with pytest.raises(T.InvalidPayload) as raised:
        built._read_datetime("soon", "at")
    assert str(raised.value) == "at is not an ISO 8601 date-time: 'soon'"


# --- lists, dates and nested objects ---------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"counts": [1, "x"]}, "counts[1] should be an integer, got str"),
        ({"counts": [1, None]}, "counts[1] should be an integer, got NoneType"),
        ({"counts": 5}, "counts should be a list of an integer, got int"),
        ({"holes": [None, "x"]}, "holes[1] should be an integer, got str"),
        ({"times": ["2024-01-15T00:00:00Z", 5]}, "times[1] should be a date-time string, got int"),
        ({"day": 20240101}, "day should be a date string, got int"),
        ({"inner": {"n": "1"}}, "inner.n should be an integer, got str"),
        ({"inner": 1}, "inner should be an object, got int"),
    ],
)
def test_wrong_values_in_every_kind_of_field_are_named(extra: dict[str, Any], message: str) -> None:
    sample, _ = sample_model()
    assert invalid(sample, {**BASE, **extra}) == message


def test_nested_objects_and_lists_are_checked_in_every_object_of_a_cached_shape() -> None:
    sample, _ = sample_model()
    good = {**BASE, "inner": {"n": 1}, "counts": [1]}
    sample.check(good, where="outer.")
    with pytest.raises(T.InvalidPayload) as raised:
        sample.check({**good, "inner": {"n": "1"}}, where="outer.")
    assert str(raised.value) == "outer.inner.n should be an integer, got str"
    items = [good, {**good, "counts": [1, "x"]}]
    with pytest.raises(T.InvalidPayload) as raised:
        sample.from_list(items)
    assert str(raised.value) == "item 1: counts[1] should be an integer, got str"
    with pytest.raises(T.InvalidPayload) as raised:
        sample.from_list([good, good, {**good, "inner": {"n": None}}])
    assert str(raised.value) == "item 2: inner.n is required"
    assert [m.to_dict()["counts"] for m in sample.from_list([good, {**good, "counts": None}])] == [
        [1],
        None,
    ]


@pytest.mark.parametrize("item", [[1], "text", 5, None])
def test_an_item_that_is_not_an_object_is_named_by_its_index(item: object) -> None:
    sample, _ = sample_model()
    with pytest.raises(T.InvalidPayload) as raised:
        sample.from_list([dict(BASE), dict(BASE), item])
    assert str(raised.value) == "item 2 should be a JSON object"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_type_error_from_checking_an_object_is_not_mistaken_for_a_non_object(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sample, _ = sample_model()

    def broken(data: dict[str, Any], where: str) -> None:
        raise TypeError("a bug in a check")

    monkeypatch.setattr(sample, "_check_shape", broken)
    with pytest.raises(TypeError, match="a bug in a check"):
        sample.from_list([dict(BASE)])


def test_malformed_dates_fail_their_read_with_the_models_field_error() -> None:
    sample, _ = sample_model()
    built = sample.from_dict({**BASE, "times": ["soon"], "day": "2024-13-01"})
    with pytest.raises(T.InvalidPayload) as raised:
        built._read_date("2024-13-01", "day")
    assert str(raised.value) == "day is not an ISO 8601 date: '2024-13-01'"
    with pytest.raises(T.InvalidPayload) as raised:
        built._read_date("9" * 100, "day")
    assert str(raised.value) == f"day is not an ISO 8601 date: {'9' * 64!r}"
    assert built._read_date("2024-01-15", "day") == dt.date(2024, 1, 15)

    class Own(sample):  # type: ignore[valid-type,misc]
        __slots__ = ()
        FIELD_ERROR = LookupError

    own = Own.from_dict(dict(BASE))
    with pytest.raises(LookupError, match="at is not an ISO 8601 date-time: 'x'"):
        own._read_datetime("x", "at")
    with pytest.raises(LookupError, match="day is not an ISO 8601 date: 'x'"):
        own._read_date("x", "day")


def test_right_values_in_every_kind_of_field_pass() -> None:
    sample, _ = sample_model()
    body: dict[str, Any] = {
        **BASE,
        "counts": [1, 2.0],
        "holes": [1, None],
        "anything": [None, "x", {}],
        "loose": [1, "x", None],
        "times": ["2024-01-15T00:00:00Z"],
        "day": "2024-01-15",
        "inner": {"n": 1},
        "states": ["A", None],
    }
    assert sample.from_dict(body).to_dict() == {
        **dict.fromkeys(body),
        **body,
        "label": None,
        "at": None,
    }


def test_the_constructor_turns_python_values_into_wire_values() -> None:
    sample, inner = sample_model()
    made = sample(
        key="k",
        maybe="m",
        day=dt.date(2024, 1, 15),
        inner=inner(n=3),
        times=[WHEN],
        states=[BatchStatus.COMPLETED, None],
        loose=[1, "x"],
    )
    wire = made.to_dict()
    assert (wire["day"], wire["inner"], wire["loose"]) == ("2024-01-15", {"n": 3}, [1, "x"])
    assert wire["times"] == ["2024-01-15T09:05:07Z"]
    assert wire["states"] == ["COMPLETED", None]
    with pytest.raises(ValueError, match="counts should be a list"):
        sample(key="k", maybe="m", counts=5)


@pytest.mark.parametrize(
    ("value", "got"),
    [
        (WHEN, "datetime"),
        (dt.date(2024, 1, 15), "date"),
        (WireBatchJob(id="b", status="X"), "BatchJob"),
    ],
)
def test_the_constructor_converts_a_value_only_for_its_own_kind(value: object, got: str) -> None:
    with pytest.raises(ValueError) as raised:
        BatchJob(id="b1", status="X", endpoint=value)  # type: ignore[arg-type]
    assert str(raised.value) == f"endpoint should be a str, got {got}"


def test_the_constructor_keeps_the_extras_values() -> None:
    job = BatchJob(id="b1", status="X", extras={"tier": "gold", "n": 2})
    assert dict(job.extras) == {"tier": "gold", "n": 2}


# --- date-times ------------------------------------------------------------------------------


def test_date_times_keep_their_offset_and_naive_ones_are_utc() -> None:
    offset = T.parse_datetime("2024-01-15T10:00:00+02:00")
    assert offset.utcoffset() == dt.timedelta(hours=2)
    assert T.parse_datetime("2024-01-15T10:00:00").tzinfo is dt.UTC
    assert T.format_datetime(dt.datetime(2024, 1, 15, 10)) == "2024-01-15T10:00:00Z"
    assert T.format_datetime(offset) == "2024-01-15T10:00:00+02:00"


def test_a_bad_date_time_is_named_and_shown_cut_short() -> None:
    with pytest.raises(T.InvalidPayload) as raised:
        T.parse_datetime("x" * 100)
    assert str(raised.value) == f"value is not an ISO 8601 date-time: {'x' * 64!r}"


# --- building from JSON ----------------------------------------------------------------------


def test_the_messages_name_the_field_and_what_came() -> None:
    with pytest.raises(T.InvalidPayload) as raised:
        parse_job({"status": "X"})
    assert str(raised.value) == "id is required"
    with pytest.raises(T.InvalidPayload) as raised:
        parse_job({**JOB, "progress": "50"})
    assert str(raised.value) == "progress should be a number, got str"
    with pytest.raises(T.InvalidPayload) as raised:
        parse_job_list([JOB, {**JOB, "progress": "50"}])
    assert str(raised.value) == "item 1: progress should be a number, got str"
    with pytest.raises(T.InvalidPayload) as raised:
        BatchJob.check(5)
    assert str(raised.value) == "BatchJob should be a JSON object, got int"


@pytest.mark.parametrize("before", [{"unlisted": 1}, {"error": None}, {"file_size_bytes": 3.0}])
def test_the_keys_after_an_unlisted_a_null_or_an_integral_float_key_are_checked(
    before: dict[str, Any],
) -> None:
    with pytest.raises(T.InvalidPayload, match="progress should be a number"):
        parse_job({**JOB, **before, "progress": "x"})


def test_every_timestamp_of_a_cached_shape_is_parsed_when_read() -> None:
    good = {**JOB, "created_at": "2024-01-01T00:00:00Z"}
    assert parse_job(good).created_at == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    bad = parse_job({**good, "created_at": "soon"})
    with pytest.raises(InvalidFieldError) as raised:
        _ = bad.created_at
    assert str(raised.value) == "created_at is not an ISO 8601 date-time: 'soon'"


def test_checked_shapes_are_remembered_but_not_integral_floats_and_not_past_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = {**JOB, "progress": 5.0}
    parse_job(body)
    assert BatchJob._shapes == {(*body, *map(type, body.values()))}
    parse_job({**JOB, "file_size_bytes": 3.0})  # 3.5 would fail: not cached
    assert len(BatchJob._shapes) == 1
    monkeypatch.setattr(BatchJob, "_SHAPES_CAP", 3)
    for index in range(5):
        parse_job({**JOB, f"extra{index}": 1})
    assert len(BatchJob._shapes) == 3


def test_a_list_checks_each_new_shape_once_and_a_remembered_one_never(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[str] = []
    original = BatchJob._check_shape.__func__  # type: ignore[attr-defined]

    def spy(cls: type[BatchJob], data: dict[str, object], where: str) -> None:
        checked.append(str(data["id"]))
        original(cls, data, where)

    monkeypatch.setattr(BatchJob, "_check_shape", classmethod(spy))
    one, other = {"id": "a", "status": "X"}, {"id": "b", "status": "X", "progress": 1}
    BatchJob.from_list([one, dict(one, id="a2"), other, dict(other, id="b2"), dict(one, id="a3")])
    assert checked == ["a", "b"]
    BatchJob.from_list([dict(other, id="b3")])
    assert checked == ["a", "b"]


def test_from_dict_keeps_a_dict_and_copies_another_mapping() -> None:
    body = dict(JOB)
    assert BatchJob.from_dict(body)._data is body
    copied = BatchJob.from_dict(MappingProxyType(body))
    assert type(copied._data) is dict and copied == parse_job(body)


def test_from_list_keeps_every_job_in_order() -> None:
    jobs = parse_job_list([{"id": "a", "status": "X"}, {"id": "b", "status": "Y"}])
    assert [(job.id, job.status) for job in jobs] == [("a", "X"), ("b", "Y")]
    with pytest.raises(T.InvalidPayload) as raised:
        BatchJob.from_list({})
    assert str(raised.value) == "a list of BatchJob should be an array"
    with pytest.raises(T.InvalidPayload) as raised:
        BatchJob.from_list([5])
    assert str(raised.value) == "item 0 should be a JSON object"


def test_from_model_checks_a_model_of_another_schema() -> None:
    with pytest.raises(T.InvalidPayload, match="status is required"):
        BatchJob.from_model(FileObject(id="file-1"))
    wire = WireBatchJob(id="b1", status="X")
    assert BatchJob.from_model(wire) == parse_job({"id": "b1", "status": "X"})


# --- values ---------------------------------------------------------------------------------


def test_generated_models_pickle_repr_and_refuse_deletion() -> None:
    info = FileObject(id="file-1", bytes_=3)
    clone = pickle.loads(pickle.dumps(info))
    assert clone == info and type(clone) is FileObject and clone._data is not info._data
    assert repr(info).startswith("FileObject(id='file-1', object_=None, created_at=None, ")
    with pytest.raises(AttributeError) as raised:
        del info.id
    assert str(raised.value) == "FileObject is immutable; cannot delete 'id'"


def test_unset_file_and_response_hold_what_they_are_given() -> None:
    assert bool(T.UNSET) is False
    payload = io.BytesIO(b"x")
    assert T.File(payload, "in.jsonl", "application/jsonl").to_tuple() == (
        "in.jsonl",
        payload,
        "application/jsonl",
    )
    response = T.Response(status_code=HTTPStatus.OK, content=b"{}", headers={"a": "b"}, parsed=1)
    assert (response.status_code, response.content, response.headers, response.parsed) == (
        HTTPStatus.OK,
        b"{}",
        {"a": "b"},
        1,
    )


# --- ids --------------------------------------------------------------------------------------


def test_path_ids_are_checked_with_messages_that_name_them() -> None:
    assert T.check_path_id("café") == "café"  # not ASCII, but valid text
    with pytest.raises(TypeError) as wrong_type:
        T.check_path_id(5)
    assert str(wrong_type.value) == "id must be a str, not int"
    with pytest.raises(ValueError) as empty:
        T.check_path_id("")
    assert str(empty.value) == "id must be a non-empty id other than '.' and '..', got ''"
    with pytest.raises(ValueError) as surrogate:
        T.check_path_id("a\ud800", "file_id")
    assert str(surrogate.value) == "file_id is not valid text: 'a\\ud800'"
