"""A killed ``kawa run`` loses nothing: a later ``kawa controller`` finishes the workflow.

Every step appends one line to its own side-effect file per execution, so "executed
exactly once" is counted, not assumed.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from tests.integration.conftest import Cli

STEPS = 200

WORKFLOW = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: two-hundred
spec:
  entrypoint: main
  parallelism: 8
  volumeClaimTemplates:
    - metadata: {name: marks}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
  templates:
    - name: main
      steps:
        - - name: work
            template: work
            arguments:
              parameters:
                - name: index
                  value: "{{item}}"
            withSequence:
              count: "STEPS"
    - name: work
      inputs:
        parameters:
          - name: index
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["echo $$ >> '/marks/{{inputs.parameters.index}}' && sleep 0.2"]
        volumeMounts:
          - {name: marks, mountPath: /marks}
""".replace("STEPS", str(STEPS))


def _executions(directory: Path) -> dict[str, int]:
    return {p.name: len(p.read_text().splitlines()) for p in directory.iterdir()}


def _marks(cli: Cli) -> Path:
    runs = list((cli.home / "runs").glob("*/volumes/marks"))
    return runs[0] if runs else cli.home / "missing"


def _count(cli: Cli) -> int:
    marks = _marks(cli)
    return len(list(marks.iterdir())) if marks.is_dir() else 0


def test_killed_run_is_finished_by_a_controller_with_each_step_run_once(
    cli: Cli, tmp_path: Path
) -> None:
    spec = tmp_path / "wf.yaml"
    spec.write_text(WORKFLOW)
    run = cli.start("run", str(spec))
    deadline = time.monotonic() + 30
    while _count(cli) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    done_before = _count(cli)
    assert 0 < done_before < STEPS, "the kill must land mid-run"
    assert cli.workflow("two-hundred")["status"]["phase"] == "Running"

    controller = cli.start("controller")
    try:
        cli.wait_for(
            lambda: cli.workflow("two-hundred")["status"]["phase"] != "Running",
            timeout=120,
            every=0.5,
        )
    finally:
        controller.send_signal(signal.SIGTERM)
        controller.wait(timeout=30)
    final = cli.workflow("two-hundred")
    assert final["status"]["phase"] == "Succeeded", final["status"].get("message")
    counts = _executions(_marks(cli))
    assert len(counts) == STEPS
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
    pods = [n for n in final["status"]["nodes"].values() if n["type"] == "Pod"]
    assert len(pods) == STEPS and all(n["phase"] == "Succeeded" for n in pods)


def test_a_second_kawa_process_does_not_drive_a_workflow_that_is_owned(
    cli: Cli, tmp_path: Path
) -> None:
    spec = tmp_path / "slow.yaml"
    spec.write_text(
        """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: slow}
spec:
  entrypoint: main
  templates:
    - name: main
      container: {image: alpine, command: [sleep, "2"]}
"""
    )
    run = cli.start("run", str(spec))
    cli.wait_for(
        lambda: "slow" in cli.names() and cli.workflow("slow")["status"].get("phase") == "Running"
    )
    controller = cli.start("controller")
    try:
        assert run.wait(timeout=30) == 0
    finally:
        controller.send_signal(signal.SIGTERM)
        controller.wait(timeout=30)
    history = json.loads(cli.run("get", "slow", "-o", "json", check=True).stdout)
    assert history["status"]["phase"] == "Succeeded"


def test_ctrl_c_stops_kawa_run_but_not_the_workflow(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "slow.yaml"
    spec.write_text(
        """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: interrupted}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: a, template: nap}
        - - {name: b, template: nap}
    - name: nap
      container: {image: alpine, command: [sleep, "1"]}
"""
    )
    run = cli.start("run", str(spec), "-o", "name")
    # interrupt once the run has started its first step (not while it is still submitting)
    cli.wait_for(
        lambda: (
            "interrupted" in cli.names()
            and cli.workflow("interrupted")["status"].get("phase") == "Running"
        )
    )
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=30)
    assert run.returncode == 130 and err.strip() == "kawa: interrupted"
    assert cli.workflow("interrupted")["status"]["phase"] == "Running"
    controller = cli.start("controller")
    try:
        cli.wait_for(
            lambda: cli.workflow("interrupted")["status"]["phase"] == "Succeeded", timeout=30
        )
    finally:
        controller.send_signal(signal.SIGTERM)
        controller.wait(timeout=30)


def _fork_servers() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"forkserver.py" in cmdline:
                found.add(int(entry.name))
    return found


def test_a_killed_fork_server_is_replaced_and_lost_steps_are_retried(
    cli: Cli, tmp_path: Path
) -> None:
    spec = tmp_path / "wf.yaml"
    spec.write_text(
        """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: server-loss}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: work, template: nap, withSequence: {count: "6"}}
    - name: nap
      retryStrategy: {limit: 3, retryPolicy: Always}
      container: {image: alpine, command: [sleep, "1"]}
"""
    )
    before = _fork_servers()
    run = cli.start("run", str(spec), "-o", "json")
    cli.wait_for(lambda: bool(_fork_servers() - before), timeout=30)
    time.sleep(0.5)  # steps are running under this server
    for pid in _fork_servers() - before:
        os.kill(pid, signal.SIGKILL)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 0, err
    workflow = json.loads(out)
    assert workflow["status"]["phase"] == "Succeeded"
    nodes = workflow["status"]["nodes"].values()
    lost = [n for n in nodes if n["type"] == "Pod" and n["phase"] == "Error"]
    assert lost, "the steps running when the server died lose their exit status"
    assert all("kawa lost track of this step" in n["message"] for n in lost)
