"""Steps templates: groups run one after another, the steps of a group in parallel.

Node shape as in Argo: the Steps node's first child is the StepGroup ``name[0]``; each
step node of group i links to the StepGroup ``name[i+1]``.  A step whose ``when`` is false
becomes a Skipped node ("when '...' evaluated false").  A group fails when a child failed
or errored without ``continueOn``; the Steps node then fails with the group's message and
later groups never start.  Exit hooks (``onExit``, ``hooks.exit``) run after their step
and before the group completes; lifecycle hooks with an ``expression`` run once it holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kawa.engine import artifacts, conditions, hooks, loops, naming, outputs, references
from kawa.engine.calls import Call, run_call
from kawa.engine.run import Run
from kawa.engine.scope import Scope, UnresolvedReference, substitute
from kawa.engine.templates import Resolved
from kawa.spec.errors import ExpressionError, KawaError
from kawa.spec.frozen import evolve
from kawa.spec.status import NodePhase, NodeStatus, NodeType


def execute(run: Run, call: Call, resolved: Resolved, node: NodeStatus, scope: Scope) -> NodeStatus:
    groups: list[list[Mapping[str, Any]]] = resolved.template.get("steps") or []
    step_scope = scope
    outbound: list[str] = []
    for index, group in enumerate(groups):
        group_name = naming.step_group(node.name, index)
        group_node = run.by_name(group_name)
        if group_node is None:
            group_node = run.create(
                group_name,
                NodeType.STEP_GROUP,
                display_name=f"[{index}]",
                template_name=node.template_name,
                template_ref=node.template_ref,
                boundary_id=node.id,
                phase=NodePhase.RUNNING,
            )
            for parent in outbound or [node.id]:
                run.link(parent, group_node.id)
        if not group_node.fulfilled:
            group_node = _execute_group(run, call, resolved, node, group_node, group, step_scope)
            if not group_node.fulfilled:
                return run.get(node.id)
        if group_node.phase.failed_or_error:
            failed = run.get(node.id)  # a Steps node is only ever Failed, never Error
            return run.save(failed.with_phase(NodePhase.FAILED, run.now, group_node.message))
        step_scope = step_scope.with_values(_group_values(run, group_node, group))
        outbound = _outbound(run, group_node)
    from kawa.engine.pods import end_daemons

    end_daemons(run, node.id)
    done = run.get(node.id)
    try:
        result = outputs.template_outputs(resolved.template, step_scope)
    except (KawaError, ValueError) as error:
        return run.save(done.with_phase(NodePhase.ERROR, run.now, str(error)))
    done = evolve(done, outputs=result, outbound_nodes=tuple(outbound))
    return run.save(done.with_phase(NodePhase.SUCCEEDED, run.now))


def _execute_group(
    run: Run,
    call: Call,
    resolved: Resolved,
    steps_node: NodeStatus,
    group_node: NodeStatus,
    group: list[Mapping[str, Any]],
    scope: Scope,
) -> NodeStatus:
    limit = resolved.template.get("parallelism")
    expanded: list[tuple[NodeStatus | None, Mapping[str, Any]]] = []
    for step in group:
        expanded.extend(_expand(run, group_node, step, scope))
    running = sum(1 for n, _ in expanded if n is not None and not n.fulfilled)
    results: list[tuple[NodeStatus | None, Mapping[str, Any]]] = []
    for existing, step in expanded:
        if existing is not None and existing.fulfilled and not hooks.hooks_of(step):
            results.append((existing, step))
            continue
        blocked = limit is not None and running >= int(limit)
        if existing is None and (blocked or run.launch_window_full()):
            results.append((None, step))
            continue
        name = step["__node_name"]
        current = _run_step(run, call, resolved, steps_node, group_node, name, step, scope)
        if current is _NOT_YET:
            results.append((None, step))
            continue
        if existing is None and not current.fulfilled:
            running += 1
        results.append((current, step))
    group_node = run.get(group_node.id)
    if any(n is None or not (n.fulfilled or n.daemoned) for n, _ in results):
        return group_node
    for child, step in results:
        assert child is not None
        if child.phase.failed_or_error and not conditions.continues_on(step, child.phase):
            # Argo: the group is Failed even when the child errored
            return run.save(
                group_node.with_phase(NodePhase.FAILED, run.now, f"child '{child.id}' failed")
            )
    return run.save(group_node.with_phase(NodePhase.SUCCEEDED, run.now))


def _expand(
    run: Run, group_node: NodeStatus, step: Mapping[str, Any], scope: Scope
) -> list[tuple[NodeStatus | None, dict[str, Any]]]:
    """(existing node, step with ``__node_name``/``__display``) for each child of a step."""
    name = str(step["name"])
    node_name = naming.step(group_node.name, name)
    if not loops.has_loop(step):
        return [(run.by_name(node_name), {**step, "__node_name": node_name, "__display": name})]
    existing = run.by_name(node_name)
    if existing is not None:  # an empty or broken loop already recorded as a single node
        return [(existing, {**step, "__node_name": node_name, "__display": name})]
    try:
        items = loops.items_of(group_node, step, lambda: scope, run.spec, key=name)
    except (KawaError, ValueError) as error:
        failed = _error_node(
            run, None, node_name, {**step, "__display": name}, group_node, str(error)
        )
        return [(failed, {**step, "__node_name": node_name, "__display": name})]
    if not items:
        node = run.skip(
            node_name,
            name,
            step,
            boundary_id=group_node.boundary_id,
            phase=NodePhase.SKIPPED,
            message="Skipped, empty params",
            parent_id=group_node.id,
        )
        return [(node, {**step, "__node_name": node_name, "__display": name})]
    key = f"{group_node.id}/{name}"
    cached = _EXPANDED.get(key)
    if cached is None or cached[0] is not step or cached[1] is not items:
        bodies = []
        for index, item in enumerate(items):
            body = loops.expand(step, item, scope)
            body["__node_name"] = naming.loop_child(node_name, index, item)
            body["__node_id"] = run.id_of(body["__node_name"])
            body["__display"] = naming.loop_child(name, index, item)
            body["__item"] = loops.item_values(item)
            bodies.append(body)
        if len(_EXPANDED) > 1024:
            _EXPANDED.clear()
        _EXPANDED[key] = cached = (step, items, bodies)
    nodes = run.nodes
    return [(nodes.get(body["__node_id"]), body) for body in cached[2]]


#: expanded loop items by step group and step: the group's scope (earlier groups' outputs)
#: is fixed once it exists, so its items expand the same way on every pass
_EXPANDED: dict[str, tuple[Mapping[str, Any], list[Any], list[dict[str, Any]]]] = {}


def _run_step(
    run: Run,
    call: Call,
    resolved: Resolved,
    steps_node: NodeStatus,
    group_node: NodeStatus,
    node_name: str,
    step: Mapping[str, Any],
    scope: Scope,
) -> NodeStatus:
    existing = run.by_name(node_name)
    item = step.get("__item") or {}
    step_scope = scope.with_values(item) if item else scope
    if existing is None:
        try:
            skipped = _when_skips(run, step, step_scope, node_name, group_node)
        except UnresolvedReference:
            return _NOT_YET
        if skipped is not None:
            return skipped
    elif existing.fulfilled:
        return hooks.after_step(run, call, resolved, steps_node, existing, step, step_scope)
    try:
        arguments = substitute(artifacts.expressions_as_tags(step.get("arguments")), step_scope)
    except (UnresolvedReference, ExpressionError) as error:
        return _error_node(run, existing, node_name, step, group_node, str(error))
    child = run_call(
        run,
        Call(
            node_name=node_name,
            display_name=str(step.get("__display", step.get("name"))),
            holder=step,
            scope=resolved.scope,
            globals=call.globals,
            arguments=arguments,
            boundary_id=steps_node.id,
            parent_id=group_node.id,
            extra=item,
        ),
    )
    return hooks.after_step(run, call, resolved, steps_node, child, step, step_scope)


#: a placeholder for a step that cannot start yet (a ``when`` reference is not there yet)
_NOT_YET = NodeStatus(id="", name="", display_name="", type=NodeType.SKIPPED)


def _when_skips(
    run: Run, step: Mapping[str, Any], scope: Scope, node_name: str, group_node: NodeStatus
) -> NodeStatus | None:
    """The Skipped (or Error) node when ``when`` says no; None when the step runs."""
    try:
        runs, text = conditions.when(step, scope)
    except ExpressionError as error:
        return _error_node(run, None, node_name, step, group_node, str(error))
    if runs:
        return None
    return run.skip(
        node_name,
        str(step.get("__display", step.get("name"))),
        step,
        boundary_id=group_node.boundary_id,
        phase=NodePhase.SKIPPED,
        message=conditions.skipped_message(text),
        parent_id=group_node.id,
    )


def _error_node(
    run: Run,
    existing: NodeStatus | None,
    node_name: str,
    step: Mapping[str, Any],
    group_node: NodeStatus,
    message: str,
) -> NodeStatus:
    if existing is not None:
        return run.save(existing.with_phase(NodePhase.ERROR, run.now, message))
    return run.skip(
        node_name,
        str(step.get("__display", step.get("name"))),
        step,
        boundary_id=group_node.boundary_id,
        phase=NodePhase.ERROR,
        message=message,
        parent_id=group_node.id,
    )


def _group_values(
    run: Run, group_node: NodeStatus, group: list[Mapping[str, Any]]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for step in group:
        name = str(step["name"])
        prefix = f"steps.{name}"
        node_name = naming.step(group_node.name, name)
        single = run.by_name(node_name)
        if single is not None:
            values.update(references.node_values(prefix, single))
            if single.phase is NodePhase.SKIPPED and loops.has_loop(step):
                values.update(references.loop_values(prefix, []))
            continue
        loop_prefix = node_name + "("
        children = [
            run.get(c) for c in group_node.children if run.get(c).name.startswith(loop_prefix)
        ]
        values.update(references.loop_values(prefix, children))
    return values


def _outbound(run: Run, group_node: NodeStatus) -> list[str]:
    ids: list[str] = []
    for child_id in group_node.children:
        child = run.get(child_id)
        ids.extend(outputs.outbound_of(run, child))
    return ids
