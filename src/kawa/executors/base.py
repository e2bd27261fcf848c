"""The one protocol every executor speaks (local processes, Kubernetes Pods...).

The controller hands an executor the actions the engine decided (after committing them
to the store) and folds what it observes back into the engine as events.  An executor
never decides anything: it starts, stops, watches and reports.

Contract:

* ``start`` and ``stop`` never block on the step; ``poll`` never blocks at all.
* Every fact a step produces comes out of ``poll`` exactly once per executor; the
  controller waits for them with ``select`` on ``fileno()``, which is readable whenever
  ``poll`` has something to return.
* A node is launched at most once, whatever happens: calling ``start`` again for a node
  that was launched before (by this executor or by one in a controller that died) runs
  nothing and reports the node as the first launch goes.
* Steps outlive the controller.  After a restart, ``reattach`` tells where a node stands,
  and ``poll`` then reports its end, even if it ended while no controller was running.
* ``close`` stops talking to the step processes; it does not stop them.
* A start with ``after`` (an advance start) launches only if the node ``after`` exits 0;
  nothing about it comes out of ``poll`` until the same start is issued without
  ``after``, which then launches nothing new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple, Protocol

from kawa.spec.actions import StartStep, StopStep
from kawa.spec.events import StepEnded, StepProgress, StepStarted

#: where ``reattach`` found a node: no trace of a launch; its process is still running
#: (its end will come out of ``poll``); it ended (its outcome will come out of ``poll``)
Attachment = Literal["not-started", "running", "ended"]

StepEvent = StepStarted | StepEnded | StepProgress


class ExecutorLost(RuntimeError):
    """The executor's machinery (e.g. the local fork server) is gone.

    Steps keep running; the controller starts a new executor and re-attaches to them.
    """


class StepLogs(NamedTuple):
    """Files holding what a step's main container wrote."""

    stdout: Path
    stderr: Path


class Executor(Protocol):
    def start(self, step: StartStep) -> None:
        """Launch the step's process(es) unless the node was launched before."""

    def stop(self, stop: StopStep) -> None:
        """SIGTERM the step, SIGKILL it ``stop.grace_seconds`` later if still running."""

    def poll(self) -> list[StepEvent]:
        """Everything observed since the last call; returns at once."""

    def fileno(self) -> int:
        """A file descriptor that is readable whenever ``poll`` has something."""

    def reattach(self, step: StartStep) -> Attachment:
        """Find a node launched earlier (perhaps by a dead controller) and follow it."""

    def logs(self, workflow_uid: str, node_id: str) -> StepLogs:
        """Where the node's output is (the files may not exist yet)."""

    def advance_starts_pending(self) -> bool:
        """Whether a start issued in advance (``StartStep.after``) may still launch, or
        launched and was not issued for real yet."""

    def withdraw_advance_starts(self) -> None:
        """Make advance starts that have not launched never launch; ``poll`` and
        ``advance_starts_pending`` tell when that is settled."""

    def close(self) -> None:
        """Stop observing; running steps keep running."""
