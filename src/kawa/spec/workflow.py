"""The Workflow object kawa runs: metadata, the effective spec, and its status.

The spec stays the plain validated dict (Argo's JSON), so substitution can walk it the way
Argo's controller does; ``Workflow`` adds the few typed facts everyone needs.  The
WorkflowTemplates a workflow refers to are snapshotted into ``referenced_templates`` at
submission, so re-running the engine over a stored history never depends on what the
template store holds today.  For the same reason a re-run (``kawa rerun``) carries the
outcomes it may reuse in ``reuse``, fixed when it is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from datetime import datetime
from typing import Any

from kawa.spec.frozen import evolve, frozen
from kawa.spec.status import WorkflowStatus, format_time

API_VERSION = "argoproj.io/v1alpha1"


@frozen
class Workflow:
    name: str
    namespace: str
    uid: str
    created_at: datetime
    spec: Mapping[str, Any]
    status: WorkflowStatus = field(default_factory=WorkflowStatus)
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    generate_name: str = ""
    #: "namespaced/<name>" or "cluster/<name>" -> the template's spec, as submitted
    referenced_templates: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: engine behaviour flags this run was created with (Temporal-style versioning)
    engine_flags: tuple[str, ...] = ()
    #: a re-run: the run it came from and the nodes forced to execute again
    #: (``{"workflow": name, "uid": uid, "from": [...], "forced": [node names]}``)
    origin: Mapping[str, Any] = field(default_factory=dict)
    #: a re-run's reusable outcomes: content key -> what the earlier run recorded
    reuse: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: the artifact repository, resolved at submission (Argo's shape; {} = kawa's local)
    artifact_repository: Mapping[str, Any] = field(default_factory=dict)

    def with_status(self, status: WorkflowStatus) -> Workflow:
        return evolve(self, status=status)

    def with_spec(self, spec: Mapping[str, Any]) -> Workflow:
        return evolve(self, spec=spec)

    def metadata_json(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "name": self.name,
            "namespace": self.namespace,
            "uid": self.uid,
            "creationTimestamp": format_time(self.created_at),
        }
        if self.generate_name:
            meta["generateName"] = self.generate_name
        if self.labels:
            meta["labels"] = dict(self.labels)
        if self.annotations:
            meta["annotations"] = dict(self.annotations)
        return meta

    def to_json(self) -> dict[str, Any]:
        """The Workflow object as Argo's API returns it."""
        return {
            "apiVersion": API_VERSION,
            "kind": "Workflow",
            "metadata": self.metadata_json(),
            "spec": dict(self.spec),
            "status": self.status.to_json(),
        }
