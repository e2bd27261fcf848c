"""Prometheus metrics in the text exposition format (no client library needed)."""

from __future__ import annotations

from typing import Any

PHASES = ("Pending", "Running", "Succeeded", "Failed", "Error")


def render(service: Any, loop: dict[str, float]) -> str:
    db = service.store._db  # a read-only aggregate on the store's own connection
    counts = dict(db.execute("SELECT phase, COUNT(*) FROM workflows GROUP BY phase").fetchall())
    lines = [
        "# HELP kawa_workflows Workflows by phase.",
        "# TYPE kawa_workflows gauge",
    ]
    for phase in PHASES:
        lines.append(f'kawa_workflows{{phase="{phase}"}} {int(counts.get(phase, 0))}')
    seconds = "(julianday(finished_at) - julianday(created_at)) * 86400"
    durations = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM({seconds}), 0) FROM workflows WHERE finished_at IS NOT NULL"
    ).fetchone()
    lines += [
        "# HELP kawa_workflow_duration_seconds Wall time of finished workflows.",
        "# TYPE kawa_workflow_duration_seconds summary",
        f"kawa_workflow_duration_seconds_count {int(durations[0])}",
        f"kawa_workflow_duration_seconds_sum {float(durations[1]):.3f}",
        "# HELP kawa_queue_depth Workflows not yet finished.",
        "# TYPE kawa_queue_depth gauge",
        f"kawa_queue_depth {int(counts.get('Pending', 0)) + int(counts.get('Running', 0))}",
        "# HELP kawa_controller_loop_seconds Duration of the controller's passes.",
        "# TYPE kawa_controller_loop_seconds summary",
        f"kawa_controller_loop_seconds_count {int(loop.get('count', 0))}",
        f"kawa_controller_loop_seconds_sum {loop.get('sum', 0.0):.6f}",
    ]
    return "\n".join(lines) + "\n"
