"""Artifact repositories chosen by ``artifactRepositoryRef``; bad references are refused."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.conftest import Cli

WORKFLOW = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: refd}
spec:
  entrypoint: main
  artifactRepositoryRef: {configMap: my-repos, key: mine}
  templates:
    - name: main
      dag:
        tasks:
          - {name: make, template: make}
          - name: read
            depends: make
            template: read
            arguments:
              artifacts:
                - name: data
                  fromExpression: "tasks.make.outputs.artifacts.result"
    - name: make
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["mkdir -p /work/result && echo 42 > /work/result/answer"]
      outputs:
        artifacts:
          - {name: result, path: /work/result, archive: {none: {}}}
    - name: read
      inputs:
        artifacts:
          - {name: data, path: /in/data, mode: 0400}
      container:
        image: alpine:3.23
        command: [sh, -c]
        args: ["cat /in/data/answer && stat -c %a /in/data/answer"]
"""


def test_artifact_repository_ref_picks_an_fsspec_repository(cli: Cli, tmp_path: Path) -> None:
    store = tmp_path / "elsewhere"
    config = tmp_path / "mine.yaml"
    config.write_text(
        f"fsspec:\n  protocol: file\n  root: {store}\n  keyFormat: runs/{{{{workflow.name}}}}\n"
    )
    cli.run("configmap", "create", "my-repos", "--from-file", f"mine={config}", check=True)
    spec = tmp_path / "wf.yaml"
    spec.write_text(WORKFLOW)
    result = cli.run("run", str(spec), "-o", "json")
    assert result.returncode == 0, result.stderr
    assert (store / "runs" / "refd" / "result" / "answer").read_text() == "42\n"
    log = cli.run("logs", "refd", "read", check=True).stdout
    assert [line.split()[-1] for line in log.splitlines() if line.strip()] == ["42", "400"]
    nodes = {n["displayName"]: n for n in json.loads(result.stdout)["status"]["nodes"].values()}
    assert nodes["read"]["inputs"]["artifacts"][0]["s3"] == {"key": "runs/refd/result"}
    provenance = json.loads(cli.run("provenance", "refd", "-o", "json", check=True).stdout)
    made = next(n for n in provenance["nodes"] if n["displayName"] == "make")
    assert made["outputs"]["artifacts"][0]["digest"].startswith("sha256:")


def test_a_missing_repository_is_refused_at_submission(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "wf.yaml"
    spec.write_text(WORKFLOW)
    result = cli.run("run", str(spec))
    assert result.returncode == 1
    assert 'spec.artifactRepositoryRef: configmap "my-repos" not found' in result.stderr
    assert cli.names() == []
    cli.run("configmap", "create", "my-repos", "--from-literal", "other=s3: {}", check=True)
    result = cli.run("run", str(spec))
    assert 'configmap "my-repos" has no key "mine"' in result.stderr
    assert cli.names() == []
