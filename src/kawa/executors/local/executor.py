"""Run steps as host processes, each in its own view of the files, through a fork server.

``LocalExecutor(home)`` starts one fork server (``forkserver.py``: a stdlib-only
process in its own session) and talks to it over two pipes.  The server isolates,
starts (``posix_spawn``) and reaps the steps and writes each step's ``launched`` and
``exit`` records into its node dir (``$KAWA_HOME/runs/<uid>/nodes/<node id>/``), so
nothing a step does depends on this process staying alive:

* if the controller dies, its fork server keeps reaping and recording, and exits when
  its last step has ended;
* a new ``LocalExecutor`` on the same home starts its own server; ``reattach`` follows
  steps of the old one (pidfd on the old pid, then the old server's ``exit`` record, or
  "kawa lost track of this step" if there is none within two seconds of its end).

Isolation (see ``mounts`` and ``_forkserver/isolation.py``) needs mount namespaces:
root, or an unprivileged user namespace.  Where neither works, or with
``KAWA_ISOLATION=none``, steps run directly on the host; one warning says why, and
``launched`` records ``"isolation": "none"``.
"""

from __future__ import annotations

import json
import os
import select
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kawa.executors.base import Attachment, ExecutorLost, StepEvent, StepLogs
from kawa.executors.local import images, launching, mounts, outcomes, server_process
from kawa.executors.local._forkserver import records
from kawa.executors.local.layout import NodePaths
from kawa.spec.actions import StartStep, StepOutcome, StopStep
from kawa.spec.events import StepEnded, StepProgress, StepStarted
from kawa.spec.frozen import evolve

if TYPE_CHECKING:
    import logging


def log() -> logging.Logger:
    """This module's logger; ``logging`` is imported when first needed (~3 ms of start-up)."""
    import logging

    return logging.getLogger("kawa.executors.local")


HELLO_TIMEOUT = 30.0


class ForkServerError(ExecutorLost):
    """The fork server could not be started or stopped answering."""


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


@dataclass
class _Advance:
    """An advance start sent to the fork server (``StartStep.after``).

    The engine knows nothing of the node until it issues the start for real, so what
    the server says about it (``started``, even ``ended``) is ``held`` until then.
    """

    request: dict[str, Any]
    held: list[dict[str, Any]] = field(default_factory=list)
    #: a ``withdraw`` was sent and not yet answered
    withdrawing: bool = False
    #: the engine's own start was sent (``confirm``) and not yet answered
    confirming: bool = False


class LocalExecutor:
    """The :class:`~kawa.executors.base.Executor` for host processes.

    ``isolation``: ``"auto"`` (default, or ``$KAWA_ISOLATION``) uses a mount namespace
    when possible; ``"none"`` never isolates; ``"user"`` forces a user namespace even
    for root.  ``isolation`` (the attribute) then says what the fork server achieved:
    ``"mount-namespace"``, ``"user-namespace"`` or ``"none"``.
    """

    def __init__(self, home: Path, *, isolation: str | None = None) -> None:
        mode = server_process.chosen_mode(isolation)
        self.home = Path(server_process.home_path(home))
        self._home = str(self.home)
        self.shims = images.install_shims(self.home)
        self._shims = str(self.shims)
        self._steps: dict[str, tuple[StartStep, NodePaths]] = {}
        self._reported_start: set[str] = set()
        self._inbuf = bytearray()
        self._closed = False
        self._boot = records.boot_id()
        #: events made here rather than read from the fork server (re-attached starts)
        self._pending: list[StepEvent] = []
        #: advance starts sent, by node dir (see ``_start_in_advance``)
        self._advance: dict[str, _Advance] = {}
        #: resolves an artifact repository's credentials (set by the controller)
        self.credentials: Any = None
        self._start_server(mode)

    # -- the fork server -----------------------------------------------------------

    def _start_server(self, mode: str) -> None:
        started = server_process.take_early(self.home, mode)
        if started is None:
            started = server_process.spawn(self.home, mode)
        self._requests = started.requests
        self._events = started.events
        os.waitpid(started.launcher_pid, 0)  # it forks the server and exits at once
        os.set_blocking(self._events, False)
        hello = self._await_hello()
        self.server_pid: int = hello["pid"]
        self.isolation: str = hello["isolation"]
        if self.isolation == "none" and mode != "none":
            log().warning("kawa runs steps without isolation: %s", hello["reason"])

    def _await_hello(self) -> dict[str, Any]:
        deadline = time.monotonic() + HELLO_TIMEOUT
        while True:
            for event in self._read_events():
                if event.get("ev") == "hello":
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                raise ForkServerError(
                    f"kawa's fork server did not start; see {self.home / 'forkserver.log'}"
                )
            select.select([self._events], [], [], left)

    def _send(self, request: dict[str, Any]) -> None:
        if self._closed:
            raise ForkServerError("this LocalExecutor is closed")
        data = records.compact(request).encode() + b"\n"
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._requests, view) :]
        except BrokenPipeError as e:
            raise ForkServerError("kawa's fork server is gone") from e

    def _read_events(self) -> list[dict[str, Any]]:
        while True:
            try:
                chunk = os.read(self._events, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                # steps keep running; a new LocalExecutor on this home reattaches to them
                raise ForkServerError(
                    f"kawa's fork server ended unexpectedly; see {self.home / 'forkserver.log'}"
                )
            self._inbuf += chunk
        *lines, rest = self._inbuf.split(b"\n")
        self._inbuf = bytearray(rest)
        return [json.loads(line) for line in lines if line]

    # -- the Executor protocol -----------------------------------------------------

    def node(self, workflow_uid: str, node_id: str) -> NodePaths:
        """The node dir of a step (its files: ``launched``, ``exit``, ``stdout``...)."""
        return NodePaths(self._home, workflow_uid, node_id)

    def _track(self, step: StartStep) -> NodePaths:
        node = self.node(step.workflow_uid, step.node_id)
        self._steps[node.path] = (step, node)
        return node

    def start(self, step: StartStep) -> None:
        if step.after:
            self._start_in_advance(step)
            return
        path = self.node(step.workflow_uid, step.node_id).path
        advance = self._advance.get(path)
        if advance is not None and not advance.confirming:
            # sent in advance: the server launches it unless it did or dropped it, and
            # answers ``confirmed``, after which what it said about the step comes out
            self._track(step)
            advance.confirming = True
            advance.withdrawing = False
            request = dict(advance.request, op="confirm")
            del request["after"]
            self._send(request)
            return
        node = self._track(step)
        try:
            request = launching.build_request(step, node, self._shims, self.isolation)
            if step.input_artifacts and not os.path.exists(node.launched):
                from kawa.executors.local import artifact_io  # only steps with artifacts

                node.dir.mkdir(parents=True, exist_ok=True)
                artifact_io.load_inputs(
                    step, node, request["mounts"], self.isolation, self.home, self.credentials
                )
        except images.CannotRun as e:
            node.dir.mkdir(parents=True, exist_ok=True)
            failure = {"exit_code": None, "error": True, "message": str(e)}
            records.write_once(node.exit, failure)
            self._send({"op": "watch", "node": node.path})
            return
        launching.write_scripts(step, node)
        self._send(request)

    def _start_in_advance(self, step: StartStep) -> None:
        """Ask the fork server to start ``step`` as soon as ``step.after`` exits 0.

        What the server then says about the step is held back until the engine issues
        the start for real (it knows nothing of the node before).  A step that cannot
        start in advance (input artifacts to place, an unrunnable image) simply is not:
        the engine starts it the usual way.
        """
        node = self._track(step)
        if step.input_artifacts:
            return
        try:
            request = launching.build_request(step, node, self._shims, self.isolation)
        except images.CannotRun:
            return
        request["after"] = self.node(step.workflow_uid, step.after).path
        launching.write_scripts(step, node)
        self._advance[node.path] = _Advance(request)
        self._send(request)

    def withdraw_advance_starts(self) -> None:
        """Ask the fork server to drop every advance start that has not launched."""
        for path, advance in self._advance.items():
            if not advance.held and not advance.confirming and not advance.withdrawing:
                advance.withdrawing = True
                self._send({"op": "withdraw", "node": path})

    @property
    def withdrawing(self) -> bool:
        """Whether a withdrawal is still unanswered (see ``withdraw_advance_starts``)."""
        return any(advance.withdrawing for advance in self._advance.values())

    def advance_starts_pending(self) -> bool:
        return any(not advance.confirming for advance in self._advance.values())

    def stop(self, stop: StopStep) -> None:
        node = self.node(stop.workflow_uid, stop.node_id)
        self._send({"op": "stop", "node": node.path, "grace": stop.grace_seconds})

    def fileno(self) -> int:
        return self._events

    def poll(self) -> list[StepEvent]:
        """Events observed since the last call; raises ForkServerError if the server died."""
        found: list[StepEvent] = self._pending
        self._pending = []
        for event in self._read_events():
            path = event.get("node", "")
            advance = self._advance.get(path)
            if advance is not None:
                found.extend(self._hold(path, advance, event))
                continue
            tracked = self._steps.get(path)
            if tracked is not None:
                found.extend(self._observe(*tracked, event))
        return found

    def _hold(self, path: str, advance: _Advance, event: dict[str, Any]) -> list[StepEvent]:
        """An event about an advance start: held until the engine issued it for real."""
        kind = event["ev"]
        if kind == "confirmed":  # the server has the engine's start: the rest is as usual
            del self._advance[path]
            found: list[StepEvent] = []
            for held in advance.held:
                found.extend(self._observe(*self._steps[path], held))
            return found
        if kind in ("dropped", "withdrawn"):  # it did not run: the engine starts it later
            advance.withdrawing = False
            if not advance.confirming:
                del self._advance[path]
                self._steps.pop(path, None)
        elif kind == "kept":  # it launched before the withdrawal reached the server
            advance.withdrawing = False
        else:
            advance.held.append(event)
        return []

    def _observe(self, step: StartStep, node: NodePaths, event: dict[str, Any]) -> list[StepEvent]:
        kind = event["ev"]
        key = node.path
        if kind == "started" and key not in self._reported_start:
            self._reported_start.add(key)
            return [StepStarted(step.node_id, _at(event["at"]), pid=event["pid"])]
        if kind == "already":
            log().warning("node %s was launched before; it is not run again", step.node_name)
            launched = records.read_json(node.launched)
            if launched and key not in self._reported_start:
                self._reported_start.add(key)
                at = outcomes.parse_time(launched["started_at"]) or _at(time.time())
                return [StepStarted(step.node_id, at, pid=launched["pid"])]
        if kind == "progress":
            return [StepProgress(step.node_id, _at(event["at"]), event["progress"])]
        if kind == "ended":
            del self._steps[key]  # reported once; a later reattach tracks it again
            self._reported_start.discard(key)
            return [self._ended(step, node, event.get("record"))]
        return []

    def _ended(self, step: StartStep, node: NodePaths, record: dict[str, Any] | None) -> StepEnded:
        if record is None:
            record = records.read_json(node.exit) or {}
        outcome = outcomes.outcome(step, node, record)
        if step.input_artifacts or step.output_artifacts:
            outcome = self._artifacts(step, node, outcome)
        finished = outcomes.parse_time(record.get("finished_at")) or _at(time.time())
        started = outcomes.parse_time(record.get("started_at"))
        return StepEnded(step.node_id, finished, outcome, started_at=started)

    def _artifacts(self, step: StartStep, node: NodePaths, outcome: StepOutcome) -> StepOutcome:
        """Save the output artifacts (a step that could not start has none)."""
        from kawa.executors.local import artifact_io

        loaded = artifact_io.loaded_digests(node)
        if outcome.error or not os.path.exists(node.launched):
            return evolve(outcome, loaded=loaded)
        launched = records.read_json(node.launched)
        cwd = node.cwd(step.main.working_dir, (launched or {}).get("isolation", "none"))
        saved, problem = artifact_io.save_outputs(
            step, node, launched, cwd, outcome.exit_code, self.home, self.credentials
        )
        if problem:
            return evolve(outcome, artifacts=saved, loaded=loaded, error=True, message=problem)
        return evolve(outcome, artifacts=saved, loaded=loaded)

    def reattach(self, step: StartStep) -> Attachment:
        node = self._track(step)
        self._reported_start.add(node.path)
        if os.path.exists(node.exit):
            self._send({"op": "watch", "node": node.path})
            return "ended"
        launched = records.read_json(node.launched)
        if launched is None:
            self._reported_start.discard(node.path)
            return "not-started"
        self._send({"op": "watch", "node": node.path})
        # the start may never have reached the engine (the controller died first): say it
        # again; a node that already knew it ignores the repeat
        at = outcomes.parse_time(launched.get("started_at")) or _at(time.time())
        self._pending.append(StepStarted(step.node_id, at, pid=int(launched.get("pid") or 0)))
        return "running" if records.is_same_process(launched, self._boot) else "ended"

    def logs(self, workflow_uid: str, node_id: str) -> StepLogs:
        node = self.node(workflow_uid, node_id)
        return StepLogs(Path(node.stdout), Path(node.stderr))

    def host_path(self, step: StartStep, container_path: str) -> Path:
        """Where the file the step saw at ``container_path`` is on the host."""
        node = self.node(step.workflow_uid, step.node_id)
        launched = records.read_json(node.launched)
        cwd = node.cwd(step.main.working_dir, (launched or {}).get("isolation", "none"))
        return mounts.host_path(launched, container_path, cwd)

    def close(self) -> None:
        """Stop talking to the fork server; it and the steps carry on until they end."""
        if not self._closed:
            self._closed = True
            os.close(self._requests)
            os.close(self._events)

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
