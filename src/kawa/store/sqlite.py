"""The embedded store: one SQLite file in WAL mode under ``$KAWA_HOME``.

WAL with ``synchronous=NORMAL`` commits in ~20 µs and survives a killed process (nothing
committed is lost).  Every controller pass writes one transaction per workflow: the
changed nodes, the new history records and the StartSteps it is about to act on — so a
decision is durable before anything happens (write-ahead).  The schema is versioned;
``migrations`` upgrades an older file in place.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kawa.spec.errors import ConflictError, NotFoundError
from kawa.store import migrations
from kawa.store.records import Change, HistoryRecord, ListQuery, WorkflowRecord

_WORKFLOW_COLUMNS = (
    "uid, namespace, name, phase, created_at, finished_at, labels, meta, spec, status, owner"
)


class SqliteStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        fresh = not path.exists()
        self._db = sqlite3.connect(
            str(path), timeout=30.0, isolation_level=None, check_same_thread=False
        )
        if fresh:
            os.chmod(path, 0o600)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=30000")
        with self.transaction():
            migrations.upgrade(self._db)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- workflows ---------------------------------------------------------------------

    def insert_workflow(
        self, record: WorkflowRecord, nodes: dict[str, str], history: list[HistoryRecord]
    ) -> None:
        with self.transaction() as db:
            exists = db.execute(
                "SELECT 1 FROM workflows WHERE namespace=? AND name=?",
                (record.namespace, record.name),
            ).fetchone()
            if exists:
                raise ConflictError(
                    f'workflow "{record.name}" already exists in namespace "{record.namespace}"'
                )
            self._insert(db, record)
            self._write_nodes(db, record.uid, nodes)
            self._append(db, record.uid, history)

    def insert_many(self, records: Iterable[WorkflowRecord]) -> int:
        """Insert finished workflows in one transaction (imports, benchmarks); how many."""
        count = 0
        with self.transaction() as db:
            for record in records:
                self._insert(db, record)
                count += 1
        return count

    def _insert(self, db: sqlite3.Connection, record: WorkflowRecord) -> None:
        """The workflow row, its labels and its parameters."""
        db.execute(
            f"INSERT INTO workflows ({_WORKFLOW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                record.uid, record.namespace, record.name, record.phase, record.created_at,
                record.finished_at, json.dumps(record.labels), record.meta, record.spec,
                record.status, record.owner,
            ),
        )  # fmt: skip
        db.executemany(
            "INSERT INTO labels (workflow_uid, key, value) VALUES (?,?,?)",
            [(record.uid, k, v) for k, v in record.labels.items()],
        )
        self._write_parameters(db, record.uid, record.parameters)

    def apply(self, change: Change) -> None:
        """Commit one pass for one workflow atomically."""
        with self.transaction() as db:
            self.apply_in(db, change)

    def apply_many(self, changes: Iterable[Change]) -> None:
        with self.transaction() as db:
            for change in changes:
                self.apply_in(db, change)

    def apply_in(self, db: sqlite3.Connection, change: Change) -> None:
        if change.spec is not None:
            db.execute(
                "UPDATE workflows SET phase=?, finished_at=?, status=?, spec=? WHERE uid=?",
                (change.phase, change.finished_at, change.status, change.spec, change.uid),
            )
        else:
            db.execute(
                "UPDATE workflows SET phase=?, finished_at=?, status=? WHERE uid=?",
                (change.phase, change.finished_at, change.status, change.uid),
            )
        self._write_nodes(db, change.uid, change.nodes)
        self._append(db, change.uid, change.history)
        if change.commands_upto is not None:
            db.execute(
                "DELETE FROM inbox WHERE id <= ? AND workflow_uid=?",
                (change.commands_upto, change.uid),
            )
        if change.steps:
            db.executemany(
                "INSERT OR REPLACE INTO steps (workflow_uid, node_id, data) VALUES (?,?,?)",
                [(change.uid, nid, data) for nid, data in change.steps.items()],
            )

    @staticmethod
    def _write_parameters(db: sqlite3.Connection, uid: str, values: dict[str, str]) -> None:
        db.execute("DELETE FROM parameters WHERE workflow_uid=?", (uid,))
        db.executemany(
            "INSERT INTO parameters (workflow_uid, name, value) VALUES (?,?,?)",
            [(uid, k, v) for k, v in values.items()],
        )

    @staticmethod
    def _write_nodes(db: sqlite3.Connection, uid: str, nodes: dict[str, str]) -> None:
        if nodes:
            db.executemany(
                "INSERT OR REPLACE INTO nodes (workflow_uid, node_id, data) VALUES (?,?,?)",
                [(uid, nid, data) for nid, data in nodes.items()],
            )

    @staticmethod
    def _append(db: sqlite3.Connection, uid: str, history: list[HistoryRecord]) -> None:
        if not history:
            return
        row = db.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM history WHERE workflow_uid=?", (uid,)
        ).fetchone()
        seq = int(row[0])
        rows = []
        for record in history:
            seq += 1
            rows.append((uid, seq, record.kind, record.at, record.data))
        db.executemany(
            "INSERT INTO history (workflow_uid, seq, kind, at, data) VALUES (?,?,?,?,?)", rows
        )

    def workflow(self, uid: str) -> WorkflowRecord:
        row = self._db.execute(
            f"SELECT {_WORKFLOW_COLUMNS} FROM workflows WHERE uid=?", (uid,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"workflow with uid {uid} not found")
        return _record(row)

    def find(self, namespace: str, name: str) -> WorkflowRecord:
        row = self._db.execute(
            f"SELECT {_WORKFLOW_COLUMNS} FROM workflows WHERE namespace=? AND name=?",
            (namespace, name),
        ).fetchone()
        if row is None:
            raise NotFoundError(f'workflow "{name}" not found in namespace "{namespace}"')
        return _record(row)

    def nodes(self, uid: str) -> dict[str, str]:
        rows = self._db.execute(
            "SELECT node_id, data FROM nodes WHERE workflow_uid=?", (uid,)
        ).fetchall()
        return {r[0]: r[1] for r in rows}

    def steps(self, uid: str) -> dict[str, str]:
        rows = self._db.execute(
            "SELECT node_id, data FROM steps WHERE workflow_uid=?", (uid,)
        ).fetchall()
        return {r[0]: r[1] for r in rows}

    def history(self, uid: str) -> list[HistoryRecord]:
        rows = self._db.execute(
            "SELECT kind, at, data, seq FROM history WHERE workflow_uid=? ORDER BY seq", (uid,)
        ).fetchall()
        return [HistoryRecord(kind=r[0], at=r[1], data=r[2], seq=r[3]) for r in rows]

    def list_workflows(self, query: ListQuery) -> list[WorkflowRecord]:
        sql = [f"SELECT {_WORKFLOW_COLUMNS} FROM workflows w WHERE 1=1"]
        args: list[object] = []
        if query.namespace:
            sql.append("AND namespace=?")
            args.append(query.namespace)
        if query.phases:
            sql.append(f"AND phase IN ({','.join('?' * len(query.phases))})")
            args.extend(query.phases)
        if query.name_prefix:
            sql.append("AND name >= ? AND name < ?")
            args.extend([query.name_prefix, query.name_prefix + "\uffff"])
        if query.name_contains:
            sql.append("AND instr(name, ?) > 0")
            args.append(query.name_contains)
        if query.since:
            sql.append("AND created_at >= ?")
            args.append(query.since)
        if query.until:
            sql.append("AND created_at <= ?")
            args.append(query.until)
        for name, value in query.parameters:
            sql.append(
                "AND EXISTS (SELECT 1 FROM parameters p WHERE p.workflow_uid=w.uid "
                "AND p.name=? AND p.value=?)"
            )
            args.extend([name, value])
        for key, op, values in query.labels:
            exists = "EXISTS (SELECT 1 FROM labels l WHERE l.workflow_uid=w.uid AND l.key=?"
            if op in ("=", "in"):
                sql.append(f"AND {exists} AND l.value IN ({','.join('?' * len(values))}))")
                args.extend([key, *values])
            elif op in ("!=", "notin"):
                sql.append(f"AND NOT {exists} AND l.value IN ({','.join('?' * len(values))}))")
                args.extend([key, *values])
            elif op == "exists":
                sql.append(f"AND {exists})")
                args.append(key)
            elif op == "!exists":
                sql.append(f"AND NOT {exists})")
                args.append(key)
        sql.append("ORDER BY created_at DESC, name LIMIT ? OFFSET ?")
        args.extend([query.limit, query.offset])
        rows = self._db.execute(" ".join(sql), args).fetchall()
        return [_record(r) for r in rows]

    def unfinished(self) -> list[WorkflowRecord]:
        rows = self._db.execute(
            f"SELECT {_WORKFLOW_COLUMNS} FROM workflows "
            "WHERE phase NOT IN ('Succeeded','Failed','Error') ORDER BY created_at"
        ).fetchall()
        return [_record(r) for r in rows]

    def restart(
        self,
        change: Change,
        was: str,
        nodes: dict[str, str],
        removed: list[str],
        parameters: dict[str, str] | None = None,
    ) -> None:
        """Replace a finished workflow's state (``kawa retry``) if it is still ``was``.

        One transaction: the workflow row, every node row, the StartSteps of the removed
        nodes and a history record; a second retry racing this one finds the phase changed
        and gets a ConflictError, with nothing written.
        """
        with self.transaction() as db:
            updated = db.execute(
                "UPDATE workflows SET phase=?, finished_at=?, status=?, spec=? "
                "WHERE uid=? AND phase=?",
                (change.phase, change.finished_at, change.status, change.spec, change.uid, was),
            )
            if updated.rowcount != 1:
                raise ConflictError("the workflow changed meanwhile; look at it again")
            db.execute("DELETE FROM nodes WHERE workflow_uid=?", (change.uid,))
            self._write_nodes(db, change.uid, nodes)
            db.executemany(
                "DELETE FROM steps WHERE workflow_uid=? AND node_id=?",
                [(change.uid, nid) for nid in removed],
            )
            self._append(db, change.uid, change.history)
            if parameters is not None:
                self._write_parameters(db, change.uid, parameters)

    def delete_workflow(self, uid: str) -> None:
        with self.transaction() as db:
            for table in ("nodes", "steps", "history", "inbox", "labels", "parameters"):
                db.execute(f"DELETE FROM {table} WHERE workflow_uid=?", (uid,))
            db.execute("DELETE FROM workflows WHERE uid=?", (uid,))

    # -- ownership ---------------------------------------------------------------------

    def claim(self, uid: str, owner: str, gone: str | None = None) -> bool:
        """Take the workflow if it has no owner, is ours, or is still held by ``gone``.

        ``gone`` is the owner the caller found dead; if someone else took the workflow in
        the meantime, the claim fails (two controllers never both win).
        """
        with self.transaction() as db:
            row = db.execute("SELECT owner FROM workflows WHERE uid=?", (uid,)).fetchone()
            if row is None:
                return False
            holder = row[0]
            if holder and holder != owner and holder != gone:
                return False
            db.execute("UPDATE workflows SET owner=? WHERE uid=?", (owner, uid))
            return True

    def owner(self, uid: str) -> str | None:
        row = self._db.execute("SELECT owner FROM workflows WHERE uid=?", (uid,)).fetchone()
        return None if row is None else row[0]

    def release(self, uid: str, owner: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE workflows SET owner=NULL WHERE uid=? AND owner=?", (uid, owner))

    # -- commands from other processes --------------------------------------------------

    def post_command(self, uid: str, command: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO inbox (workflow_uid, data) VALUES (?,?)", (uid, command))

    def read_commands(self, uid: str, after: int = 0) -> list[tuple[int, str]]:
        """A workflow's waiting commands (id, data) after id ``after``, oldest first.

        They stay in the inbox until the pass that folds them in commits
        (``Change.commands_upto``): a controller killed in between loses none.
        """
        rows = self._db.execute(
            "SELECT id, data FROM inbox WHERE workflow_uid=? AND id > ? ORDER BY id", (uid, after)
        ).fetchall()
        return [(int(r[0]), str(r[1])) for r in rows]

    def has_commands(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT DISTINCT workflow_uid FROM inbox")}

    # -- objects: templates, cron workflows, configmaps, secrets ----------------------

    def put_object(self, kind: str, namespace: str, name: str, data: str, created: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO objects (kind, namespace, name, data, created_at) "
                "VALUES (?,?,?,?,?)",
                (kind, namespace, name, data, created),
            )

    def get_object(self, kind: str, namespace: str, name: str) -> str:
        row = self._db.execute(
            "SELECT data FROM objects WHERE kind=? AND namespace=? AND name=?",
            (kind, namespace, name),
        ).fetchone()
        if row is None:
            raise NotFoundError(f'{kind} "{name}" not found in namespace "{namespace}"')
        return str(row[0])

    def update_object(
        self,
        kind: str,
        namespace: str,
        name: str,
        change: Callable[[str | None], str | None],
        created: str,
    ) -> None:
        """Read-modify-write one object in a transaction; ``change`` gets None if absent
        and returns the new data (None: leave it as it is)."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT data FROM objects WHERE kind=? AND namespace=? AND name=?",
                (kind, namespace, name),
            ).fetchone()
            data = change(None if row is None else str(row[0]))
            if data is None:
                return
            if row is None:
                db.execute(
                    "INSERT INTO objects (kind, namespace, name, data, created_at) "
                    "VALUES (?,?,?,?,?)",
                    (kind, namespace, name, data, created),
                )
            else:
                db.execute(
                    "UPDATE objects SET data=? WHERE kind=? AND namespace=? AND name=?",
                    (data, kind, namespace, name),
                )

    def list_objects(self, kind: str, namespace: str | None = None) -> list[tuple[str, str, str]]:
        if namespace is None:
            rows = self._db.execute(
                "SELECT namespace, name, data FROM objects WHERE kind=? ORDER BY namespace, name",
                (kind,),
            ).fetchall()
        else:
            rows = self._db.execute(
                "SELECT namespace, name, data FROM objects WHERE kind=? AND namespace=? "
                "ORDER BY name",
                (kind, namespace),
            ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def delete_object(self, kind: str, namespace: str, name: str) -> None:
        with self.transaction() as db:
            cur = db.execute(
                "DELETE FROM objects WHERE kind=? AND namespace=? AND name=?",
                (kind, namespace, name),
            )
            if cur.rowcount == 0:
                raise NotFoundError(f'{kind} "{name}" not found in namespace "{namespace}"')

    # -- locks (mutexes and semaphores across workflows) --------------------------------

    def try_lock(self, key: str, holder: str, limit: int) -> bool:
        with self.transaction() as db:
            holders = {r[0] for r in db.execute("SELECT holder FROM locks WHERE key=?", (key,))}
            if holder in holders:
                return True
            if len(holders) >= limit:
                return False
            db.execute("INSERT INTO locks (key, holder) VALUES (?,?)", (key, holder))
            return True

    def unlock(self, holder: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM locks WHERE holder=?", (holder,))

    def lock_holders(self, key: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT holder FROM locks WHERE key=?", (key,))]


def _record(row: tuple[object, ...]) -> WorkflowRecord:
    return WorkflowRecord(
        uid=str(row[0]),
        namespace=str(row[1]),
        name=str(row[2]),
        phase=str(row[3]),
        created_at=str(row[4]),
        finished_at=None if row[5] is None else str(row[5]),
        labels=json.loads(str(row[6])),
        meta=str(row[7]),
        spec=str(row[8]),
        status=str(row[9]),
        owner=None if row[10] is None else str(row[10]),
    )
