"""Admitting steps under a concurrency limit, refilled the instant a step is reaped.

Argo's workflow ``parallelism`` caps how many pods run at once.  The engine issues every
StartStep up front (committed to the store first, as always) with a queue key and a
limit; this fork server starts at most ``limit`` of a key at a time and starts the next
waiting one as soon as it reaps a step — so no controller pass sits between one step's
end and the next one's start.  Waiting steps are served round-robin across *lanes* (a
loop's items share one lane, other steps have their own), so a long fan-out does not
starve a chain of single steps that share the limit.

Standard library only: it runs inside the fork server.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class _Queue(Generic[T]):
    limit: int
    running: set[str] = field(default_factory=set)
    lanes: OrderedDict[str, deque[tuple[str, T]]] = field(default_factory=OrderedDict)


class Slots(Generic[T]):
    def __init__(self) -> None:
        self._queues: dict[str, _Queue[T]] = {}
        self._key_of: dict[str, str] = {}

    def admit(self, key: str, limit: int, lane: str, node: str, item: T) -> bool:
        """True: start ``item`` now (it holds a slot); False: it waits for one."""
        queue = self._queues.setdefault(key, _Queue(max(1, limit)))
        queue.limit = max(1, limit)
        self._key_of[node] = key
        if node in queue.running:
            return True
        if len(queue.running) < queue.limit and not queue.lanes:
            queue.running.add(node)
            return True
        waiting = queue.lanes.setdefault(lane or node, deque())
        if all(n != node for n, _ in waiting):
            waiting.append((node, item))
        return False

    def release(self, node: str) -> list[T]:
        """``node`` ended: free its slot; return what to start now, in order."""
        key = self._key_of.pop(node, None)
        if key is None:
            return []
        queue = self._queues[key]
        queue.running.discard(node)
        ready: list[T] = []
        while len(queue.running) < queue.limit and queue.lanes:
            lane_name, lane = next(iter(queue.lanes.items()))
            waiting_node, item = lane.popleft()
            queue.lanes.move_to_end(lane_name)
            if not lane:
                del queue.lanes[lane_name]
            queue.running.add(waiting_node)
            ready.append(item)
        if not queue.running and not queue.lanes:
            del self._queues[key]
        return ready

    def holds(self, node: str) -> bool:
        """Whether ``node`` runs in a slot or waits for one."""
        return node in self._key_of

    def withdraw(self, node: str) -> T | None:
        """Take a still-waiting ``node`` out of its queue (it is being stopped)."""
        key = self._key_of.get(node)
        if key is None:
            return None
        queue = self._queues[key]
        for lane_name, lane in list(queue.lanes.items()):
            for entry in lane:
                if entry[0] == node:
                    lane.remove(entry)
                    if not lane:
                        del queue.lanes[lane_name]
                    del self._key_of[node]
                    return entry[1]
        return None

    def drop_waiting(self) -> int:
        """Forget every waiting item (they never started); return how many."""
        dropped = 0
        for queue in self._queues.values():
            for lane in queue.lanes.values():
                for node, _ in lane:
                    self._key_of.pop(node, None)
                    dropped += 1
            queue.lanes.clear()
        return dropped
