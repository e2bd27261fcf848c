"""Workflow-wide variables: ``workflow.*`` as Argo defines them."""

from __future__ import annotations

import json
from typing import Any

from kawa.engine.scope import Scope
from kawa.spec.expressions import govalues
from kawa.spec.status import format_time
from kawa.spec.workflow import Workflow

_TIME_PARTS = "YmdHMSyBbAaIpjUWZze"


_CACHE: dict[str, tuple[Workflow, Scope]] = {}


def global_scope(workflow: Workflow, extra: dict[str, Any] | None = None) -> Scope:
    """``workflow.*`` variables; cached per workflow while its spec and outputs stay put."""
    cached = _CACHE.get(workflow.uid)
    if (
        cached is not None
        and cached[0].spec is workflow.spec
        and cached[0].status.outputs is workflow.status.outputs
        and cached[0].name == workflow.name
    ):
        base = cached[1]
    else:
        base = _build(workflow)
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[workflow.uid] = (workflow, base)
    return base.with_values(extra) if extra else base


def _build(workflow: Workflow) -> Scope:
    spec = workflow.spec
    values: dict[str, Any] = {
        "workflow.name": workflow.name,
        "workflow.namespace": workflow.namespace,
        "workflow.uid": workflow.uid,
        "workflow.mainEntrypoint": spec.get("entrypoint", ""),
        "workflow.serviceAccountName": spec.get("serviceAccountName", ""),
        # the current phase; an exit handler sees the final one instead
        "workflow.status": "Running",
    }
    if spec.get("priority") is not None:
        values["workflow.priority"] = str(spec["priority"])
    created = workflow.created_at
    values["workflow.creationTimestamp"] = format_time(created)
    values["workflow.creationTimestamp.RFC3339"] = format_time(created)
    values["workflow.creationTimestamp.s"] = str(int(created.timestamp()))
    for part in _TIME_PARTS:
        values[f"workflow.creationTimestamp.{part}"] = created.strftime(f"%{part}")
    params = (spec.get("arguments") or {}).get("parameters") or []
    listed = []
    for p in params:
        value = p.get("value", p.get("default"))
        if value is not None:
            values[f"workflow.parameters.{p['name']}"] = _text(value)
        listed.append({"name": p["name"], "value": _text(value) if value is not None else ""})
    values["workflow.parameters.json"] = json.dumps(listed, separators=(",", ":"))
    for key, value in workflow.labels.items():
        values[f"workflow.labels.{key}"] = value
    values["workflow.labels.json"] = json.dumps(dict(workflow.labels), separators=(",", ":"))
    for key, value in workflow.annotations.items():
        values[f"workflow.annotations.{key}"] = value
    values["workflow.annotations.json"] = json.dumps(
        dict(workflow.annotations), separators=(",", ":")
    )
    outputs = workflow.status.outputs
    if outputs is not None:
        for param in outputs.parameters:
            if param.value is not None:
                values[f"workflow.outputs.parameters.{param.name}"] = param.value
        for artifact in outputs.artifacts:
            values[f"workflow.outputs.artifacts.{artifact['name']}"] = json.dumps(
                dict(artifact), separators=(",", ":"), sort_keys=True
            )
    return Scope(values)


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return govalues.sprint(value)
