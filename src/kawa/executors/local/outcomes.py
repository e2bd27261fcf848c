"""Read how a step ended from its node dir: Argo's result, parameters and messages.

* ``result`` is the main container's stdout with ONE trailing newline trimmed, the last
  256 KiB kept if longer (Argo's ``CaptureScriptResult``).
* Output parameters are read from their files through the step's view
  (:func:`mounts.host_path`), one trailing newline trimmed (Argo's ``SaveParameters``);
  a missing file has no entry.  They are read whatever the exit code, as Argo does.
* ``message`` is Argo's node message for a failed container,
  ``"<container>: Error (exit code <n>)"`` followed by ``": <reason>"`` when there is
  one (e.g. ``failed to find name in PATH: exec: "x": executable file not found in
  $PATH``; see ``operator.go`` ``inferFailedReason``); exit codes of signalled processes
  are 128 + the signal (143 for SIGTERM, 137 for SIGKILL).
* ``error`` means kawa itself could not run or follow the step (the node is an Error).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from kawa.executors.local import mounts
from kawa.executors.local._forkserver import records
from kawa.executors.local.layout import NodePaths
from kawa.spec.actions import StartStep, StepOutcome

MAX_RESULT = 256 * 1024


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_result(path: str) -> str | None:
    """The step's ``result``: None if it has no stdout file (it never started).

    Read with ``os`` calls rather than ``open()``, whose file objects cost more than the
    read itself for the empty or short output most steps leave (one call per step).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        size = os.fstat(fd).st_size
        start = max(0, size - MAX_RESULT - 1)
        data = os.pread(fd, size - start, start) if size else b""
    finally:
        os.close(fd)
    if data.endswith(b"\n"):
        data = data[:-1]
    return data[-MAX_RESULT:].decode(errors="replace")


def read_parameter(path: Path) -> str | None:
    try:
        text = path.read_bytes().decode(errors="replace")
    except OSError:
        return None
    return text.removesuffix("\n")


def message_for(name: str, code: int, reason: str) -> str:
    text = f"{name}: Error (exit code {code})"
    return f"{text}: {reason}" if reason else text


def main_name(step: StartStep) -> str:
    return "main" if step.container_set else step.main.name


def outcome(step: StartStep, node: NodePaths, record: dict[str, Any]) -> StepOutcome:
    """The :class:`StepOutcome` for a node whose ``exit`` record is ``record``."""
    code: int | None = record.get("exit_code")
    if record.get("lost"):
        return StepOutcome(step.node_id, None, message=record["message"], error=True)
    launched = records.read_json(node.launched) if step.output_parameters else None
    cwd = node.cwd(step.main.working_dir, (launched or {}).get("isolation", "none"))
    parameters = {}
    for p in step.output_parameters:
        value = read_parameter(mounts.host_path(launched, p.path, cwd))
        if value is not None:
            parameters[p.name] = value
    error = bool(record.get("error"))
    message = record.get("message", "")
    failed = record.get("failed")
    if failed:
        reason = record.get("messages", {}).get(failed, "")
        message = message_for(failed, record["containers"][failed], reason)
    elif code and not error:
        message = message_for(main_name(step), code, message)
    return StepOutcome(
        node_id=step.node_id,
        exit_code=code,
        result=read_result(node.stdout),
        parameters=parameters,
        message=message,
        error=error,
        containers=dict(record.get("containers", {})) if step.container_set else {},
    )
