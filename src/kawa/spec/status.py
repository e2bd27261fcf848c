"""Workflow and node status, in Argo's vocabulary and JSON shape.

``NodeStatus`` and ``WorkflowStatus`` are frozen values: the engine never mutates a node,
it returns a new one (``dataclasses.replace``).  ``to_json`` gives exactly the fields
Argo shows in ``status.nodes[id]`` (camelCase, empty fields omitted); a few private fields
that only kawa needs (e.g. when a retry backoff ends) are kept under ``kawa`` in storage
and left out of the Argo view.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import field
from datetime import UTC, datetime
from typing import Any

from kawa.spec.frozen import evolve, frozen


class NodePhase(enum.StrEnum):
    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    SKIPPED = "Skipped"
    FAILED = "Failed"
    ERROR = "Error"
    OMITTED = "Omitted"

    @property
    def fulfilled(self) -> bool:
        """The node will not change phase again (Argo's ``Fulfilled``)."""
        return self in _FULFILLED

    @property
    def failed_or_error(self) -> bool:
        return self in (NodePhase.FAILED, NodePhase.ERROR)

    @property
    def successful(self) -> bool:
        """Counts as success for a parent: Succeeded, Skipped (Argo's ``Successful``)."""
        return self in (NodePhase.SUCCEEDED, NodePhase.SKIPPED)


_FULFILLED = frozenset(
    {NodePhase.SUCCEEDED, NodePhase.SKIPPED, NodePhase.FAILED, NodePhase.ERROR, NodePhase.OMITTED}
)


class WorkflowPhase(enum.StrEnum):
    UNKNOWN = ""
    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    ERROR = "Error"

    @property
    def completed(self) -> bool:
        return self in (WorkflowPhase.SUCCEEDED, WorkflowPhase.FAILED, WorkflowPhase.ERROR)


class NodeType(enum.StrEnum):
    POD = "Pod"
    CONTAINER = "Container"
    STEPS = "Steps"
    STEP_GROUP = "StepGroup"
    DAG = "DAG"
    TASK_GROUP = "TaskGroup"
    RETRY = "Retry"
    SKIPPED = "Skipped"
    SUSPEND = "Suspend"
    HTTP = "HTTP"
    PLUGIN = "Plugin"


@frozen
class Parameter:
    """An input or output parameter as it appears in a node's status."""

    name: str
    value: str | None = None
    default: str | None = None
    value_from: Mapping[str, Any] | None = None
    global_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.default is not None:
            out["default"] = self.default
        if self.value is not None:
            out["value"] = self.value
        if self.value_from:
            out["valueFrom"] = dict(self.value_from)
        if self.global_name:
            out["globalName"] = self.global_name
        return out

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Parameter:
        return Parameter(
            name=data["name"],
            value=data.get("value"),
            default=data.get("default"),
            value_from=data.get("valueFrom"),
            global_name=data.get("globalName"),
        )


@frozen
class Outputs:
    parameters: tuple[Parameter, ...] = ()
    artifacts: tuple[Mapping[str, Any], ...] = ()
    result: str | None = None
    exit_code: str | None = None

    def parameter(self, name: str) -> Parameter | None:
        for p in self.parameters:
            if p.name == name:
                return p
        return None

    def to_json(self, *, private: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.parameters:
            out["parameters"] = [p.to_json() for p in self.parameters]
        if self.artifacts:
            out["artifacts"] = [artifact_json(a, private) for a in self.artifacts]
        if self.result is not None:
            out["result"] = self.result
        if self.exit_code is not None:
            out["exitCode"] = self.exit_code
        return out

    @staticmethod
    def from_json(data: Mapping[str, Any] | None) -> Outputs | None:
        if data is None:
            return None
        return Outputs(
            parameters=tuple(Parameter.from_json(p) for p in data.get("parameters", ())),
            artifacts=tuple(data.get("artifacts", ())),
            result=data.get("result"),
            exit_code=data.get("exitCode"),
        )


@frozen
class Inputs:
    parameters: tuple[Parameter, ...] = ()
    artifacts: tuple[Mapping[str, Any], ...] = ()

    def to_json(self, *, private: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.parameters:
            out["parameters"] = [p.to_json() for p in self.parameters]
        if self.artifacts:
            out["artifacts"] = [artifact_json(a, private) for a in self.artifacts]
        return out

    @staticmethod
    def from_json(data: Mapping[str, Any] | None) -> Inputs | None:
        if data is None:
            return None
        return Inputs(
            parameters=tuple(Parameter.from_json(p) for p in data.get("parameters", ())),
            artifacts=tuple(data.get("artifacts", ())),
        )


#: fields kawa keeps on an artifact that Argo's Artifact does not have
_KAWA_ARTIFACT_FIELDS = ("digest", "size")


def artifact_json(artifact: Mapping[str, Any], private: bool = False) -> dict[str, Any]:
    """An artifact as Argo shows it (kawa's ``digest``/``size`` only in storage)."""
    if private:
        return dict(artifact)
    return {k: v for k, v in artifact.items() if k not in _KAWA_ARTIFACT_FIELDS}


def format_time(at: datetime | None) -> str | None:
    """Argo's RFC 3339 timestamps, second precision, ``Z`` suffix."""
    if at is None:
        return None
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@frozen
class NodeStatus:
    """One node of ``status.nodes``; Argo's field names in ``to_json``."""

    id: str
    name: str
    display_name: str
    type: NodeType
    phase: NodePhase = NodePhase.PENDING
    template_name: str | None = None
    template_ref: Mapping[str, Any] | None = None
    boundary_id: str | None = None
    message: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: str | None = None
    inputs: Inputs | None = None
    outputs: Outputs | None = None
    children: tuple[str, ...] = ()
    outbound_nodes: tuple[str, ...] = ()
    daemoned: bool = False
    hooked: bool = False
    retried: bool = False
    memoization_status: Mapping[str, Any] | None = None
    synchronization_status: Mapping[str, Any] | None = None
    #: kawa-private bookkeeping (not shown in Argo's view), e.g. backoff deadlines
    private: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fulfilled(self) -> bool:
        return self.phase.fulfilled

    def with_phase(self, phase: NodePhase, at: datetime, message: str | None = None) -> NodeStatus:
        """Move to ``phase``, stamping finishedAt when it becomes fulfilled."""
        finished = at if phase.fulfilled and self.finished_at is None else self.finished_at
        started = self.started_at or at
        return evolve(
            self,
            phase=phase,
            finished_at=finished,
            started_at=started,
            message=self.message if message is None else message,
        )

    def with_child(self, child_id: str) -> NodeStatus:
        if child_id in self.children:
            return self
        return evolve(self, children=(*self.children, child_id))

    def with_private(self, **values: Any) -> NodeStatus:
        """Set (or, with None, remove) private bookkeeping; unchanged nodes stay the same object."""
        if all(self.private.get(k) == v for k, v in values.items()):
            return self
        merged = dict(self.private)
        merged.update(values)
        return evolve(self, private={k: v for k, v in merged.items() if v is not None})

    def to_json(self, *, private: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "displayName": self.display_name,
            "type": str(self.type),
        }
        if self.template_name:
            out["templateName"] = self.template_name
        if self.template_ref:
            out["templateRef"] = dict(self.template_ref)
        out["templateScope"] = "local/" if not self.template_ref else "namespaced/"
        out["phase"] = str(self.phase)
        if self.boundary_id:
            out["boundaryID"] = self.boundary_id
        if self.message:
            out["message"] = self.message
        out["startedAt"] = format_time(self.started_at)
        out["finishedAt"] = format_time(self.finished_at)
        if self.progress:
            out["progress"] = self.progress
        if self.inputs is not None and (self.inputs.parameters or self.inputs.artifacts):
            out["inputs"] = self.inputs.to_json(private=private)
        if self.outputs is not None:
            outputs = self.outputs.to_json(private=private)
            if outputs:
                out["outputs"] = outputs
        if self.children:
            out["children"] = list(self.children)
        if self.outbound_nodes:
            out["outboundNodes"] = list(self.outbound_nodes)
        if self.daemoned:
            out["daemoned"] = True
        if self.hooked or self.retried:
            flag: dict[str, bool] = {}
            if self.hooked:
                flag["hooked"] = True
            if self.retried:
                flag["retried"] = True
            out["nodeFlag"] = flag
        if self.memoization_status:
            out["memoizationStatus"] = dict(self.memoization_status)
        if self.synchronization_status:
            out["synchronizationStatus"] = dict(self.synchronization_status)
        if private and self.private:
            out["kawa"] = dict(self.private)
        return out

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> NodeStatus:
        flag = data.get("nodeFlag") or {}
        return NodeStatus(
            id=data["id"],
            name=data["name"],
            display_name=data.get("displayName", data["name"]),
            type=NodeType(data["type"]),
            phase=NodePhase(data.get("phase") or "Pending"),
            template_name=data.get("templateName"),
            template_ref=data.get("templateRef"),
            boundary_id=data.get("boundaryID"),
            message=data.get("message", ""),
            started_at=parse_time(data.get("startedAt")),
            finished_at=parse_time(data.get("finishedAt")),
            progress=data.get("progress"),
            inputs=Inputs.from_json(data.get("inputs")),
            outputs=Outputs.from_json(data.get("outputs")),
            children=tuple(data.get("children", ())),
            outbound_nodes=tuple(data.get("outboundNodes", ())),
            daemoned=bool(data.get("daemoned", False)),
            hooked=bool(flag.get("hooked", False)),
            retried=bool(flag.get("retried", False)),
            memoization_status=data.get("memoizationStatus"),
            synchronization_status=data.get("synchronizationStatus"),
            private=data.get("kawa") or {},
        )


@frozen
class WorkflowStatus:
    phase: WorkflowPhase = WorkflowPhase.UNKNOWN
    started_at: datetime | None = None
    finished_at: datetime | None = None
    message: str = ""
    progress: str = ""
    nodes: Mapping[str, NodeStatus] = field(default_factory=dict)
    outputs: Outputs | None = None
    #: kawa-private: shutdown strategy, suspend, etc.
    private: Mapping[str, Any] = field(default_factory=dict)

    def node(self, node_id: str) -> NodeStatus | None:
        return self.nodes.get(node_id)

    def to_json(self, *, private: bool = False, with_nodes: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.phase:
            out["phase"] = str(self.phase)
        out["startedAt"] = format_time(self.started_at)
        out["finishedAt"] = format_time(self.finished_at)
        if self.progress:
            out["progress"] = self.progress
        if self.message:
            out["message"] = self.message
        if with_nodes and self.nodes:
            out["nodes"] = {nid: n.to_json(private=private) for nid, n in self.nodes.items()}
        if self.outputs is not None:
            outputs = self.outputs.to_json(private=private)
            if outputs:
                out["outputs"] = outputs
        if private and self.private:
            out["kawa"] = dict(self.private)
        return out

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> WorkflowStatus:
        return WorkflowStatus(
            phase=WorkflowPhase(data.get("phase") or ""),
            started_at=parse_time(data.get("startedAt")),
            finished_at=parse_time(data.get("finishedAt")),
            message=data.get("message", ""),
            progress=data.get("progress", ""),
            nodes={k: NodeStatus.from_json(v) for k, v in (data.get("nodes") or {}).items()},
            outputs=Outputs.from_json(data.get("outputs")),
            private=data.get("kawa") or {},
        )
