"""``kawa rerun``: a new run executes only what changed, and reuses the rest, visibly.

Every step appends a line to its own side-effect file per execution (in a host directory
outside ``/tmp``, which is private to each step), so "executed" is counted, not assumed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.conftest import Cli

PIPELINE = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: ml
spec:
  entrypoint: pipeline
  arguments:
    parameters:
      - name: rates
        value: '["0.1", "0.01", "0.001"]'
      - name: rows
        value: "100"
  templates:
    - name: pipeline
      dag:
        tasks:
          - name: prepare
            template: prepare
          - name: train
            depends: prepare
            template: train
            withParam: "{{workflow.parameters.rates}}"
            arguments:
              parameters:
                - {name: rate, value: "{{item}}"}
                - {name: rows, value: "{{tasks.prepare.outputs.parameters.rows}}"}
          - name: evaluate
            depends: train
            template: evaluate
            arguments:
              parameters:
                - {name: losses, value: "{{tasks.train.outputs.parameters.loss}}"}
    - name: prepare
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["echo run >> MARKS/prepare && echo {{workflow.parameters.rows}} > /tmp/rows"]
      outputs:
        parameters:
          - name: rows
            valueFrom: {path: /tmp/rows}
    - name: train
      inputs:
        parameters: [{name: rate}, {name: rows}]
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["echo run >> MARKS/train-{{inputs.parameters.rate}} && echo loss-{{inputs.parameters.rate}} > /tmp/loss"]
      outputs:
        parameters:
          - name: loss
            valueFrom: {path: /tmp/loss}
    - name: evaluate
      inputs:
        parameters: [{name: losses}]
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["echo run >> MARKS/evaluate && echo '{{inputs.parameters.losses}}'"]
"""


def _executions(marks: Path) -> dict[str, int]:
    return {p.name: len(p.read_text().splitlines()) for p in sorted(marks.iterdir())}


def _run_pipeline(cli: Cli, tmp_path: Path, marks: Path) -> dict[str, Any]:
    spec = tmp_path / "ml.yaml"
    spec.write_text(PIPELINE.replace("MARKS", str(marks)))
    cli.run("run", str(spec), "-o", "json", check=True)
    return cli.workflow("ml")


def _nodes(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["displayName"]: n for n in workflow["status"]["nodes"].values()}


def test_rerun_with_one_changed_parameter_executes_only_the_changed_branch_and_evaluate(
    cli: Cli, tmp_path: Path, marks: Path
) -> None:
    _run_pipeline(cli, tmp_path, marks)
    assert _executions(marks) == {
        "evaluate": 1, "prepare": 1, "train-0.001": 1, "train-0.01": 1, "train-0.1": 1,
    }  # fmt: skip
    result = cli.run("rerun", "ml", "-p", 'rates=["0.1", "0.05", "0.001"]', "-o", "json")
    assert result.returncode == 0, result.stderr
    rerun = json.loads(result.stdout)
    assert rerun["status"]["phase"] == "Succeeded"
    assert _executions(marks) == {
        "evaluate": 2, "prepare": 1, "train-0.001": 1, "train-0.01": 1, "train-0.05": 1,
        "train-0.1": 1,
    }  # fmt: skip
    nodes = _nodes(rerun)
    for reused in ("prepare", "train(0:0.1)", "train(2:0.001)"):
        assert nodes[reused]["phase"] == "Succeeded"
        assert nodes[reused]["message"].startswith("reused from ml (node ml."), nodes[reused]
    for executed in ("train(1:0.05)", "evaluate"):
        assert "message" not in nodes[executed], nodes[executed]
    assert nodes["prepare"]["outputs"]["parameters"][0]["value"] == "100"
    assert rerun["metadata"]["labels"]["kawa.dev/rerun-of"] == "ml"
    logs = cli.run("logs", rerun["metadata"]["name"], "evaluate", check=True).stdout
    assert '["loss-0.1","loss-0.05","loss-0.001"]' in logs
    shown = cli.run("get", rerun["metadata"]["name"], check=True).stdout
    assert "reused from ml" in shown


def test_rerun_from_a_node_executes_it_and_everything_after_it(
    cli: Cli, tmp_path: Path, marks: Path
) -> None:
    _run_pipeline(cli, tmp_path, marks)
    result = cli.run("rerun", "ml", "--from", "train(0:0.1)", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert _executions(marks) == {
        "evaluate": 2, "prepare": 1, "train-0.001": 1, "train-0.01": 1, "train-0.1": 2,
    }  # fmt: skip
    first = json.loads(result.stdout)["metadata"]["name"]
    # a re-run of a re-run credits the run that really executed a step
    again = json.loads(cli.run("rerun", first, "--from", "evaluate", "-o", "json").stdout)
    assert _executions(marks)["evaluate"] == 3
    nodes = _nodes(again)
    assert nodes["train(1:0.01)"]["message"] == "reused from ml (node ml.train(1:0.01))"
    assert nodes["train(0:0.1)"]["message"] == f"reused from {first} (node {first}.train(0:0.1))"


def test_rerun_bad_input_is_refused_and_changes_nothing(
    cli: Cli, tmp_path: Path, marks: Path
) -> None:
    _run_pipeline(cli, tmp_path, marks)
    before = cli.names()
    unknown = cli.run("rerun", "ml", "--from", "trian")
    assert unknown.returncode == 1
    assert "workflow ml has no node 'trian'; did you mean 'train'" in unknown.stderr
    undeclared = cli.run("rerun", "ml", "-p", "ratez=[]")
    assert undeclared.returncode == 1
    assert "the workflow declares no parameter 'ratez'; did you mean 'rates'" in undeclared.stderr
    missing = cli.run("rerun", "nope")
    assert missing.returncode == 1 and "nope" in missing.stderr
    pending = tmp_path / "pending.yaml"
    pending.write_text(PIPELINE.replace("name: ml", "name: waiting").replace("MARKS", str(marks)))
    cli.run("submit", str(pending), check=True)
    running = cli.run("rerun", "waiting")
    assert running.returncode == 1
    assert "workflow waiting is still Pending" in running.stderr
    assert sorted(cli.names()) == sorted([*before, "waiting"])
    assert _executions(marks)["prepare"] == 1
