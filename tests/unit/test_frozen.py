"""``frozen`` makes what ``@dataclass(frozen=True)`` makes, for a third of the start-up;
``evolve`` gives what ``dataclasses.replace`` gives, for every record kawa evolves."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from datetime import UTC, datetime

import pytest

import kawa
from kawa.spec.frozen import evolve, frozen
from kawa.spec.status import NodePhase, NodeStatus, NodeType, Outputs, Parameter

#: the packages whose records are copied with ``evolve``
EVOLVED = ("kawa.spec", "kawa.engine", "kawa.controller", "kawa.executors.local")
#: records that keep state of their own and are never copied
NOT_EVOLVED = {"kawa.executors.local._forkserver"}


def _records(packages: tuple[str, ...] = EVOLVED) -> list[type]:
    found = []
    for info in pkgutil.walk_packages(kawa.__path__, "kawa."):
        name = info.name
        if not name.startswith(packages) or name.startswith(tuple(NOT_EVOLVED)):
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == name
            ):
                found.append(value)
    return found


RECORDS = _records()


def test_the_walk_finds_the_records_the_engine_copies() -> None:
    names = {cls.__name__ for cls in RECORDS}
    assert {"NodeStatus", "WorkflowStatus", "Workflow", "StartStep", "Container"} <= names


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_record_is_built_by_its_fields_alone(cls: type) -> None:
    """What ``evolve`` skips (``__init__``) must do nothing but set the fields."""
    assert not hasattr(cls, "__post_init__"), "evolve would skip __post_init__"
    assert "__slots__" not in vars(cls), "evolve copies the instance __dict__"
    for f in dataclasses.fields(cls):
        assert f.init, f"{f.name}: evolve would copy an init=False field"
    every = vars(cls)["__dataclass_fields__"].values()  # InitVars too, unlike fields()
    assert not any("InitVar" in str(f.type) for f in every), "evolve would skip an InitVar"


def _node() -> NodeStatus:
    return NodeStatus(
        id="wf-1",
        name="wf.a",
        display_name="a",
        type=NodeType.POD,
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        outputs=Outputs(parameters=(Parameter(name="p", value="1"),)),
        children=("wf-2",),
        private={"key": "k"},
    )


def test_evolve_equals_replace_and_leaves_the_original_alone() -> None:
    node = _node()
    changes = {"phase": NodePhase.SUCCEEDED, "message": "done", "children": ("wf-2", "wf-3")}
    evolved = evolve(node, **changes)
    assert evolved == dataclasses.replace(node, **changes)  # type: ignore[arg-type]
    assert type(evolved) is NodeStatus
    assert node.phase == NodePhase.PENDING and node.children == ("wf-2",)
    assert evolved.outputs is node.outputs  # unchanged fields are shared, as with replace


def test_an_evolved_record_stays_frozen() -> None:
    evolved = evolve(_node(), message="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        evolved.message = "y"  # type: ignore[misc]


def test_an_unknown_field_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="NodeStatus has no field colour, size"):
        evolve(_node(), colour="red", size=3)


# -- frozen ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls", _records(("kawa",)), ids=lambda cls: f"{cls.__module__}.{cls.__name__}"
)
def test_every_frozen_record_is_made_by_frozen(cls: type) -> None:
    """``@dataclass(frozen=True)`` compiles six methods per class: ~0.3 ms more start-up."""
    assert not vars(cls)["__dataclass_params__"].frozen, "use kawa.spec.frozen.frozen"


@frozen
class _Made:
    name: str
    size: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class _Twin:
    name: str
    size: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)


def test_frozen_makes_what_a_frozen_dataclass_makes() -> None:
    made, twin = _Made("a", 2), _Twin("a", 2)
    assert repr(made).replace("_Made", "_Twin") == repr(twin)
    assert made == _Made("a", 2) and made != _Made("a", 3) and made != twin  # type: ignore[comparison-overlap]
    assert hash(_Made("a", 2, ("x",))) == hash(_Made("a", 2, ("x",)))  # type: ignore[arg-type]
    assert _Made("a").tags == [] and _Made("a").tags is not _Made("a").tags
    assert [f.name for f in dataclasses.fields(made)] == ["name", "size", "tags"]
    assert _Made.__match_args__ == _Twin.__match_args__
    assert dataclasses.replace(made, size=5) == _Made("a", 5)
    assert dataclasses.asdict(made) == dataclasses.asdict(twin)
    assert _Made(name="b", tags=["t"]) == _Made("b", 0, ["t"])
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'size'"):
        made.size = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'name'"):
        del made.name
    with pytest.raises(TypeError):
        _Made()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Made("a", 1, [], "extra")  # type: ignore[call-arg]


def test_frozen_keeps_a_method_the_class_defines_and_refuses_a_setattr() -> None:
    @frozen
    class Shown:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

    assert repr(Shown("x")) == "<x>"
    with pytest.raises(TypeError, match="cannot define __setattr__"):

        @frozen
        class Open:
            name: str

            def __setattr__(self, name: str, value: object) -> None:
                object.__setattr__(self, name, value)


def test_frozen_refuses_a_field_without_default_after_one_with_it() -> None:
    with pytest.raises(TypeError, match="field 'b' without a default follows 'a'"):

        @frozen
        class Bad:
            a: int = 0
            b: int  # type: ignore[misc]


def test_an_undocumented_record_is_documented_without_inspect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # dataclass documents such a class from inspect.signature, which tokenizes object's
    # text signature (~0.2 ms a class, some 10 ms of every `kawa run`); frozen writes its own
    def signature(*args: object, **kwargs: object) -> object:
        raise AssertionError("inspect.signature was called")

    monkeypatch.setattr(dataclasses.inspect, "signature", signature)  # type: ignore[attr-defined]

    @frozen
    class Plain:
        name: str
        size: int = 0

    @frozen
    class Documented:
        """Told by its author."""

        name: str

    assert Plain.__doc__ == "Plain(name, size)"
    assert Documented.__doc__ == "Told by its author."
