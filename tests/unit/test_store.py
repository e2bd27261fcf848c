"""The SQLite store: write-ahead changes, ownership claims, history order."""

from __future__ import annotations

from pathlib import Path

import pytest

from kawa.spec.errors import ConflictError
from kawa.store.records import Change, HistoryRecord, ListQuery, WorkflowRecord
from kawa.store.sqlite import SqliteStore


def record(
    uid: str = "u1", name: str = "wf", labels: dict[str, str] | None = None
) -> WorkflowRecord:
    return WorkflowRecord(
        uid=uid,
        namespace="default",
        name=name,
        phase="Pending",
        created_at="2026-01-01T00:00:00+00:00",
        finished_at=None,
        labels=labels or {},
        meta="{}",
        spec="{}",
        status="{}",
    )


def test_a_claim_succeeds_only_against_the_owner_judged_gone(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "k.db")
    store.insert_workflow(record(), {}, [])
    assert store.claim("u1", "a")
    assert not store.claim("u1", "b")  # a holds it and nobody said a is gone
    assert store.claim("u1", "b", gone="a")
    assert not store.claim("u1", "c", gone="a"), "a was already replaced by b"
    assert store.owner("u1") == "b"


def test_a_change_writes_nodes_history_and_steps_in_one_transaction(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "k.db")
    store.insert_workflow(record(), {}, [HistoryRecord("submitted", "t0", "{}")])
    change = Change(
        uid="u1",
        phase="Running",
        finished_at=None,
        status="{}",
        nodes={"n1": "{}"},
        history=[HistoryRecord("event", "t1", "{}"), HistoryRecord("reconciled", "t1", "{}")],
        steps={"n1": '{"start": 1}'},
    )
    store.apply(change)
    assert store.workflow("u1").phase == "Running"
    assert store.nodes("u1") == {"n1": "{}"}
    assert [(h.seq, h.kind) for h in store.history("u1")] == [
        (1, "submitted"),
        (2, "event"),
        (3, "reconciled"),
    ]
    assert store.steps("u1") == {"n1": '{"start": 1}'}


def test_a_command_leaves_the_inbox_only_with_the_pass_that_folds_it_in(
    tmp_path: Path,
) -> None:
    store = SqliteStore(tmp_path / "k.db")
    store.insert_workflow(record(), {}, [])
    store.post_command("u1", '{"resume": 1}')
    [(first, _)] = store.read_commands("u1")
    # a controller killed here (read, not committed) leaves the command for the next one
    assert SqliteStore(tmp_path / "k.db").read_commands("u1") == [(first, '{"resume": 1}')]
    store.post_command("u1", '{"stop": 1}')
    assert [data for _, data in store.read_commands("u1", after=first)] == ['{"stop": 1}']
    store.apply(
        Change(uid="u1", phase="Running", finished_at=None, status="{}", commands_upto=first)
    )
    assert [data for _, data in store.read_commands("u1")] == ['{"stop": 1}']
    assert store.has_commands() == {"u1"}


def test_a_failing_change_leaves_nothing_behind(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "k.db")
    store.insert_workflow(record(), {}, [])
    with pytest.raises(RuntimeError, match="crash"), store.transaction() as db:
        store.apply_in(
            db, Change(uid="u1", phase="Running", finished_at=None, status="{}", nodes={"n": "{}"})
        )
        raise RuntimeError("crash between writes")
    assert store.workflow("u1").phase == "Pending" and store.nodes("u1") == {}


def test_names_are_unique_per_namespace(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "k.db")
    store.insert_workflow(record(), {}, [])
    with pytest.raises(ConflictError):
        store.insert_workflow(record(uid="u2"), {}, [])


def test_label_selectors_filter_in_sql(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "k.db")
    store.insert_workflow(record("u1", "a", {"team": "ml"}), {}, [])
    store.insert_workflow(record("u2", "b", {"team": "web", "tier": "x"}), {}, [])
    names = lambda *terms: sorted(r.name for r in store.list_workflows(ListQuery(labels=terms)))  # noqa: E731
    assert names(("team", "=", ("ml",))) == ["a"]
    assert names(("team", "notin", ("ml",))) == ["b"]
    assert names(("tier", "exists", ())) == ["b"]
    assert names(("tier", "!exists", ())) == ["a"]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    SqliteStore(path).close()
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(RuntimeError, match="newer than this kawa"):
        SqliteStore(path)
