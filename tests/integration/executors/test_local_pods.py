"""Steps of several processes: init containers, sidecars, containerSet, daemons."""

from __future__ import annotations

import time

from kawa.executors.local import LocalExecutor
from kawa.spec.actions import Container, StartStep, StopStep, VolumeMount
from kawa.spec.events import StepStarted

from .conftest import UID, collect, ended, run, step


def test_init_container_runs_first_and_sidecar_is_stopped_after_main(
    executor: LocalExecutor,
) -> None:
    s = step(
        "pod",
        "sh",
        "-c",
        "cat /foo/greeting; echo bye",
        volume_mounts=(VolumeMount("foo", "/foo"),),
        init_containers=(
            Container("hello", "alpine:3.23", command=("sh", "-c", "echo hello > /foo/greeting")),
        ),
        sidecars=(
            Container("sidecar", "argoproj/argosay:v1", command=("sh", "-c"), args=("sleep 999",)),
        ),
    )
    started = time.monotonic()
    outcome = run(executor, s)["pod"].outcome
    assert time.monotonic() - started < 10
    assert (outcome.exit_code, outcome.result) == (0, "hello\nbye")
    node = executor.home / "runs" / UID / "nodes" / "pod" / "containers"
    assert (node / "sidecar" / "exit").exists()
    assert (node / "hello" / "exit").exists()


def test_a_failing_init_container_ends_the_step_without_main(executor: LocalExecutor) -> None:
    s = step(
        "init-fails",
        "sh",
        "-c",
        "echo main ran",
        init_containers=(Container("prepare", "busybox", command=("sh", "-c", "exit 3")),),
    )
    outcome = run(executor, s)["init-fails"].outcome
    assert outcome.exit_code == 3
    assert outcome.message == "prepare: Error (exit code 3)"
    assert outcome.result is None  # main never ran


def set_container(name: str, *deps: str, script: str = "") -> Container:
    script = script or f"echo {name} >> /work-log/order; sleep 0.2; echo {name} >> /work-log/order"
    return Container(name, "argoproj/argosay:v2", command=("sh", "-c", script), dependencies=deps)


def test_container_set_runs_in_dependency_order_in_parallel_where_possible(
    executor: LocalExecutor,
) -> None:
    s = StartStep(
        UID,
        "wf",
        "graph",
        "wf.graph",
        Container("main", ""),
        container_set=(
            set_container("a"),
            set_container("b", "a"),
            set_container("c", "a"),
            set_container("d", "b", "c"),
        ),
        volume_mounts=(VolumeMount("log", "/work-log"),),
    )
    outcome = run(executor, s)["graph"].outcome
    assert outcome.exit_code == 0
    assert outcome.containers == {"a": 0, "b": 0, "c": 0, "d": 0}
    order = (executor.home / "runs" / UID / "volumes" / "log" / "order").read_text().split()
    assert order[:2] == ["a", "a"]
    assert sorted(order[2:4]) == ["b", "c"]  # b and c started together
    assert order[-2:] == ["d", "d"]
    logs = executor.home / "runs" / UID / "nodes" / "graph" / "containers"
    assert all((logs / n / "stdout").exists() for n in "abcd")


def test_container_set_stops_at_the_first_failure(executor: LocalExecutor) -> None:
    s = StartStep(
        UID,
        "wf",
        "graph-fails",
        "wf.graph-fails",
        Container("main", ""),
        container_set=(
            set_container("main", script="echo from main"),
            set_container("bad", "main", script="exit 5"),
            set_container("after", "bad", script="echo never"),
        ),
    )
    outcome = run(executor, s)["graph-fails"].outcome
    assert outcome.exit_code == 5
    assert outcome.containers == {"main": 0, "bad": 5}
    assert outcome.message == "bad: Error (exit code 5)"
    assert outcome.result == "from main"


def test_daemon_step_runs_until_stopped(executor: LocalExecutor) -> None:
    daemon = step("daemon", "sleep", args=("60",), daemon=True)
    executor.start(daemon)
    collect(executor, lambda ev: any(isinstance(e, StepStarted) for e in ev))
    executor.stop(StopStep(UID, "daemon", grace_seconds=5))
    events = collect(executor, lambda ev: "daemon" in ended(ev), timeout=10)
    assert ended(events)["daemon"].outcome.exit_code == 143
