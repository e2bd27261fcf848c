"""Reusing the recorded outcome of an equal step from an earlier run (``kawa rerun``).

A re-run carries, fixed at its creation, the outcomes of the succeeded steps of the run
it came from, by content key (``Workflow.reuse``), and the names of the nodes the user
asked to execute again (``Workflow.origin["forced"]``: ``--from`` and everything
downstream of it).  A Pod node about to launch whose key is in the table, and which is not
forced, is not launched: it succeeds at once with the recorded outputs, and says where
they came from in its message and in ``private["reused_from"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kawa.engine.run import Run
from kawa.spec.frozen import evolve
from kawa.spec.status import NodePhase, NodeStatus, Outputs


def recorded(run: Run, node: NodeStatus, key: str) -> Mapping[str, Any] | None:
    """The earlier outcome this node may reuse, or None."""
    if not run.workflow.reuse:
        return None
    if node.name in (run.workflow.origin.get("forced") or ()):
        return None
    return run.workflow.reuse.get(key)


def reuse(run: Run, node: NodeStatus, key: str, entry: Mapping[str, Any]) -> NodeStatus:
    """Succeed ``node`` with the outputs ``entry`` recorded."""
    outputs = Outputs.from_json(entry.get("outputs")) or Outputs()
    from kawa.engine.pods import publish

    publish(run, outputs)
    source = {
        "workflow": entry.get("workflow"),
        "uid": entry.get("uid"),
        "node": entry.get("node"),
        "nodeName": entry.get("node_name"),
    }
    message = f"reused from {entry.get('workflow')} (node {entry.get('node_name')})"
    done = evolve(node, outputs=outputs, private={"key": key, "reused_from": source})
    return run.save(done.with_phase(NodePhase.SUCCEEDED, run.now, message))
