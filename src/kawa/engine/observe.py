"""``apply(workflow, event) -> workflow``: fold one observed fact into the status.

Executor facts (a step started, ended, reported progress) and user requests (resume,
suspend, stop, terminate) change only what they directly say; ``reconcile`` then derives
everything else (node phases from outcomes, parents, the workflow phase).  Events about
nodes that no longer wait for them are ignored, so replaying a history is idempotent.
"""

from __future__ import annotations

from typing import Any

from kawa.engine import selectors
from kawa.spec.events import (
    CacheLooked,
    Event,
    LockGranted,
    ResumeRequested,
    StepEnded,
    StepProgress,
    StepStarted,
    StopRequested,
    SuspendRequested,
)
from kawa.spec.frozen import evolve
from kawa.spec.status import NodePhase, NodeStatus, NodeType
from kawa.spec.workflow import Workflow


def apply(workflow: Workflow, event: Event) -> Workflow:
    status = workflow.status
    if isinstance(event, StepStarted | StepEnded | StepProgress | LockGranted | CacheLooked):
        node = status.nodes.get(event.node_id)
        if node is None or node.phase.fulfilled:
            return workflow
        changed = _node_event(node, event)
        if changed is node:
            return workflow
        nodes = dict(status.nodes)
        nodes[node.id] = changed
        private = status.private
        if isinstance(event, StepProgress):
            dirty = [*private.get("progress_dirty", []), node.id]
            private = {**private, "progress_dirty": dirty}
        return workflow.with_status(evolve(status, nodes=nodes, private=private))
    if isinstance(event, ResumeRequested):
        return _resume(workflow, event)
    if isinstance(event, SuspendRequested):
        return workflow.with_spec({**workflow.spec, "suspend": True})
    if isinstance(event, StopRequested):
        return _stop(workflow, event)
    return workflow


def _node_event(node: NodeStatus, event: Any) -> NodeStatus:
    if isinstance(event, StepStarted):
        if node.phase is not NodePhase.PENDING:
            return node
        started = node.with_private(pod_started=event.at.isoformat(), pid=event.pid or None)
        daemoned = bool(node.private.get("daemon"))
        return evolve(started, phase=NodePhase.RUNNING, message="", daemoned=daemoned)
    if isinstance(event, StepEnded):
        outcome = event.outcome
        record: dict[str, Any] = {
            "exit_code": outcome.exit_code,
            "result": outcome.result,
            "parameters": dict(outcome.parameters),
            "message": outcome.message,
            "error": outcome.error,
            "at": event.at.isoformat(),
        }
        if outcome.containers:
            record["containers"] = dict(outcome.containers)
        if outcome.artifacts:
            record["artifacts"] = dict(outcome.artifacts)
        if outcome.loaded:
            record["loaded"] = dict(outcome.loaded)
        return node.with_private(outcome=record)
    if isinstance(event, StepProgress):
        return node.with_private(reported_progress=event.progress)
    if isinstance(event, LockGranted):
        return node.with_private(locked=True)
    if isinstance(event, CacheLooked):
        if not node.private.get("memo_requested"):
            return node
        return node.with_private(memo_answer={"entry": event.entry, "error": event.error})
    return node


def _resume(workflow: Workflow, event: ResumeRequested) -> Workflow:
    status = workflow.status
    nodes = dict(status.nodes)
    for node in status.nodes.values():
        active = node.type is NodeType.SUSPEND and node.phase is NodePhase.RUNNING
        if active and selectors.matches(node, event.selector):
            nodes[node.id] = node.with_private(resumed=True)
    workflow = workflow.with_status(evolve(status, nodes=nodes))
    if not event.selector.terms and workflow.spec.get("suspend"):
        spec = {k: v for k, v in workflow.spec.items() if k != "suspend"}
        workflow = workflow.with_spec(spec)
    return workflow


def _stop(workflow: Workflow, event: StopRequested) -> Workflow:
    status = workflow.status
    if event.selector.terms:
        nodes = dict(status.nodes)
        for node in status.nodes.values():
            active = node.type is NodeType.SUSPEND and node.phase is NodePhase.RUNNING
            if active and selectors.matches(node, event.selector):
                nodes[node.id] = node.with_phase(NodePhase.FAILED, event.at, event.message)
        return workflow.with_status(evolve(status, nodes=nodes))
    strategy = "Terminate" if event.terminate else "Stop"
    private = {**status.private, "shutdown": strategy}
    if event.message:
        private["shutdown_message"] = event.message
    spec = {**workflow.spec, "shutdown": strategy}
    return workflow.with_spec(spec).with_status(evolve(status, private=private))
