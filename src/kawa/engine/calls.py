"""Executing one template invocation: the recursion at the heart of the engine.

Mirrors Argo's ``executeTemplate``: find the node for this name (fulfilled nodes are
returned as they are), resolve the template, wrap it in a Retry node when it has a
``retryStrategy``, bind inputs on first sight, then hand over to the module for its kind
(pods, steps, dag, suspend).  Every call is idempotent: reconcile walks from the root on
each pass and each function picks up where the stored status left off.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from kawa.engine import artifacts, retries
from kawa.engine.run import Run
from kawa.engine.scope import Scope, UnresolvedReference
from kawa.engine.templates import (
    Resolved,
    TemplateError,
    TemplateScope,
    bind_inputs,
    input_values,
    resolve,
)
from kawa.spec.errors import ExpressionError
from kawa.spec.frozen import evolve, frozen
from kawa.spec.status import Inputs, NodePhase, NodeStatus, NodeType

_NODE_TYPES = {
    "container": NodeType.POD,
    "script": NodeType.POD,
    "containerSet": NodeType.POD,
    "resource": NodeType.POD,
    "data": NodeType.POD,
    "http": NodeType.HTTP,
    "plugin": NodeType.PLUGIN,
    "steps": NodeType.STEPS,
    "dag": NodeType.DAG,
    "suspend": NodeType.SUSPEND,
}


@frozen
class Call:
    """One invocation of a template: who calls it, under which node name, with what."""

    node_name: str
    display_name: str
    holder: Mapping[str, Any]
    scope: TemplateScope
    globals: Scope
    arguments: Mapping[str, Any] | None = None
    boundary_id: str | None = None
    parent_id: str | None = None
    #: variables the caller adds (``item``, ``retries``...)
    extra: Mapping[str, Any] = field(default_factory=dict)


def run_call(run: Run, call: Call) -> NodeStatus:
    """Drive the node named ``call.node_name`` one step further; return it."""
    node = run.by_name(call.node_name)
    if node is not None and (node.fulfilled or _waiting_pod(node)):
        return node
    try:
        resolved = resolve(run, call.holder, call.scope)
    except TemplateError as error:
        return fail(run, call, node, NodeType.SKIPPED, str(error))
    strategy = retries.strategy_for(run, resolved.template)
    if strategy is not None:
        from kawa.engine import retry_nodes

        return retry_nodes.execute(run, call, resolved, strategy)
    return run_body(run, call, resolved, node)


def _waiting_pod(node: NodeStatus) -> bool:
    """A launched pod with nothing to watch: only its outcome (an event) can change it."""
    private = node.private
    return (
        node.type is NodeType.POD
        and bool(private.get("launched"))
        and "outcome" not in private
        and not private.get("watch")
    )


def run_body(run: Run, call: Call, resolved: Resolved, node: NodeStatus | None) -> NodeStatus:
    """Create (first time) and advance the node of a template without its retry wrapper."""
    node_type = _NODE_TYPES.get(resolved.kind)
    if node_type is None:
        message = f"Template '{resolved.name}' missing specification"
        return fail(run, call, node, NodeType.SKIPPED, message)
    if node is None:
        try:
            caller_scope = call.globals.with_values(call.extra)
            inputs = bind_inputs(resolved.template, call.arguments, caller_scope)
            bound = artifacts.bind(resolved.template, call.arguments, caller_scope)
        except (TemplateError, UnresolvedReference, ExpressionError) as error:
            return fail(run, call, None, NodeType.SKIPPED, str(error), resolved)
        node = run.create(
            call.node_name,
            node_type,
            display_name=call.display_name,
            template_name=resolved.name if not resolved.ref else None,
            template_ref=resolved.ref,
            boundary_id=call.boundary_id,
            phase=NodePhase.PENDING if node_type is NodeType.POD else NodePhase.RUNNING,
            parent_id=call.parent_id,
        )
        node = run.save(evolve(node, inputs=Inputs(parameters=inputs, artifacts=bound)))
    scope = template_scope(run, call, node, resolved.template)
    try:
        memoize = resolved.template.get("memoize")
        if memoize:
            from kawa.engine import memoize as memo

            decided = memo.gate(run, memoize, node, scope)
            if decided is not None:
                return decided
            node = run.get(node.id)
        return _dispatch(run, call, resolved, node, scope)
    except (TemplateError, UnresolvedReference, ExpressionError) as error:
        current = run.get(node.id)
        return run.save(current.with_phase(NodePhase.ERROR, run.now, str(error)))


def template_scope(
    run: Run, call: Call, node: NodeStatus, template: Mapping[str, Any] | None = None
) -> Scope:
    """Variables of one template invocation: inputs, paths, ``node.name``, ``pod.name``."""
    values: dict[str, Any] = dict(call.extra)
    if node.inputs is not None:
        values.update(input_values(node.inputs.parameters))
        listed = [p.to_json() for p in node.inputs.parameters]
        values["inputs.parameters"] = json.dumps(listed, separators=(",", ":"))
        if node.inputs.artifacts:
            values.update(artifacts.scope_values(node.inputs.artifacts))
    for kind in ("inputs", "outputs"):
        section = (template or {}).get(kind) or {}
        for artifact in section.get("artifacts") or []:
            if artifact.get("path"):
                values[f"{kind}.artifacts.{artifact['name']}.path"] = artifact["path"]
        if kind == "outputs":
            for param in section.get("parameters") or []:
                path = (param.get("valueFrom") or {}).get("path")
                if path:
                    values[f"outputs.parameters.{param['name']}.path"] = path
    values["node.name"] = node.name
    values["pod.name"] = node.id
    return call.globals.with_values(values)


def _dispatch(
    run: Run, call: Call, resolved: Resolved, node: NodeStatus, scope: Scope
) -> NodeStatus:
    kind = resolved.kind
    if kind in ("container", "script", "containerSet"):
        from kawa.engine import pods

        return pods.execute(run, call, resolved, node, scope)
    if kind == "steps":
        from kawa.engine import steps

        return steps.execute(run, call, resolved, node, scope)
    if kind == "dag":
        from kawa.engine import dag

        return dag.execute(run, call, resolved, node, scope)
    if kind == "suspend":
        from kawa.engine import suspend

        return suspend.execute(run, call, resolved, node, scope)
    return run.save(
        node.with_phase(
            NodePhase.ERROR, run.now, f"{kind} templates are not supported by the local executor"
        )
    )


def fail(
    run: Run,
    call: Call,
    node: NodeStatus | None,
    node_type: NodeType,
    message: str,
    resolved: Resolved | None = None,
) -> NodeStatus:
    """Mark (creating if needed) the node as Error with ``message``."""
    if node is None:
        node = run.create(
            call.node_name,
            node_type,
            display_name=call.display_name,
            template_name=resolved.name if resolved and not resolved.ref else None,
            template_ref=resolved.ref if resolved else None,
            boundary_id=call.boundary_id,
            parent_id=call.parent_id,
        )
    return run.save(node.with_phase(NodePhase.ERROR, run.now, message))
