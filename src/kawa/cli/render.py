"""Text views of workflows: the ``argo get``-style tree, summaries and list tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from kawa.spec.status import NodePhase, NodeStatus, NodeType, WorkflowStatus
from kawa.spec.workflow import Workflow

ICONS = {
    NodePhase.SUCCEEDED: "✔",
    NodePhase.FAILED: "✖",
    NodePhase.ERROR: "⚠",
    NodePhase.SKIPPED: "○",
    NodePhase.OMITTED: "○",
    NodePhase.RUNNING: "●",
    NodePhase.PENDING: "◷",
}


def duration(start: datetime | None, end: datetime | None, now: datetime | None = None) -> str:
    if start is None:
        return ""
    seconds = int(((end or now or datetime.now(UTC)) - start).total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes}m"


def summary(workflow: Workflow) -> list[str]:
    status = workflow.status
    rows = [
        ("Name:", workflow.name),
        ("Namespace:", workflow.namespace),
        ("Status:", str(status.phase) or "Pending"),
    ]
    if status.message:
        rows.append(("Message:", status.message))
    rows.append(("Created:", workflow.created_at.isoformat()))
    if status.started_at:
        rows.append(("Started:", status.started_at.isoformat()))
    if status.finished_at:
        rows.append(("Finished:", status.finished_at.isoformat()))
    rows.append(("Duration:", duration(status.started_at, status.finished_at)))
    if status.progress:
        rows.append(("Progress:", status.progress))
    if workflow.origin:
        reused = sum(1 for n in status.nodes.values() if n.private.get("reused_from"))
        started = ", ".join(workflow.origin.get("from") or []) or "changed steps only"
        rows.append(("Re-run of:", f"{workflow.origin.get('workflow')} (from: {started})"))
        rows.append(("Reused steps:", str(reused)))
    params = (workflow.spec.get("arguments") or {}).get("parameters") or []
    lines = [f"{label:<20} {value}" for label, value in rows]
    if params:
        lines.append("Parameters:")
        lines.extend(
            f"  {p.get('name')}:{' ' * max(1, 17 - len(str(p.get('name'))))}{p.get('value', '')}"
            for p in params
        )
    return lines


def tree(workflow: Workflow) -> list[str]:
    """``STEP TEMPLATE PODNAME DURATION MESSAGE`` rows, children indented as ``argo get``."""
    status = workflow.status
    rows: list[tuple[str, str, str, str, str]] = []
    root = status.nodes.get(workflow.name)
    if root is not None:
        _walk(status, root, "", "", rows, set())
    exit_node = next(
        (n for n in status.nodes.values() if n.name == f"{workflow.name}.onExit"), None
    )
    if exit_node is not None:
        _walk(status, exit_node, "", "", rows, set())
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("STEP", "TEMPLATE", "PODNAME", "DURATION", "MESSAGE")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=False)]
    out = []
    for row in [header, *rows]:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        out.append("  ".join([*cells, row[4]]).rstrip())
    return out


def _label(node: NodeStatus) -> str:
    return f"{ICONS.get(node.phase, '?')} {node.display_name}"


def _display_children(
    status: WorkflowStatus, node: NodeStatus, parents: dict[str, NodeStatus]
) -> list[NodeStatus]:
    """What ``argo get`` nests under a node.

    Steps/DAG: every step or task of its boundary (step groups flattened, dependency edges
    ignored); Retry: its attempts; TaskGroup: its items; any node: its hook nodes.
    """
    if node.type in (NodeType.STEPS, NodeType.DAG):
        found = [
            n
            for n in status.nodes.values()
            if n.boundary_id == node.id
            and n.type is not NodeType.STEP_GROUP
            and not n.hooked
            and parents.get(n.id, node).type not in (NodeType.RETRY, NodeType.TASK_GROUP)
        ]
    elif node.type in (NodeType.RETRY, NodeType.TASK_GROUP):
        found = [status.nodes[c] for c in node.children if c in status.nodes]
    else:
        found = []
    found += [
        status.nodes[c] for c in node.children if c in status.nodes and status.nodes[c].hooked
    ]
    unique = {n.id: n for n in found}
    order = _discovery_order(status, node)
    return sorted(unique.values(), key=lambda n: order.get(n.id, len(order)))


def _discovery_order(status: WorkflowStatus, node: NodeStatus) -> dict[str, int]:
    """Breadth-first order along ``children`` edges: dependencies before dependents."""
    order: dict[str, int] = {}
    queue = list(node.children)
    while queue:
        current = queue.pop(0)
        if current in order or current not in status.nodes:
            continue
        order[current] = len(order)
        queue.extend(status.nodes[current].children)
    return order


def _walk(
    status: WorkflowStatus,
    node: NodeStatus,
    prefix: str,
    branch: str,
    rows: list[tuple[str, str, str, str, str]],
    seen: set[str],
    parents: dict[str, NodeStatus] | None = None,
) -> None:
    if node.id in seen:
        return
    seen.add(node.id)
    if parents is None:
        parents = {}
        for candidate in status.nodes.values():
            for child_id in candidate.children:
                parents.setdefault(child_id, candidate)
    template = node.template_name or (node.template_ref or {}).get("template", "") or ""
    pod = node.id if node.type is NodeType.POD else ""
    took = duration(node.started_at, node.finished_at) if node.type is NodeType.POD else ""
    rows.append((f"{prefix}{branch}{_label(node)}", str(template), pod, took, node.message))
    shown = [c for c in _display_children(status, node, parents) if c.id not in seen]
    extension = prefix + ("   " if branch.startswith("└") else "│  " if branch else "")
    for index, child in enumerate(shown):
        last = index == len(shown) - 1
        _walk(status, child, extension, "└─ " if last else "├─ ", rows, seen, parents)


def list_table(workflows: Iterable[Workflow]) -> list[str]:
    header = ("NAME", "STATUS", "AGE", "DURATION", "MESSAGE")
    rows = []
    now = datetime.now(UTC)
    for wf in workflows:
        status = wf.status
        rows.append(
            (
                wf.name,
                str(status.phase) or "Pending",
                duration(wf.created_at, now),
                duration(status.started_at, status.finished_at),
                status.message,
            )
        )
    widths = [max([len(header[i])] + [len(r[i]) for r in rows]) for i in range(4)]
    return [
        "  ".join([*(row[i].ljust(widths[i]) for i in range(4)), row[4]]).rstrip()
        for row in [header, *rows]
    ]
