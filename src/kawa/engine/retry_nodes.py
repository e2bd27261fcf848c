"""The Retry node and its attempts ``name(0)``, ``name(1)``, ...

The Retry node takes the phase of its last attempt once no further attempt will run; its
outputs are those of the successful attempt.  A backoff shows as the Retry node waiting
(kawa records the earliest next start privately and asks to be woken then).
"""

from __future__ import annotations

from kawa.engine import artifacts, naming, retries
from kawa.engine.calls import Call, run_body
from kawa.engine.run import Run
from kawa.engine.templates import Resolved, TemplateError, bind_inputs
from kawa.spec.frozen import evolve
from kawa.spec.status import Inputs, NodePhase, NodeStatus, NodeType, parse_time


def execute(run: Run, call: Call, resolved: Resolved, strategy: retries.Strategy) -> NodeStatus:
    node = run.by_name(call.node_name)
    if node is None:
        try:
            caller_scope = call.globals.with_values(call.extra)
            inputs = bind_inputs(resolved.template, call.arguments, caller_scope)
            bound = artifacts.bind(resolved.template, call.arguments, caller_scope)
        except TemplateError as error:
            from kawa.engine.calls import fail

            return fail(run, call, None, NodeType.RETRY, str(error), resolved)
        node = run.create(
            call.node_name,
            NodeType.RETRY,
            display_name=call.display_name,
            template_name=resolved.name if not resolved.ref else None,
            template_ref=resolved.ref,
            boundary_id=call.boundary_id,
            phase=NodePhase.RUNNING,
            parent_id=call.parent_id,
        )
        node = run.save(evolve(node, inputs=Inputs(parameters=inputs, artifacts=bound)))
    attempts = [run.get(child) for child in node.children if child in run.nodes]
    last = attempts[-1] if attempts else None
    if last is not None and last.fulfilled:
        if not last.phase.failed_or_error:
            return _finish(run, node, last, last.phase, last.message)
        scope = call.globals.with_values(call.extra)
        verdict = retries.decide(strategy, attempts, run.now, scope)
        if not verdict.retry:
            return _finish(run, node, last, last.phase, verdict.message)
        if verdict.at is not None and run.now < verdict.at:
            run.wake(verdict.at)
            return run.save(node.with_private(backoff_until=verdict.at.isoformat()))
        last = None
    index = len(attempts) if last is None else len(attempts) - 1
    attempt_call = evolve(
        call,
        node_name=naming.retry_attempt(call.node_name, index),
        display_name=naming.retry_attempt(call.display_name, index),
        parent_id=node.id,
        arguments=_arguments_from(node),
        extra={**call.extra, "retries": str(index)},
    )
    existing = run.by_name(attempt_call.node_name)
    child = run_body(run, attempt_call, resolved, existing)
    if existing is None and not child.retried:
        child = run.save(evolve(child, retried=True))
    node = run.get(node.id)
    if node.private.get("backoff_until"):
        node = run.save(node.with_private(backoff_until=None))
    if child.fulfilled and not child.phase.failed_or_error:
        return _finish(run, node, child, child.phase, child.message)
    if child.fulfilled:
        run.repass = True
    return node


def _arguments_from(node: NodeStatus) -> dict[str, object] | None:
    if node.inputs is None:
        return None
    return {
        "parameters": [{"name": p.name, "value": p.value} for p in node.inputs.parameters],
        "artifacts": [dict(a) for a in node.inputs.artifacts],
    }


def _finish(
    run: Run, node: NodeStatus, last: NodeStatus, phase: NodePhase, message: str
) -> NodeStatus:
    finished = evolve(node, outputs=last.outputs)
    return run.save(finished.with_phase(phase, last.finished_at or run.now, message))


def backoff_until(node: NodeStatus) -> object:
    return parse_time(node.private.get("backoff_until"))
