"""Suspend templates: a node that waits for ``resume`` (or its ``duration``).

Argo shows a suspended node as Running; ``argo resume`` (optionally narrowed with
``--node-field-selector``) makes it Succeeded; ``argo stop --node-field-selector`` makes it
Failed with the given message; ``suspend.duration`` resumes it by itself.
"""

from __future__ import annotations

from datetime import timedelta

from kawa.engine import retries
from kawa.engine.calls import Call
from kawa.engine.run import Run
from kawa.engine.scope import Scope, render
from kawa.engine.templates import Resolved
from kawa.spec.status import NodePhase, NodeStatus


def execute(run: Run, call: Call, resolved: Resolved, node: NodeStatus, scope: Scope) -> NodeStatus:
    if node.phase is NodePhase.PENDING:
        node = run.save(node.with_phase(NodePhase.RUNNING, run.now))
    if node.private.get("resumed"):
        return run.save(node.with_private(resumed=None).with_phase(NodePhase.SUCCEEDED, run.now))
    duration = (resolved.template.get("suspend") or {}).get("duration")
    if duration is not None and str(duration) != "":
        seconds = retries.parse_duration(render(str(duration), scope))
        until = (node.started_at or run.now) + timedelta(seconds=seconds)
        if run.now >= until:
            return run.save(node.with_phase(NodePhase.SUCCEEDED, run.now))
        run.wake(until)
    return node
