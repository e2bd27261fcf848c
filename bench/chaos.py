"""Kill the controller with SIGKILL at random moments; the run must end as an undisturbed one.

The workflow has a fan-out, a step that fails once and is retried, a suspend resumed by
a command, a step stopped by its deadline, a chain whose next steps are started in
advance (``kawa.engine.advance``), and an exit handler.  Every execution of a
step appends a line to a file named after its node, on a workflow volume, so "no step ran
twice" is counted.  ``kawa controller`` is started and SIGKILLed at a random moment, again
and again, until the workflow has ended; then it is compared with the same workflow run
without interruption in another home.

    .venv/bin/python bench/chaos.py --runs 100      # prints counts
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

KAWA = [sys.executable, "-m", "kawa.cli.main"]

WORKFLOW = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: chaos}
spec:
  entrypoint: main
  onExit: report
  volumeClaimTemplates:
    - metadata: {name: marks}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
  templates:
    - name: main
      dag:
        tasks:
          - {name: fan, template: work, withItems: [a, b, c, d, e, f]}
          - {name: flaky, template: flaky, depends: fan}
          - {name: approve, template: approve, depends: flaky}
          - {name: slow, template: slow, depends: approve}
          - {name: last, template: work, depends: "slow.Failed || slow.Succeeded"}
          - {name: tail1, template: work, depends: last}
          - {name: tail2, template: work, depends: tail1}
    - name: work
      container:
        image: alpine
        command: [sh, -c, 'echo $$ >> /marks/{{pod.name}} && sleep 0.4']
        volumeMounts: [{name: marks, mountPath: /marks}]
    - name: flaky
      retryStrategy: {limit: 3}
      container:
        image: alpine
        command: [sh, -c, 'echo $$ >> /marks/{{pod.name}}; if [ ! -e /marks/flaky-once ]; then touch /marks/flaky-once; exit 1; fi; sleep 0.3']
        volumeMounts: [{name: marks, mountPath: /marks}]
    - name: approve
      suspend: {}
    - name: slow
      activeDeadlineSeconds: 1
      container:
        image: alpine
        command: [sh, -c, 'echo $$ >> /marks/{{pod.name}} && sleep 30']
        volumeMounts: [{name: marks, mountPath: /marks}]
    - name: report
      container:
        image: alpine
        command: [sh, -c, 'echo $$ >> /marks/{{pod.name}} && echo {{workflow.status}}']
        volumeMounts: [{name: marks, mountPath: /marks}]
"""


class Home:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.env = {**os.environ, "KAWA_HOME": str(path)}

    def kawa(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*KAWA, *args], env=self.env, capture_output=True, text=True, check=check
        )

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [*KAWA, *args], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def workflow(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.kawa("get", "chaos", "-o", "json").stdout)
        return data

    def resume_if_waiting(self, resumed: list[bool]) -> None:
        if resumed:
            return
        nodes = self.workflow()["status"].get("nodes", {}).values()
        if any(n["displayName"] == "approve" and n["phase"] == "Running" for n in nodes):
            self.kawa("resume", "chaos", "--node-field-selector", "displayName=approve")
            resumed.append(True)

    def executions(self) -> dict[str, int]:
        marks = next(self.path.glob("runs/*/volumes/marks"))
        return {
            p.name: len(p.read_text().splitlines())
            for p in marks.iterdir()
            if p.name != "flaky-once"
        }


def summary(workflow: dict[str, Any]) -> dict[str, Any]:
    nodes = workflow["status"]["nodes"].values()
    return {
        "phase": workflow["status"]["phase"],
        "nodes": sorted((n["displayName"], n["type"], n["phase"]) for n in nodes),
    }


def undisturbed(base: Path, spec: Path) -> dict[str, Any]:
    home = Home(base / "reference")
    home.kawa("submit", str(spec))
    controller = home.start("controller")
    resumed: list[bool] = []
    try:
        while home.workflow()["status"].get("phase") in (None, "", "Pending", "Running"):
            home.resume_if_waiting(resumed)
            time.sleep(0.2)
    finally:
        controller.send_signal(signal.SIGTERM)
        controller.wait(30)
    return summary(home.workflow())


def chaotic(
    base: Path, spec: Path, rng: random.Random, index: int
) -> tuple[dict[str, Any], int, dict[str, int]]:
    home = Home(base / f"chaos-{index}")
    home.kawa("submit", str(spec))
    kills = 0
    resumed: list[bool] = []
    deadline = time.monotonic() + 300
    while home.workflow()["status"].get("phase") in (None, "", "Pending", "Running"):
        if time.monotonic() > deadline:
            raise RuntimeError("the chaotic run did not finish in 300 s")
        controller = home.start("controller")
        time.sleep(rng.uniform(0.05, 0.8))
        home.resume_if_waiting(resumed)
        controller.send_signal(signal.SIGKILL)
        controller.wait(30)
        kills += 1
    return summary(home.workflow()), kills, home.executions()


def check(
    reference: dict[str, Any], result: dict[str, Any], executions: dict[str, int]
) -> list[str]:
    problems = []
    if result != reference:
        problems.append(f"result differs: {result} != {reference}")
    twice = {node: count for node, count in executions.items() if count != 1}
    if twice:
        problems.append(f"steps executed more than once: {twice}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        spec = base / "chaos.yaml"
        spec.write_text(WORKFLOW)
        reference = undisturbed(base, spec)
        correct = duplicates = total_kills = 0
        for index in range(args.runs):
            result, kills, executions = chaotic(base, spec, rng, index)
            problems = check(reference, result, executions)
            total_kills += kills
            duplicates += sum(1 for c in executions.values() if c > 1)
            correct += not problems
            for problem in problems:
                print(f"run {index}: {problem}")
    print(
        f"runs: {args.runs}, correct: {correct}/{args.runs}, controller kills: {total_kills}, "
        f"duplicate executions of a step: {duplicates}"
    )
    return 0 if correct == args.runs and duplicates == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
