"""The model machinery behind every class of :mod:`batchai_compat.models`.

Batch AI's Python client (azure-mgmt-batchai 2.0.0) generated its models on ``msrest.Model``:
keyword-only constructors that ignore unknown keywords, plain mutable attributes,
``serialize()`` / ``as_dict()`` / ``from_dict()`` / ``deserialize()`` / ``validate()`` and the
class attributes ``_attribute_map`` and ``_validation``.  :class:`Model` keeps that surface and
adds what msrest never did: values are checked and coerced when they are set.

One module on purpose (about a thousand lines): the field declarations, the value checks, the
constructor and the (de)serializers all work on the same :class:`Field` table and ``Model``
internals (``__dict__`` holds exactly the fields), and the fast paths -- construction, clone,
serialize -- read them directly; split apart, each part would reach into the others' privates.

Declaring a model -- one declaration per field, carrying its REST key::

    class UserAccountSettings(Model):
        admin_user_name: str = field("adminUserName")                        # required
        admin_user_password: str | None = field("adminUserPassword", default=None, secret=True)
        creation_time: datetime | None = readonly("properties.creationTime")  # set by the service

The annotation gives the Python type (``str``, ``int``, ``float``, ``datetime``, ``timedelta``,
an enum, another model, ``list[...]``, ``dict[str, str]``, ``Any``); ``_attribute_map`` (REST key
and msrest type name, identical to 2.0.0) and ``_validation`` are derived from the declarations.
``wire=`` overrides the msrest type name where 2.0.0 differs from the Python type (``"long"``,
or ``"str"`` for enum fields 2.0.0 sent as plain strings).

Validation and coercion.  Values of the exact declared type are taken as they are; anything else
(``"2"`` for an ``int``, an ISO string for a ``datetime``, ...) goes through pydantic v2's
validation core (:mod:`pydantic_core`), whose messages we wrap in
:class:`batchai_compat.exceptions.ValidationError`.  Measured on this project's machines,
``from pydantic import BaseModel`` alone costs about 0.07 s, which is already 0.45x the genuine
package's whole import-and-build time the benchmark compares against (target: 0.4x); so the
classes are plain Python classes and pydantic-core is loaded on the first value that needs
coercion.  The genuine package never checked anything.

Read-only fields (``id``, ``name``, ``provisioning_state``, timestamps, ...).  As in 2.0.0 the
public constructor does not take them (they are ignored with an
:class:`~batchai_compat.exceptions.IgnoredParameterWarning`).  Backends build service-side models
with :meth:`Model.from_service`, which accepts every field, or assign them as plain attributes.

Secrets (storage account keys, admin passwords, registry passwords, secret environment values,
app insights instrumentation keys) are fields declared with ``secret=True``: ``repr()`` / ``str()``
show ``'***'`` for them and :func:`strip_secrets` returns a copy with all of them set to None.

Construction follows 2.0.0: an *omitted* required keyword raises ``TypeError`` with Python's own
message, listing every missing keyword at once; a required field passed *explicitly as None* is
accepted (notebooks build templates such as ``EnvironmentVariable(name='EPOCHS', value=None)``
and fill the value per job).  ``validate()`` lists what is still None, and every operation that
sends a model refuses it before any side effect (msrest's ``ValidationError`` at request time, in
2.0.0).  An unknown keyword is ignored with an
:class:`~batchai_compat.exceptions.IgnoredParameterWarning` that names the class and suggests
the closest parameter ("did you mean 'node_count'?"); 2.0.0 logged a warning.

Where we differ from 2.0.0, on purpose:

* Values are checked when they are set (type, enum, nested model); 2.0.0 checked nothing until
  the request, and some bad values only at the service.
* Durations (``max_wall_clock_time``) are held as ``timedelta``: 2.0.0's default ``'7.00:00:00'``
  and ISO 8601 strings are parsed, and the default serializes (``'P7D'``) where 2.0.0's raised.
  Like datetimes, a ``timedelta`` has no ``__dict__``: ``json.dumps(default=lambda o:
  o.__dict__)`` cannot walk a model holding one, with either package.
* Unknown enum values raise ``ValidationError`` (msrest kept the string and logged a warning).
* ``from_dict()`` / ``deserialize()`` are lenient like msrest's: missing keys stay None and
  required fields are not enforced; values are still checked.
"""

from __future__ import annotations

import copy
import datetime as _dt
import enum
import functools
import re
import sys
import types
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeVar, Union, cast, get_args, get_origin

from ..exceptions import IgnoredParameterWarning, ValidationError, request_error

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - Python 3.10
    from typing_extensions import dataclass_transform

__all__ = [
    "BatchAIEnum",
    "Model",
    "field",
    "readonly",
    "strip_secrets",
    "clone",
    "rest_body",
    "parse_duration",
    "format_duration",
    "format_datetime",
]

_M = TypeVar("_M", bound="Model")
_V = TypeVar("_V")

_MISSING: Any = type("_MissingType", (), {"__repr__": lambda self: "<required>"})()
_REDACTED = "'***'"


# --------------------------------------------------------------------------------------------
# Enums
# --------------------------------------------------------------------------------------------


class _CaseInsensitiveEnumMeta(enum.EnumMeta):
    """``VmPriority['Dedicated']`` and ``VmPriority.DEDICATED`` find ``VmPriority.dedicated``."""

    def __getitem__(cls, name: str) -> Any:
        try:
            return super().__getitem__(name)
        except KeyError:
            return super().__getitem__(name.lower())

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return cls._member_map_[name.lower()]
        except KeyError:
            raise AttributeError(name) from None


class BatchAIEnum(str, enum.Enum, metaclass=_CaseInsensitiveEnumMeta):
    """Base of the 12 Batch AI enums: ``str`` enums with 2.0.0's lower-case member names.

    Values are looked up case-insensitively (``VmPriority('LowPriority')``), and ``str()`` /
    f-strings give the value, as formatting did on the Python versions 2.0.0 was written for.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            folded = value.lower()
            for member in cls:
                if member.value.lower() == folded or member.name == folded:
                    return member
        return None

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)


# --------------------------------------------------------------------------------------------
# Durations and datetimes, in msrest's wire formats
# --------------------------------------------------------------------------------------------

# Batch AI (.NET TimeSpan) spelling: [-][d.]hh:mm:ss[.fffffff], e.g. 2.0.0's default '7.00:00:00'.
_TIMESPAN = re.compile(
    r"^\s*(?P<sign>-)?(?:(?P<days>\d+)\.)?(?P<hours>\d{1,2}):(?P<minutes>\d{1,2})"
    r":(?P<seconds>\d{1,2})(?:\.(?P<fraction>\d{1,7}))?\s*$"
)


def parse_duration(value: str | _dt.timedelta) -> _dt.timedelta:
    """A ``timedelta`` from a Batch AI duration string (``'7.00:00:00'``) or ISO 8601 (``'P7D'``).

    Raises ``ValueError`` for anything else.
    """
    if isinstance(value, _dt.timedelta):
        return value
    match = _TIMESPAN.match(value)
    if match:
        fraction = (match["fraction"] or "").ljust(6, "0")[:6]
        delta = _dt.timedelta(
            days=int(match["days"] or 0),
            hours=int(match["hours"]),
            minutes=int(match["minutes"]),
            seconds=int(match["seconds"]),
            microseconds=int(fraction),
        )
        return -delta if match["sign"] else delta
    try:
        result: _dt.timedelta = _core_validate("timedelta", value.strip())
    except _Invalid as error:
        raise ValueError(f"not a duration: {value!r} ({error.rule})") from None
    return result


def format_duration(value: _dt.timedelta) -> str:
    """ISO 8601 duration as msrest wrote it (``P7D``, ``PT1H30M``, ``PT0.5S``; zero is ``P0D``)."""
    total = abs((value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds)
    seconds, micros = divmod(total, 1_000_000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days}D"] if days else []
    if hours or minutes or seconds or micros:
        parts.append("T")
        if hours:
            parts.append(f"{hours}H")
        if minutes:
            parts.append(f"{minutes}M")
        if seconds or micros:
            parts.append(f"{seconds}.{micros:06d}".rstrip("0") if micros else str(seconds))
            parts.append("S")
    text = "P" + ("".join(parts) or "0D")
    return "-" + text if value < _dt.timedelta(0) else text


def format_datetime(value: _dt.datetime) -> str:
    """ISO 8601 in UTC as msrest wrote it: ``2018-06-01T10:00:00.000Z`` (naive means UTC)."""
    utc = value.utctimetuple()
    fraction = str(value.microsecond).rjust(6, "0").rstrip("0").ljust(3, "0")
    return (
        f"{utc.tm_year:04}-{utc.tm_mon:02}-{utc.tm_mday:02}T"
        f"{utc.tm_hour:02}:{utc.tm_min:02}:{utc.tm_sec:02}.{fraction}Z"
    )


# --------------------------------------------------------------------------------------------
# Value checking: exact types pass as they are, pydantic-core coerces the rest
# --------------------------------------------------------------------------------------------


class _Invalid(Exception):
    """A value failed its field's check; ``path`` grows as the error bubbles up."""

    def __init__(self, rule: str, path: str = "") -> None:
        super().__init__(rule)
        self.rule = rule
        self.path = path


_CORE_VALIDATORS: dict[str, Any] = {}


def _core_validate(kind: str, value: Any) -> Any:
    """Coerce ``value`` with pydantic-core's lax-mode validator for ``kind``."""
    validator = _CORE_VALIDATORS.get(kind)
    if validator is None:
        from pydantic_core import SchemaValidator, core_schema

        schemas = {
            "str": core_schema.str_schema(),
            "int": core_schema.int_schema(),
            "float": core_schema.float_schema(),
            "datetime": core_schema.datetime_schema(),
            "timedelta": core_schema.timedelta_schema(),
        }
        validator = _CORE_VALIDATORS[kind] = SchemaValidator(schemas[kind])
    from pydantic_core import ValidationError as CoreValidationError

    try:
        return validator.validate_python(value)
    except CoreValidationError as error:
        raise _Invalid(f"{error.errors()[0]['msg']} (got {type(value).__name__})") from None


Check = Callable[[Any], Any]


def _scalar_check(kind: str, exact: type) -> Check:
    def check(value: Any) -> Any:
        if type(value) is exact:
            return value
        if isinstance(value, enum.Enum) and kind == "str" and isinstance(value, str):
            return value  # a str enum member in a plain string field: msrest sent its value
        return _core_validate(kind, value)

    return check


def _datetime_check(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value
    return _core_validate("datetime", value)


def _duration_check(value: Any) -> Any:
    if isinstance(value, _dt.timedelta):
        return value
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValueError:
            raise _Invalid(
                f"expected a timedelta or a duration such as '7.00:00:00' or 'P7D', got {value!r}"
            ) from None
    return _core_validate("timedelta", value)


def _enum_check(enum_cls: type[enum.Enum]) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, enum_cls):
            return value
        if isinstance(value, str):
            try:
                return enum_cls(value)
            except ValueError:
                pass
        allowed = ", ".join(repr(member.value) for member in enum_cls)
        raise _Invalid(f"must be one of {allowed} ({enum_cls.__name__}), got {value!r}")

    return check


def _model_check(model_cls: type[Model]) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, model_cls):
            return value
        if isinstance(value, Mapping):
            return model_cls._from_mapping(value, lenient=False)
        attribute_map = getattr(value, "_attribute_map", None)
        if isinstance(attribute_map, dict):
            return _convert_model(model_cls, value, attribute_map)
        raise _Invalid(
            f"expected {model_cls.__name__} (or a dict of its fields), got {type(value).__name__}"
        )

    return check


def _convert_model(model_cls: type[Model], value: Any, attribute_map: dict[str, Any]) -> Model:
    """Another model with the same wire shape: msrest accepted any object, and real code relies
    on it (the recipes' ``convert_job_to_jcp`` puts a Job's ``JobPropertiesConstraints`` into
    ``JobCreateParameters.constraints``; half-migrated scripts pass genuine 2.0.0 objects).

    Accepted when every field the object has set exists in ``model_cls`` under the same REST key.
    """
    fields = {name: getattr(value, name, None) for name in attribute_map}
    fields = {name: v for name, v in fields.items() if v is not None}
    foreign = [
        name
        for name in fields
        if name not in model_cls._fields
        or model_cls._fields[name].rest_key != attribute_map[name].get("key")
    ]
    if foreign:
        raise _Invalid(
            f"expected {model_cls.__name__}, got a {type(value).__name__} with fields "
            f"{model_cls.__name__} does not have: {', '.join(foreign)}"
        )
    return model_cls.from_service(**fields)


def _list_check(item: Check) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _Invalid(f"expected a list, got {type(value).__name__}")
        checked = []
        for index, element in enumerate(value):
            try:
                checked.append(item(element))
            except _Invalid as error:
                raise _Invalid(error.rule, f"[{index}]{error.path}") from None
            except ValidationError as error:  # a nested model built from a dict
                raise _nested(f"[{index}]", error) from None
        if isinstance(value, list) and all(a is b for a, b in zip(checked, value, strict=True)):
            return value  # keep the caller's list object, as 2.0.0 did
        return checked

    return check


def _dict_check(item: Check) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _Invalid(f"expected a dict, got {type(value).__name__}")
        checked = {}
        for key, element in value.items():
            if not isinstance(key, str):
                raise _Invalid(f"keys must be strings, got {type(key).__name__}")
            try:
                checked[key] = item(element)
            except _Invalid as error:
                raise _Invalid(error.rule, f"[{key!r}]{error.path}") from None
            except ValidationError as error:  # a nested model built from a dict
                raise _nested(f"[{key!r}]", error) from None
        if isinstance(value, dict) and all(checked[k] is value[k] for k in value):
            return value
        return checked

    return check


def _any_check(value: Any) -> Any:
    return value


_SCALARS: dict[Any, tuple[str, Check]] = {
    str: ("str", _scalar_check("str", str)),
    int: ("int", _scalar_check("int", int)),
    float: ("float", _scalar_check("float", float)),
    _dt.datetime: ("iso-8601", _datetime_check),
    _dt.timedelta: ("duration", _duration_check),
}
_UNTYPED = ("object", _any_check)


def _holds_immutable(annotation: Any) -> bool:
    """Whether every value a field of this annotation can hold (after its check) is immutable:
    scalars, times and enums are; models, lists, dicts and untyped values may not be."""
    if get_origin(annotation) in (Union, types.UnionType):
        return all(_holds_immutable(arg) for arg in get_args(annotation) if arg is not type(None))
    return annotation in _SCALARS or (
        isinstance(annotation, type) and issubclass(annotation, enum.Enum)
    )


def _compile(annotation: Any) -> tuple[str, Check, bool]:
    """(msrest type name, check, nullable) for a field annotation."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union annotation {annotation!r}")
        wire, check, _ = _compile(args[0])
        return wire, check, True
    if annotation is Any or annotation is object:
        return (*_UNTYPED, True)
    if annotation in _SCALARS:
        wire, check = _SCALARS[annotation]
        return wire, check, False
    if origin is list:
        (item,) = get_args(annotation)
        wire, check, _ = _compile(item)
        return f"[{wire}]", _list_check(check), False
    if origin is dict:
        key, value = get_args(annotation)
        if key is not str:
            raise TypeError(f"unsupported dict annotation {annotation!r}")
        wire, check, _ = _compile(value)
        return f"{{{wire}}}", _dict_check(check), False
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation.__name__, _enum_check(annotation), False
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return annotation.__name__, _model_check(annotation), False
    raise TypeError(f"unsupported field annotation {annotation!r}")


# --------------------------------------------------------------------------------------------
# Field declarations
# --------------------------------------------------------------------------------------------


class Field:
    """One model field: its REST key, default, flags, and (once bound) its type and check."""

    __slots__ = (
        "rest_key",
        "default",
        "required",
        "readonly",
        "secret",
        "wire",
        "name",
        "check",
        "nullable",
        "immutable",
    )

    def __init__(
        self,
        rest_key: str,
        default: Any,
        required: bool,
        readonly: bool,
        secret: bool,
        wire: str | None,
    ) -> None:
        self.rest_key = rest_key
        self.default = default
        self.required = required
        self.readonly = readonly
        self.secret = secret
        self.wire = wire
        self.name = ""
        self.check: Check = _any_check
        self.nullable = True
        self.immutable = False

    def bind(self, owner: str, name: str, annotation: Any) -> None:
        self.name = name
        wire, self.check, self.nullable = _compile(annotation)
        self.immutable = _holds_immutable(annotation)
        if self.wire is None:
            self.wire = wire
        if self.nullable == self.required:
            # keeps the annotations honest for type checkers: `X | None` exactly when optional
            raise TypeError(
                f"{owner}.{name}: annotate required fields as `X` and the others as `X | None`"
            )

    @property
    def in_constructor(self) -> bool:
        return not self.readonly

    @property
    def constructor_required(self) -> bool:
        return not self.readonly and self.default is _MISSING

    def __repr__(self) -> str:
        return f"Field({self.name!r}, key={self.rest_key!r}, type={self.wire!r})"


def field(
    rest_key: str,
    *,
    default: Any = _MISSING,
    required: bool = False,
    secret: bool = False,
    wire: str | None = None,
) -> Any:
    """Declare a field the caller sets.

    ``rest_key`` is the REST API key (``'properties.vmSize'``).  Without ``default`` the field is
    a required constructor argument; ``required=True`` with a default marks a field 2.0.0 listed
    as required but gave a default (``ManualScaleSettings.target_node_count``).  ``secret=True``
    redacts it from reprs and :func:`strip_secrets` clears it.
    """
    return Field(rest_key, default, required or default is _MISSING, False, secret, wire)


def readonly(rest_key: str, *, wire: str | None = None, init: Literal[False] = False) -> Any:
    """Declare a read-only field: set by the service (backend), never sent, None by default."""
    return Field(rest_key, None, False, True, False, wire)


# --------------------------------------------------------------------------------------------
# The base class
# --------------------------------------------------------------------------------------------

_WARNED: set[tuple[type, str]] = set()


def _warn_ignored(cls: type[Model], key: str) -> None:
    """Warn, once per class and keyword, that a keyword argument is ignored (2.0.0 logged it)."""
    if (cls, key) in _WARNED:
        return
    _WARNED.add((cls, key))
    field_ = cls._fields.get(key)
    if field_ is not None:
        why = "read-only: set by the service"
    else:
        import difflib

        names = [name for name, f in cls._fields.items() if f.in_constructor]
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        if not close:  # 'nodecount' for 'node_count': compare without the underscores too
            folded = {name.replace("_", "").lower(): name for name in names}
            close = [folded[k] for k in difflib.get_close_matches(key.lower(), folded, n=1)]
        why = f"not a parameter; did you mean {close[0]!r}?" if close else "not a parameter"
    warnings.warn(
        f"{cls.__name__}() ignores the keyword argument {key!r} ({why}), as azure-mgmt-batchai "
        "2.0.0 did",
        IgnoredParameterWarning,
        stacklevel=3,  # the caller of the model's constructor
    )


def _missing_keywords_message(cls: type[Model], missing: list[str]) -> str:
    """Python's own message for omitted keyword-only arguments, for all of them at once."""
    quoted = [repr(name) for name in missing]
    if len(quoted) == 1:
        listed = quoted[0]
    elif len(quoted) == 2:
        listed = f"{quoted[0]} and {quoted[1]}"
    else:
        listed = ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
    plural = "s" if len(missing) > 1 else ""
    return (
        f"{cls.__name__}.__init__() missing {len(missing)} required keyword-only "
        f"argument{plural}: {listed}"
    )


class _SignedInit:
    """``Model.__init__`` as seen on each class, with that class's 2.0.0 signature.

    ``inspect.signature(ClusterCreateParameters.__init__)`` shows the keyword-only parameters;
    the signature is built on first inspection so that defining a class stays cheap.
    """

    __slots__ = ("owner", "function")

    def __init__(self) -> None:
        self.owner: type[Model] | None = None
        self.function: Callable[..., None] | None = None

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is not None:
            return types.MethodType(Model._construct, instance)
        if self.function is None:
            self.function = _signed_function(self.owner or Model)
        return self.function


def _signed_function(cls: type[Model]) -> Callable[..., None]:
    import inspect

    def __init__(self: Model, **kwargs: Any) -> None:
        Model._construct(self, **kwargs)

    kw = inspect.Parameter.KEYWORD_ONLY
    fields = [f for f in cls._fields.values() if f.in_constructor]
    required = [inspect.Parameter(f.name, kw) for f in fields if f.constructor_required]
    optional = [
        inspect.Parameter(f.name, kw, default=f.default)
        for f in fields
        if not f.constructor_required
    ]
    __init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            *required,
            *optional,
            inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD),
        ]
    )
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__module__ = cls.__module__
    __init__.__doc__ = f"Build a {cls.__name__}: keyword arguments only, unknown ones are ignored."
    return __init__


@dataclass_transform(kw_only_default=True, field_specifiers=(field, readonly))
class Model:
    """Base of every Batch AI model (msrest ``Model`` in 2.0.0).

    Instances hold their fields as plain attributes (``vars(model)`` is exactly the fields),
    compare equal by value, deep-copy and pickle.  Setting a field checks and coerces the value.
    """

    _fields: ClassVar[dict[str, Field]] = {}
    _mutable_fields: ClassVar[tuple[str, ...]] = ()
    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {}
    _validation: ClassVar[dict[str, dict[str, bool]]] = {}
    __hash__ = None  # type: ignore[assignment]  # mutable, like msrest models

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = dict(cls._fields)
        namespace = cls.__dict__
        for name, annotation in namespace.get("__annotations__", {}).items():
            declared = namespace.get(name)
            if not isinstance(declared, Field):
                continue
            if isinstance(annotation, str):  # a module with `from __future__ import annotations`
                annotation = eval(annotation, vars(sys.modules[cls.__module__]))
            declared.bind(cls.__name__, name, annotation)
            fields[name] = declared
            delattr(cls, name)  # instances keep the values in their __dict__
        cls._fields = fields
        cls._mutable_fields = tuple(f.name for f in fields.values() if not f.immutable)
        cls._attribute_map = {
            f.name: {"key": f.rest_key, "type": f.wire or ""} for f in fields.values()
        }
        validation: dict[str, dict[str, bool]] = {}
        for f in fields.values():
            if f.required:
                validation[f.name] = {"required": True}
            elif f.readonly:
                validation[f.name] = {"readonly": True}
        cls._validation = validation
        init = _SignedInit()
        init.owner = cls
        cls.__init__ = init  # type: ignore[assignment,method-assign]

    # construction ---------------------------------------------------------------------------

    def _construct(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if args:
            raise TypeError(
                f"{cls.__name__}() takes keyword arguments only ({len(args)} positional given)"
            )
        values: dict[str, Any] = {}
        missing: list[str] = []
        for name, f in cls._fields.items():
            if f.readonly:
                values[name] = None
                continue
            value = kwargs.pop(name, f.default)
            if value is _MISSING:
                missing.append(name)
            elif value is not None:  # None is accepted, required or not, as 2.0.0 did
                values[name] = _checked(cls, f, value)
                continue
            values[name] = None
        if missing:
            raise TypeError(_missing_keywords_message(cls, missing))
        for key in kwargs:
            _warn_ignored(cls, key)
        self.__dict__.update(values)

    def __init__(self, **kwargs: Any) -> None:  # each subclass gets a _SignedInit
        Model._construct(self, **kwargs)

    @classmethod
    def from_service(cls: type[_M], **fields: Any) -> _M:
        """Build the model as the service (a backend) returns it: read-only fields included.

        Values are checked like the constructor's, but required fields may be missing (a GET
        response does not echo secrets, for instance).  Unknown names raise ValidationError.
        """
        self = cls.__new__(cls)
        values: dict[str, Any] = {}
        for name, f in cls._fields.items():
            if name in fields:
                value = fields.pop(name)
                values[name] = None if value is None else _checked(cls, f, value)
            else:
                values[name] = None if f.default is _MISSING else f.default
        if fields:
            raise ValidationError(
                next(iter(fields)),
                f"{cls.__name__} has no such field (fields: {', '.join(cls._fields)})",
            )
        self.__dict__.update(values)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        f = type(self)._fields.get(name)
        if f is not None and value is not None:
            value = _checked(type(self), f, value)
        self.__dict__[name] = value

    # value semantics ------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __repr__(self) -> str:
        parts = []
        for name, f in type(self)._fields.items():
            value = self.__dict__.get(name)
            if value is None:
                continue
            parts.append(f"{name}={_REDACTED if f.secret else repr(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"

    __str__ = __repr__

    # msrest surface -------------------------------------------------------------------------

    def validate(self) -> list[ValidationError]:
        """Every required field that is None, recursively (empty when valid), like msrest.

        Each problem is a :class:`~batchai_compat.exceptions.RequestValidationError` (also
        msrest's ``ValidationError``) whose ``parameter`` is the path from this model
        (``environment_variables[0].value``) and ``target`` msrest's ``EnvironmentVariable.value``.
        """
        return list(_missing_required(self, ""))

    def serialize(self, keep_readonly: bool = False, **kwargs: Any) -> dict[str, Any]:
        """The REST body: camelCase keys, ARM ``properties`` nesting, msrest value formats.

        As in 2.0.0, required fields still None are left out, not refused: requests validate.
        """
        return _to_dict(self, keep_readonly, _rest_keys)

    def as_dict(
        self,
        keep_readonly: bool = True,
        key_transformer: Callable[[str, dict[str, Any], Any], Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """A dict with Python attribute names (or msrest ``key_transformer`` keys)."""
        if key_transformer is None:
            return _to_dict(self, keep_readonly, _attribute_keys)
        return _to_dict(self, keep_readonly, _msrest_transformer(key_transformer))

    @classmethod
    def from_dict(
        cls: type[_M],
        data: Mapping[str, Any],
        key_extractors: Any = None,
        content_type: str | None = None,
    ) -> _M:
        """Build from ``as_dict()`` or ``serialize()`` output (keys matched case-insensitively)."""
        return cls._from_mapping(data, lenient=True)

    @classmethod
    def deserialize(cls: type[_M], data: Any, content_type: str | None = None) -> _M:
        """Build from a REST body (a dict or JSON text); ``as_dict()`` shapes work too."""
        if isinstance(data, (str, bytes)):
            import json

            data = json.loads(data)
        return cls._from_mapping(data, lenient=True)

    @classmethod
    def _from_mapping(cls: type[_M], data: Mapping[str, Any], *, lenient: bool) -> _M:
        if not isinstance(data, Mapping):
            raise ValidationError(cls.__name__, f"expected a dict, got {type(data).__name__}")
        self = cls.__new__(cls)
        values: dict[str, Any] = {}
        for name, f in cls._fields.items():
            value = _extract(data, f)
            if value is _MISSING:
                value = None if (f.readonly or lenient or f.default is _MISSING) else f.default
                if not lenient and f.constructor_required:
                    raise ValidationError(name, f"{cls.__name__} requires this field")
            values[name] = None if value is None else _checked(cls, f, value)
        self.__dict__.update(values)
        return self

    @classmethod
    def is_xml_model(cls) -> bool:
        return False

    def __deepcopy__(self: _M, memo: dict[int, Any]) -> _M:
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        clone.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return clone


def _checked(cls: type[Model], f: Field, value: Any) -> Any:
    try:
        return f.check(value)
    except _Invalid as error:
        raise ValidationError(
            f"{f.name}{error.path}", f"{error.rule} (in {cls.__name__})"
        ) from None
    except ValidationError as error:  # a nested model built from a dict
        raise _nested(f.name, error) from None


def _nested(prefix: str, error: ValidationError) -> ValidationError:
    """``error`` of a nested value, its parameter path under ``prefix`` (``a.b``, ``a[0].b``)."""
    separator = "" if error.parameter.startswith("[") else "."
    return ValidationError(f"{prefix}{separator}{error.parameter}", error.rule)


def _missing_required(model: Model, prefix: str) -> Iterator[ValidationError]:
    for name, f in type(model)._fields.items():
        value = model.__dict__.get(name)
        path = f"{prefix}{name}"
        if value is None:
            if f.required:
                target = f"{type(model).__name__}.{name}"
                yield request_error(path, f"can not be None ({target} is required)", target)
            continue
        if isinstance(value, Model):
            yield from _missing_required(value, path + ".")
        elif isinstance(value, list):
            for index, element in enumerate(value):
                if isinstance(element, Model):
                    yield from _missing_required(element, f"{path}[{index}].")


# --------------------------------------------------------------------------------------------
# Serialization
# --------------------------------------------------------------------------------------------

KeyFn = Callable[[Field, Any], tuple[Sequence[str], Any]]


def _rest_keys(f: Field, value: Any) -> tuple[Sequence[str], Any]:
    return _split_key(f.rest_key), value


def _attribute_keys(f: Field, value: Any) -> tuple[Sequence[str], Any]:
    return (f.name,), value


@functools.cache
def _split_key(key: str) -> tuple[str, ...]:
    # msrest splits on unescaped dots ('properties.vmSize'); '\\.' is a literal dot
    return tuple(part.replace("\\.", ".") for part in re.split(r"(?<!\\)\.", key))


def _msrest_transformer(transformer: Callable[[str, dict[str, Any], Any], Any]) -> KeyFn:
    def keys(f: Field, value: Any) -> tuple[Sequence[str], Any]:
        key, new_value = transformer(f.name, {"key": f.rest_key, "type": f.wire or ""}, value)
        return (key if isinstance(key, list) else [key]), new_value

    return keys


def _to_dict(model: Model, keep_readonly: bool, keys: KeyFn) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, f in type(model)._fields.items():
        if f.readonly and not keep_readonly:
            continue
        value = model.__dict__.get(name)
        if value is None:
            continue
        path, value = keys(f, _wire_value(value, f.wire or "", keep_readonly, keys))
        if value is None:
            continue
        target = result
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target.setdefault(path[-1], value)  # msrest: the first field written under a key wins
    return result


def _wire_value(value: Any, wire: str, keep_readonly: bool, keys: KeyFn) -> Any:
    if isinstance(value, Model):
        return _to_dict(value, keep_readonly, keys)
    if wire.startswith("[") and isinstance(value, list):
        return [_wire_value(v, wire[1:-1], keep_readonly, keys) for v in value]
    if wire.startswith("{") and isinstance(value, dict):
        return {k: _wire_value(v, wire[1:-1], keep_readonly, keys) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    if wire == "object":
        return _object_value(value, keep_readonly, keys)
    if wire == "duration":
        return format_duration(parse_duration(value))
    if wire == "iso-8601" and isinstance(value, _dt.datetime):
        return format_datetime(value)
    if wire in ("int", "long") and not isinstance(value, bool):
        return int(value)
    if wire == "float":
        return float(value)
    return value


def _object_value(value: Any, keep_readonly: bool, keys: KeyFn) -> Any:
    """An untyped ('object') value: containers walked, models and times in their wire form."""
    if isinstance(value, Model):
        return _to_dict(value, keep_readonly, keys)
    if isinstance(value, dict):
        return {str(k): _object_value(v, keep_readonly, keys) for k, v in value.items()}
    if isinstance(value, list):
        return [_object_value(v, keep_readonly, keys) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, _dt.datetime):
        return format_datetime(value)
    if isinstance(value, _dt.timedelta):
        return format_duration(value)
    return value


def _extract(data: Mapping[str, Any], f: Field) -> Any:
    """The field's value in ``data``: REST path, then attribute name, then last REST segment.

    Keys match case-insensitively, as msrest's ``from_dict`` extractors did.
    """
    path = _split_key(f.rest_key)
    node: Any = data
    for part in path:
        node = _get_ci(node, part) if isinstance(node, Mapping) else _MISSING
        if node is _MISSING:
            break
    if node is not _MISSING:
        return node
    for key in (f.name, path[-1]):
        value = _get_ci(data, key)
        if value is not _MISSING:
            return value
    return _MISSING


def _get_ci(data: Mapping[str, Any], key: str) -> Any:
    if key in data:
        return data[key]
    folded = key.lower()
    for candidate, value in data.items():
        if isinstance(candidate, str) and candidate.lower() == folded:
            return value
    return _MISSING


# --------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------


def rest_body(model: Model) -> dict[str, Any]:
    """``model.serialize()`` without its validation pass, for a model validated already (the
    operations layer validates every request before a backend sees it)."""
    return _to_dict(model, False, _rest_keys)


def clone(value: _V) -> _V:
    """A deep copy of a model tree: models, lists and dicts are copied, immutable values shared.

    What ``copy.deepcopy`` gives for such trees, several times faster (the operations layer
    copies every request model, the local backend every model it hands out): a model's fields
    are exactly its ``vars()``.  Objects shared between two places of the tree become two
    copies; values of other mutable types go through ``copy.deepcopy``.
    """
    return cast(_V, _clone(value))


def _clone(value: Any) -> Any:
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    copier = _MODEL_COPIERS.get(kind)
    if copier is not None:
        return copier(value)
    if isinstance(value, Model):
        return _model_copier(kind)(value)
    if kind is list:
        return [item if type(item) in _IMMUTABLE else _clone(item) for item in value]
    if kind is dict:
        return {
            key: item if type(item) in _IMMUTABLE else _clone(item) for key, item in value.items()
        }
    if isinstance(value, (enum.Enum, _dt.datetime, _dt.timedelta)):
        return value
    return copy.deepcopy(value)


#: Model class -> its copier (built on first copy by :func:`_model_copier`).
_MODEL_COPIERS: dict[type, Callable[[Any], Any]] = {}


def _model_copier(kind: type[Model]) -> Callable[[Any], Any]:
    """The function copying models of ``kind``: their attribute dict, with a copy of each field
    that can hold a mutable value (setting a field checks its value, so the others hold
    scalars, times or enums).  Written out field by field once per class, as ``dataclasses``
    writes ``__init__``: the job reads of the local backend copy a model tree each.  A model
    whose attributes are not exactly its fields has whatever is mutable copied instead."""
    lines = [
        "def copy_model(value):",
        "    fields = value.__dict__.copy()",
        f"    if len(fields) != {len(kind._fields)}:",
        "        return _copy_attributes(value, fields)",
    ]
    for name in kind._mutable_fields:
        lines += [
            f"    item = fields.get({name!r})",
            f"    if item is not None: fields[{name!r}] = _clone(item)",
        ]
    lines += [
        "    copied = _new(kind)",
        "    _set(copied, '__dict__', fields)",
        "    return copied",
    ]
    namespace: dict[str, Any] = {
        "kind": kind,
        "_clone": _clone,
        "_copy_attributes": _copy_attributes,
        "_new": object.__new__,
        "_set": object.__setattr__,
    }
    exec("\n".join(lines), namespace)  # noqa: S102 - code built from the class's field names
    copier: Callable[[Any], Any] = namespace["copy_model"]
    _MODEL_COPIERS[kind] = copier
    return copier


def _copy_attributes(value: Any, fields: dict[str, Any]) -> Any:
    for name, item in fields.items():
        if type(item) not in _IMMUTABLE:
            fields[name] = _clone(item)
    copied = object.__new__(type(value))
    object.__setattr__(copied, "__dict__", fields)
    return copied


_IMMUTABLE = frozenset({type(None), str, int, float, bool, bytes})


def strip_secrets(model: _M) -> _M:
    """A deep copy of ``model`` with every secret value set to None (containers are kept).

    This is what backends persist and what GET returns: e.g. ``AzureStorageCredentialsInfo``
    stays, with ``account_key=None``.
    """
    copied = clone(model)
    _clear_secrets(copied)
    return copied


def _clear_secrets(value: Any) -> None:
    if isinstance(value, Model):
        for name, f in type(value)._fields.items():
            if f.secret:
                value.__dict__[name] = None
            else:
                _clear_secrets(value.__dict__.get(name))
    elif isinstance(value, list):
        for element in value:
            _clear_secrets(element)
    elif isinstance(value, dict):
        for element in value.values():
            _clear_secrets(element)
