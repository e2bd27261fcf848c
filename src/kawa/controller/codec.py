"""Workflows, events and actions to and from the store's JSON records."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from kawa.spec.actions import StartStep, StepOutcome
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
from kawa.spec.status import NodeStatus, WorkflowStatus, parse_time
from kawa.spec.workflow import Workflow
from kawa.store.records import HistoryRecord, WorkflowRecord

_EVENTS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        StepStarted,
        StepEnded,
        StepProgress,
        ResumeRequested,
        SuspendRequested,
        StopRequested,
        LockGranted,
        CacheLooked,
    )
}


def dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


#: one encoder for every record (``json.dumps`` with options builds one per call)
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_default)


def event_to_json(event: Event) -> dict[str, Any]:
    # the two events of every step are copied by hand: ``asdict`` deep-copies each value
    if isinstance(event, StepEnded):
        data: dict[str, Any] = {
            "node_id": event.node_id,
            "at": event.at,
            "outcome": dict(vars(event.outcome)),
            "started_at": event.started_at,
        }
    elif isinstance(event, StepStarted):
        data = {"node_id": event.node_id, "at": event.at, "pid": event.pid}
    else:
        data = asdict(event)
    data["type"] = type(event).__name__
    return data


def event_from_json(data: dict[str, Any]) -> Event:
    kind = _EVENTS[data["type"]]
    fields = {k: v for k, v in data.items() if k != "type"}
    for key in ("at", "started_at"):
        if key in fields and isinstance(fields[key], str):
            fields[key] = parse_time(fields[key])
    if kind is StepEnded:
        fields["outcome"] = StepOutcome(**fields["outcome"])
    if "selector" in fields:
        terms = tuple(tuple(t) for t in (fields["selector"] or {}).get("terms", ()))
        fields["selector"] = NodeSelector(terms=terms)
    event: Event = kind(**fields)
    return event


def event_record(event: Event) -> HistoryRecord:
    return HistoryRecord(kind="event", at=event.at.isoformat(), data=dumps(event_to_json(event)))


def reconciled_record(at: datetime) -> HistoryRecord:
    return HistoryRecord(kind="reconciled", at=at.isoformat(), data="{}")


def submitted_record(workflow: Workflow) -> HistoryRecord:
    return HistoryRecord(
        kind="submitted",
        at=workflow.created_at.isoformat(),
        data=dumps({"meta": meta_json(workflow), "spec": workflow.spec}),
    )


def restarted_record(workflow: Workflow, at: datetime) -> HistoryRecord:
    """The whole state a workflow (re)starts from: ``kawa retry``, memoized resubmit."""
    snapshot = {
        "meta": meta_json(workflow),
        "spec": workflow.spec,
        "status": workflow.status.to_json(private=True),
    }
    return HistoryRecord(kind="restarted", at=at.isoformat(), data=dumps(snapshot))


def meta_json(workflow: Workflow) -> dict[str, Any]:
    return {
        "name": workflow.name,
        "namespace": workflow.namespace,
        "uid": workflow.uid,
        "created_at": workflow.created_at.isoformat(),
        "labels": dict(workflow.labels),
        "annotations": dict(workflow.annotations),
        "generate_name": workflow.generate_name,
        "referenced_templates": workflow.referenced_templates,
        "engine_flags": list(workflow.engine_flags),
        "origin": dict(workflow.origin),
        "reuse": dict(workflow.reuse),
        "artifact_repository": dict(workflow.artifact_repository),
    }


def workflow_from_meta(meta: dict[str, Any], spec: dict[str, Any]) -> Workflow:
    created = parse_time(meta["created_at"])
    assert created is not None
    return Workflow(
        name=meta["name"],
        namespace=meta["namespace"],
        uid=meta["uid"],
        created_at=created,
        spec=spec,
        labels=meta.get("labels") or {},
        annotations=meta.get("annotations") or {},
        generate_name=meta.get("generate_name", ""),
        referenced_templates=meta.get("referenced_templates") or {},
        engine_flags=tuple(meta.get("engine_flags") or ()),
        origin=meta.get("origin") or {},
        reuse=meta.get("reuse") or {},
        artifact_repository=meta.get("artifact_repository") or {},
    )


def status_json(status: WorkflowStatus) -> str:
    return dumps(status.to_json(private=True, with_nodes=False))


def node_json(node: NodeStatus) -> str:
    return dumps(node.to_json(private=True))


def to_record(workflow: Workflow) -> WorkflowRecord:
    status = workflow.status
    return WorkflowRecord(
        uid=workflow.uid,
        namespace=workflow.namespace,
        name=workflow.name,
        phase=str(status.phase) or "Pending",
        created_at=workflow.created_at.isoformat(),
        finished_at=status.finished_at.isoformat() if status.finished_at else None,
        labels=dict(workflow.labels),
        meta=dumps(meta_json(workflow)),
        spec=dumps(workflow.spec),
        status=status_json(status),
        parameters=parameter_values(workflow.spec),
    )


def parameter_values(spec: Any) -> dict[str, str]:
    """The workflow's parameters as stored for finding it (name -> value text)."""
    found = {}
    for p in (spec.get("arguments") or {}).get("parameters") or []:
        value = p.get("value", p.get("default"))
        if value is not None and p.get("name"):
            found[str(p["name"])] = value if isinstance(value, str) else json.dumps(value)
    return found


def from_record(record: WorkflowRecord, nodes: dict[str, str]) -> Workflow:
    workflow = workflow_from_meta(json.loads(record.meta), json.loads(record.spec))
    status_data = json.loads(record.status)
    status_data["nodes"] = {nid: json.loads(data) for nid, data in nodes.items()}
    return workflow.with_status(WorkflowStatus.from_json(status_data))


def step_from_json(data: str) -> StartStep:
    return StartStep.from_json(json.loads(data))


def step_to_json(step: StartStep) -> str:
    return dumps(step.to_json())
