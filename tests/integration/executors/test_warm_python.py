"""``kawa.dev/warm-python``: Python steps forked from a pre-warmed interpreter keep the
isolation, environment, output and exit code of a cold start; imports are paid once."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import Cli

WORKFLOW = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: warm}
spec:
  entrypoint: main
  parallelism: 2
  templates:
    - name: main
      steps:
        - - name: step
            template: step
            arguments: {parameters: [{name: index, value: "{{item}}"}]}
            withItems: ["0", "1", "2", "3", "4", "5"]
    - name: step
      metadata:
        annotations: {kawa.dev/warm-python: "true"}
      inputs: {parameters: [{name: index}]}
      container:
        image: python:3.12
        command: [python]
        args: ["CODE/step.py", "{{inputs.parameters.index}}"]
        env: [{name: GREETING, value: "hello {{inputs.parameters.index}}"}]
      outputs:
        parameters: [{name: seen, valueFrom: {path: /tmp/seen}}]
"""

STEP = """
import os
import sys

import heavy  # counts its own imports in MARKS/imports

n = sys.argv[1]
mine = "/tmp/seen"
assert not os.path.exists(mine), "another step's /tmp leaked in"
with open(mine, "w") as f:
    f.write(f"{n}:{os.getcwd()}:{os.environ['GREETING']}:{heavy.LOADED}")
print(f"step {n} argv={sys.argv} pid={os.getpid()}")
print(f"to stderr {n}", file=sys.stderr)
sys.exit(3 if n == "5" else 0)
"""

HEAVY = """
import os
LOADED = True
with open(os.path.join("MARKS", "imports"), "a") as f:
    f.write("imported\\n")
"""


@pytest.fixture
def code() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="kawa-warm-", dir="/var/tmp"))
    (directory / "marks").mkdir()
    (directory / "step.py").write_text(STEP)
    (directory / "heavy.py").write_text(HEAVY.replace("MARKS", str(directory / "marks")))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def test_warm_python_steps_are_isolated_and_import_once(
    cli: Cli, tmp_path: Path, code: Path
) -> None:
    spec = tmp_path / "warm.yaml"
    spec.write_text(WORKFLOW.replace("CODE", str(code)))
    result = cli.run("run", str(spec), "-o", "json")
    assert result.returncode == 1, result.stderr  # step 5 exits 3
    assert result.stdout, result.stderr
    nodes = {n["displayName"]: n for n in json.loads(result.stdout)["status"]["nodes"].values()}
    for n in range(5):
        node = nodes[f"step({n}:{n})"]
        assert node["phase"] == "Succeeded", node
        seen = node["outputs"]["parameters"][0]["value"]
        assert seen == f"{n}:/tmp:hello {n}:True"
    failed = nodes["step(5:5)"]
    assert failed["phase"] == "Failed" and failed["message"] == "main: Error (exit code 3)"
    logs = cli.run("logs", "warm", "step(2:2)", check=True).stdout
    assert "step 2 argv=" in logs and "to stderr 2" in logs
    # the module was imported by the pre-warmed interpreter, not once per step
    assert (code / "marks" / "imports").read_text().count("imported") == 1


def test_host_paths_named_on_the_command_line_stay_visible_under_a_private_tmp(
    cli: Cli, tmp_path: Path
) -> None:
    """A script under the host's /tmp (a checkout in /tmp, pytest's tmp_path) can be run by
    naming it; the step's own /tmp stays private, and so does /tmp named alone."""
    script = tmp_path / "code" / "hello.py"
    script.parent.mkdir()
    script.write_text("print(open('" + str(tmp_path / "code" / "data.txt") + "').read())\n")
    (tmp_path / "code" / "data.txt").write_text("host data")
    unnamed = Path(tempfile.mkdtemp(prefix="kawa-unnamed-", dir="/tmp"))
    (unnamed / "secret.txt").write_text("not named")
    spec = tmp_path / "named.yaml"
    spec.write_text(
        f"""
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {{name: named}}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {{name: run, template: run}}
          - {{name: look, template: look}}
    - name: run
      container: {{image: python, command: [python, "{script}"]}}
    - name: look
      container: {{image: alpine, command: [sh, -c, "ls /tmp; test -e {unnamed}/secret.txt"]}}
"""
    )
    result = cli.run("run", str(spec), "-o", "json")
    nodes = {n["displayName"]: n for n in json.loads(result.stdout)["status"]["nodes"].values()}
    assert nodes["run"]["phase"] == "Succeeded", nodes["run"]
    assert "host data" in cli.run("logs", "named", "run", check=True).stdout
    # the step's /tmp is its own: a host directory it does not name is not there
    assert nodes["look"]["phase"] == "Failed", nodes["look"]
    assert unnamed.name not in cli.run("logs", "named", "look", check=True).stdout
    shutil.rmtree(unnamed)
