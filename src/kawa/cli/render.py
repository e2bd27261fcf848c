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
    params = (workflow.spec.get("arguments") or {}).get("parameters") or []
    lines = [f"{label:<20} {value}" for label, value in rows]
    if params:
        lines.append("Parameters:")
        lines.extend(f"  {p.get('name')}:{' ' * max(1, 17 - len(str(p.get('name'))))}{p.get('value', '')}" for p in params)
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


def _visible_children(status: WorkflowStatus, node: NodeStatus) -> list[NodeStatus]:
    """Children as shown: StepGroups are flattened into their steps."""
    shown: list[NodeStatus] = []
    for child_id in node.children:
        child = status.nodes.get(child_id)
        if child is None:
            continue
        if child.type is NodeType.STEP_GROUP:
            shown.extend(_visible_children(status, child))
        else:
            shown.append(child)
    return shown


def _walk(
    status: WorkflowStatus,
    node: NodeStatus,
    prefix: str,
    branch: str,
    rows: list[tuple[str, str, str, str, str]],
    seen: set[str],
) -> None:
    if node.id in seen:
        return
    seen.add(node.id)
    template = node.template_name or (node.template_ref or {}).get("template", "") or ""
    pod = node.id if node.type is NodeType.POD else ""
    took = duration(node.started_at, node.finished_at) if node.type is NodeType.POD else ""
    rows.append((f"{prefix}{branch}{_label(node)}", str(template), pod, took, node.message))
    children = [
        c for c in _visible_children(status, node) if c.boundary_id != node.id or node.type is not NodeType.STEP_GROUP
    ]
    children = [c for c in children if c.id not in seen]
    if node.type in (NodeType.STEPS, NodeType.DAG):
        children = _descendants_in_boundary(status, node, seen)
    extension = prefix + ("   " if branch.startswith("└") else "│  " if branch else "")
    for index, child in enumerate(children):
        last = index == len(children) - 1
        _walk(status, child, extension, "└─ " if last else "├─ ", rows, seen)


def _descendants_in_boundary(
    status: WorkflowStatus, node: NodeStatus, seen: set[str]
) -> list[NodeStatus]:
    """All nodes a Steps/DAG node drives, in start order (groups flattened)."""
    found: list[NodeStatus] = []
    queue = list(node.children)
    visited: set[str] = set()
    while queue:
        child_id = queue.pop(0)
        if child_id in visited or child_id in seen:
            continue
        visited.add(child_id)
        child = status.nodes.get(child_id)
        if child is None:
            continue
        if child.type is NodeType.STEP_GROUP:
            queue.extend(child.children)
            continue
        if child.boundary_id == node.id:
            found.append(child)
            if child.type is not NodeType.TASK_GROUP:
                queue.extend(c for c in child.children if _in(status, c, node.id))
        else:
            queue.extend(child.children)
    return found


def _in(status: WorkflowStatus, node_id: str, boundary: str) -> bool:
    node = status.nodes.get(node_id)
    return node is not None and (node.boundary_id == boundary or node.type is NodeType.STEP_GROUP)


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
