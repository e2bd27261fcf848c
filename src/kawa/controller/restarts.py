"""Running a finished workflow again: ``kawa retry``, ``kawa resubmit``, ``kawa rerun``.

* **retry** restarts the same workflow in place (Argo's semantics: failed steps and what
  is below them run again, the rest is kept; see ``engine/retry_workflow.py``).  The
  files of the removed steps move to ``runs/<uid>/retried/<n>/`` first, so their logs
  stay readable and the new attempts start from fresh node dirs.
* **resubmit** creates a new workflow from the same spec; ``--memoized`` keeps the
  succeeded steps (as Argo does: Skipped, "original pod: <id>").
* **rerun** creates a new workflow that reuses every step whose content key matches a
  succeeded step of the earlier run, except the ``--from`` nodes and what follows them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kawa.controller import clock, codec, ids, wakeup
from kawa.engine import naming, retry_workflow
from kawa.engine import rerun as rerun_rules
from kawa.spec import submission
from kawa.spec.errors import ConflictError
from kawa.spec.events import NodeSelector
from kawa.spec.frozen import evolve
from kawa.spec.status import NodePhase, NodeStatus, NodeType, WorkflowPhase, WorkflowStatus
from kawa.spec.workflow import Workflow
from kawa.store.records import Change

if TYPE_CHECKING:
    from kawa.controller.service import Kawa

#: the label Argo puts on a resubmitted workflow
RESUBMITTED_FROM = "workflows.argoproj.io/resubmitted-from-workflow"
#: kawa's label on a re-run
RERUN_OF = "kawa.dev/rerun-of"
#: labels that describe a run's state, never copied to a new one
_STATE_LABELS = (
    "workflows.argoproj.io/phase",
    "workflows.argoproj.io/completed",
    "workflows.argoproj.io/workflow-archiving-status",
    "workflows.argoproj.io/creator",
)


def retry(
    kawa: Kawa,
    name: str,
    namespace: str,
    *,
    restart_successful: bool = False,
    selector: NodeSelector | None = None,
    parameters: Mapping[str, str] | None = None,
) -> Workflow:
    workflow = kawa.find(name, namespace)
    spec = _with_parameters(workflow, parameters)
    now = clock.now()
    restarted, removed = retry_workflow.retry(
        workflow, now, restart_successful=restart_successful, selector=selector, spec=spec
    )
    _move_node_dirs(kawa, workflow, removed)
    status = restarted.status
    change = Change(
        uid=workflow.uid,
        phase=str(status.phase),
        finished_at=None,
        status=codec.status_json(status),
        spec=codec.dumps(restarted.spec),
        history=[codec.restarted_record(restarted, now)],
    )
    nodes = {nid: codec.node_json(n) for nid, n in status.nodes.items()}
    kawa.store.restart(
        change, str(workflow.status.phase), nodes, removed, codec.parameter_values(restarted.spec)
    )
    wakeup.poke_all(kawa.home.sockets)
    return restarted


def resubmit(
    kawa: Kawa,
    name: str,
    namespace: str,
    *,
    memoized: bool = False,
    parameters: Mapping[str, str] | None = None,
) -> Workflow:
    source = kawa.find(name, namespace)
    if memoized and source.status.phase not in (WorkflowPhase.FAILED, WorkflowPhase.ERROR):
        raise ConflictError("workflow must be Failed/Error to resubmit in memoized mode")
    new = _new_run(kawa, source, parameters, {RESUBMITTED_FROM: source.name})
    if memoized:
        new = new.with_status(_memoized_status(source, new))
    return kawa.submit(new)


def rerun(
    kawa: Kawa,
    name: str,
    namespace: str,
    *,
    from_nodes: Sequence[str] = (),
    parameters: Mapping[str, str] | None = None,
) -> Workflow:
    source = kawa.find(name, namespace)
    if not source.status.phase.completed:
        raise ConflictError(
            f"workflow {name} is still {source.status.phase or 'Pending'}; re-run it once it "
            f"has finished (or end it first: kawa stop {name})"
        )
    starts = [rerun_rules.find_node(source, text) for text in from_nodes]
    new = _new_run(kawa, source, parameters, {RERUN_OF: source.name})
    origin = {
        "workflow": source.name,
        "uid": source.uid,
        "from": [n.name for n in starts],
        "forced": rerun_rules.downstream(source, starts, new.name),
    }
    new = evolve(new, origin=origin, reuse=rerun_rules.reusable(source))
    return kawa.submit(new)


def _with_parameters(
    workflow: Workflow, parameters: Mapping[str, str] | None
) -> dict[str, Any] | None:
    if not parameters:
        return None
    return submission.with_parameters(workflow.spec, parameters, file="-p")


def _new_run(
    kawa: Kawa, source: Workflow, parameters: Mapping[str, str] | None, labels: dict[str, str]
) -> Workflow:
    spec = _with_parameters(source, parameters) or dict(source.spec)
    spec.pop("shutdown", None)
    spec.pop("suspend", None)
    if spec.get("activeDeadlineSeconds") in (0, "0"):
        spec.pop("activeDeadlineSeconds")
    generate = source.generate_name or source.name + "-"
    kept = {k: v for k, v in source.labels.items() if k not in _STATE_LABELS}
    return Workflow(
        name=generate + ids.name_suffix(),
        namespace=source.namespace,
        uid=ids.new_uid(),
        created_at=clock.now().replace(microsecond=0),
        spec=spec,
        labels={**kept, **labels},
        annotations=dict(source.annotations),
        generate_name=generate,
        referenced_templates=source.referenced_templates,
        engine_flags=source.engine_flags,
    )


def _memoized_status(source: Workflow, new: Workflow) -> WorkflowStatus:
    """Argo's memoized resubmit: succeeded pods are kept as Skipped, the rest Pending."""
    now = clock.now()
    exit_prefix = source.name + ".onExit"

    def new_id(old_id: str) -> str:
        old = source.status.nodes.get(old_id)
        if old is None:
            return old_id
        return naming.node_id(new.name, rerun_rules.renamed(old.name, source.name, new.name))

    nodes: dict[str, NodeStatus] = {}
    for node in source.status.nodes.values():
        if node.name.startswith(exit_prefix):
            continue
        name = rerun_rules.renamed(node.name, source.name, new.name)
        succeeded_pod = node.type is NodeType.POD and not node.phase.failed_or_error
        copy = evolve(
            node,
            id=new_id(node.id),
            name=name,
            display_name=new.name if node.name == source.name else node.display_name,
            boundary_id=new_id(node.boundary_id) if node.boundary_id else None,
            children=tuple(new_id(c) for c in node.children),
            outbound_nodes=tuple(new_id(c) for c in node.outbound_nodes),
            started_at=None if node.phase.failed_or_error and node.type is NodeType.POD else now,
            finished_at=None if node.phase.failed_or_error and node.type is NodeType.POD else now,
            private={"key": node.private["key"]} if succeeded_pod and "key" in node.private else {},
        )
        if succeeded_pod:
            copy = evolve(
                copy,
                type=NodeType.SKIPPED,
                phase=NodePhase.SKIPPED,
                message=f"original pod: {node.id}",
            )
        elif node.type is NodeType.SKIPPED and not _descendant_succeeded(source, node):
            continue
        else:
            copy = evolve(copy, phase=NodePhase.PENDING, message="", finished_at=None)
        nodes[copy.id] = copy
    return WorkflowStatus(nodes=nodes)


def _descendant_succeeded(source: Workflow, node: NodeStatus) -> bool:
    for child_id in node.children:
        child = source.status.nodes.get(child_id)
        if child is None:
            continue
        if child.phase is NodePhase.SUCCEEDED or _descendant_succeeded(source, child):
            return True
    return False


def _move_node_dirs(kawa: Kawa, workflow: Workflow, removed: list[str]) -> None:
    """Move the files of removed steps aside (before the new state is committed)."""
    run = kawa.home.runs / workflow.uid
    nodes = run / "nodes"
    present = [nid for nid in removed if (nodes / nid).exists()]
    if not present:
        return
    archive = run / "retried"
    archive.mkdir(parents=True, exist_ok=True)
    target = archive / str(len(os.listdir(archive)) + 1)
    target.mkdir()
    for node_id in present:
        os.replace(nodes / node_id, target / node_id)
    (target / "nodes.json").write_text(json.dumps(present))
