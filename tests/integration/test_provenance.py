"""``kawa provenance``: the same workflow and inputs give the same digests in any home."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.conftest import Cli

WORKFLOW = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: histogram
spec:
  entrypoint: main
  arguments:
    parameters: [{name: values, value: "3 1 4 1 5 9 2 6"}]
  templates:
    - name: main
      dag:
        tasks:
          - name: count
            template: count
            arguments: {parameters: [{name: threshold, value: "{{item}}"}]}
            withItems: ["2", "4"]
          - name: total
            depends: count
            template: total
            arguments: {parameters: [{name: counts, value: "{{tasks.count.outputs.result}}"}]}
    - name: count
      inputs: {parameters: [{name: threshold}]}
      script:
        image: python:3.12
        command: [python]
        env:
          - name: TOKEN
            valueFrom: {secretKeyRef: {name: creds, key: token}}
        source: |
          import os
          assert os.environ["TOKEN"] == "s3cr3t-value"
          values = [int(v) for v in "{{workflow.parameters.values}}".split()]
          print(sum(v > {{inputs.parameters.threshold}} for v in values))
    - name: total
      inputs: {parameters: [{name: counts}]}
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["echo '{{inputs.parameters.counts}}' > /tmp/t && cat /tmp/t"]
      outputs:
        parameters: [{name: counts, valueFrom: {path: /tmp/t}}]
"""


def _provenance(cli: Cli, spec: Path) -> dict[str, Any]:
    cli.run("secret", "create", "creds", "--from-literal", "token=s3cr3t-value", check=True)
    cli.run("run", str(spec), check=True)
    data: dict[str, Any] = json.loads(cli.run("provenance", "histogram", "-o", "json").stdout)
    return data


def test_provenance_digests_match_across_two_homes(tmp_path: Path) -> None:
    spec = tmp_path / "histogram.yaml"
    spec.write_text(WORKFLOW)
    one = _provenance(Cli(tmp_path / "home-one"), spec)
    two = _provenance(Cli(tmp_path / "home-two"), spec)
    assert one["workflow"]["uid"] != two["workflow"]["uid"]
    assert one["workflow"]["specDigest"] == two["workflow"]["specDigest"]
    assert one["workflow"]["parameters"] == {"values": "3 1 4 1 5 9 2 6"}

    def digests(record: dict[str, Any]) -> dict[str, tuple[str, str]]:
        return {
            n["name"]: (n.get("templateDigest", ""), n["outputsDigest"]) for n in record["nodes"]
        }

    assert digests(one) == digests(two)
    steps = {n["displayName"]: n for n in one["nodes"] if n["type"] == "Pod"}
    assert set(steps) == {"count(0:2)", "count(1:4)", "total"}
    assert steps["total"]["outputs"]["parameters"][0]["value"] == "[5,3]"
    assert all(s["templateDigest"].startswith("sha256:") for s in steps.values())
    assert steps["count(0:2)"]["templateDigest"] != steps["count(1:4)"]["templateDigest"]
    [container] = steps["count(0:2)"]["launch"]["containers"]
    assert container["image"] == "python:3.12"
    assert container["env"]["TOKEN"] == "<redacted>"
    assert "s3cr3t-value" not in json.dumps(one)
    assert one["host"]["python"] and one["kawaVersion"]
    text = Cli(tmp_path / "home-one").run("provenance", "histogram", check=True).stdout
    assert one["workflow"]["specDigest"] in text


def test_provenance_of_a_rerun_names_the_reused_nodes(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    spec = tmp_path / "histogram.yaml"
    spec.write_text(WORKFLOW)
    first = _provenance(cli, spec)
    result = cli.run("rerun", "histogram", "--from", "total", "-o", "name", check=True)
    name = result.stdout.split()[0]
    again = json.loads(cli.run("provenance", name, "-o", "json", check=True).stdout)
    assert again["workflow"]["rerunOf"]["workflow"] == "histogram"
    reused = {n["displayName"]: n["reusedFrom"] for n in again["reused"]}
    assert set(reused) == {"count(0:2)", "count(1:4)"}
    assert reused["count(0:2)"]["workflow"] == "histogram"
    by_name = {n["displayName"]: n for n in first["nodes"]}
    for node in again["nodes"]:
        if node["displayName"] in reused:
            assert node["outputsDigest"] == by_name[node["displayName"]]["outputsDigest"]
    missing = cli.run("provenance", "nope")
    assert missing.returncode == 1 and "nope" in missing.stderr
