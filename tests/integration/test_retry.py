"""``kawa retry`` and ``kawa resubmit``: Argo's semantics, counted with side-effect files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kawa.controller.home import Home
from kawa.controller.replay import refold
from kawa.controller.service import Kawa
from tests.integration.conftest import Cli

# b fails the first time it runs (no mark yet) and succeeds afterwards; c only runs after b
FLAKY = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: flaky
spec:
  entrypoint: main
  onExit: bye
  arguments:
    parameters:
      - {name: greeting, value: hello}
  templates:
    - name: main
      steps:
        - - {name: a, template: mark, arguments: {parameters: [{name: who, value: a}]}}
        - - name: b
            template: fail-once
        - - {name: c, template: mark, arguments: {parameters: [{name: who, value: c}]}}
    - name: mark
      inputs: {parameters: [{name: who}]}
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["echo {{workflow.parameters.greeting}} >> MARKS/{{inputs.parameters.who}}"]
    - name: fail-once
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["test -e MARKS/b; status=$?; echo run >> MARKS/b; exit $status"]
    - name: bye
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["echo {{workflow.status}} >> MARKS/bye"]
"""


def _lines(marks: Path) -> dict[str, list[str]]:
    return {p.name: p.read_text().split() for p in sorted(marks.iterdir())}


def _failed_run(cli: Cli, tmp_path: Path, marks: Path) -> dict[str, Any]:
    spec = tmp_path / "flaky.yaml"
    spec.write_text(FLAKY.replace("MARKS", str(marks)))
    assert cli.run("run", str(spec)).returncode == 1
    workflow = cli.workflow("flaky")
    assert workflow["status"]["phase"] == "Failed"
    assert _lines(marks) == {"a": ["hello"], "b": ["run"], "bye": ["Failed"]}
    return workflow


def _by_name(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["displayName"]: n for n in workflow["status"]["nodes"].values()}


def test_retry_runs_the_failed_step_again_and_keeps_the_rest(
    cli: Cli, tmp_path: Path, marks: Path
) -> None:
    failed = _failed_run(cli, tmp_path, marks)
    before = _by_name(failed)
    result = cli.run("retry", "flaky", "-o", "json")
    assert result.returncode == 0, result.stderr
    retried = json.loads(result.stdout)
    assert retried["status"]["phase"] == "Succeeded"
    assert retried["metadata"]["uid"] == failed["metadata"]["uid"]  # in place, as Argo
    assert _lines(marks) == {
        "a": ["hello"], "b": ["run", "run"], "bye": ["Failed", "Succeeded"], "c": ["hello"],
    }  # fmt: skip
    after = _by_name(retried)
    assert after["a"]["id"] == before["a"]["id"]
    assert after["a"]["finishedAt"] == before["a"]["finishedAt"]  # kept, not re-run
    assert after["b"]["phase"] == "Succeeded"
    # the first attempt's files were moved aside, its log is still there
    archived = list((cli.home / "runs" / failed["metadata"]["uid"] / "retried").glob("1/*"))
    assert {p.name for p in archived} >= {before["b"]["id"], "nodes.json"}
    # the stored history re-folds to the stored status, across the restart
    kawa = Kawa(Home(cli.home))
    try:
        uid = retried["metadata"]["uid"]
        stored = kawa.load(uid).status.to_json(private=True)
        assert refold(kawa.store.history(uid)).status.to_json(private=True) == stored
    finally:
        kawa.close()


def test_retry_with_a_changed_parameter(cli: Cli, tmp_path: Path, marks: Path) -> None:
    _failed_run(cli, tmp_path, marks)
    result = cli.run("retry", "flaky", "-p", "greeting=bonjour", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert _lines(marks)["c"] == ["bonjour"]
    assert _lines(marks)["a"] == ["hello"]  # a succeeded before and is kept


def test_retry_refusals_name_the_reason_and_change_nothing(
    cli: Cli, tmp_path: Path, marks: Path
) -> None:
    _failed_run(cli, tmp_path, marks)
    assert cli.run("retry", "flaky", "-o", "json").returncode == 0
    again = cli.run("retry", "flaky")
    assert again.returncode == 1
    assert (
        "To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector"
        in again.stderr
    )
    undeclared = cli.run("retry", "flaky", "--restart-successful", "-p", "greting=x")
    assert undeclared.returncode == 1 and "did you mean 'greeting'" in undeclared.stderr
    assert cli.workflow("flaky")["status"]["phase"] == "Succeeded"
    # a succeeded workflow: only the selected succeeded nodes run again
    result = cli.run(
        "retry", "flaky", "--restart-successful", "--node-field-selector", "displayName=c"
    )
    assert result.returncode == 0, result.stderr
    assert _lines(marks)["c"] == ["hello", "hello"]
    assert _lines(marks)["a"] == ["hello"]


def test_resubmit_runs_everything_again_as_a_new_workflow(
    cli: Cli, tmp_path: Path, marks: Path
) -> None:
    _failed_run(cli, tmp_path, marks)
    result = cli.run("resubmit", "flaky", "-o", "json")
    assert result.returncode == 0, result.stderr
    new = json.loads(result.stdout)
    assert new["metadata"]["name"].startswith("flaky-")
    assert new["metadata"]["labels"]["workflows.argoproj.io/resubmitted-from-workflow"] == "flaky"
    assert _lines(marks)["a"] == ["hello", "hello"]
    assert cli.workflow("flaky")["status"]["phase"] == "Failed"  # the original is untouched


def test_memoized_resubmit_keeps_the_succeeded_steps(cli: Cli, tmp_path: Path, marks: Path) -> None:
    failed = _failed_run(cli, tmp_path, marks)
    result = cli.run("resubmit", "flaky", "--memoized", "-o", "json")
    assert result.returncode == 0, result.stderr
    new = json.loads(result.stdout)
    assert new["status"]["phase"] == "Succeeded"
    assert _lines(marks)["a"] == ["hello"]  # not run again
    assert _lines(marks)["c"] == ["hello"]
    a = _by_name(new)["a"]
    assert (a["type"], a["phase"]) == ("Skipped", "Skipped")
    assert a["message"] == f"original pod: {_by_name(failed)['a']['id']}"
    refused = cli.run("resubmit", new["metadata"]["name"], "--memoized")
    assert refused.returncode == 1
    assert "workflow must be Failed/Error to resubmit in memoized mode" in refused.stderr
