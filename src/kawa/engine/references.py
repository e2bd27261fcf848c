"""What ``steps.X.*`` and ``tasks.X.*`` mean once X has run.

For a single node: ``id``, ``status``, ``exitCode``, ``startedAt``, ``finishedAt``,
``outputs.result``, ``outputs.parameters.P``.  For a loop (several nodes named
``X(i:...)``) Argo aggregates: ``outputs.result`` is a JSON list of results,
``outputs.parameters`` a JSON list of {name: value} maps, ``outputs.parameters.P`` a JSON
list of values.  A Skipped or Omitted node exposes the ``default``s of its outputs (Argo
v4); a reference to an output it never produced is an error ("absent optional").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from kawa.spec.status import NodePhase, NodeStatus, format_time


def node_values(
    prefix: str, node: NodeStatus, defaults: Mapping[str, str] | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {
        f"{prefix}.id": node.id,
        f"{prefix}.status": str(node.phase),
        f"{prefix}.startedAt": format_time(node.started_at),
        f"{prefix}.finishedAt": format_time(node.finished_at),
    }
    outputs = node.outputs
    if outputs is not None:
        if outputs.exit_code is not None:
            values[f"{prefix}.exitCode"] = outputs.exit_code
        if outputs.result is not None:
            values[f"{prefix}.outputs.result"] = outputs.result
        for param in outputs.parameters:
            if param.value is not None:
                values[f"{prefix}.outputs.parameters.{param.name}"] = param.value
        for artifact in outputs.artifacts:
            values[f"{prefix}.outputs.artifacts.{artifact['name']}"] = json.dumps(
                dict(artifact), separators=(",", ":"), sort_keys=True
            )
    if node.phase in (NodePhase.SKIPPED, NodePhase.OMITTED) and defaults:
        for name, value in defaults.items():
            values.setdefault(f"{prefix}.outputs.parameters.{name}", value)
    return values


def loop_values(prefix: str, children: Iterable[NodeStatus]) -> dict[str, Any]:
    """Aggregated outputs of a loop: Succeeded children with outputs, in loop order.

    ``outputs.result`` holds each result parsed as JSON (Argo fails on a non-JSON result;
    kawa keeps it as a string), ``outputs.parameters.P`` the values, as JSON when every
    value is a JSON object or array, else as strings.
    """
    nodes = [c for c in children if c.phase is NodePhase.SUCCEEDED and c.outputs is not None]
    results: list[Any] = []
    param_maps: list[dict[str, str]] = []
    by_name: dict[str, list[str]] = {}
    for node in nodes:
        outputs = node.outputs
        assert outputs is not None
        if outputs.result is not None:
            results.append(_json_or_text(outputs.result))
        entry: dict[str, str] = {}
        for param in outputs.parameters:
            if param.value is not None:
                entry[param.name] = param.value
                by_name.setdefault(param.name, []).append(param.value)
        if entry:
            param_maps.append(entry)
    values: dict[str, Any] = {
        f"{prefix}.outputs.result": _compact(results),
        f"{prefix}.outputs.parameters": _compact(param_maps),
    }
    for name, listed in by_name.items():
        parsed = [_json_or_text(v) for v in listed]
        if all(isinstance(v, (dict, list)) for v in parsed):
            values[f"{prefix}.outputs.parameters.{name}"] = _compact(parsed)
        else:
            values[f"{prefix}.outputs.parameters.{name}"] = _compact(listed)
    return values


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def aggregate_phase(nodes: list[NodeStatus]) -> NodePhase:
    phases = [n.phase for n in nodes]
    if any(p is NodePhase.ERROR for p in phases):
        return NodePhase.ERROR
    if any(p is NodePhase.FAILED for p in phases):
        return NodePhase.FAILED
    if any(not p.fulfilled for p in phases):
        return NodePhase.RUNNING
    return NodePhase.SUCCEEDED
