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


def unreadable(field: T.WireField, value: object) -> str:
    with pytest.raises(T.InvalidPayload) as raised:
        T.read_value(field, value, "at.")
    return str(raised.value)


# --- fields and models as classes ----------------------------------------------------------


def test_a_wire_field_keeps_what_it_is_given() -> None:
    plain = T.WireField("a", "b", T.STR)
    assert (plain.name, plain.attr, plain.kind) == ("a", "b", "str")
    assert (plain.required, plain.nullable, plain.item, plain.model, plain.enum) == (
        False, False, None, None, None,
    )  # fmt: skip
    inner = T.WireField("", "", T.INT)
    full = T.WireField("c", "d", T.LIST, required=True, nullable=True, item=inner,
                       model=FileObject, enum=BatchStatus)  # fmt: skip
    assert (full.required, full.nullable, full.item, full.model, full.enum) == (
        True, True, inner, FileObject, BatchStatus,
    )  # fmt: skip
    assert repr(full) == "WireField('c', 'list', required=True)"
    assert T.WireField("e", "e", T.LIST).type_name == "an array"


def test_a_new_model_class_checks_its_required_fields_only() -> None:
    sample, _ = sample_model()
    assert sample.from_dict(dict(BASE)).to_dict()["maybe"] is None
    assert invalid(sample, {"maybe": None}) == "key is required"
    assert invalid(sample, {"key": "k"}) == "maybe is required"  # nullable, but required
    assert invalid(sample, {"key": 3, "maybe": None}) == "key should be a string, got a number: 3"
    assert invalid(sample, {**BASE, "maybe": 3}) == "maybe should be a string, got a number: 3"
    # Any other field is not looked at when built.
    built = sample.from_dict({**BASE, "label": 3, "at": [], "inner": 1, "counts": "x"})
    with pytest.raises(InvalidFieldError) as raised:
        built._read("label", 3)
    assert str(raised.value) == "Sample.label should be a string, got a number: 3"
    assert sample._plain is None and sample._required == sample.FIELDS[:2]
    assert BatchJob._plain == (("id", frozenset({str})), ("status", frozenset({str})))


# --- the read-time rules, for every kind -------------------------------------------------------


def field(kind: str, **options: Any) -> T.WireField:
    return T.WireField("f", "f", kind, **options)


@pytest.mark.parametrize(
    ("kind", "value", "read"),
    [
        (T.STR, "x", "x"), (T.INT, 3, 3), (T.INT, 3.0, 3), (T.INT, -0.0, 0), (T.FLOAT, 2, 2.0),
        (T.FLOAT, 2.5, 2.5), (T.BOOL, False, False), (T.ANY, [1], [1]), (T.ENUM, "NEW", "NEW"),
        (T.DATETIME, "2024-01-15T09:05:07Z", WHEN), (T.DATETIME, 1705309507, WHEN),
        (T.DATETIME, 1705309507.0, WHEN), (T.DATE, "2024-01-15", dt.date(2024, 1, 15)),
    ],
)  # fmt: skip
def test_a_value_of_its_type_or_an_unambiguous_one_is_read(
    kind: str, value: object, read: object
) -> None:
    got = T.read_value(field(kind), value)
    assert got == read and type(got) is type(read)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (T.STR, 0, "at.f should be a string, got a number: 0"),
        (T.STR, None, "at.f should be a string, got null"),
        (T.INT, 3.5, "at.f should be an integer, got a number: 3.5"),
        (T.INT, True, "at.f should be an integer, got a boolean: True"),
        (T.INT, "3", "at.f should be an integer, got a string: '3'"),
        (T.FLOAT, "50.0", "at.f should be a number, got a string: '50.0'"),
        (T.FLOAT, False, "at.f should be a number, got a boolean: False"),
        (T.BOOL, 1, "at.f should be a boolean, got a number: 1"),
        (T.BOOL, "true", "at.f should be a boolean, got a string: 'true'"),
        (T.ENUM, 5, "at.f should be a string, got a number: 5"),
        (T.DATETIME, True, "at.f should be a date-time (ISO 8601 or epoch seconds), got a boolean: True"),
        (T.DATETIME, {}, "at.f should be a date-time (ISO 8601 or epoch seconds), got an object: {}"),
        (T.DATETIME, "soon", "at.f is not an ISO 8601 date-time: 'soon'"),
        (T.DATETIME, 1e300, "at.f is out of range as epoch seconds: 1e+300"),
        (T.DATE, 20240101, "at.f should be a date (ISO 8601), got a number: 20240101"),
        (T.DATE, "2024-13-01", "at.f is not an ISO 8601 date: '2024-13-01'"),
        (T.DATE, "9" * 100, f"at.f is not an ISO 8601 date: {'9' * 64!r}"),
        (T.LIST, {"a": 1}, "at.f should be an array of an integer, got an object: {'a': 1}"),
        (T.STR, 10**70, f"at.f should be a string, got a number: {str(10**70)[:64]}..."),
        (T.STR, dt.date(2024, 1, 15), "at.f should be a string, got date: datetime.date(2024, 1, 15)"),
    ],
)  # fmt: skip
def test_a_value_of_another_type_is_refused_naming_the_field_the_type_and_what_came(
    kind: str, value: object, message: str
) -> None:
    options: dict[str, Any] = {"item": T.WireField("", "", T.INT)} if kind == T.LIST else {}
    assert unreadable(field(kind, **options), value) == message


def test_nested_objects_and_lists_are_read_with_their_own_rules() -> None:
    sample, inner = sample_model()
    model = T.WireField("inner", "inner", T.MODEL, model=inner)
    read = T.read_value(model, {"n": 2.0, "x": 1})
    assert type(read) is inner and read.to_dict() == {"n": 2.0, "x": 1}
    assert unreadable(model, [1]) == "at.inner should be an object, got an array: [1]"
    assert unreadable(model, {"n": "1"}) == "at.inner.n should be an integer, got a string: '1'"
    assert unreadable(model, {}) == "at.inner.n is required"
    counts = sample._by_name["counts"]
    assert T.read_value(counts, [1, 2.0]) == [1, 2]
    assert unreadable(counts, [1, "x"]) == "at.counts[1] should be an integer, got a string: 'x'"
    assert unreadable(counts, [1, None]) == "at.counts[1] should be an integer, got null"
    assert T.read_value(sample._by_name["holes"], [None, 1.0]) == [None, 1]
    anything: list[Any] = [None, "x", {}]
    assert T.read_value(sample._by_name["anything"], anything) == anything
    assert T.read_value(sample._by_name["anything"], anything) is not anything
    assert T.read_value(sample._by_name["loose"], [1, None]) == [1, None]
    assert T.read_value(sample._by_name["states"], ["A", None]) == ["A", None]
    assert T.read_value(sample._by_name["times"], [1705309507]) == [WHEN]
    assert T.read_value(T.WireField("e", "e", T.ENUM), "X") == "X"  # no class: kept a string
    member = T.read_value(T.WireField("e", "e", T.ENUM, enum=BatchStatus), "COMPLETED")
    assert type(member) is BatchStatus


def test_required_nested_objects_and_lists_are_checked_all_the_way_down() -> None:
    _, inner = sample_model()
    of_inner = T.WireField("", "", T.MODEL, model=inner)

    class Holder(Built):
        __slots__ = ()
        FIELDS = (
            T.WireField("one", "one", T.MODEL, required=True, model=inner),
            T.WireField("many", "many", T.LIST, required=True, item=of_inner),
        )

    good = {"one": {"n": 1}, "many": [{"n": 2}]}
    assert Holder.from_dict(good).to_dict() == good
    assert invalid(Holder, {**good, "one": {"n": None}}) == "one.n is required"
    assert invalid(Holder, {**good, "many": [{"n": 1}, {}]}) == "many[1].n is required"
    with pytest.raises(T.InvalidPayload) as raised:
        Holder.from_list([good, {**good, "many": [{"n": "x"}]}])
    assert str(raised.value) == "item 1: many[0].n should be an integer, got a string: 'x'"
    assert Holder._plain is None


def test_a_read_that_fails_raises_the_models_field_error() -> None:
    sample, _ = sample_model()

    class Own(sample):  # type: ignore[valid-type,misc]
        __slots__ = ()
        FIELD_ERROR = LookupError

    own = Own.from_dict(dict(BASE))
    with pytest.raises(LookupError) as raised:
        own._read("at", "x")
    assert str(raised.value) == "Own.at is not an ISO 8601 date-time: 'x'"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert own._read("at", 1705309507) == WHEN
    # The overlay names its own error for every model (the generated base included).
    assert T.LeanModel.FIELD_ERROR is InvalidFieldError


# --- lists -----------------------------------------------------------------------------------


@pytest.mark.parametrize("item", [[1], "text", 5, None])
def test_an_item_that_is_not_an_object_is_named_by_its_index(item: object) -> None:
    with pytest.raises(T.InvalidPayload) as raised:
        BatchJob.from_list([dict(JOB), dict(JOB), item, item])
    assert str(raised.value) == "item 2 should be a JSON object"
    assert raised.value.__cause__ is None


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([JOB, {**JOB, "id": 5}], "item 1: id should be a string, got a number: 5"),
        ([JOB, JOB, {"id": "c"}], "item 2: status is required"),
        ([JOB, {**JOB, "status": None}], "item 1: status is required"),
        ([{**JOB, "status": ["X"]}], "item 0: status should be a string, got an array: ['X']"),
    ],
)  # fmt: skip
def test_a_list_names_the_first_item_without_what_the_client_works_from(
    items: list[Any], message: str
) -> None:
    with pytest.raises(T.InvalidPayload) as raised:
        BatchJob.from_list(items)
    assert str(raised.value) == message


def test_a_list_checks_plain_required_fields_by_type_and_else_item_by_item() -> None:
    class Counted(Built):
        __slots__ = ()
        FIELDS = (
            T.WireField("n", "n", T.INT, required=True),
            T.WireField("r", "r", T.FLOAT, required=True),
        )

    assert Counted._plain == (("n", frozenset({int})), ("r", frozenset({int, float})))
    made = Counted.from_list([{"n": 1, "r": 2}, {"n": 2.0, "r": 0.5}])
    assert [m.to_dict() for m in made] == [{"n": 1, "r": 2}, {"n": 2.0, "r": 0.5}]
    with pytest.raises(T.InvalidPayload) as raised:
        Counted.from_list([{"n": 1, "r": 1}, {"n": 2.5, "r": 1}])
    assert str(raised.value) == "item 1: n should be an integer, got a number: 2.5"
    with pytest.raises(T.InvalidPayload) as raised:
        Counted.from_list([{"n": 1, "r": 1}, {"n": 1, "r": "1"}])
    assert str(raised.value) == "item 1: r should be a number, got a string: '1'"
    assert Counted.from_list([]) == [] and Counted.from_list(None) == []


def test_right_values_in_every_kind_of_field_pass() -> None:
    sample, _ = sample_model()
    body: dict[str, Any] = {**BASE, "counts": [1, 2.0], "holes": [1, None], "anything": [None, "x", {}],
            "loose": [1, "x", None], "times": ["2024-01-15T00:00:00Z"], "day": "2024-01-15",
            "inner": {"n": 1}, "states": ["A", None]}  # fmt: skip
    assert sample.from_dict(body).to_dict() == {**dict.fromkeys(body), **body, "label": None,
                                                "at": None}  # fmt: skip


def test_the_constructor_turns_python_values_into_wire_values() -> None:
    sample, inner = sample_model()
    made = sample(
        key="k", maybe="m", day=dt.date(2024, 1, 15), inner=inner(n=3), times=[WHEN],
        states=[BatchStatus.COMPLETED, None], loose=[1, "x"],
    )  # fmt: skip
    wire = made.to_dict()
    assert (wire["day"], wire["inner"], wire["loose"]) == ("2024-01-15", {"n": 3}, [1, "x"])
    assert wire["times"] == ["2024-01-15T09:05:07Z"]
    assert wire["states"] == ["COMPLETED", None]
    with pytest.raises(ValueError, match="key should be a string"):
        sample(key=5, maybe="m")
    odd = sample(key="k", maybe="m", counts=5)  # checked when read, as a response is
    with pytest.raises(InvalidFieldError, match=r"Sample.counts should be an array"):
        odd._read("counts", 5)


@pytest.mark.parametrize(
    ("value", "got"),
    [(WHEN, "datetime"), (dt.date(2024, 1, 15), "date"),
     (WireBatchJob(id="b", status="X"), "BatchJob")],
)  # fmt: skip
def test_the_constructor_converts_a_value_only_for_its_own_kind(value: object, got: str) -> None:
    job = BatchJob(id="b1", status="X", endpoint=value)  # type: ignore[arg-type]
    assert job.to_dict()["endpoint"] is value
    with pytest.raises(InvalidFieldError) as raised:
        _ = job.endpoint
    assert str(raised.value).startswith(f"BatchJob.endpoint should be a string, got {got}: ")


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
        "in.jsonl", payload, "application/jsonl",
    )  # fmt: skip
    response = T.Response(status_code=HTTPStatus.OK, content=b"{}", headers={"a": "b"}, parsed=1)
    assert (response.status_code, response.content, response.headers, response.parsed) == (
        HTTPStatus.OK, b"{}", {"a": "b"}, 1,
    )  # fmt: skip


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


def test_a_value_shown_in_a_message_is_cut_only_past_its_limit() -> None:
    assert T.describe("x" * 62) == f"a string: {'x' * 62!r}"  # its repr is 64 characters
    assert T.describe("x" * 63) == f"a string: {('x' * 63)!r}"[:74] + "..."
    with pytest.raises(T.InvalidPayload) as raised:
        T.datetime_from_epoch(1e300)
    assert str(raised.value) == "value is out of range as epoch seconds: 1e+300"


def test_a_body_that_is_not_an_object_is_named_by_its_class_or_its_place() -> None:
    with pytest.raises(T.InvalidPayload) as raised:
        BatchJob.check(5)
    assert str(raised.value) == "BatchJob should be a JSON object, got int"
    with pytest.raises(T.InvalidPayload) as raised:
        BatchJob.check([], where="job.")
    assert str(raised.value) == "job.should be a JSON object, got list"


def test_a_list_of_good_jobs_never_checks_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[object] = []
    original = BatchJob.check.__func__  # type: ignore[attr-defined]

    def spy(cls: type[BatchJob], data: object, *, where: str = "") -> None:
        checked.append(data)
        original(cls, data, where=where)

    monkeypatch.setattr(BatchJob, "check", classmethod(spy))
    jobs = [dict(JOB), {**JOB, "id": "b2", "progress": "odd"}]
    assert [job.id for job in BatchJob.from_list(jobs)] == ["b1", "b2"]
    assert checked == []  # the types of every id and status were all it took
    with pytest.raises(T.InvalidPayload):
        BatchJob.from_list([*jobs, {**JOB, "status": 1}])
    assert len(checked) == 3  # then each item, to name the bad one
