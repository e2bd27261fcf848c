"""``kawa provenance``: what a run ran, on what, with which inputs, producing which outputs.

For the run: the digest of the effective spec and of each WorkflowTemplate it used, the
parameters, times, phase, the re-run it came from, the host and tool versions.  For each
node: its template and content key (the digest of the fully substituted template and its
inputs, see ``engine/content.py``), command/args/image/env as launched (secret values
never appear: they are not stored, and ``secretKeyRef`` entries show as redacted), input
and output parameters, the digest of its outputs, times, exit code, and, for a reused
node, the run and node it came from.

Digests are ``sha256:`` over canonical JSON, so two homes that run the same workflow with
the same inputs report the same spec, template and output digests.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import sqlite3
import sys
from typing import Any

from kawa._version import __version__
from kawa.controller.service import Kawa
from kawa.engine.content import digest
from kawa.spec.status import NodeStatus, NodeType, format_time
from kawa.spec.workflow import Workflow

REDACTED = "<redacted>"


def provenance(service: Kawa, workflow: Workflow) -> dict[str, Any]:
    steps = service.store.steps(workflow.uid)
    nodes = [
        _node(service, workflow, node, steps.get(node.id))
        for node in sorted(workflow.status.nodes.values(), key=_order)
    ]
    return {
        "kawaVersion": __version__,
        "workflow": {
            "name": workflow.name,
            "namespace": workflow.namespace,
            "uid": workflow.uid,
            "phase": str(workflow.status.phase),
            "createdAt": format_time(workflow.created_at),
            "startedAt": format_time(workflow.status.started_at),
            "finishedAt": format_time(workflow.status.finished_at),
            "specDigest": digest(workflow.spec),
            "templateDigests": {
                ref: digest(spec) for ref, spec in sorted(workflow.referenced_templates.items())
            },
            "parameters": {
                str(p.get("name")): p.get("value")
                for p in (workflow.spec.get("arguments") or {}).get("parameters") or []
            },
            "outputsDigest": digest(_content(workflow.status.outputs)),
            "rerunOf": dict(workflow.origin) if workflow.origin else None,
        },
        "host": host(),
        "nodes": nodes,
        "reused": [n for n in nodes if n.get("reusedFrom")],
    }


def host() -> dict[str, str]:
    uname = os.uname()
    return {
        "hostname": uname.nodename,
        "os": f"{uname.sysname} {uname.release}",
        "machine": uname.machine,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
    }


def _order(node: NodeStatus) -> tuple[str, str]:
    return (format_time(node.started_at) or "", node.name)


def _outputs(outputs: Any) -> dict[str, Any]:
    return outputs.to_json(private=True) if outputs is not None else {}


def _content(outputs: Any) -> dict[str, Any]:
    """What outputs hold, not where: artifacts by digest (their keys name the run)."""
    data = _outputs(outputs)
    if data.get("artifacts"):
        data["artifacts"] = [
            {"name": a.get("name"), "digest": a.get("digest")} for a in data["artifacts"]
        ]
    return data


def _node(service: Kawa, workflow: Workflow, node: NodeStatus, step: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": node.id,
        "name": node.name,
        "displayName": node.display_name,
        "type": str(node.type),
        "phase": str(node.phase),
        "templateName": node.template_name or (node.template_ref or {}).get("template"),
        "startedAt": format_time(node.started_at),
        "finishedAt": format_time(node.finished_at),
        "inputs": {p.name: p.value for p in node.inputs.parameters} if node.inputs else {},
        "outputs": _outputs(node.outputs),
        "outputsDigest": digest(_content(node.outputs)),
    }
    if node.private.get("key"):
        out["templateDigest"] = node.private["key"]
    if node.outputs is not None and node.outputs.exit_code is not None:
        out["exitCode"] = node.outputs.exit_code
    if node.memoization_status:
        out["memoization"] = dict(node.memoization_status)
    if node.private.get("reused_from"):
        out["reusedFrom"] = dict(node.private["reused_from"])
    if step is not None and node.type is NodeType.POD:
        out["launch"] = _launch(service, workflow, node, json.loads(step))
    return out


def _launch(
    service: Kawa, workflow: Workflow, node: NodeStatus, step: dict[str, Any]
) -> dict[str, Any]:
    containers = [step["main"], *step.get("init_containers", []), *step.get("sidecars", [])]
    containers += step.get("container_set", [])
    launched: dict[str, Any] = {}
    record = service.home.node_dir(workflow.uid, node.id) / "launched"
    with contextlib.suppress(OSError, ValueError):
        launched = json.loads(record.read_text())
    return {
        "containers": [_container(c) for c in containers if c.get("command") or c.get("image")],
        "isolation": launched.get("isolation"),
        "pid": launched.get("pid"),
    }


def _container(c: dict[str, Any]) -> dict[str, Any]:
    secret = set(c.get("secret_env") or ())
    env = {str(k): (REDACTED if k in secret else v) for k, v in c.get("env") or ()}
    for name, kind, obj, key in c.get("env_refs") or ():
        env[name] = REDACTED if kind == "secret" else f"<configmap {obj}/{key}>"
    out: dict[str, Any] = {
        "name": c.get("name"),
        "image": c.get("image"),
        "command": list(c.get("command") or ()),
        "args": list(c.get("args") or ()),
        "env": env,
    }
    if c.get("working_dir"):
        out["workingDir"] = c["working_dir"]
    if c.get("source") is not None:
        out["sourceDigest"] = digest(c["source"])
    return out
