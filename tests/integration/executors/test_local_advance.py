"""Advance starts: the fork server starts a step the moment another exits 0.

The executor holds back what it hears about such a step until the engine issues the
start for real; a step whose predecessor fails, or that is withdrawn, never runs, and
the engine's own start then runs it once.
"""

from __future__ import annotations

import time
from pathlib import Path

from kawa.executors.base import StepEvent
from kawa.executors.local import LocalExecutor
from kawa.spec.actions import StartStep
from kawa.spec.events import StepEnded, StepStarted

from .conftest import UID, collect, ended, step


def _counting(node_id: str, *, after: str = "", then: str = "") -> StartStep:
    """A step that prints its name (the step's /tmp is its own: the node dir keeps count)."""
    script = f"echo {node_id}{'; ' + then if then else ''}"
    return step(node_id, "sh", "-c", script, after=after)


def _runs(executor: LocalExecutor, node_id: str) -> int:
    """How many times the step was launched (``launched`` is created exclusively)."""
    node = executor.node(UID, node_id)
    if not Path(node.launched).exists():
        return 0
    _wait_for(lambda: Path(node.exit).exists())
    return Path(node.stdout).read_text().split().count(node_id)


def _wait_for(check: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def _nodes(events: list[StepEvent]) -> set[str]:
    return {e.node_id for e in events}


def test_an_advance_start_runs_when_its_predecessor_exits_0_and_reports_once_issued(
    executor: LocalExecutor,
) -> None:
    executor.start(_counting("x", then="sleep 0.3"))
    executor.start(_counting("y", after="x"))
    events = collect(executor, lambda ev: "x" in ended(ev))
    _wait_for(lambda: _runs(executor, "y") == 1)  # it ran before the engine issued it
    time.sleep(0.3)
    events += executor.poll()
    assert _nodes(events) == {"x"}, "what y did stays held until its real start"
    executor.start(_counting("y"))
    later = collect(executor, lambda ev: "y" in ended(ev))
    assert [type(e) for e in later if e.node_id == "y"] == [StepStarted, StepEnded]
    assert ended(later)["y"].outcome.exit_code == 0
    time.sleep(0.3)
    assert executor.poll() == []
    assert _runs(executor, "x") == _runs(executor, "y") == 1


def test_the_engines_start_of_a_parked_step_starts_it_at_once_and_once(
    executor: LocalExecutor,
) -> None:
    executor.start(_counting("x", then="sleep 0.5"))
    executor.start(_counting("y", after="x"))
    executor.start(_counting("y"))
    events = collect(executor, lambda ev: {"x", "y"} <= ended(ev).keys())
    assert list(ended(events)) == ["y", "x"], "y did not wait for x any more"
    assert _runs(executor, "y") == 1


def test_an_advance_start_is_dropped_when_its_predecessor_fails(executor: LocalExecutor) -> None:
    executor.start(_counting("x", then="exit 3"))
    executor.start(_counting("y", after="x"))
    events = collect(executor, lambda ev: "x" in ended(ev))
    assert ended(events)["x"].outcome.exit_code == 3
    time.sleep(0.5)
    assert _nodes(executor.poll()) == set()
    assert _runs(executor, "y") == 0
    executor.start(_counting("y"))
    collect(executor, lambda ev: "y" in ended(ev))
    assert _runs(executor, "y") == 1


def test_a_withdrawn_advance_start_does_not_run_and_the_answer_arrives(
    executor: LocalExecutor,
) -> None:
    executor.start(_counting("x", then="sleep 0.5"))
    executor.start(_counting("y", after="x"))
    executor.withdraw_advance_starts()
    assert executor.withdrawing
    collect(executor, lambda ev: not executor.withdrawing)
    collect(executor, lambda ev: "x" in ended(ev))
    time.sleep(0.3)
    assert _runs(executor, "y") == 0
    executor.start(_counting("y"))
    collect(executor, lambda ev: "y" in ended(ev))
    assert _runs(executor, "y") == 1


def test_withdrawing_after_the_launch_keeps_the_step(executor: LocalExecutor) -> None:
    executor.start(_counting("x"))
    executor.start(_counting("y", after="x", then="sleep 0.5"))
    collect(executor, lambda ev: "x" in ended(ev))
    _wait_for(lambda: _runs(executor, "y") == 1)
    executor.withdraw_advance_starts()
    collect(executor, lambda ev: not executor.withdrawing)
    executor.start(_counting("y", then="sleep 0.5"))
    events = collect(executor, lambda ev: "y" in ended(ev))
    assert ended(events)["y"].outcome.exit_code == 0
    assert _runs(executor, "y") == 1


def test_an_advance_start_after_a_step_that_already_succeeded_runs_at_once(
    executor: LocalExecutor,
) -> None:
    executor.start(_counting("x"))
    collect(executor, lambda ev: "x" in ended(ev))
    executor.start(_counting("y", after="x"))
    _wait_for(lambda: _runs(executor, "y") == 1)
    executor.start(_counting("y"))
    events = collect(executor, lambda ev: "y" in ended(ev))
    assert ended(events)["y"].outcome.exit_code == 0
    assert _runs(executor, "y") == 1
