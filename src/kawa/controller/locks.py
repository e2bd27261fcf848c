"""Mutexes and semaphores (Argo ``synchronization``) across every workflow of a home.

Holders live in the store, so two kawa processes share them.  A node gets all its locks or
none (no partial holding, so no deadlock between two nodes needing the same pair); a
semaphore's limit is read from its ConfigMap key when acquiring.  Waiters are retried when
a lock is released here, and every ``retry_seconds`` for releases by other processes.
"""

from __future__ import annotations

import json

from kawa.spec.actions import AcquireLocks
from kawa.spec.errors import NotFoundError
from kawa.store.sqlite import SqliteStore


class Locks:
    retry_seconds = 1.0

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.pending: list[AcquireLocks] = []
        self._granted: list[tuple[str, str]] = []

    def acquire(self, request: AcquireLocks) -> None:
        if self._try(request):
            self._granted.append((request.workflow_uid, request.node_id))
        elif request not in self.pending:
            self.pending.append(request)

    def release(self, workflow_uid: str, node_id: str) -> None:
        self.store.unlock(f"{workflow_uid}/{node_id}")
        self._retry()

    def granted(self) -> list[tuple[str, str]]:
        self._retry()
        granted, self._granted = self._granted, []
        return granted

    def waiting(self) -> bool:
        return bool(self.pending)

    def _retry(self) -> None:
        still = []
        for request in self.pending:
            if self._try(request):
                self._granted.append((request.workflow_uid, request.node_id))
            else:
                still.append(request)
        self.pending = still

    def _try(self, request: AcquireLocks) -> bool:
        holder = f"{request.workflow_uid}/{request.node_id}"
        wanted = [(key, 1) for key in request.mutexes]
        wanted += [(key, self._limit(ref)) for key, ref in request.semaphores]
        taken: list[str] = []
        for key, limit in wanted:
            if not self.store.try_lock(key, holder, limit):
                if taken:
                    self.store.unlock(holder)
                return False
            taken.append(key)
        return True

    def _limit(self, ref: str) -> int:
        _, name, key = ref.split("/", 2)
        try:
            data = json.loads(self.store.get_object("configmap", "default", name))
        except NotFoundError:
            return 1
        try:
            return max(1, int(str((data.get("data") or {}).get(key, "1"))))
        except ValueError:
            return 1
