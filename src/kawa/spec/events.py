"""Facts the world reports to the engine, folded in by ``engine.apply``.

Observations come from executors (a step started, a step ended) and from users (resume,
stop, terminate...).  Each carries the time it happened, so replaying a stored history
gives the same status.  They live in ``spec`` because executors produce them and the
engine consumes them.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from typing import Any

from kawa.spec.actions import StepOutcome
from kawa.spec.frozen import frozen


@frozen
class StepStarted:
    """The process of a Pod node is running (``pid`` on this host)."""

    node_id: str
    at: datetime
    pid: int = 0


@frozen
class StepEnded:
    """The process of a Pod node ended; ``outcome`` holds exit code, result, outputs."""

    node_id: str
    at: datetime
    outcome: StepOutcome
    started_at: datetime | None = None


@frozen
class StepProgress:
    """A step wrote ``N/M`` to its ``$ARGO_PROGRESS_FILE``."""

    node_id: str
    at: datetime
    progress: str


@frozen
class NodeSelector:
    """Argo's ``--node-field-selector``: ``displayName=X``, ``inputs.parameters.tag.value=Y``..."""

    terms: tuple[tuple[str, str, bool], ...] = ()  # (field, value, negated)


@frozen
class ResumeRequested:
    at: datetime
    selector: NodeSelector = field(default_factory=NodeSelector)


@frozen
class SuspendRequested:
    at: datetime


@frozen
class StopRequested:
    """``argo stop`` (exit handlers run) or ``argo terminate`` (they do not)."""

    at: datetime
    terminate: bool = False
    message: str = ""
    selector: NodeSelector = field(default_factory=NodeSelector)


@frozen
class LockGranted:
    """The controller granted the mutexes/semaphores a node waited for."""

    node_id: str
    at: datetime


@frozen
class CacheLooked:
    """The answer to a LookupCache: the stored entry (Argo's JSON), none, or an error."""

    node_id: str
    at: datetime
    entry: dict[str, Any] | None = None
    error: str = ""


Event = (
    StepStarted
    | StepEnded
    | StepProgress
    | ResumeRequested
    | SuspendRequested
    | StopRequested
    | LockGranted
    | CacheLooked
)
