"""Stopping, progress, launching at most once, and surviving the controller's death."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kawa.executors.local import LocalExecutor
from kawa.executors.local._forkserver import records
from kawa.executors.local._forkserver.records import LOST_MESSAGE
from kawa.executors.local.executor import ForkServerError
from kawa.spec.actions import StartStep, StopStep, VolumeMount
from kawa.spec.events import StepEnded, StepProgress, StepStarted

from .conftest import UID, collect, ended, run, step

SRC = str(Path(__file__).parents[3] / "src")


def test_stop_terminates_the_step_with_exit_code_143(executor: LocalExecutor) -> None:
    executor.start(step("long", "sleep", args=("30",)))
    collect(executor, lambda ev: any(isinstance(e, StepStarted) for e in ev))
    executor.stop(StopStep(UID, "long", grace_seconds=5))
    outcome = ended(collect(executor, lambda ev: "long" in ended(ev), timeout=10))["long"].outcome
    assert outcome.exit_code == 143
    assert outcome.message == "main: Error (exit code 143)"


def test_stop_kills_a_step_that_ignores_sigterm_after_the_grace_period(
    executor: LocalExecutor,
) -> None:
    script = "trap '' TERM; echo ready; while :; do sleep 0.05; done"
    executor.start(step("stubborn", "sh", "-c", script))
    collect(executor, lambda ev: any(isinstance(e, StepStarted) for e in ev))
    time.sleep(0.2)
    executor.stop(StopStep(UID, "stubborn", grace_seconds=0.5))
    events = collect(executor, lambda ev: "stubborn" in ended(ev), timeout=10)
    assert ended(events)["stubborn"].outcome.exit_code == 137


def test_progress_written_to_the_progress_file_is_reported(executor: LocalExecutor) -> None:
    script = (
        "/argosay echo 0/100 $ARGO_PROGRESS_FILE && /argosay sleep 1.2 && "
        "/argosay echo 50/100 $ARGO_PROGRESS_FILE && /argosay sleep 1.2"
    )
    executor.start(step("progress", "/bin/sh", "-c", script, image="argoproj/argosay:v2"))
    events = collect(executor, lambda ev: "progress" in ended(ev))
    reported = [e.progress for e in events if isinstance(e, StepProgress)]
    assert reported == ["0/100", "50/100"]


def test_launched_records_the_start_time_proc_reports_for_the_step(
    executor: LocalExecutor, home: Path
) -> None:
    steps = [step(f"ticks-{i}", "sleep", args=("5",)) for i in range(5)]
    for s in steps:
        executor.start(s)
    collect(executor, lambda ev: sum(isinstance(e, StepStarted) for e in ev) == len(steps))
    for s in steps:
        launched = json.loads((home / "runs" / UID / "nodes" / s.node_id / "launched").read_text())
        assert launched["start_ticks"] == records.start_ticks(launched["pid"])
        executor.stop(StopStep(UID, s.node_id, grace_seconds=1))
    collect(executor, lambda ev: len(ended(ev)) == len(steps))


def test_start_ticks_come_from_the_clock_only_within_one_tick() -> None:
    tick = records.TICK_NS
    assert records.ticks_between(7 * tick, 7 * tick + tick - 1) == 7
    assert records.ticks_between(7 * tick + tick - 1, 8 * tick) is None


def appender(node_id: str, delay: float = 0.3) -> StartStep:
    return step(
        node_id,
        "sh",
        "-c",
        f"sleep {delay}; echo ran >> /log/{node_id}",
        volume_mounts=(VolumeMount("log", "/log"),),
    )


def runs_of(home: Path, node_id: str) -> int:
    return (home / "runs" / UID / "volumes" / "log" / node_id).read_text().count("ran")


def test_starting_a_node_twice_runs_it_once(executor: LocalExecutor, home: Path) -> None:
    s = appender("twice")
    executor.start(s)
    executor.start(s)
    events = collect(executor, lambda ev: "twice" in ended(ev))
    time.sleep(0.3)
    events += executor.poll()
    assert [type(e) for e in events] == [StepStarted, StepEnded]
    assert runs_of(home, "twice") == 1


def test_a_new_executor_does_not_launch_a_node_launched_by_an_old_one(home: Path) -> None:
    s = appender("once", delay=0.5)
    old = LocalExecutor(home)
    old.start(s)
    collect(old, lambda ev: any(isinstance(e, StepStarted) for e in ev))
    old.close()
    with LocalExecutor(home) as new:
        new.start(s)
        events = collect(new, lambda ev: "once" in ended(ev))
        assert ended(events)["once"].outcome.exit_code == 0
    assert runs_of(home, "once") == 1


CONTROLLER = """
import json, select, sys, time
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from kawa.executors.local import LocalExecutor
from kawa.executors.local.executor import ForkServerError
from kawa.spec.actions import Container, StartStep
ex = LocalExecutor(Path(sys.argv[1]))
main = Container("main", "busybox", command=("sh", "-c", sys.argv[3]))
ex.start(StartStep("wf-uid-1", "wf", "orphan", "wf.orphan", main))
while not any(type(e).__name__ == "StepStarted" for e in ex.poll()):
    select.select([ex.fileno()], [], [], 5)
print(json.dumps({"server": ex.server_pid}), flush=True)
time.sleep(120)
"""


@pytest.fixture
def killed_controller(home: Path, request: pytest.FixtureRequest) -> Iterator[int]:
    """Run a controller that starts ``request.param`` as node "orphan"; SIGKILL it.

    Yields the pid of its fork server.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", CONTROLLER, str(home), SRC, request.param],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    server = json.loads(proc.stdout.readline())["server"]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    yield server


ORPHAN = step("orphan", "sh", "-c", "sleep 1; exit 7")


@pytest.mark.parametrize("killed_controller", ["sleep 1; exit 7"], indirect=True)
def test_a_step_survives_its_controller_and_its_exit_code_is_recovered(
    killed_controller: int, home: Path
) -> None:
    with LocalExecutor(home) as executor:
        assert executor.reattach(ORPHAN) == "running"
        events = collect(executor, lambda ev: "orphan" in ended(ev), timeout=10)
    outcome = ended(events)["orphan"].outcome
    assert (outcome.exit_code, outcome.error) == (7, False)


@pytest.mark.parametrize("killed_controller", ["sleep 30"], indirect=True)
def test_a_new_executor_can_stop_a_step_of_a_dead_controller(
    killed_controller: int, home: Path
) -> None:
    with LocalExecutor(home) as executor:
        assert executor.reattach(ORPHAN) == "running"
        executor.stop(StopStep(UID, "orphan", grace_seconds=5))
        events = collect(executor, lambda ev: "orphan" in ended(ev), timeout=10)
    assert ended(events)["orphan"].outcome.exit_code == 143


@pytest.mark.parametrize("killed_controller", ["sleep 0.5"], indirect=True)
def test_a_step_that_ended_while_no_kawa_watched_is_reported_lost(
    killed_controller: int, home: Path
) -> None:
    os.kill(killed_controller, signal.SIGKILL)  # its fork server dies too
    with LocalExecutor(home) as executor:
        assert executor.reattach(ORPHAN) == "running"
        events = collect(executor, lambda ev: "orphan" in ended(ev), timeout=10)
        outcome = ended(events)["orphan"].outcome
        assert outcome.error
        assert outcome.exit_code is None
        assert outcome.message == LOST_MESSAGE
        assert executor.reattach(ORPHAN) == "ended"  # the verdict is recorded


def test_a_dead_fork_server_is_an_error_and_its_steps_can_be_reattached(home: Path) -> None:
    s = step("survivor", "sh", "-c", "sleep 0.5; exit 3")
    executor = LocalExecutor(home)
    executor.start(s)
    collect(executor, lambda ev: any(isinstance(e, StepStarted) for e in ev))
    os.kill(executor.server_pid, signal.SIGKILL)
    with pytest.raises(ForkServerError, match="ended unexpectedly"):
        collect(executor, lambda ev: False, timeout=5)
    executor.close()
    with LocalExecutor(home) as again:
        assert again.reattach(s) == "running"
        outcome = ended(collect(again, lambda ev: "survivor" in ended(ev)))["survivor"].outcome
        assert outcome.message == LOST_MESSAGE  # its parent, the dead server, never reaped it


def test_reattach_tells_not_started_running_and_ended_apart(
    executor: LocalExecutor,
) -> None:
    assert executor.reattach(step("never", "true")) == "not-started"
    done = step("done", "true")
    run(executor, done)
    with LocalExecutor(executor.home) as other:
        assert other.reattach(done) == "ended"
        events = collect(other, lambda ev: "done" in ended(ev))
        assert ended(events)["done"].outcome.exit_code == 0
