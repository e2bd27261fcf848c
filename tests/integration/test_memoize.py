"""Argo ``memoize`` with the cache in the store: hits, expiry, ``kawa cache``, bad caches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.conftest import Cli

WORKFLOW = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: memo-
spec:
  entrypoint: main
  arguments:
    parameters: [{name: num, value: "1"}]
  templates:
    - name: main
      steps:
        - - name: square
            template: square
            arguments: {parameters: [{name: num, value: "{{workflow.parameters.num}}"}]}
    - name: square
      inputs: {parameters: [{name: num}]}
      memoize:
        key: "square-{{inputs.parameters.num}}"
        maxAge: MAXAGE
        cache: {configMap: {name: squares}}
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["echo run >> MARKS/{{inputs.parameters.num}}; echo $(({{inputs.parameters.num}} * {{inputs.parameters.num}})) > /tmp/out"]
      outputs:
        parameters: [{name: square, valueFrom: {path: /tmp/out}}]
"""


def _spec(tmp_path: Path, marks: Path, max_age: str = '"1h"') -> Path:
    path = tmp_path / "memo.yaml"
    path.write_text(WORKFLOW.replace("MARKS", str(marks)).replace("MAXAGE", max_age))
    return path


def _node(output: str) -> dict[str, Any]:
    nodes = json.loads(output)["status"]["nodes"].values()
    return next(n for n in nodes if n["displayName"] == "square")


def _square(cli: Cli, spec: Path, n: str) -> dict[str, object]:
    result = cli.run("run", str(spec), "-p", f"num={n}", "-o", "json")
    assert result.returncode == 0, result.stderr
    nodes = json.loads(result.stdout)["status"]["nodes"].values()
    [node] = [x for x in nodes if x["displayName"] == "square"]
    return node  # type: ignore[no-any-return]


def test_a_memoized_step_runs_once_per_key(cli: Cli, tmp_path: Path, marks: Path) -> None:
    spec = _spec(tmp_path, marks)
    first = _square(cli, spec, "3")
    assert first["memoizationStatus"] == {"hit": False, "key": "square-3", "cacheName": "squares"}
    second = _square(cli, spec, "3")
    assert second["memoizationStatus"]["hit"] is True  # type: ignore[index]
    assert second["outputs"]["parameters"][0]["value"] == "9"  # type: ignore[index]
    _square(cli, spec, "4")
    assert {p.name: len(p.read_text().split()) for p in marks.iterdir()} == {"3": 1, "4": 1}
    listed = json.loads(cli.run("cache", "list", "-o", "json", check=True).stdout)
    assert [(e["cache"], e["key"]) for e in listed] == [
        ("squares", "square-3"),
        ("squares", "square-4"),
    ]
    assert listed[0]["outputs"]["parameters"][0]["value"] == "9"
    table = cli.run("cache", "list", check=True).stdout
    assert "square-3" in table and "LAST HIT" in table
    # deleting the key makes the next run compute it again
    cli.run("cache", "delete", "squares", "square-3", check=True)
    assert _square(cli, spec, "3")["memoizationStatus"]["hit"] is False  # type: ignore[index]
    assert len((marks / "3").read_text().split()) == 2
    missing = cli.run("cache", "delete", "squares", "square-99")
    assert missing.returncode == 1 and "square-99" in missing.stderr
    cli.run("cache", "delete", "squares", check=True)
    assert json.loads(cli.run("cache", "list", "-o", "json", check=True).stdout) == []


def test_an_expired_entry_is_a_miss(cli: Cli, tmp_path: Path, marks: Path) -> None:
    spec = _spec(tmp_path, marks, max_age='"0s"')
    _square(cli, spec, "5")
    assert _square(cli, spec, "5")["memoizationStatus"]["hit"] is False  # type: ignore[index]
    assert len((marks / "5").read_text().split()) == 2


def test_a_configmap_that_is_not_a_cache_is_refused(cli: Cli, tmp_path: Path, marks: Path) -> None:
    cli.run("configmap", "create", "squares", "--from-literal", "keep=me", check=True)
    result = cli.run("run", str(_spec(tmp_path, marks)), "-o", "json")
    assert result.returncode == 1
    node = _node(result.stdout)
    assert node["phase"] == "Error"
    assert node["message"] == (
        "memoization configmap doesn't have workflows.argoproj.io/configmap-type label, "
        "refusing to use it"
    )
    assert not marks.joinpath("1").exists()
    kept = json.loads(cli.run("configmap", "get", "squares", check=True).stdout)
    assert kept["data"] == {"keep": "me"}


def test_an_invalid_key_or_max_age_is_an_error(cli: Cli, tmp_path: Path, marks: Path) -> None:
    spec = _spec(tmp_path, marks, max_age='"10"')
    result = cli.run("run", str(spec), "-o", "json")
    node = _node(result.stdout)
    assert node["message"] == 'invalid maxAge: time: missing unit in duration "10"'
    bad_key = tmp_path / "bad.yaml"
    bad_key.write_text(spec.read_text().replace('"square-{{', '"square {{'))
    result = cli.run("run", str(bad_key), "-o", "json")
    node = _node(result.stdout)
    assert (node["phase"], node["message"]) == ("Error", "invalid cache key: square 1")
