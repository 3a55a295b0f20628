"""Shared types of the generated package, and the runtime of its lean response models.

From spec/templates/types.py.jinja. Nothing here imports attrs: the lean models are what
`import together_batches` loads, and attrs stays with the request bodies and the client.

A lean model keeps the decoded JSON object it was built from and reads each field from it
when the attribute is read. Its types are checked when it is built, once per *shape* (its
keys and the types of its values, in order): the objects of one list share a handful of
shapes, so the full check runs a handful of times. Values whose validity a type cannot show
(nested objects, integral floats) are checked one by one. A date-time is a string on the
wire and is checked as one when the model is built; it is parsed when it is read, and a
string that is not ISO 8601 raises the model's `FIELD_ERROR` (an `InvalidPayload`, which is
a `ValueError`, unless a subclass names another) at that read.

The tolerance rules, written once, here:

- an optional field that is absent or `null` reads as `None`;
- a required field must be present and not `null` (unless the spec makes it nullable);
- an integer field accepts an integral float (`3.0`), read as `3`;
- a number field accepts an integer, read as a float;
- an enum field accepts any string: the enums are open;
- any other wrong type fails the whole object with `InvalidPayload`;
- a date-time (or date) that is a string but not ISO 8601 fails its read, not the object.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Iterable, Mapping, MutableMapping
from http import HTTPStatus
from itertools import repeat
from types import MappingProxyType
from typing import (
    IO,
    Any,
    BinaryIO,
    ClassVar,
    Generic,
    Literal,
    NoReturn,
    Self,
    TypeVar,
)


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


class File:
    """Contains information for file uploads."""

    __slots__ = ("file_name", "mime_type", "payload")

    def __init__(
        self,
        payload: BinaryIO,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> None:
        self.payload = payload
        self.file_name = file_name
        self.mime_type = mime_type

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data."""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


class Response(Generic[T]):
    """A response from an endpoint."""

    __slots__ = ("content", "headers", "parsed", "status_code")

    def __init__(
        self,
        *,
        status_code: HTTPStatus,
        content: bytes,
        headers: MutableMapping[str, str],
        parsed: T | None,
    ) -> None:
        self.status_code = status_code
        self.content = content
        self.headers = headers
        self.parsed = parsed

    def __repr__(self) -> str:
        return f"Response(status_code={self.status_code!r}, parsed={self.parsed!r})"


class InvalidPayload(ValueError):
    """A decoded JSON body that does not have the shape the spec gives it."""


# "", "." and ".." survive percent-encoding, and HTTP clients normalise them away: the request
# would reach another endpoint ("/batches/.." is "/").
_DOT_SEGMENTS = frozenset({"", ".", ".."})


def check_path_id(value: object, name: str = "id") -> str:
    """Return `value` if it can be sent as one path segment.

    Args:
        value: The id the caller gave.
        name: The argument's name, for the message.

    Returns:
        The id, unchanged.

    Raises:
        TypeError: `value` is not a `str`.
        ValueError: `value` is empty, `.` or `..`, or is not valid text (a lone surrogate),
            so could not be percent-encoded.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if value in _DOT_SEGMENTS:
        raise ValueError(
            f"{name} must be a non-empty id other than '.' and '..', got {value!r}"
        )
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{name} is not valid text: {value!r}") from None
    return value


# --- lean models --------------------------------------------------------------------------

# What a field holds, which decides the JSON types it accepts and how it is read.
STR, INT, FLOAT, BOOL, DATETIME, DATE, ENUM, MODEL, LIST, ANY = (
    "str", "int", "float", "bool", "datetime", "date", "enum", "model", "list", "any"
)  # fmt: skip
_NONE = type(None)
_WIRE_TYPES: dict[str, tuple[type, ...]] = {
    STR: (str,), INT: (int,), FLOAT: (int, float), BOOL: (bool,), DATETIME: (str,),
    DATE: (str,), ENUM: (str,), MODEL: (dict,), LIST: (list,),
}  # fmt: skip


class WireField:
    """One property of a schema, as the lean models check and read it.

    Attributes:
        name: The key on the wire.
        attr: The Python attribute (and constructor argument) it is read as.
        kind: One of the kinds above.
        required: The spec lists it as required.
        nullable: The spec allows `null` for it.
        item: For a list, the field description of its items (its `name` is unused).
        model: For a nested object, its lean model class.
        enum: For an enum, its class.
    """

    __slots__ = (
        "attr",
        "enum",
        "item",
        "kind",
        "model",
        "name",
        "nullable",
        "required",
    )

    def __init__(
        self,
        name: str,
        attr: str,
        kind: str,
        *,
        required: bool = False,
        nullable: bool = False,
        item: WireField | None = None,
        model: type[LeanModel] | None = None,
        enum: type | None = None,
    ) -> None:
        self.name = name
        self.attr = attr
        self.kind = kind
        self.required = required
        self.nullable = nullable
        self.item = item
        self.model = model
        self.enum = enum

    @property
    def type_name(self) -> str:
        """The field's JSON type in words, for messages."""
        if self.kind == LIST and self.item is not None:
            return f"a list of {self.item.type_name}"
        return {DATETIME: "a date-time string", DATE: "a date string", ENUM: "a string",
                MODEL: "an object", FLOAT: "a number", INT: "an integer"}.get(
                    self.kind, f"a {self.kind}")  # fmt: skip

    def __repr__(self) -> str:
        return f"WireField({self.name!r}, {self.kind!r}, required={self.required})"


def _wrong(where: str, field: WireField, value: object) -> NoReturn:
    raise InvalidPayload(
        f"{where}{field.name} should be {field.type_name}, got {type(value).__name__}"
    )


def parse_datetime(value: str, name: str = "value") -> datetime.datetime:
    """An ISO 8601 date-time from the wire, timezone-aware (UTC when it names no offset).

    Raises:
        InvalidPayload: `value` is not an ISO 8601 date-time.
    """
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        # Forms fromisoformat rejects (a comma before the fraction, say); imported here so
        # that importing the models does not pay for dateutil.
        from dateutil.parser import isoparse

        try:
            parsed = isoparse(value)
        except (ValueError, OverflowError):
            raise InvalidPayload(
                f"{name} is not an ISO 8601 date-time: {value[:64]!r}"
            ) from None
    # The API's timestamps are UTC; one without an offset is UTC, never local time.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


def format_datetime(value: datetime.datetime) -> str:
    """A date-time in the wire's form (ISO 8601, `Z` for UTC; naive values are UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.isoformat().replace("+00:00", "Z")


def _check_value(where: str, field: WireField, value: Any) -> None:
    """Check one value that is not None."""
    kind = field.kind
    if kind == ANY:
        return
    vtype = type(value)
    if vtype not in _WIRE_TYPES[kind]:
        if not (kind == INT and vtype is float and value.is_integer()):
            _wrong(where, field, value)
    elif kind == MODEL:
        assert field.model is not None
        field.model.check(value, where=f"{where}{field.name}.")
    elif kind == LIST and field.item is not None and field.item.kind != ANY:
        item = field.item
        for index, element in enumerate(value):
            if element is not None:
                _check_value(f"{where}{field.name}[{index}]", item, element)
            elif not item.nullable:
                _wrong(f"{where}{field.name}[{index}]", item, element)


class LeanModel:
    """Base of the generated response models: an immutable, typed view of a decoded object.

    Subclasses (generated, one per schema) give `FIELDS` and one typed property per field.
    Build one from JSON with `from_dict` (checked), or with keyword arguments named as the
    attributes. Instances compare equal when their fields and extras are equal (an absent
    field equals a `null` one), pickle, and are immutable.
    """

    __slots__ = ("_data",)
    _data: dict[str, Any]

    #: The schema's properties, in the spec's order.
    FIELDS: ClassVar[tuple[WireField, ...]] = ()
    #: What a read of a malformed date-time raises (a subclass may name its own error,
    #: which must accept one message argument).
    FIELD_ERROR: ClassVar[type[Exception]] = InvalidPayload
    # Per class, filled by __init_subclass__.
    _by_name: ClassVar[dict[str, WireField]]
    _required: ClassVar[tuple[WireField, ...]]
    _per_value: ClassVar[tuple[WireField, ...]]
    _shapes: ClassVar[set[tuple[Any, ...]]]
    # Shapes already checked, per class. Capped: a server sending ever-new keys must not
    # grow memory without bound.
    _SHAPES_CAP: ClassVar[int] = 4096

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._shapes = set()
        cls._prepare()

    @classmethod
    def _prepare(cls) -> None:
        cls._by_name = {field.name: field for field in cls.FIELDS}
        cls._required = tuple(field for field in cls.FIELDS if field.required)
        # Date-times are parsed when read (the hot path of a long list must not parse them).
        cls._per_value = tuple(
            field for field in cls.FIELDS if field.kind in (MODEL, LIST)
        )

    # --- building -------------------------------------------------------------------------

    @classmethod
    def check(cls, data: object, *, where: str = "") -> None:
        """Check a decoded JSON object against the schema.

        Args:
            data: The decoded object.
            where: A prefix for messages (the path of a nested object).

        Raises:
            InvalidPayload: `data` is not an object, lacks a required field, or holds a
                value of the wrong type.
        """
        if type(data) is not dict:
            raise InvalidPayload(
                f"{where or cls.__name__ + ' '}should be a JSON object, got {type(data).__name__}"
            )
        if (*data, *map(type, data.values())) not in cls._shapes:
            cls._check_shape(data, where)
        for field in cls._per_value:
            value = data.get(field.name)
            if value is not None:
                _check_value(where, field, value)

    @classmethod
    def _check_shape(cls, data: dict[str, Any], where: str) -> None:
        for required in cls._required:
            if data.get(required.name) is None and not (
                required.nullable and required.name in data
            ):
                raise InvalidPayload(f"{where}{required.name} is required")
        cacheable = True
        by_name = cls._by_name
        for key, value in data.items():
            field = by_name.get(key)
            if field is None:
                continue
            if value is None:
                if field.required and not field.nullable:
                    _wrong(where, field, value)
                continue
            _check_value(where, field, value)
            # A 3.0 in an integer field is fine, but the next object's 3.5 would not be:
            # such a shape is not cached. (Values of `_per_value` fields are checked anyway.)
            if field.kind == INT and type(value) is float:
                cacheable = False
        if cacheable and len(cls._shapes) < cls._SHAPES_CAP:
            cls._shapes.add((*data, *map(type, data.values())))

    @classmethod
    def from_dict(cls, src: Mapping[str, Any]) -> Self:
        """Build the model from its decoded JSON, checked. A `dict` is kept, not copied.

        Raises:
            InvalidPayload: `src` does not have the schema's shape.
        """
        data = src if type(src) is dict else dict(src)
        cls.check(data)
        return cls._trusted(data)

    @classmethod
    def from_list(cls, src: object) -> list[Self]:
        """Build one model per object of a decoded JSON array, checked; `null` is `[]`.

        Raises:
            InvalidPayload: `src` is not an array (or null), or one object is malformed.
        """
        if src is None:
            return []
        if type(src) is not list:
            raise InvalidPayload(f"a list of {cls.__name__} should be an array")
        # The check of `check`, inlined: this loop is the whole cost of a long list.
        shapes = cls._shapes
        # A list's objects mostly share one shape: comparing with the previous one (its
        # items are the same key strings and type objects) is cheaper than hashing it.
        previous: tuple[object, ...] | None = (
            None  # no shape, not even the empty one, equals it
        )
        item: Any  # after an exception: the item that raised it
        try:
            for item in src:
                shape = (*item, *map(type, item.values()))
                if shape != previous:
                    if shape in shapes:
                        previous = shape
                    else:  # checked each time until cached (an uncacheable one never is)
                        _check_item(cls, src, item)
        except (TypeError, AttributeError):
            # An item that is not an object has no .values(): say which one it is.
            if type(item) is dict:
                raise
            raise InvalidPayload(
                f"item {_index_of(src, item)} should be a JSON object"
            ) from None
        if cls._per_value:
            for index, checked in enumerate(src):
                for field in cls._per_value:
                    value = checked.get(field.name)
                    if value is not None:
                        _check_value(f"item {index}: ", field, value)
        # All checked: the models are made by C loops, a third cheaper than one per turn.
        out: list[Self] = list(map(object.__new__, repeat(cls, len(src))))
        deque(map(_put, out, src), maxlen=0)
        return out

    @classmethod
    def from_model(cls, model: LeanModel) -> Self:
        """The same decoded object seen as this class (a subclass adding behaviour, say).

        Raises:
            InvalidPayload: `model` is of another schema (checked against this one).
        """
        if type(model).FIELDS is cls.FIELDS:  # the same schema: already checked
            return cls._trusted(model._data)
        return cls.from_dict(model._data)

    @classmethod
    def _trusted(cls, data: dict[str, Any]) -> Self:
        model = object.__new__(cls)
        _put(model, data)
        return model

    def _init(
        self, fields: Mapping[str, Any], extras: Mapping[str, Any] | None
    ) -> None:
        """Build from constructor arguments (Python values, by wire name)."""
        data: dict[str, Any] = {}
        for field in self.FIELDS:
            value = fields[field.name]
            if value is not None:
                data[field.name] = _to_wire(field, value)
        for key, value in (extras or {}).items():
            if key in self._by_name:
                raise ValueError(
                    f"extras may not hold the field {key!r}: pass it by name"
                )
            data[key] = value
        try:
            self.check(data)
        except InvalidPayload as exc:
            raise ValueError(str(exc)) from None
        _put(self, data)

    # --- reading --------------------------------------------------------------------------

    def _read_datetime(self, value: str, name: str) -> datetime.datetime:
        try:
            return parse_datetime(value, name)
        except InvalidPayload as exc:
            raise self.FIELD_ERROR(str(exc)) from None

    def _read_date(self, value: str, name: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise self.FIELD_ERROR(
                f"{name} is not an ISO 8601 date: {value[:64]!r}"
            ) from None

    @property
    def extras(self) -> Mapping[str, Any]:
        """Fields the server sent that the spec does not list (read-only)."""
        by_name = self._by_name
        return MappingProxyType(
            {k: v for k, v in self._data.items() if k not in by_name}
        )

    def to_dict(self) -> dict[str, Any]:
        """The object in its JSON form: every field in the spec's order (`None` when absent),
        then the extras. A new dict."""
        out: dict[str, Any] = dict.fromkeys(self._by_name)
        out.update(self._data)
        return out

    def _compared(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if v is not None}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, LeanModel)
        return self._compared() == other._compared()

    __hash__ = None  # type: ignore[assignment]  # the contents (extras) may be mutable

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(
            f"{type(self).__name__} is immutable; cannot delete {name!r}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self)._trusted, (dict(self._data),))

    def __repr__(self) -> str:
        data = self._data
        shown = [f"{f.attr}={data.get(f.name)!r}" for f in self.FIELDS]
        shown += [f"{k}={v!r}" for k, v in data.items() if k not in self._by_name]
        return f"{type(self).__name__}({', '.join(shown)})"


# The slot's own setter: the fastest way to fill an instance that refuses __setattr__.
_put = vars(LeanModel)["_data"].__set__


def _index_of(items: list[Any], item: object) -> int:
    """Where `item` (this very object) first is in `items`: for an error's message only."""
    return next(index for index, each in enumerate(items) if each is item)


def _check_item(cls: type[LeanModel], items: list[Any], item: dict[str, Any]) -> None:
    """`cls._check_shape` of one item of a list, its error naming the item's place (which
    is looked for only then: the loop over a long list does not count)."""
    try:
        cls._check_shape(item, "")
    except InvalidPayload:
        cls._check_shape(item, f"item {_index_of(items, item)}: ")
        raise


def _to_wire(field: WireField, value: Any) -> Any:
    kind = field.kind
    if kind == DATETIME and isinstance(value, datetime.datetime):
        return format_datetime(value)
    if kind == DATE and isinstance(value, datetime.date):
        return value.isoformat()
    if kind == ENUM:
        return str(value)
    if kind == MODEL and isinstance(value, LeanModel):
        return value._data
    if kind == LIST and field.item is not None and isinstance(value, Iterable):
        return [None if v is None else _to_wire(field.item, v) for v in value]
    return value


__all__ = [
    "ANY", "BOOL", "DATE", "DATETIME", "ENUM", "FLOAT", "INT", "LIST", "MODEL", "STR", "UNSET",
    "File", "FileTypes", "InvalidPayload", "LeanModel", "RequestFiles", "Response", "Unset",
    "WireField", "check_path_id", "format_datetime", "parse_datetime",
]  # fmt: skip
