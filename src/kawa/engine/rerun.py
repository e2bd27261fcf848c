"""``kawa rerun``: what a new run may reuse from an earlier one, and what it must redo.

Pure functions of the earlier run's status:

* :func:`reusable` — the outcomes of its succeeded steps by content key (a step that was
  itself reused points to the run that really executed it);
* :func:`downstream` — the nodes at and after the ``--from`` nodes, following Argo's
  ``children`` edges (a DAG task's dependents hang below its outbound nodes, a step
  group below the previous group's steps), renamed into the new run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kawa.spec.errors import NotFoundError
from kawa.spec.status import NodePhase, NodeStatus, NodeType
from kawa.spec.workflow import Workflow


def find_node(workflow: Workflow, text: str) -> NodeStatus:
    """The node ``text`` names: its display name (as ``kawa get`` shows it), name or id."""
    nodes = list(workflow.status.nodes.values())
    for field in ("id", "name"):
        exact = [n for n in nodes if getattr(n, field) == text]
        if exact:
            return exact[0]
    shown = [n for n in nodes if n.display_name == text]
    if len(shown) == 1:
        return shown[0]
    if len(shown) > 1:
        names = ", ".join(sorted(n.name for n in shown))
        raise NotFoundError(
            f"{workflow.name} has {len(shown)} nodes shown as {text!r}; name one by its "
            f"full name: {names}"
        )
    known = sorted({n.display_name for n in nodes})
    from difflib import get_close_matches  # only for this hint

    close = get_close_matches(text, known, n=3)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise NotFoundError(f"workflow {workflow.name} has no node {text!r}{hint}")


def renamed(name: str, old: str, new: str) -> str:
    """A node name of run ``old`` as it is called in run ``new``."""
    return new + name[len(old) :] if name.startswith(old) else name


def downstream(source: Workflow, starts: Iterable[NodeStatus], new_name: str) -> list[str]:
    """Names (in the new run) of ``starts`` and every node reachable from them."""
    nodes = source.status.nodes
    seen: set[str] = set()
    queue = [n.id for n in starts]
    while queue:
        node_id = queue.pop()
        if node_id in seen or node_id not in nodes:
            continue
        seen.add(node_id)
        queue.extend(nodes[node_id].children)
    return sorted(renamed(nodes[i].name, source.name, new_name) for i in seen)


def reusable(source: Workflow) -> dict[str, Mapping[str, Any]]:
    """Content key -> the outcome a re-run may reuse, for every succeeded step."""
    table: dict[str, Mapping[str, Any]] = {}
    for node in source.status.nodes.values():
        key = node.private.get("key")
        if node.type is not NodeType.POD or node.phase is not NodePhase.SUCCEEDED or not key:
            continue
        entry: dict[str, Any] = {
            "outputs": node.outputs.to_json(private=True) if node.outputs else {},
            "workflow": source.name,
            "uid": source.uid,
            "node": node.id,
            "node_name": node.name,
        }
        earlier = node.private.get("reused_from")
        if earlier:  # it was reused itself: credit the run that executed it
            entry.update(
                workflow=earlier.get("workflow"),
                uid=earlier.get("uid"),
                node=earlier.get("node"),
                node_name=earlier.get("nodeName"),
            )
        table[str(key)] = entry
    return table
