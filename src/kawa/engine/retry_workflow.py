"""``kawa retry``: Argo's ``FormulateRetryWorkflow``, as a pure function of the status.

What is reset and what is deleted follows ``workflow/util/util.go`` in Argo v4:

* the *failed steps* (Failed/Error pods, or for a retried attempt its Retry node, unless
  something below it succeeded) and, with ``--restart-successful``, the nodes the
  ``--node-field-selector`` matches, are deleted with everything below them, so they run
  again;
* on the way from each of them up to the root, group nodes (DAG, TaskGroup, Steps,
  StepGroup) and failed Retry nodes are reset to Running (a Skipped node stays Skipped),
  together with the boundaries they belong to;
* with changed parameters (``-p``), the children of reset TaskGroups/StepGroups are
  deleted too, so loops expand again with the new values;
* the exit handler's nodes are deleted; everything else is kept as it was.

The workflow becomes Running again with its start time set to now; ``stop``/``terminate``
and a zero ``activeDeadlineSeconds`` are cleared.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kawa.engine import naming, selectors
from kawa.spec.errors import ConflictError
from kawa.spec.events import NodeSelector
from kawa.spec.frozen import evolve
from kawa.spec.status import NodePhase, NodeStatus, NodeType, WorkflowPhase
from kawa.spec.workflow import Workflow

_GROUPS = (NodeType.DAG, NodeType.TASK_GROUP, NodeType.STEP_GROUP, NodeType.STEPS)
_EXECUTION = (NodeType.CONTAINER, NodeType.POD, NodeType.HTTP, NodeType.PLUGIN)


def retry(
    workflow: Workflow,
    now: datetime,
    *,
    restart_successful: bool = False,
    selector: NodeSelector | None = None,
    spec: Mapping[str, Any] | None = None,
) -> tuple[Workflow, list[str]]:
    """The workflow to run again, and the ids of the removed nodes (their files move)."""
    selector = selector or NodeSelector()
    phase = workflow.status.phase
    if phase is WorkflowPhase.SUCCEEDED:
        if not restart_successful or not selector.terms:
            raise ConflictError(
                "To retry a succeeded workflow, set the options restartSuccessful and "
                "nodeFieldSelector"
            )
    elif phase not in (WorkflowPhase.FAILED, WorkflowPhase.ERROR):
        raise ConflictError(f"Cannot retry a workflow in phase {phase or 'Pending'}")
    nodes = dict(workflow.status.nodes)
    graph = _Graph(nodes)
    chosen = {
        n.id for n in nodes.values() if restart_successful and selectors.matches(n, selector)
    } if selector.terms else set()  # fmt: skip
    for node_id, node in nodes.items():
        if node.phase.failed_or_error and node.type in _EXECUTION:
            owner = graph.retry_parent(node) if node.retried else node
            if not graph.descendant_succeeded(owner or node, chosen):
                chosen.add(node_id)
    to_reset: set[str] = set()
    to_delete: set[str] = set()
    for node in graph.breadth_first(workflow.name):
        if node.id in chosen and node.id not in to_delete:
            reset, delete = graph.reset_path(node.id)
            to_reset |= reset
            to_delete |= delete
    parameters_changed = spec is not None and spec.get("arguments") != workflow.spec.get(
        "arguments"
    )
    if parameters_changed:
        for node_id in list(to_reset - to_delete):
            if nodes[node_id].type in (NodeType.TASK_GROUP, NodeType.STEP_GROUP):
                to_delete |= graph.descendants(node_id)
    exit_prefix = naming.exit_hook(workflow.name)
    removed = {i for i, n in nodes.items() if i in to_delete or n.name.startswith(exit_prefix)}
    kept: dict[str, NodeStatus] = {}
    for node_id, node in nodes.items():
        if node_id in removed:
            continue
        if node_id in to_reset:
            node = _reset(node, now)
        kept[node_id] = evolve(
            node,
            children=tuple(c for c in node.children if c not in removed),
            outbound_nodes=tuple(c for c in node.outbound_nodes if c not in removed),
        )
    new_spec = dict(spec if spec is not None else workflow.spec)
    new_spec.pop("shutdown", None)
    if new_spec.get("activeDeadlineSeconds") in (0, "0"):
        new_spec.pop("activeDeadlineSeconds")
    private = {
        k: v
        for k, v in workflow.status.private.items()
        if k not in ("shutdown", "shutdown_message", "progress_dirty")
    }
    status = evolve(
        workflow.status,
        phase=WorkflowPhase.RUNNING,
        started_at=now,
        finished_at=None,
        message="",
        progress="",
        nodes=kept,
        private=private,
    )
    return workflow.with_spec(new_spec).with_status(status), sorted(removed)


def _reset(node: NodeStatus, now: datetime) -> NodeStatus:
    outputs = node.outputs
    if node.type is NodeType.SUSPEND and outputs is not None:
        supplied = tuple(
            evolve(p, value=None, value_from={"supplied": {}}) for p in outputs.parameters
        )
        outputs = evolve(outputs, parameters=supplied)
    phase = NodePhase.SKIPPED if node.phase is NodePhase.SKIPPED else NodePhase.RUNNING
    return evolve(
        node,
        phase=phase,
        message="",
        started_at=now,
        finished_at=None,
        outputs=outputs,
        private={},
    )


class _Graph:
    """Argo's ``dagNode`` view: one parent per node (the last in id order wins)."""

    def __init__(self, nodes: Mapping[str, NodeStatus]) -> None:
        self.nodes = nodes
        self.parent: dict[str, str] = {}
        for node_id in sorted(nodes):
            for child in nodes[node_id].children:
                self.parent[child] = node_id

    def retry_parent(self, node: NodeStatus) -> NodeStatus | None:
        """The Retry node an attempt belongs to (an attempt has no other parent)."""
        parent = self.nodes.get(self.parent.get(node.id, ""))
        return parent if parent is not None and parent.type is NodeType.RETRY else None

    def descendant_succeeded(self, node: NodeStatus, excluded: set[str]) -> bool:
        for child_id in node.children:
            child = self.nodes.get(child_id)
            if child is None:
                continue
            if child_id not in excluded and child.phase is NodePhase.SUCCEEDED:
                return True
            if self.descendant_succeeded(child, excluded):
                return True
        return False

    def descendants(self, node_id: str) -> set[str]:
        found: set[str] = set()
        queue = list(self.nodes[node_id].children)
        while queue:
            child = queue.pop()
            if child in found or child not in self.nodes:
                continue
            found.add(child)
            queue.extend(self.nodes[child].children)
        return found

    def breadth_first(self, root_name: str) -> list[NodeStatus]:
        root = next((n for n in self.nodes.values() if n.name == root_name), None)
        if root is None:
            return []
        order, queue, seen = [], [root.id], {root.id}
        while queue:
            node = self.nodes[queue.pop(0)]
            order.append(node)
            for child in node.children:
                if child not in seen and child in self.nodes:
                    seen.add(child)
                    queue.append(child)
        return order

    def reset_path(self, start: str) -> tuple[set[str], set[str]]:
        """Argo's ``resetPath``: (nodes to reset, nodes to delete) for one chosen node."""
        delete = self.descendants(start) | {start}
        reset: set[str] = set()
        if start not in self.parent:  # the root itself
            return reset, delete
        current: str | None = start
        while current is not None:
            node = self.nodes[current]
            if node.type in _GROUPS:
                reset.add(current)
                current = self._reset_boundaries(current, reset)
                continue
            if node.type is NodeType.RETRY and node.phase.failed_or_error:
                reset.add(current)
            elif node.type is NodeType.CONTAINER:
                pod = self._up_to(current, lambda n: n.type is NodeType.POD, reset)
                delete |= self.descendants(pod) | {pod}
                current = pod
            current = self.parent.get(current)
        return reset, delete

    def _up_to(self, start: str, match: Any, reset: set[str]) -> str:
        current: str | None = start
        while current is not None:
            if match(self.nodes[current]):
                reset.add(current)
                return current
            current = self.parent.get(current)
        raise ConflictError(f"node {start} has no enclosing node to reset")

    def _reset_boundaries(self, start: str, reset: set[str]) -> str | None:
        current = start
        while True:
            parent = self.parent.get(current)
            if parent is not None and self.nodes[parent].type is NodeType.RETRY:
                reset.add(parent)
                current = parent
                parent = self.parent.get(current)
            if parent is not None and self.nodes[parent].type in (
                NodeType.STEP_GROUP,
                NodeType.TASK_GROUP,
            ):
                reset.add(parent)
            boundary = self.nodes[current].boundary_id
            if not boundary:
                return parent
            current = self._up_to(current, lambda n, b=boundary: n.id == b, reset)
