"""Schema versions of the SQLite store; ``upgrade`` brings any older file to the latest.

Each migration is a list of statements applied in one transaction with the version bump,
so a crash mid-upgrade leaves the previous version intact.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[list[str]] = [
    # 1: workflows, nodes, history, steps, inbox, objects, locks
    [
        """CREATE TABLE workflows (
            uid TEXT PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL,
            phase TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT,
            labels TEXT NOT NULL, meta TEXT NOT NULL, spec TEXT NOT NULL, status TEXT NOT NULL,
            owner TEXT, UNIQUE (namespace, name))""",
        "CREATE INDEX workflows_created ON workflows (created_at)",
        "CREATE INDEX workflows_phase ON workflows (phase, created_at)",
        """CREATE TABLE labels (workflow_uid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (workflow_uid, key)) WITHOUT ROWID""",
        "CREATE INDEX labels_key_value ON labels (key, value)",
        """CREATE TABLE nodes (workflow_uid TEXT NOT NULL, node_id TEXT NOT NULL,
            data TEXT NOT NULL, PRIMARY KEY (workflow_uid, node_id)) WITHOUT ROWID""",
        """CREATE TABLE steps (workflow_uid TEXT NOT NULL, node_id TEXT NOT NULL,
            data TEXT NOT NULL, PRIMARY KEY (workflow_uid, node_id)) WITHOUT ROWID""",
        """CREATE TABLE history (workflow_uid TEXT NOT NULL, seq INTEGER NOT NULL,
            kind TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL,
            PRIMARY KEY (workflow_uid, seq)) WITHOUT ROWID""",
        """CREATE TABLE inbox (id INTEGER PRIMARY KEY AUTOINCREMENT,
            workflow_uid TEXT NOT NULL, data TEXT NOT NULL)""",
        """CREATE TABLE objects (kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
            data TEXT NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY (kind, namespace, name)) WITHOUT ROWID""",
        """CREATE TABLE locks (key TEXT NOT NULL, holder TEXT NOT NULL,
            PRIMARY KEY (key, holder)) WITHOUT ROWID""",
    ],
    # 2: workflow parameters, to find runs by the values they were given
    [
        """CREATE TABLE parameters (workflow_uid TEXT NOT NULL, name TEXT NOT NULL,
            value TEXT NOT NULL, PRIMARY KEY (workflow_uid, name)) WITHOUT ROWID""",
        "CREATE INDEX parameters_name_value ON parameters (name, value)",
        "CREATE INDEX workflows_namespace_created ON workflows (namespace, created_at)",
    ],
]


def version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def upgrade(db: sqlite3.Connection) -> None:
    current = version(db)
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"the kawa store is schema version {current}, newer than this kawa "
            f"({len(MIGRATIONS)}); upgrade kawa"
        )
    for number in range(current, len(MIGRATIONS)):
        for statement in MIGRATIONS[number]:
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {number + 1}")
