"""Advance starts: issue a chain's next step while the step before it still runs.

In a DAG, a task Y that depends on task X alone starts once the engine has seen X
succeed: X's end travels to the controller, the engine runs a pass, the start travels
back.  For short steps that round trip costs as much as the step (~1 ms each way).  So
while X runs, the engine issues Y's start in advance (``StartStep.after`` = X's node):
the fork server launches Y the moment X exits 0, and drops it if X ends otherwise.
When the engine then sees X succeed it creates Y's node and issues the same start as
always; the executor takes what the advance launch did as that start's.

This is sound only where X exiting 0 is sure to make the engine start Y, and start it
with exactly that request.  The engine works the request out by running its usual code
on a copy of the run in which X has succeeded (``dag._advance``); this module decides
when that copy cannot be wrong:

* X is a plain container or script Pod node: no outputs (a missing output file fails a
  step that exited 0), no retries, deadlines, memoization, daemon, hooks, locks, init
  containers or sidecars; its task has no hooks.
* X is the only node of the workflow still to finish, apart from the DAG and steps nodes
  above it: no other step can end, fail (``failFast``) or wake the workflow meanwhile.
* Y's task names nothing of X (``tasks.X.…``) and uses no ``{{= }}`` expression (which
  could reach X by other names); it has no ``when`` and no loop; its template is a
  local container or script template.
* The workflow has no deadline, no ``templateDefaults``, is no re-run and is neither
  suspended nor shutting down.

What is left to the controller: a user's stop, suspend or resume reaches the engine
only once every advance start has been withdrawn or confirmed (``Controller._pass``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from kawa.engine.run import Run
from kawa.spec.status import NodeStatus, NodeType

#: template fields that make a step's success depend on more than its exit code
_STEP_BLOCKERS = (
    "outputs",
    "retryStrategy",
    "memoize",
    "activeDeadlineSeconds",
    "timeout",
    "daemon",
    "synchronization",
    "hooks",
    "initContainers",
    "sidecars",
)
#: node types that are only the frame around a step (they finish when it does)
_FRAMES = (NodeType.DAG, NodeType.STEPS, NodeType.STEP_GROUP)


def workflow_allows(run: Run) -> bool:
    spec = run.spec
    return not (
        spec.get("activeDeadlineSeconds") is not None
        or spec.get("templateDefaults")
        or spec.get("suspend")
        or run.workflow.reuse
        or run.workflow.status.private.get("shutdown")
    )


def plain_step(template: Mapping[str, Any]) -> bool:
    """A container or script template whose success is its exit code 0."""
    if "container" not in template and "script" not in template:
        return False
    return not any(template.get(key) for key in _STEP_BLOCKERS)


def predecessor(node: NodeStatus) -> bool:
    """Whether ``node`` (task X's node) can have steps started after it in advance."""
    return (
        node.type is NodeType.POD
        and not node.fulfilled
        and node.template_ref is None
        and bool(node.private.get("launched"))
        and not node.private.get("advanced")
        and not node.private.get("outcome")
    )


def alone(run: Run, node: NodeStatus) -> bool:
    """Whether ``node`` is the only node of the run still to finish (frames aside)."""
    for other in run.nodes.values():
        if other.fulfilled or other.id == node.id:
            continue
        if other.type not in _FRAMES:
            return False
    return True


def independent(task: Mapping[str, Any], template: Mapping[str, Any], after: str) -> bool:
    """Whether task Y (and its template) can be started without knowing X's outcome."""
    if task.get("when") or task.get("templateRef") or _has_loop(task):
        return False
    if "container" not in template and "script" not in template:
        return False
    text = json.dumps([task, template])
    if "{{=" in text:
        return False
    return re.search(rf"tasks\.{re.escape(after)}\b", text) is None


def _has_loop(task: Mapping[str, Any]) -> bool:
    return any(task.get(k) is not None for k in ("withItems", "withParam", "withSequence"))
