"""The working state of one reconcile, and the Decision it returns.

``reconcile`` copies the node map once into a ``Run``, the template-executing functions
replace nodes in that copy (nodes themselves stay frozen) and record actions, and the
``Run`` is frozen again into a ``Decision``.  The input workflow is never modified, so the
engine stays a pure function of (workflow, now).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kawa.engine import naming
from kawa.spec.actions import Action, StartStep
from kawa.spec.frozen import frozen
from kawa.spec.status import NodePhase, NodeStatus, NodeType, WorkflowStatus
from kawa.spec.workflow import Workflow

#: how many times the workflow's ``parallelism`` may be issued to the executor at once
LAUNCH_AHEAD = 16


@frozen
class Decision:
    """What reconcile decided: the new status, what to do now, and when to look again."""

    status: WorkflowStatus
    actions: tuple[Action, ...] = ()
    wake_at: datetime | None = None
    #: ids of the nodes this reconcile created or replaced (the rest are unchanged)
    touched: frozenset[str] = frozenset()


class Run:
    """Mutable scratch space of a single reconcile (never escapes it)."""

    def __init__(self, workflow: Workflow, now: datetime) -> None:
        self.workflow = workflow
        self.now = now
        self.nodes: dict[str, NodeStatus] = dict(workflow.status.nodes)
        self.actions: list[Action] = []
        self.wake_at: datetime | None = None
        self.global_outputs: dict[str, str] = {}
        self.global_artifacts: dict[str, dict[str, Any]] = {}
        #: something changed that a second walk from the root would act on
        self.repass = False
        self._active: int | None = None
        #: ids of nodes saved during this reconcile (changed or new)
        self.touched: set[str] = set()

    def what_if(self) -> Run:
        """A copy to try a decision on (``advance``): its nodes and actions are its own."""
        copy = Run(self.workflow, self.now)
        copy.nodes = dict(self.nodes)
        copy.global_outputs = dict(self.global_outputs)
        copy.global_artifacts = dict(self.global_artifacts)
        return copy

    @property
    def name(self) -> str:
        return self.workflow.name

    @property
    def spec(self) -> Mapping[str, Any]:
        return self.workflow.spec

    def id_of(self, node_name: str) -> str:
        return naming.node_id(self.workflow.name, node_name)

    def by_name(self, node_name: str) -> NodeStatus | None:
        # called for every task of a DAG on every pass: naming.node_id directly, not id_of
        return self.nodes.get(naming.node_id(self.workflow.name, node_name))

    def get(self, node_id: str) -> NodeStatus:
        return self.nodes[node_id]

    def save(self, node: NodeStatus) -> NodeStatus:
        self.nodes[node.id] = node
        self.touched.add(node.id)
        return node

    def create(
        self,
        node_name: str,
        node_type: NodeType,
        *,
        display_name: str,
        template_name: str | None = None,
        template_ref: Mapping[str, Any] | None = None,
        boundary_id: str | None = None,
        phase: NodePhase = NodePhase.PENDING,
        message: str = "",
        parent_id: str | None = None,
    ) -> NodeStatus:
        node = NodeStatus(
            id=self.id_of(node_name),
            name=node_name,
            display_name=display_name,
            type=node_type,
            phase=phase,
            template_name=template_name,
            template_ref=template_ref,
            boundary_id=boundary_id or None,
            message=message,
            started_at=self.now,
            finished_at=self.now if phase.fulfilled else None,
        )
        self.save(node)
        if parent_id is not None:
            self.link(parent_id, node.id)
        return node

    def skip(
        self,
        node_name: str,
        display_name: str,
        holder: Mapping[str, Any],
        *,
        boundary_id: str | None,
        phase: NodePhase,
        message: str,
        parent_id: str | None = None,
    ) -> NodeStatus:
        """A node of type Skipped: ``when`` false, empty loop, Omitted, or an early Error."""
        node = self.create(
            node_name,
            NodeType.SKIPPED,
            display_name=display_name,
            template_name=holder.get("template"),
            template_ref=holder.get("templateRef"),
            boundary_id=boundary_id,
            phase=NodePhase.PENDING if phase is NodePhase.ERROR else phase,
            message=message,
            parent_id=parent_id,
        )
        if phase is NodePhase.ERROR:
            node = self.save(node.with_phase(NodePhase.ERROR, self.now, message))
        return node

    def link(self, parent_id: str, child_id: str) -> None:
        parent = self.nodes.get(parent_id)
        if parent is not None:
            self.save(parent.with_child(child_id))

    def emit(self, action: Action) -> None:
        if isinstance(action, StartStep) and self._active is not None:
            self._active += 1
        self.actions.append(action)

    def pod_ended(self) -> None:
        if self._active is not None:
            self._active -= 1

    def wake(self, at: datetime) -> None:
        if self.wake_at is None or at < self.wake_at:
            self.wake_at = at

    def active_launched(self) -> int:
        """Pods whose start was issued and whose end has not been seen."""
        if self._active is None:
            self._active = sum(
                1
                for node in self.nodes.values()
                if node.private.get("launched") and not node.phase.fulfilled
            )
        return self._active

    def launch_window_full(self) -> bool:
        """Workflow ``parallelism`` N: issue at most ``LAUNCH_AHEAD * N`` unfinished starts.

        The executor runs N at a time and refills a slot the moment a step ends; issuing
        a few more than N keeps its queue fed between controller passes, while the
        engine still creates no node far beyond the limit (as Argo creates none at it).
        """
        limit = self.spec.get("parallelism")
        return limit is not None and self.active_launched() >= LAUNCH_AHEAD * int(limit)
