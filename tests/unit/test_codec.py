"""Events survive the trip through the store's JSON records unchanged."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from kawa.controller import codec
from kawa.spec.actions import StepOutcome
from kawa.spec.events import (
    CacheLooked,
    Event,
    LockGranted,
    NodeSelector,
    ResumeRequested,
    StepEnded,
    StepProgress,
    StepStarted,
    StopRequested,
    SuspendRequested,
)

AT = datetime(2026, 11, 22, 10, 0, 1, 250000, tzinfo=UTC)
SELECTOR = NodeSelector(terms=(("displayName", "a", False), ("phase", "Failed", True)))
OUTCOME = StepOutcome(
    node_id="wf-1",
    exit_code=3,
    result="out",
    parameters={"p": "1"},
    message="m",
    containers={"main": 3},
    artifacts={"a": {"key": "k", "digest": "d", "size": 1}},
    loaded={"in": "d"},
)
EVENTS: list[Event] = [
    StepStarted("wf-1", AT, pid=4242),
    StepEnded("wf-1", AT, OUTCOME, started_at=AT),
    StepProgress("wf-1", AT, "1/2"),
    ResumeRequested(AT, selector=SELECTOR),
    SuspendRequested(AT),
    StopRequested(AT, terminate=True, message="bye", selector=SELECTOR),
    LockGranted("wf-1", AT),
    CacheLooked("wf-1", AT, entry={"outputs": {"parameters": [{"name": "p", "value": "1"}]}}),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_an_event_reads_back_equal_from_its_record(event: Event) -> None:
    record = codec.event_record(event)
    assert codec.event_from_json(json.loads(record.data)) == event


@pytest.mark.parametrize("event", EVENTS[:2], ids=lambda e: type(e).__name__)
def test_the_hand_copied_events_carry_every_field(event: Event) -> None:
    """StepStarted and StepEnded are copied field by field: a new field must be added."""
    data = codec.event_to_json(event)
    assert set(data) - {"type"} == {f.name for f in dataclasses.fields(event)}
