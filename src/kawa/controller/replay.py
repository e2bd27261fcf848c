"""Re-fold a workflow's stored history through the engine.

The history holds the workflow as submitted, every observed event and the time of every
reconcile.  Because the engine is a pure function of (workflow, now), folding the same
records again must give the same status: that is what makes recovery and audits
trustworthy, and ``tests/replay`` checks it.
"""

from __future__ import annotations

import json

from kawa.controller import codec
from kawa.engine.observe import apply
from kawa.engine.reconcile import reconcile
from kawa.spec.errors import KawaError
from kawa.spec.frozen import evolve
from kawa.spec.status import WorkflowPhase, WorkflowStatus, parse_time
from kawa.spec.workflow import Workflow
from kawa.store.records import HistoryRecord


def refold(history: list[HistoryRecord]) -> Workflow:
    if not history or history[0].kind != "submitted":
        raise KawaError("history does not start with the submitted workflow")
    first = json.loads(history[0].data)
    workflow = codec.workflow_from_meta(first["meta"], first["spec"])
    for record in history[1:]:
        if record.kind == "event":
            workflow = apply(workflow, codec.event_from_json(json.loads(record.data)))
        elif record.kind == "reconciled":
            at = parse_time(record.at)
            assert at is not None
            workflow = workflow.with_status(reconcile(workflow, at).status)
        elif record.kind == "restarted":  # kawa retry: the state it restarted from
            data = json.loads(record.data)
            workflow = codec.workflow_from_meta(data["meta"], data["spec"]).with_status(
                WorkflowStatus.from_json(data["status"])
            )
        elif record.kind == "internal-error":  # the controller ended it outside the engine
            status = workflow.status
            message = json.loads(record.data)["message"]
            workflow = workflow.with_status(
                evolve(
                    status,
                    phase=WorkflowPhase.ERROR,
                    message=message,
                    finished_at=parse_time(record.at),
                )
            )
    return workflow
