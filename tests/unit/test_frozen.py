"""``evolve`` gives what ``dataclasses.replace`` gives, for every record kawa evolves."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from datetime import UTC, datetime

import pytest

import kawa
from kawa.spec.frozen import evolve
from kawa.spec.status import NodePhase, NodeStatus, NodeType, Outputs, Parameter

#: the packages whose records are copied with ``evolve``
EVOLVED = ("kawa.spec", "kawa.engine", "kawa.controller", "kawa.executors.local")
#: records that keep state of their own and are never copied
NOT_EVOLVED = {"kawa.executors.local._forkserver"}


def _records() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(kawa.__path__, "kawa."):
        name = info.name
        if not name.startswith(EVOLVED) or name.startswith(tuple(NOT_EVOLVED)):
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
