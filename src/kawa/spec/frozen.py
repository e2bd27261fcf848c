"""kawa's frozen records: ``frozen`` makes them, ``evolve`` copies them with changes.

``frozen`` makes the class ``@dataclass(frozen=True)`` makes — the same fields,
``__init__``, equality, hash, ``repr``, ``match`` and read-only attributes, and
``dataclasses.fields``/``replace``/``asdict`` work on it — for a third of the cost.
``dataclass`` compiles six methods per class from generated source (~450 µs a class on
this machine); ``kawa run`` defines some 50 records before its first step, so that was
~25 ms of every start-up.  ``frozen`` compiles only ``__init__`` and shares the other
methods, which read a class's fields through one ``operator.attrgetter`` (~140 µs a
class).

``evolve``: ``dataclasses.replace`` builds the copy by calling ``__init__`` with every
field (~13 µs for a ``NodeStatus``, 22 fields); the engine copies a node or the workflow
whenever it changes, thousands of times per run.  ``evolve`` copies the instance's
``__dict__`` and applies the changes (~1 µs).  It gives what ``replace`` gives for a
record with no ``__post_init__``, no ``InitVar``, no ``init=False`` field and no
``__slots__``, which is how every record in ``kawa.spec`` and ``kawa.engine`` is
written (``tests/unit/test_frozen.py`` keeps it so).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, dataclass_transform

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")
C = TypeVar("C", bound=type)

#: the default of a field with a ``default_factory``, in a compiled ``__init__``
_FACTORY = object()


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def frozen(cls: C) -> C:
    """``@dataclass(frozen=True)``, made with one compiled method instead of six."""
    own = vars(cls)
    for name in ("__setattr__", "__delattr__"):
        if name in own:
            raise TypeError(f"{cls.__qualname__}: a frozen record cannot define {name}")
    documented = bool(own.get("__doc__"))
    if not documented:
        # dataclass would write one from inspect.signature, which parses object's text
        # signature with tokenize (~0.2 ms a class); ours is written below
        cls.__doc__ = cls.__name__
    dataclasses.dataclass(init=False, repr=False, eq=False)(cls)  # fields, match_args
    names = tuple(f.name for f in dataclasses.fields(cls))
    values = _getter(names)
    methods: dict[str, Any] = {
        "__init__": _compile_init(cls),
        "__repr__": _repr(names),
        "__eq__": _eq(values),
        "__hash__": lambda self: hash(values(self)),
    }
    for name, method in methods.items():
        if name not in own:  # as dataclass does, a method of the class's own stays
            method.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, method)
    for name, method in _READ_ONLY.items():
        setattr(cls, name, method)
    if not documented:
        cls.__doc__ = f"{cls.__name__}({', '.join(names)})"
    return cls


def _getter(names: tuple[str, ...]) -> Callable[[Any], Any]:
    if not names:
        return lambda self: ()
    return operator.attrgetter(*names)


def _compile_init(cls: type) -> Callable[..., None]:
    """``__init__(self, <fields>)`` storing each into the instance's ``__dict__``."""
    scope: dict[str, Any] = {"_FACTORY": _FACTORY}
    params, body = [], []
    seen_default = ""
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            scope[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
            body.append(f"    d[{f.name!r}] = {f.name}")
            seen_default = f.name
        elif f.default_factory is not dataclasses.MISSING:
            scope[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
            body.append(
                f"    d[{f.name!r}] = _factory_{f.name}() if {f.name} is _FACTORY else {f.name}"
            )
            seen_default = f.name
        elif seen_default:
            raise TypeError(
                f"{cls.__qualname__}: field {f.name!r} without a default follows "
                f"{seen_default!r}, which has one"
            )
        else:
            params.append(f.name)
            body.append(f"    d[{f.name!r}] = {f.name}")
    source = f"def __init__(self, {', '.join(params)}):\n    d = self.__dict__\n"
    source += "\n".join(body) + "\n"
    exec(source, scope)  # our own text, built from the class's field names
    init: Callable[..., None] = scope["__init__"]
    return init


def _repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq(values: Callable[[Any], Any]) -> Callable[[Any, object], Any]:
    def __eq__(self: Any, other: object) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _refuse_assignment(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_deletion(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


_READ_ONLY = {"__setattr__": _refuse_assignment, "__delattr__": _refuse_deletion}


def evolve(record: T, **changes: Any) -> T:
    """A copy of the dataclass instance ``record`` with ``changes`` applied."""
    unknown = changes.keys() - record.__dataclass_fields__.keys()
    if unknown:
        name = type(record).__name__
        raise TypeError(f"{name} has no field {', '.join(sorted(unknown))}")
    copy = object.__new__(type(record))
    state = copy.__dict__
    state.update(record.__dict__)
    state.update(changes)
    return copy
