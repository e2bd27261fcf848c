"""Exit handlers and lifecycle hooks of steps, DAG tasks and the workflow.

``onExit: tmpl`` and ``hooks: {exit: {...}}`` run after their step/task is fulfilled, as a
node named ``<node>.onExit``; lifecycle hooks (``hooks: {running: {expression: ...}}``)
run once, as ``<node>.hooks.<name>``, the first time their expression holds.  A step or
task counts as finished for its parent only when its hooks have finished too; a hook's
own phase does not change the phase of the step it is attached to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kawa.engine import naming, references
from kawa.engine.calls import Call, run_call
from kawa.engine.run import Run
from kawa.engine.scope import Scope, UnresolvedReference, evaluate, substitute
from kawa.engine.templates import Resolved
from kawa.spec.errors import ExpressionError
from kawa.spec.frozen import evolve
from kawa.spec.status import NodePhase, NodeStatus

_COMPLETED = (NodePhase.SUCCEEDED, NodePhase.FAILED, NodePhase.ERROR)


def hooks_of(step: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = dict(step.get("hooks") or {})
    if step.get("onExit") and "exit" not in found:
        found["exit"] = {"template": step["onExit"]}
    return found


def after_step(
    run: Run,
    call: Call,
    resolved: Resolved,
    parent: NodeStatus,
    node: NodeStatus,
    step: Mapping[str, Any],
    scope: Scope,
    prefix: str = "steps",
) -> NodeStatus:
    """Run the hooks of a step/task node; return a not-fulfilled node while any runs."""
    declared = hooks_of(step)
    if not declared:
        return node
    name = str(step.get("name"))
    own = scope.with_values(references.node_values(f"{prefix}.{name}", node))
    pending: NodeStatus | None = None
    for hook_name, hook in declared.items():
        if hook_name == "exit":
            # Argo: only once the node completed (not Skipped/Omitted), and only when an
            # exit hook's own expression, if it has one, holds
            hook_node_name = naming.exit_hook(node.name)
            if node.phase not in _COMPLETED:
                continue
            started = run.by_name(hook_node_name) is not None
            if hook.get("expression") and not started and not _holds(hook, own):
                continue
        else:
            hook_node_name = naming.lifecycle_hook(node.name, hook_name)
            if run.by_name(hook_node_name) is None and not _holds(hook, own):
                continue
        hook_node = _run_hook(run, call, resolved, parent, node, hook_node_name, hook, own)
        if not hook_node.fulfilled and pending is None:
            pending = hook_node
    if pending is not None and node.fulfilled:
        return pending
    return run.get(node.id)


def _holds(hook: Mapping[str, Any], scope: Scope) -> bool:
    expression = hook.get("expression")
    if not expression:
        return False
    try:
        return bool(evaluate(str(expression), scope))
    except ExpressionError:
        return False


def _run_hook(
    run: Run,
    call: Call,
    resolved: Resolved,
    parent: NodeStatus,
    node: NodeStatus,
    hook_node_name: str,
    hook: Mapping[str, Any],
    scope: Scope,
) -> NodeStatus:
    existing = run.by_name(hook_node_name)
    if existing is not None and existing.fulfilled:
        return existing
    # a hook without arguments gets the workflow's (Argo's step-level onExit behaviour)
    raw_arguments = hook.get("arguments") or run.spec.get("arguments") or {}
    try:
        arguments = substitute(raw_arguments, scope)
    except (UnresolvedReference, ExpressionError):
        arguments = {}
    hook_node = run_call(
        run,
        Call(
            node_name=hook_node_name,
            display_name=node.display_name + hook_node_name[len(node.name) :],
            holder=hook,
            scope=resolved.scope,
            globals=call.globals,
            arguments=arguments,
            boundary_id=parent.id,
            parent_id=node.id,
        ),
    )
    if existing is None and not hook_node.hooked:
        hook_node = run.save(evolve(hook_node, hooked=True))
    return hook_node
