"""Shared types of the generated package, and the runtime of its lean response models.

From spec/templates/types.py.jinja. Nothing here imports attrs: the lean models are what
`import together_batches` loads, and attrs stays with the request bodies and the client.

A lean model keeps the decoded JSON object it was built from and reads each field from it
when the attribute is read. It is a tolerant reader: strict about the fields a client works
from, lenient about everything else.

- **Built** (`from_dict`, `from_list`, `check`): the object must be a JSON object, and every
  field the spec marks *required* must be present and readable as its type (a required
  nested object or list is checked all the way down, so a list body's items are). Nothing
  else is looked at, so a field the caller never reads can never fail a response, a list,
  or a wait. The spec requires only what clients work from (a job's `id` and `status`, a
  file's `id`, a result line's `custom_id`, a list body's array).
- **Read** (each property): the value is checked then. A value of another type raises the
  model's `FIELD_ERROR` (an `InvalidPayload`, which is a `ValueError`, unless a consumer
  names another: the overlay sets its `InvalidFieldError`) naming the model, the field, the
  type the spec gives and what came. It fails that read only.

The tolerance rules, written once, here (`read_value`):

- an optional field that is absent or `null` reads as `None`;
- an integer field accepts an integral float (`3.0`), read as `3`;
- a number field accepts an integer, read as a float;
- a date-time field accepts an ISO 8601 string or epoch seconds (an integer or a float),
  read as a timezone-aware datetime (UTC when the string names no offset);
- an enum field accepts any string: the enums are open;
- nothing else is converted: `"50.0"` is not a number, `1` is not a boolean, `0` is not a
  string. A conversion that would have to guess is refused at the read.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Iterable, Mapping, MutableMapping
from http import HTTPStatus
from itertools import repeat
from types import MappingProxyType
from typing import IO, Any, BinaryIO, ClassVar, Generic, Literal, Self, TypeVar


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
# The JSON types a value of each kind is read from without looking at the value itself: a
# list's required fields of these kinds are checked by C loops over the types alone.
_PLAIN_TYPES: dict[str, frozenset[type]] = {
    STR: frozenset({str}), ENUM: frozenset({str}), INT: frozenset({int}),
    FLOAT: frozenset({int, float}), BOOL: frozenset({bool}),
}  # fmt: skip
_TYPE_NAMES = {
    STR: "a string", INT: "an integer", FLOAT: "a number", BOOL: "a boolean",
    DATETIME: "a date-time (ISO 8601 or epoch seconds)", DATE: "a date (ISO 8601)",
    ENUM: "a string", MODEL: "an object", ANY: "any value",
}  # fmt: skip
_JSON_NAMES: dict[type, str] = {
    str: "a string", int: "a number", float: "a number", bool: "a boolean", dict: "an object",
    list: "an array",
}  # fmt: skip
# How much of an unreadable value a message shows.
_SHOWN = 64


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
        """The field's type as the spec gives it, in words, for messages."""
        if self.kind == LIST:
            return (
                "an array"
                if self.item is None
                else f"an array of {self.item.type_name}"
            )
        return _TYPE_NAMES[self.kind]

    def __repr__(self) -> str:
        return f"WireField({self.name!r}, {self.kind!r}, required={self.required})"


def describe(value: object) -> str:
    """What came on the wire, for messages: its JSON type and (the start of) its value."""
    if value is None:
        return "null"
    shown = repr(value)
    if len(shown) > _SHOWN:
        shown = shown[:_SHOWN] + "..."
    return f"{_JSON_NAMES.get(type(value), type(value).__name__)}: {shown}"


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
                f"{name} is not an ISO 8601 date-time: {value[:_SHOWN]!r}"
            ) from None
    # The API's timestamps are UTC; one without an offset is UTC, never local time.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


def datetime_from_epoch(seconds: float, name: str = "value") -> datetime.datetime:
    """A date-time sent as Unix seconds, timezone-aware (UTC).

    Raises:
        InvalidPayload: `seconds` is outside what a datetime can hold.
    """
    try:
        return datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidPayload(
            f"{name} is out of range as epoch seconds: {seconds!r}"
        ) from None


def format_datetime(value: datetime.datetime) -> str:
    """A date-time in the wire's form (ISO 8601, `Z` for UTC; naive values are UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.isoformat().replace("+00:00", "Z")


def read_value(field: WireField, value: Any, where: str = "") -> Any:
    """The Python value of one wire value of `field`: the tolerance rules, written once.

    Args:
        field: The field's description.
        value: The decoded JSON value (`None` only where it is wrong: a required field, or
            an item of a list whose items are not nullable).
        where: A prefix for messages (the path of a nested object).

    Returns:
        The value as the field's type: itself for strings, integers, booleans and `any`,
        a float for a number, an enum member, a datetime or date, a lean model, a list.

    Raises:
        InvalidPayload: The value is of another type and no unambiguous conversion makes it
            one (the message names the field, the type the spec gives and what came), or a
            date-time or date string is not ISO 8601.
    """
    kind = field.kind
    vtype = type(value)
    if kind == STR:
        if vtype is str:
            return value
    elif kind == ENUM:
        if vtype is str:
            return value if field.enum is None else field.enum(value)
    elif kind == INT:
        if vtype is int:
            return value
        if vtype is float and value.is_integer():
            return int(value)
    elif kind == FLOAT:
        if vtype is float or vtype is int:
            return float(value)
    elif kind == BOOL:
        if vtype is bool:
            return value
    elif kind == DATETIME:
        if vtype is str:
            return parse_datetime(value, where + field.name)
        if vtype is int or vtype is float:
            return datetime_from_epoch(value, where + field.name)
    elif kind == DATE:
        if vtype is str:
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise InvalidPayload(
                    f"{where}{field.name} is not an ISO 8601 date: {value[:_SHOWN]!r}"
                ) from None
    elif kind == MODEL:
        if vtype is dict and field.model is not None:
            field.model.check(value, where=f"{where}{field.name}.")
            return field.model._trusted(value)
    elif kind == LIST:
        if vtype is list:
            return _read_items(field, value, where)
    else:
        return value
    raise InvalidPayload(
        f"{where}{field.name} should be {field.type_name}, got {describe(value)}"
    )


def _read_items(field: WireField, value: list[Any], where: str) -> list[Any]:
    item = field.item
    if item is None or item.kind == ANY:
        return list(value)
    return [
        None if element is None and item.nullable
        else read_value(item, element, f"{where}{field.name}[{index}]")
        for index, element in enumerate(value)
    ]  # fmt: skip


class LeanModel:
    """Base of the generated response models: an immutable, typed view of a decoded object.

    Subclasses (generated, one per schema) give `FIELDS` and one typed property per field.
    Build one from JSON with `from_dict`, or with keyword arguments named as the attributes;
    either way its required fields are checked then and the others when read. Instances compare equal when
    their fields and extras are equal (an absent field equals a `null` one), pickle, and are
    immutable.
    """

    __slots__ = ("_data",)
    _data: dict[str, Any]

    #: The schema's properties, in the spec's order.
    FIELDS: ClassVar[tuple[WireField, ...]] = ()
    #: What reading a field whose value cannot be read as its type raises. It must accept one
    #: message argument; a consumer may set it here, on the base, so that every model
    #: (nested ones included) raises its own error, or on one subclass.
    FIELD_ERROR: ClassVar[type[Exception]] = InvalidPayload
    # Per class, filled by __init_subclass__.
    _by_name: ClassVar[dict[str, WireField]]
    _required: ClassVar[tuple[WireField, ...]]
    # The required fields a list checks by their values' types alone, or None when one of
    # them needs each value looked at (a date-time, a nested object, a list).
    _plain: ClassVar[tuple[tuple[str, frozenset[type]], ...] | None]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._prepare()

    @classmethod
    def _prepare(cls) -> None:
        cls._by_name = {field.name: field for field in cls.FIELDS}
        cls._required = tuple(field for field in cls.FIELDS if field.required)
        plain = tuple(
            (field.name, _PLAIN_TYPES[field.kind])
            for field in cls._required
            if field.kind in _PLAIN_TYPES and not field.nullable
        )
        cls._plain = plain if len(plain) == len(cls._required) else None

    # --- building -------------------------------------------------------------------------

    @classmethod
    def check(cls, data: object, *, where: str = "") -> None:
        """Check that a decoded JSON value is an object with the schema's required fields.

        Args:
            data: The decoded value.
            where: A prefix for messages (the path of a nested object).

        Raises:
            InvalidPayload: `data` is not an object, or lacks a required field, or holds
                one that cannot be read as its type. Other fields are not looked at.
        """
        if type(data) is not dict:
            raise InvalidPayload(
                f"{where or cls.__name__ + ' '}should be a JSON object, got {type(data).__name__}"
            )
        for field in cls._required:
            value = data.get(field.name)
            if value is not None:
                read_value(field, value, where)
            elif not (field.nullable and field.name in data):
                raise InvalidPayload(f"{where}{field.name} is required")

    @classmethod
    def from_dict(cls, src: Mapping[str, Any]) -> Self:
        """Build the model from its decoded JSON, its required fields checked. A `dict` is
        kept, not copied.

        Raises:
            InvalidPayload: `src` is not an object, or a required field is absent or
                unreadable.
        """
        data = src if type(src) is dict else dict(src)
        cls.check(data)
        return cls._trusted(data)

    @classmethod
    def from_list(cls, src: object) -> list[Self]:
        """Build one model per object of a decoded JSON array; `null` is `[]`.

        Raises:
            InvalidPayload: `src` is not an array (or null), or an item is not an object or
                lacks a required field (the message names the first such item's place).
        """
        if src is None:
            return []
        if type(src) is not list:
            raise InvalidPayload(f"a list of {cls.__name__} should be an array")
        # This is the whole cost of a long list, so it runs in C loops over the items' types:
        # every item an object, and every required field of a plainly typed kind. Only
        # when that fails (or cannot tell) is each item checked, which names the bad one.
        if not set(map(type, src)) <= _OBJECTS:
            index = next(i for i, item in enumerate(src) if type(item) is not dict)
            raise InvalidPayload(f"item {index} should be a JSON object")
        plain = cls._plain
        if plain is None or not all(
            set(map(type, map(dict.get, src, repeat(name)))) <= accepted
            for name, accepted in plain
        ):
            for index, item in enumerate(src):
                cls.check(item, where=f"item {index}: ")
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
        """Build from constructor arguments (Python values, by wire name), checked as a
        response is: required fields now, every other one when read (so a test's fake can
        hold what a server might send)."""
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

    def _read(self, name: str, value: Any) -> Any:
        """Read a field's value that is not of its plain type (the properties' slow path).

        Raises:
            FIELD_ERROR: The value cannot be read as the field's type.
        """
        try:
            return read_value(self._by_name[name], value)
        except InvalidPayload as exc:
            error = self.FIELD_ERROR(f"{type(self).__name__}.{exc}")
            # What came, for a caller that shows the field as it was sent: the error's
            # class is the consumer's (any Exception), so the attribute is set, not passed.
            setattr(error, "value", value)  # noqa: B010
            raise error from None

    @property
    def extras(self) -> Mapping[str, Any]:
        """Fields the server sent that the spec does not list (read-only)."""
        by_name = self._by_name
        return MappingProxyType(
            {k: v for k, v in self._data.items() if k not in by_name}
        )

    def to_dict(self) -> dict[str, Any]:
        """The object in its JSON form, as it came: every field in the spec's order (`None`
        when absent), then the extras. A new dict."""
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
_OBJECTS = frozenset({dict})


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
    "WireField", "check_path_id", "datetime_from_epoch", "describe", "format_datetime",
    "parse_datetime", "read_value",
]  # fmt: skip
