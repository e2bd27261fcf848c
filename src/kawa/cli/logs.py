"""``kawa logs``: each step's stdout and stderr, prefixed with the step, as ``argo logs``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from kawa.spec.errors import NotFoundError
from kawa.spec.status import NodeType


def show(kawa: Any, name: str, node_name: str | None, *, follow: bool) -> int:
    workflow = kawa.find(name)
    offsets: dict[Path, int] = {}
    while True:
        pods = _pods(workflow, node_name)
        for node in pods:
            for path in kawa.node_files(workflow, node.id):
                offsets[path] = _emit(path, offsets.get(path, 0), node.display_name)
        if not follow or workflow.status.phase.completed:
            return 0
        time.sleep(0.3)
        workflow = kawa.load(workflow.uid)


def _pods(workflow: Any, node_name: str | None) -> list[Any]:
    nodes = [
        n for n in workflow.status.nodes.values() if n.type in (NodeType.POD, NodeType.CONTAINER)
    ]
    nodes.sort(key=lambda n: (n.started_at is None, n.started_at, n.name))
    if node_name is None:
        return nodes
    chosen = [n for n in nodes if node_name in (n.display_name, n.name, n.id)]
    if not chosen:
        raise NotFoundError(f"workflow {workflow.name} has no step {node_name!r}")
    return chosen


def _emit(path: Path, offset: int, prefix: str) -> int:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return offset
    if not data:
        return offset
    complete = data.rsplit(b"\n", 1)[0] + b"\n" if b"\n" in data else b""
    for line in complete.decode(errors="replace").splitlines():
        sys.stdout.write(f"{prefix}: {line}\n")
    sys.stdout.flush()
    return offset + len(complete)
