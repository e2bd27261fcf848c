"""``reconcile(workflow, now) -> Decision``: the engine's one entry point.

Order of a reconcile, as Argo's operator applies it:

1. a completed workflow is left alone;
2. the workflow deadline (``activeDeadlineSeconds``) turns into a shutdown;
3. a shutdown (stop/terminate) stops running steps and fails those not yet started;
4. the entrypoint is driven from the root (a second walk when something asked for one);
5. workflow lifecycle hooks whose expression holds are run;
6. once the root is fulfilled, the exit handler runs (not after ``terminate``);
7. phase, message, progress and timestamps are derived.

Pure: no clock, no I/O; ``now`` comes from the controller.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from kawa.engine import globals as workflow_globals
from kawa.engine import memoize, naming
from kawa.engine.calls import Call, run_call
from kawa.engine.run import Decision, Run
from kawa.engine.scope import evaluate
from kawa.engine.templates import TemplateScope
from kawa.spec.actions import StopStep
from kawa.spec.errors import ExpressionError
from kawa.spec.frozen import evolve
from kawa.spec.status import (
    NodePhase,
    NodeStatus,
    NodeType,
    Outputs,
    Parameter,
    WorkflowPhase,
    WorkflowStatus,
    format_time,
)
from kawa.spec.workflow import Workflow

MAX_WALKS = 8
DEADLINE_MESSAGE = "Step exceeded its deadline"


def reconcile(workflow: Workflow, now: datetime) -> Decision:
    status = workflow.status
    if status.phase.completed:
        return Decision(status)
    if not status.phase or status.phase is WorkflowPhase.PENDING:
        status = evolve(status, phase=WorkflowPhase.RUNNING, started_at=status.started_at or now)
        workflow = workflow.with_status(status)
    run = Run(workflow, now)
    shutdown = _shutdown(run)
    if shutdown:
        _apply_shutdown(run, shutdown)
    root = _walk(run, _entry(run))
    hooks_done = _workflow_hooks(run, root)
    phase, message = _outcome(run, root, shutdown, hooks_done)
    return _decide(run, phase, message)


def _entry(run: Run, extra: dict[str, Any] | None = None) -> Call:
    return Call(
        node_name=run.name,
        display_name=run.name,
        holder={"template": run.spec.get("entrypoint")},
        scope=TemplateScope(),
        globals=workflow_globals.global_scope(run.workflow, extra),
        arguments=run.spec.get("arguments"),
    )


def _walk(run: Run, call: Call) -> NodeStatus:
    node = run_call(run, call)
    for _ in range(MAX_WALKS):
        if not run.repass:
            break
        run.repass = False
        node = run_call(run, call)
    return node


def _shutdown(run: Run) -> str:
    strategy = str(run.workflow.status.private.get("shutdown") or "")
    deadline = run.spec.get("activeDeadlineSeconds")
    started = run.workflow.status.started_at or run.now
    if not strategy and deadline is not None:
        until = started + timedelta(seconds=float(deadline))
        if run.now >= until:
            return "Deadline"
        run.wake(until)
    return strategy


def _stop_message(run: Run, strategy: str) -> str:
    if strategy == "Deadline":
        return DEADLINE_MESSAGE
    custom = run.workflow.status.private.get("shutdown_message")
    return str(custom) if custom else f"Stopped with strategy '{strategy}'"


def _apply_shutdown(run: Run, strategy: str) -> None:
    """Stop running pods and fail waiting nodes, with Argo's (oddly spaced) texts."""
    if strategy == "Deadline":
        running = pending = other = DEADLINE_MESSAGE
    else:
        running = f"workflow shutdown with strategy:  {strategy}"
        pending = f"workflow shutdown with strategy: {strategy}"
        other = _stop_message(run, strategy)
    exit_prefix = naming.exit_hook(run.name)
    for node in list(run.nodes.values()):
        if node.phase.fulfilled or node.name.startswith(exit_prefix):
            continue
        if node.type is NodeType.POD:
            if node.private.get("outcome") is not None:
                continue
            if node.private.get("launched"):
                if not node.private.get("stopping"):
                    run.emit(StopStep(run.workflow.uid, node.id, reason=strategy.lower()))
                    run.save(node.with_private(stopping="shutdown", stop_message=running))
            else:
                run.save(node.with_phase(NodePhase.FAILED, run.now, pending))
        elif node.type is NodeType.SUSPEND:
            run.save(node.with_phase(NodePhase.FAILED, run.now, other))
    private = dict(run.workflow.status.private)
    private["shutdown"] = strategy
    run.workflow = run.workflow.with_status(evolve(run.workflow.status, private=private))


def _outcome(
    run: Run, root: NodeStatus, shutdown: str, hooks_done: bool = True
) -> tuple[WorkflowPhase, str]:
    if not root.fulfilled or not hooks_done:
        return WorkflowPhase.RUNNING, ""
    main_phase = _phase_of(root)
    message = root.message if main_phase is not WorkflowPhase.SUCCEEDED else ""
    if shutdown and shutdown != "Deadline":
        main_phase = WorkflowPhase.FAILED if main_phase is WorkflowPhase.SUCCEEDED else main_phase
        message = _stop_message(run, shutdown)
    handler = _exit_handler(run)
    if handler is None or shutdown == "Terminate":
        return main_phase, message
    failures = _failures(run)
    started = run.workflow.status.started_at or run.now
    encoded = json.dumps(failures, separators=(",", ":")) if failures else "null"
    extra = {
        "workflow.status": str(main_phase),
        # Argo quotes the JSON once more: the text substituted is a JSON string literal
        "workflow.failures": json.dumps(encoded),
        "workflow.duration": f"{(run.now - started).total_seconds():f}",
    }
    call = evolve(
        _entry(run, extra),
        node_name=naming.exit_hook(run.name),
        display_name=naming.exit_hook(run.name),
        holder=handler,
        arguments=handler.get("arguments") or run.spec.get("arguments"),
    )
    exit_node = _walk(run, call)
    if not exit_node.fulfilled:
        return WorkflowPhase.RUNNING, ""
    if exit_node.phase.failed_or_error and main_phase is WorkflowPhase.SUCCEEDED:
        return _phase_of(exit_node), exit_node.message
    return main_phase, message


def _phase_of(node: NodeStatus) -> WorkflowPhase:
    if node.phase is NodePhase.ERROR:
        return WorkflowPhase.ERROR
    if node.phase is NodePhase.FAILED:
        return WorkflowPhase.FAILED
    return WorkflowPhase.SUCCEEDED


def _exit_handler(run: Run) -> dict[str, Any] | None:
    hooks = run.spec.get("hooks") or {}
    if hooks.get("exit"):
        return dict(hooks["exit"])
    if run.spec.get("onExit"):
        return {"template": run.spec["onExit"]}
    return None


def _failures(run: Run) -> list[dict[str, Any]]:
    found = []
    for node in run.nodes.values():
        if node.phase.failed_or_error:
            found.append(
                {
                    "displayName": node.display_name,
                    "message": node.message,
                    "templateName": node.template_name or "",
                    "phase": str(node.phase),
                    "podName": node.id,
                    "finishedAt": format_time(node.finished_at),
                }
            )
    return found


def _workflow_hooks(run: Run, root: NodeStatus) -> bool:
    """Run workflow lifecycle hooks whose expression holds; True when none is running."""
    hooks = run.spec.get("hooks") or {}
    if not hooks:
        return True
    done = True
    phase = str(_phase_of(root)) if root.fulfilled else "Running"
    for name, hook in hooks.items():
        if name == "exit" or not hook.get("expression"):
            continue
        node_name = naming.lifecycle_hook(run.name, name)
        call = evolve(
            _entry(run, {"workflow.status": phase}),
            node_name=node_name,
            display_name=node_name,
            holder=hook,
            arguments=hook.get("arguments"),
        )
        if run.by_name(node_name) is None:
            try:
                if not evaluate(str(hook["expression"]), call.globals):
                    continue
            except ExpressionError:
                continue
        done = _walk(run, call).fulfilled and done
    return done


_EXECUTABLE = (NodeType.POD, NodeType.CONTAINER, NodeType.HTTP, NodeType.PLUGIN, NodeType.SUSPEND)


def node_progress(node: NodeStatus) -> tuple[int, int]:
    """An executable node's ``N/M``: reported progress, ``M/M`` once it succeeded."""
    done, total = 0, 1
    reported = node.private.get("reported_progress") or node.progress
    if reported and "/" in reported:
        n, _, m = str(reported).partition("/")
        if n.isdigit() and m.isdigit() and int(m) > 0:
            done, total = int(n), int(m)
    if node.phase in (NodePhase.SUCCEEDED, NodePhase.SKIPPED, NodePhase.OMITTED):
        done = total
    return done, total


def _progress(run: Run) -> str:
    """Argo's progress: the sum over executable nodes; pods get their own ``N/M`` too.

    Only nodes saved in this reconcile can have changed, so the previous total is adjusted
    by their difference instead of summing every node again.
    """
    old = run.workflow.status
    done, total = _parse_progress(old.progress) if old.progress else (0, 0)
    if not old.progress:
        touched = [n.id for n in run.nodes.values()]
    else:
        dirty = [i for i in old.private.get("progress_dirty", []) if i in run.nodes]
        touched = list(dict.fromkeys([*run.touched, *dirty]))
    for node_id in touched:
        node = run.nodes[node_id]
        if node.type not in _EXECUTABLE:
            continue
        before = old.nodes.get(node_id)
        if before is not None and old.progress:
            n0, m0 = _parse_progress(before.progress) if before.progress else node_progress(before)
            done, total = done - n0, total - m0
        n, m = node_progress(node)
        done, total = done + n, total + m
        text = f"{n}/{m}"
        if node.progress != text:
            run.save(evolve(node, progress=text))
    root = run.nodes.get(run.name)
    summary = f"{done}/{total}"
    if root is not None and root.type not in _EXECUTABLE and root.progress != summary:
        run.save(evolve(root, progress=summary))
    return summary


def _parse_progress(text: str) -> tuple[int, int]:
    n, _, m = text.partition("/")
    return (int(n), int(m)) if n.isdigit() and m.isdigit() else (0, 0)


def _decide(run: Run, phase: WorkflowPhase, message: str) -> Decision:
    old = run.workflow.status
    memoize.saves(run, old.nodes)
    outputs = old.outputs
    if run.global_outputs or run.global_artifacts:
        merged = {p.name: p for p in (outputs.parameters if outputs else ())}
        for name, value in run.global_outputs.items():
            merged[name] = Parameter(name=name, value=value)
        kept = {str(a["name"]): a for a in (outputs.artifacts if outputs else ())}
        kept.update(run.global_artifacts)
        outputs = Outputs(parameters=tuple(merged.values()), artifacts=tuple(kept.values()))
    status = WorkflowStatus(
        phase=phase,
        started_at=old.started_at or run.now,
        finished_at=run.now if phase.completed else None,
        message=message,
        progress=_progress(run),
        nodes=run.nodes,
        outputs=outputs,
        private={k: v for k, v in run.workflow.status.private.items() if k != "progress_dirty"},
    )
    wake = None if phase.completed else run.wake_at
    return Decision(status, tuple(run.actions), wake, frozenset(run.touched))
