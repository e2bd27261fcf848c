"""What the store keeps, as plain records (JSON text and scalars), not engine types.

The controller maps workflows, nodes, events and actions to these; the store never
imports the engine.  One ``WorkflowRecord`` row per workflow (its status without nodes),
one row per node (so a reconcile writes only the nodes it changed), an append-only
history of records per workflow, and the StartStep of every launched step (write-ahead:
committed before the step is started).
"""

from __future__ import annotations

from dataclasses import field

from kawa.spec.frozen import frozen


@frozen
class WorkflowRecord:
    uid: str
    namespace: str
    name: str
    phase: str
    created_at: str
    finished_at: str | None
    labels: dict[str, str]
    #: metadata beyond name/labels: annotations, generateName, engine flags, templates
    meta: str
    spec: str
    #: status JSON without nodes
    status: str
    owner: str | None = None
    #: workflow parameter values (name -> value), indexed for finding runs
    parameters: dict[str, str] = field(default_factory=dict)


@frozen
class HistoryRecord:
    """One entry of a workflow's history: ``submitted``, ``event`` or ``reconciled``."""

    kind: str
    at: str
    data: str
    seq: int = 0


@frozen
class Change:
    """Everything one controller pass commits for one workflow, in one transaction."""

    uid: str
    phase: str
    finished_at: str | None
    status: str
    spec: str | None = None
    nodes: dict[str, str] = field(default_factory=dict)
    history: list[HistoryRecord] = field(default_factory=list)
    steps: dict[str, str] = field(default_factory=dict)
    #: inbox commands folded into this pass: those up to this id are deleted with it
    commands_upto: int | None = None


@frozen
class ListQuery:
    namespace: str | None = None
    phases: tuple[str, ...] = ()
    name_prefix: str = ""
    name_contains: str = ""
    since: str | None = None
    until: str | None = None
    #: (name, value) pairs every listed workflow was given
    parameters: tuple[tuple[str, str], ...] = ()
    #: label selector terms: (key, op, values) with op in =, !=, in, notin, exists, !exists
    labels: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    limit: int = 500
    offset: int = 0
