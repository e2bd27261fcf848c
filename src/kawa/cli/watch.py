"""Following a run: a live tree on a terminal (as ``argo watch``), plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any

from kawa.spec.status import NodeStatus
from kawa.spec.workflow import Workflow


class Watcher:
    """Receives every new workflow state from the controller and shows it."""

    def __init__(self, *, enabled: bool = True, lines: bool = False) -> None:
        self.enabled = enabled
        self.live: Any = None
        #: the nodes last shown, by workflow uid and node id
        self.seen: dict[str, dict[str, NodeStatus]] = {}
        self.last_draw = 0.0
        self.lines = lines or (enabled and not sys.stdout.isatty())
        if enabled and not self.lines:
            from rich.console import Console
            from rich.live import Live

            self.live = Live(console=Console(), refresh_per_second=8, transient=True)
            self.live.start()

    def update(self, workflow: Workflow) -> None:
        if self.live is not None:
            now = time.monotonic()
            if now - self.last_draw > 0.1 or workflow.status.phase.completed:
                from rich.text import Text

                from kawa.cli import render

                lines = [*render.summary(workflow), "", *render.tree(workflow)]
                self.live.update(Text("\n".join(lines)))
                self.last_draw = now
        elif self.lines:
            self._print_changes(workflow)

    def _print_changes(self, workflow: Workflow) -> None:
        lines = []
        seen = self.seen.setdefault(workflow.uid, {})
        for node_id, node in workflow.status.nodes.items():
            before = seen.get(node_id)
            if before is node:  # nodes are immutable: the same object has not changed
                continue
            seen[node_id] = node
            if before is not None and (before.phase, before.message) == (node.phase, node.message):
                continue
            message = f"  {node.message}" if node.message else ""
            lines.append(f"{workflow.name}  {node.display_name}  {node.phase}{message}\n")
        if lines:
            sys.stderr.write("".join(lines))
            sys.stderr.flush()

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
