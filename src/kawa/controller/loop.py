"""The controller: load -> engine -> persist -> act -> observe, and sleep in between.

One pass handles every workflow that has something new (executor events, commands from
other kawa processes, a due wake-up): fold the events in (``engine.apply``), decide
(``engine.reconcile``), commit the changed nodes, the history and the StartSteps in one
transaction, and only then start/stop steps (write-ahead).  Between passes it blocks in
``select`` on the executor's fd and its wake-up socket, with a timeout at the earliest
wake-up the engine asked for — no busy polling.

On adopting a workflow (start, or takeover from a dead owner) it recovers: every step the
store says was launched is re-attached if still running, its outcome collected if it ended
meanwhile, and launched for the first time if the crash came between commit and start.
"""

from __future__ import annotations

import contextlib
import json
import selectors
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kawa.controller import cache, clock, codec, ownership
from kawa.controller.home import Home
from kawa.controller.locks import Locks
from kawa.controller.wakeup import WakeSocket
from kawa.engine.observe import apply
from kawa.engine.reconcile import reconcile
from kawa.engine.run import LAUNCH_AHEAD
from kawa.executors.base import Executor, ExecutorLost
from kawa.spec.actions import (
    AcquireLocks,
    Action,
    Container,
    LookupCache,
    ReleaseLocks,
    SaveCache,
    StartStep,
    StopStep,
)
from kawa.spec.errors import KawaError
from kawa.spec.events import CacheLooked, Event, LockGranted, StepEnded, StepStarted
from kawa.spec.frozen import evolve
from kawa.spec.status import NodeType, WorkflowPhase
from kawa.spec.workflow import Workflow
from kawa.store.records import Change, HistoryRecord
from kawa.store.sqlite import SqliteStore

if TYPE_CHECKING:
    import logging


def log() -> logging.Logger:
    """This module's logger; ``logging`` is imported when first needed (~3 ms of start-up)."""
    import logging

    return logging.getLogger("kawa.controller")


#: how long to sleep at most when nothing is due: picks up commands whose poke was lost
IDLE_SECONDS = 2.0
#: how long "a step started" may wait to be folded into the next pass
STARTED_HOLD = 0.05
#: top up the executor's queue of loop items when fewer than this many times the
#: parallelism limit are left in it
REFILL_AT = LAUNCH_AHEAD // 2


@dataclass
class Tracked:
    workflow: Workflow
    wake_at: datetime | None = None
    dirty: bool = True


class Controller:
    def __init__(
        self,
        home: Home,
        store: SqliteStore,
        executor: Executor,
        *,
        owner: str | None = None,
        on_change: Callable[[Workflow], None] | None = None,
        new_executor: Callable[[], Executor] | None = None,
    ) -> None:
        self.home = home
        self.store = store
        self.executor = executor
        self.owner = owner or ownership.my_owner_id()
        self.on_change = on_change
        self.new_executor = new_executor
        self.tracked: dict[str, Tracked] = {}
        self.events: dict[str, list[Event]] = {}
        self.node_owner: dict[str, str] = {}
        self.locks = Locks(store)
        self.wake_socket = WakeSocket(home.sockets)
        self._give_credentials(executor)
        self.selector = selectors.DefaultSelector()
        self.selector.register(executor.fileno(), selectors.EVENT_READ, "executor")
        self.selector.register(self.wake_socket.fileno(), selectors.EVENT_READ, "wake")
        self.stopping = False
        #: read the inbox on the next pass (set when poked, and when idle)
        self.check_commands = True
        #: per workflow: steps issued to the executor whose end has not been seen
        self.in_flight: dict[str, int] = {}
        #: node id -> (workflow parallelism, is a loop item) of steps issued with a queue
        self.queued: dict[str, tuple[int, bool]] = {}
        #: per workflow: the last inbox command folded into events not yet committed
        self.commands_read: dict[str, int] = {}
        #: set to a dict to collect the workflows this controller completes, as committed
        self.completed: dict[str, Workflow] | None = None

    def _give_credentials(self, executor: Executor) -> None:
        """Let the executor resolve artifact repository secrets (never stored in steps)."""
        if hasattr(executor, "credentials"):
            executor.credentials = lambda config: repository_credentials(self.store, config)

    def close(self) -> None:
        for uid in list(self.tracked):
            self.store.release(uid, self.owner)
        self.selector.close()
        self.wake_socket.close()
        self.executor.close()

    # -- adopting workflows -------------------------------------------------------------

    def adopt(self, uid: str) -> bool:
        """Take ownership of a workflow (if free or its owner is gone) and recover it."""
        if uid in self.tracked:
            return True
        owner = self.store.owner(uid)
        gone = owner if owner and ownership.is_gone(owner) else None
        if owner != self.owner and not self.store.claim(uid, self.owner, gone):
            return False
        record = self.store.workflow(uid)
        workflow = codec.from_record(record, self.store.nodes(uid))
        if workflow.status.phase.completed:
            self.store.release(uid, self.owner)
            return False
        self.tracked[uid] = Tracked(workflow)
        self._recover(workflow)
        return True

    def adopt_unfinished(self) -> list[str]:
        adopted = []
        for record in self.store.unfinished():
            if record.uid not in self.tracked and self.adopt(record.uid):
                adopted.append(record.uid)
        return adopted

    def _recover(self, workflow: Workflow) -> None:
        steps = self.store.steps(workflow.uid)
        for node in workflow.status.nodes.values():
            asked = node.private.get("memo_requested")
            if asked and "memo_answer" not in node.private and not node.phase.fulfilled:
                self._lookup(LookupCache(workflow.uid, node.id, workflow.namespace, **asked))
            if node.type is not NodeType.POD or node.phase.fulfilled:
                continue
            self.node_owner[node.id] = workflow.uid
            if not node.private.get("launched") or node.private.get("outcome") is not None:
                if node.private.get("lock_requested") and not node.private.get("locked"):
                    self._request_locks(workflow, node.id)
                continue
            if node.id not in steps:
                continue
            step = codec.step_from_json(steps[node.id])
            state = self.executor.reattach(step)
            if state == "not-started":
                self._start(step)
            elif state == "running" and node.private.get("stopping"):
                # a stop that may have been lost with the previous controller or executor
                self.executor.stop(StopStep(workflow.uid, node.id, reason="recovered"))

    def _request_locks(self, workflow: Workflow, node_id: str) -> None:
        steps_json = self.store.steps(workflow.uid).get(f"locks:{node_id}")
        if steps_json:
            data = json.loads(steps_json)
            self._acquire(
                AcquireLocks(
                    workflow.uid,
                    node_id,
                    tuple(data["mutexes"]),
                    tuple((str(s[0]), str(s[1])) for s in data["semaphores"]),
                )
            )

    # -- the loop -----------------------------------------------------------------------

    def run_until(self, done: Callable[[], bool]) -> None:
        while not self.stopping and not done():
            self.pass_once()
            if self.stopping or done():
                return
            self._sleep()

    def pass_once(self) -> None:
        """One pass; if the executor is lost, replace it and re-attach to every step."""
        try:
            self._pass()
        except ExecutorLost:
            if self.new_executor is None:
                raise
            self._replace_executor()

    def _replace_executor(self) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.selector.unregister(self.executor.fileno())
        with contextlib.suppress(Exception):
            self.executor.close()
        assert self.new_executor is not None
        self.executor = self.new_executor()
        self._give_credentials(self.executor)
        self.selector.register(self.executor.fileno(), selectors.EVENT_READ, "executor")
        for tracked in self.tracked.values():
            tracked.dirty = True
            self._recover(tracked.workflow)

    def _pass(self) -> None:
        self._collect_executor_events()
        if self.check_commands:
            self._take_commands()
        for uid, granted in self.locks.granted():
            self.events.setdefault(uid, []).append(LockGranted(granted, clock.now()))
        now = clock.now()
        due = [
            uid
            for uid, t in self.tracked.items()
            if t.dirty or (t.wake_at is not None and t.wake_at <= now) or self._events_due(uid, now)
        ]
        if not due:
            return
        changes: list[Change] = []
        actions: list[Action] = []
        finished: list[Workflow] = []
        for uid in due:
            try:
                change, acts = self._decide(uid, now)
            except Exception as error:
                change, acts = self._internal_error(uid, now, error), ()
            changes.append(change)
            actions.extend(acts)
            workflow = self.tracked[uid].workflow
            if workflow.status.phase.completed:
                finished.append(workflow)
        self.store.apply_many(changes)
        for action in actions:
            self._act(action)
        for workflow in finished:
            del self.tracked[workflow.uid]
            if self.completed is not None:
                self.completed[workflow.uid] = workflow
            self.store.release(workflow.uid, self.owner)
        if self.on_change is not None:
            for uid in due:
                tracked = self.tracked.get(uid)
                if tracked is not None:
                    self.on_change(tracked.workflow)
            for workflow in finished:
                self.on_change(workflow)

    def _events_due(self, uid: str, now: datetime) -> bool:
        """Whether this workflow's waiting events need a pass now.

        Events that enable nothing urgent wait for the next pass (at most ``STARTED_HOLD``
        later, to keep what users see fresh): a step having *started*, and a loop item
        having *ended* while the executor still has at least half the launch window
        (``LAUNCH_AHEAD / 2`` times the parallelism limit) of issued steps to run: its
        slots are busy and its queue is long enough to last through the pass that tops
        it up, which must come before it runs dry.  Any other ending, progress, lock
        grant or user request is handled at once.
        """
        events = self.events.get(uid)
        if not events:
            return False
        if (now - events[0].at).total_seconds() >= STARTED_HOLD:
            return True
        for event in events:
            if isinstance(event, StepStarted):
                continue
            if isinstance(event, StepEnded) and self._can_wait(uid, event.node_id):
                continue
            return True
        return False

    def _can_wait(self, uid: str, node_id: str) -> bool:
        limit, loop_item = self.queued.get(node_id, (0, False))
        return loop_item and self.in_flight.get(uid, 0) >= REFILL_AT * limit

    def _internal_error(self, uid: str, now: datetime, error: Exception) -> Change:
        """End a workflow kawa itself cannot drive (a bug, a damaged record) as Error.

        Its history keeps everything that happened; the other workflows carry on.
        """
        log().exception("kawa could not drive workflow %s", uid)
        tracked = self.tracked[uid]
        self.events.pop(uid, None)
        message = f"kawa internal error: {type(error).__name__}: {error}"
        status = evolve(
            tracked.workflow.status,
            phase=WorkflowPhase.ERROR,
            message=message,
            finished_at=now,
        )
        tracked.workflow = tracked.workflow.with_status(status)
        tracked.dirty = False
        record = HistoryRecord(
            kind="internal-error", at=now.isoformat(), data=codec.dumps({"message": message})
        )
        return Change(
            uid=uid,
            phase=str(status.phase),
            finished_at=now.isoformat(),
            status=codec.status_json(status),
            history=[record],
            commands_upto=self.commands_read.pop(uid, None),
        )

    def _decide(self, uid: str, now: datetime) -> tuple[Change, tuple[Action, ...]]:
        tracked = self.tracked[uid]
        before = tracked.workflow
        workflow = before
        history: list[HistoryRecord] = []
        events = self.events.pop(uid, [])
        for event in events:
            workflow = apply(workflow, event)
            history.append(codec.event_record(event))
        decision = reconcile(workflow, now)
        history.append(codec.reconciled_record(now))
        workflow = workflow.with_status(decision.status)
        tracked.workflow = workflow
        tracked.wake_at = decision.wake_at
        tracked.dirty = False
        old_nodes = before.status.nodes
        new_nodes = decision.status.nodes
        candidates = set(decision.touched)
        candidates.update(e.node_id for e in events if hasattr(e, "node_id"))
        if before.spec is not workflow.spec or any(not hasattr(e, "node_id") for e in events):
            candidates = set(new_nodes)  # resume/stop may touch any node
        changed = {
            nid: codec.node_json(new_nodes[nid])
            for nid in candidates
            if nid in new_nodes and old_nodes.get(nid) != new_nodes[nid]
        }
        steps: dict[str, str] = {}
        for action in decision.actions:
            if isinstance(action, StartStep) and action.after:
                continue  # the engine issues it again, as any start, once ``after`` succeeded
            if isinstance(action, StartStep):
                steps[action.node_id] = codec.step_to_json(action)
                self.node_owner[action.node_id] = uid
                self.in_flight[uid] = self.in_flight.get(uid, 0) + 1
                if action.queue:
                    loop_item = action.queue_lane not in ("", action.node_id)
                    self.queued[action.node_id] = (action.queue_limit, loop_item)
            elif isinstance(action, AcquireLocks):
                steps[f"locks:{action.node_id}"] = codec.dumps(
                    {"mutexes": action.mutexes, "semaphores": action.semaphores}
                )
        status = workflow.status
        change = Change(
            uid=uid,
            phase=str(status.phase) or "Pending",
            finished_at=status.finished_at.isoformat() if status.finished_at else None,
            status=codec.status_json(status),
            spec=codec.dumps(workflow.spec) if workflow.spec is not before.spec else None,
            nodes=changed,
            history=history,
            steps=steps,
            commands_upto=self.commands_read.pop(uid, None),
        )
        return change, decision.actions

    def _act(self, action: Action) -> None:
        if isinstance(action, StartStep):
            self._start(action)
        elif isinstance(action, StopStep):
            self.executor.stop(action)
        elif isinstance(action, AcquireLocks):
            self._acquire(action)
        elif isinstance(action, ReleaseLocks):
            self.locks.release(action.workflow_uid, action.node_id)
        elif isinstance(action, LookupCache):
            self._lookup(action)
        elif isinstance(action, SaveCache):
            try:
                cache.save(
                    self.store, action.namespace, action.cache, action.key, action.node_id,
                    action.outputs, clock.now(),
                )  # fmt: skip
            except KawaError as error:
                log().warning("memoization cache %s: %s", action.cache, error)

    def _lookup(self, action: LookupCache) -> None:
        now = clock.now()
        entry, error = cache.load(self.store, action.namespace, action.cache, action.key, now)
        looked = CacheLooked(action.node_id, now, entry=entry, error=error)
        self.events.setdefault(action.workflow_uid, []).append(looked)

    def _acquire(self, action: AcquireLocks) -> None:
        self.locks.acquire(action)

    def _start(self, step: StartStep) -> None:
        self.node_owner[step.node_id] = step.workflow_uid
        self.executor.start(resolve_refs(self.store, step))

    def _collect_executor_events(self) -> None:
        for event in self.executor.poll():
            uid = self.node_owner.get(event.node_id)
            if uid is not None and uid in self.tracked:
                self.events.setdefault(uid, []).append(event)
                if isinstance(event, StepEnded):
                    self.in_flight[uid] = max(0, self.in_flight.get(uid, 0) - 1)

    def _take_commands(self) -> None:
        """Fold waiting commands in, once no advance start can race them.

        A step started in advance (``kawa.engine.advance``) launches the moment its
        predecessor exits 0.  A stop or suspend folded in first would make the engine
        not start it, and it would run unseen.  So advance starts still waiting are
        withdrawn first, and the commands wait until the fork server has answered and
        every advance launch has been issued for real (the pass that follows).
        """
        if self.executor.advance_starts_pending():
            if self.store.has_commands():
                self.executor.withdraw_advance_starts()
            else:
                self.check_commands = False
            return
        self.check_commands = False
        self._collect_commands()

    def _collect_commands(self, force: bool = False) -> None:
        """Fold waiting commands in; they leave the inbox with the pass's commit."""
        waiting = self.store.has_commands()
        for uid in waiting & set(self.tracked):
            for command_id, text in self.store.read_commands(uid, self.commands_read.get(uid, 0)):
                event = codec.event_from_json(json.loads(text))
                self.events.setdefault(uid, []).append(replace_at(event, clock.now()))
                self.commands_read[uid] = command_id

    def _sleep(self) -> None:
        now = clock.now()
        wakes = [t.wake_at for t in self.tracked.values() if t.wake_at is not None]
        timeout = IDLE_SECONDS
        if wakes:
            timeout = max(0.0, min(timeout, (min(wakes) - now).total_seconds()))
        if self.locks.waiting():
            timeout = min(timeout, self.locks.retry_seconds)
        if any(t.dirty for t in self.tracked.values()):
            timeout = 0.0  # just recovered or adopted: decide at once
        if self.check_commands and not self.executor.advance_starts_pending():
            timeout = 0.0  # commands held back for advance starts can be taken now
        held = [events[0].at for events in self.events.values() if events]
        if held:
            timeout = min(timeout, max(0.0, STARTED_HOLD - (now - min(held)).total_seconds()))
        ready = self.selector.select(timeout)
        if not ready:
            self.check_commands = True  # idle: look for commands whose poke was lost
        for key, _ in ready:
            if key.data == "wake":
                self.wake_socket.drain()
                self.check_commands = True


def replace_at(event: Event, at: datetime) -> Event:
    """Commands are stamped when the controller takes them (the engine's clock)."""
    return evolve(event, at=at)


def resolve_refs(store: SqliteStore, step: StartStep) -> StartStep:
    """Fill env values from ConfigMaps/Secrets just before launch (never stored)."""

    def resolve(container: Container) -> Container:
        if not container.env_refs:
            return container
        env = list(container.env)
        for name, kind, obj, key in container.env_refs:
            data = json.loads(store.get_object(kind, "default", obj))
            env.append((name, str((data.get("data") or {}).get(key, ""))))
        return evolve(container, env=tuple(env))

    return evolve(
        step,
        main=resolve(step.main),
        init_containers=tuple(resolve(c) for c in step.init_containers),
        sidecars=tuple(resolve(c) for c in step.sidecars),
        container_set=tuple(resolve(c) for c in step.container_set),
    )


def repository_credentials(store: SqliteStore, config: dict[str, Any]) -> dict[str, str]:
    """The secret values an artifact repository's configuration refers to."""
    found = {}
    section = config.get("s3") or {}
    for role, field in (("accessKey", "accessKeySecret"), ("secretKey", "secretKeySecret")):
        ref = section.get(field) or {}
        if ref.get("name") and ref.get("key"):
            data = json.loads(store.get_object("secret", "default", str(ref["name"])))
            found[role] = str((data.get("data") or {}).get(str(ref["key"]), ""))
    return found


def deadline_in(seconds: float) -> datetime:
    return clock.now() + timedelta(seconds=seconds)


def finished(store: SqliteStore, uids: Iterable[str]) -> bool:
    return all(store.workflow(uid).phase in ("Succeeded", "Failed", "Error") for uid in uids)
