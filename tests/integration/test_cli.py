"""The ``kawa`` command as a user runs it: real processes, a private $KAWA_HOME."""

from __future__ import annotations

import contextlib
import hashlib
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import CORPUS, needs_corpus
from tests.integration.conftest import Cli

HELLO = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
  labels: {team: ml, stage: dev}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: who, value: world}]
  templates:
    - name: main
      container:
        image: busybox
        command: [echo, "hello {{workflow.parameters.who}}"]
"""


def write(tmp_path: Path, text: str, name: str = "wf.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_run_json_prints_the_final_workflow_with_a_generated_name(cli: Cli, tmp_path: Path) -> None:
    result = cli.run("run", write(tmp_path, HELLO), "-p", "who=kawa", "-o", "json")
    assert result.returncode == 0, result.stderr
    workflow = json.loads(result.stdout)
    assert workflow["kind"] == "Workflow" and workflow["apiVersion"] == "argoproj.io/v1alpha1"
    assert (
        workflow["metadata"]["name"].startswith("hello-")
        and len(workflow["metadata"]["name"]) == 11
    )
    assert workflow["status"]["phase"] == "Succeeded"
    [node] = workflow["status"]["nodes"].values()
    assert node["id"] == workflow["metadata"]["name"] and node["type"] == "Pod"
    assert node["outputs"]["result"] == "hello kawa"
    logs = cli.run("logs", workflow["metadata"]["name"], check=True).stdout
    assert logs.strip().endswith(": hello kawa")


def test_run_exit_status_is_nonzero_when_the_workflow_fails(cli: Cli, tmp_path: Path) -> None:
    failing = HELLO.replace(
        'command: [echo, "hello {{workflow.parameters.who}}"]', 'command: [sh, -c, "exit 3"]'
    )
    result = cli.run("run", write(tmp_path, failing))
    assert result.returncode == 1
    assert "main: Error (exit code 3)" in result.stdout


def test_run_of_a_missing_executable_reports_argos_message(cli: Cli, tmp_path: Path) -> None:
    missing = HELLO.replace(
        'command: [echo, "hello {{workflow.parameters.who}}"]', "command: [no-such-tool-xyz]"
    )
    result = cli.run("run", write(tmp_path, missing), "-o", "json")
    assert result.returncode == 1
    message = json.loads(result.stdout)["status"]["message"]
    assert 'exec: "no-such-tool-xyz": executable file not found in $PATH' in message


BAD = {
    "malformed.yaml": ("spec: [unclosed\n", "malformed.yaml:"),
    "unknown-field.yaml": (
        HELLO.replace("entrypoint: main", "entrypoint: main\n  entrypiont: x"),
        "entrypiont",
    ),
    "wrong-type.yaml": (HELLO.replace("image: busybox", "image: [busybox]"), "image"),
    "unknown-template.yaml": (HELLO.replace("entrypoint: main", "entrypoint: nope"), "nope"),
    "bad-expression.yaml": (
        HELLO.replace('"hello {{workflow.parameters.who}}"', '"{{= 1 +* 2 }}"'),
        "expression",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_documents_are_refused_with_file_line_and_field_and_nothing_stored(
    cli: Cli, tmp_path: Path, name: str
) -> None:
    text, needle = BAD[name]
    result = cli.run("run", write(tmp_path, text, name))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith(f"{tmp_path / name}:"), first
    line, column = first.split(":")[1:3]
    assert line.isdigit() and column.isdigit()
    assert needle in result.stderr
    assert cli.names() == []


def test_undeclared_parameter_is_refused_naming_what_is_declared(cli: Cli, tmp_path: Path) -> None:
    result = cli.run("run", write(tmp_path, HELLO), "-p", "whom=x")
    assert result.returncode == 1
    assert "whom" in result.stderr and "did you mean 'who'" in result.stderr
    assert cli.names() == []


def test_cyclic_dag_is_a_lint_error(cli: Cli, tmp_path: Path) -> None:
    cyclic = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: cyc}
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - {name: a, template: t, depends: b}
          - {name: b, template: t, depends: a}
    - name: t
      container: {image: busybox, command: ["true"]}
"""
    result = cli.run("lint", write(tmp_path, cyclic))
    assert result.returncode == 1
    assert "cycle" in result.stdout
    assert cli.names() == []


@needs_corpus
def test_lint_accepts_the_corpus_basic_workflow(cli: Cli) -> None:
    result = cli.run("lint", str(CORPUS / "test/e2e/smoke/basic.yaml"))
    assert result.returncode == 0
    assert "no linting errors found" in result.stdout


def test_list_filters_by_phase_label_and_prefix(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, HELLO)
    cli.run("run", path, "--name", "alpha-1", check=True)
    cli.run(
        "run",
        write(tmp_path, HELLO.replace("team: ml", "team: web"), "web.yaml"),
        "--name",
        "beta-1",
        check=True,
    )
    failing = HELLO.replace(
        'command: [echo, "hello {{workflow.parameters.who}}"]', 'command: [sh, -c, "exit 1"]'
    )
    cli.run("run", write(tmp_path, failing, "bad.yaml"), "--name", "alpha-2")
    names = lambda *args: sorted(cli.run("list", "-o", "name", *args, check=True).stdout.split())  # noqa: E731
    assert names() == ["alpha-1", "alpha-2", "beta-1"]
    assert names("--phase", "Failed") == ["alpha-2"]
    assert names("-l", "team=ml") == ["alpha-1", "alpha-2"]
    assert names("-l", "team in (web),stage") == ["beta-1"]
    assert names("--prefix", "alpha") == ["alpha-1", "alpha-2"]
    assert names("--since", "1h") == ["alpha-1", "alpha-2", "beta-1"]
    bad = cli.run("list", "-l", "team in web")
    assert bad.returncode == 1 and "label selector" in bad.stderr


def test_get_prints_the_tree_as_argo_get(cli: Cli, tmp_path: Path) -> None:
    cli.run("run", write(tmp_path, HELLO), "--name", "tree-1", check=True)
    out = cli.run("get", "tree-1", check=True).stdout
    assert "Status:" in out and "Succeeded" in out
    assert "STEP" in out and "✔ tree-1" in out
    missing = cli.run("get", "nope")
    assert (
        missing.returncode == 1 and missing.stderr.startswith("kawa: ") and "nope" in missing.stderr
    )


SUSPENDING = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: approval}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: build, template: hello}
        - - {name: approve, template: wait}
        - - {name: deploy, template: hello}
    - name: wait
      suspend: {}
    - name: hello
      container: {image: busybox, command: [echo, hi]}
"""


def _node_phase(cli: Cli, name: str, display: str) -> str:
    nodes = cli.workflow(name)["status"].get("nodes", {}).values()
    return next((n["phase"] for n in nodes if n["displayName"] == display), "")


@contextlib.contextmanager
def _waiting_for_approval(cli: Cli, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """``kawa run`` of SUSPENDING, once its ``approve`` step is suspended; killed after."""
    run = cli.start("run", write(tmp_path, SUSPENDING))
    try:
        cli.wait_for(
            lambda: (
                "approval" in cli.names() and _node_phase(cli, "approval", "approve") == "Running"
            ),
            timeout=30,
        )
        yield run
    finally:
        if run.poll() is None:
            run.kill()


def test_resume_from_another_process_continues_a_suspended_run(cli: Cli, tmp_path: Path) -> None:
    with _waiting_for_approval(cli, tmp_path) as run:
        result = cli.run(
            "resume", "approval", "--node-field-selector", "displayName=approve", check=True
        )
        assert "resumed" in result.stdout
        assert run.wait(timeout=30) == 0
    assert _node_phase(cli, "approval", "deploy") == "Succeeded"


def test_stop_from_another_process_fails_the_run(cli: Cli, tmp_path: Path) -> None:
    with _waiting_for_approval(cli, tmp_path) as run:
        cli.run("stop", "approval", check=True)
        assert run.wait(timeout=30) == 1
    workflow = cli.workflow("approval")
    assert workflow["status"]["phase"] == "Failed"
    assert workflow["status"]["message"] == "Stopped with strategy 'Stop'"
    done = cli.run("resume", "approval")
    assert done.returncode == 1 and "already failed" in done.stderr


def test_secret_values_never_appear_in_output_or_status(cli: Cli, tmp_path: Path) -> None:
    cli.run("secret", "create", "creds", "--from-literal", "token=s3cr3t-value", check=True)
    shown = (
        cli.run("secret", "get", "creds", check=True).stdout
        + cli.run("secret", "list", check=True).stdout
    )
    assert "s3cr3t-value" not in shown and "token" in shown
    uses = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: uses-secret}
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine
        command: [sh, -c, 'test "$(printf %s "$TOKEN" | md5sum | cut -c1-8)" = "$EXPECT" && echo ok']
        env:
          - {name: EXPECT, value: "EXPECTED_HASH"}
          - name: TOKEN
            valueFrom: {secretKeyRef: {name: creds, key: token}}
""".replace("EXPECTED_HASH", hashlib.md5(b"s3cr3t-value").hexdigest()[:8])
    result = cli.run("run", write(tmp_path, uses), "-o", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "s3cr3t-value" not in result.stdout + result.stderr
    assert "s3cr3t-value" not in (cli.home / "kawa.db").read_bytes().decode(
        errors="replace"
    ).replace("s3cr3t-value", "", 1), "the secret is stored once (its own record) and nowhere else"


def test_configmap_limits_a_semaphore(cli: Cli, tmp_path: Path) -> None:
    cli.run("configmap", "create", "limits", "--from-literal", "jobs=1", check=True)
    text = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: sem}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: a, template: job}
          - {name: b, template: job}
    - name: job
      synchronization:
        semaphores:
          - configMapKeyRef: {name: limits, key: jobs}
      container: {image: busybox, command: [sleep, "1.5"]}
"""
    result = cli.run("run", write(tmp_path, text), "-o", "json", check=True)
    status = json.loads(result.stdout)["status"]
    assert len([n for n in status["nodes"].values() if n["type"] == "Pod"]) == 2
    started = datetime.fromisoformat(status["startedAt"].replace("Z", "+00:00"))
    finished = datetime.fromisoformat(status["finishedAt"].replace("Z", "+00:00"))
    assert (finished - started).total_seconds() >= 3, "the two jobs must run one after the other"


@needs_corpus
def test_template_create_then_workflow_template_ref(cli: Cli, tmp_path: Path) -> None:
    cli.run(
        "template", "create", str(CORPUS / "examples/workflow-template/templates.yaml"), check=True
    )
    listed = cli.run("template", "list", check=True).stdout
    assert "WorkflowTemplate/workflow-template-submittable" in listed
    result = cli.run(
        "run", str(CORPUS / "examples/workflow-template/workflow-template-ref.yaml"), "-o", "json"
    )
    assert result.returncode == 0, result.stderr


@needs_corpus
def test_cron_create_stores_a_linted_cron_workflow(cli: Cli) -> None:
    result = cli.run(
        "cron", "create", str(CORPUS / "test/e2e/cron/basic.yaml"), "--schedule", "1 2 3 * *"
    )
    assert result.returncode == 0, result.stderr
    assert "test-cron-wf-basic" in result.stdout


def test_submit_then_controller_runs_the_queued_workflow(cli: Cli, tmp_path: Path) -> None:
    result = cli.run("submit", write(tmp_path, HELLO), "--name", "queued", check=True)
    assert "queued submitted" in result.stdout
    assert cli.workflow("queued")["status"].get("phase") in (None, "Pending", "")
    controller = cli.start("controller")
    try:
        cli.wait_for(
            lambda: cli.workflow("queued")["status"].get("phase") == "Succeeded", timeout=30
        )
    finally:
        controller.send_signal(signal.SIGTERM)
        assert controller.wait(timeout=30) == 0


def test_a_running_workflow_cannot_be_deleted_until_it_ends(cli: Cli, tmp_path: Path) -> None:
    with _waiting_for_approval(cli, tmp_path) as run:
        refused = cli.run("delete", "approval")
        assert refused.returncode == 1 and "kawa terminate approval" in refused.stderr
        cli.run("terminate", "approval", check=True)
        assert run.wait(timeout=30) == 1
    assert cli.run("delete", "approval").returncode == 0
    assert cli.names() == []


def test_an_argument_without_a_value_is_refused_at_submission(cli: Cli, tmp_path: Path) -> None:
    text = HELLO.replace("parameters: [{name: who, value: world}]", "parameters: [{name: who}]")
    path = write(tmp_path, text)
    result = cli.run("run", path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path}:10:")
    assert "spec.arguments.who.value is required" in result.stderr
    assert cli.names() == []
    assert cli.run("run", path, "-p", "who=x").returncode == 0


def _fork_servers(home: Path) -> list[int]:
    """The fork server processes of this home that are running."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"forkserver.py") for a in argv) and str(home).encode() in argv:
            found.append(int(proc.name))
    return found


def test_run_starts_one_fork_server_and_uses_it(cli: Cli, tmp_path: Path) -> None:
    assert cli.run("run", write(tmp_path, HELLO)).returncode == 0
    # each fork server makes its own roots-<pid> directory: one server ran this workflow
    roots = [p.name for p in (cli.home / "forkserver").iterdir() if p.name.startswith("roots-")]
    assert len(roots) == 1, roots


def test_a_run_refused_at_validation_leaves_no_fork_server_behind(cli: Cli, tmp_path: Path) -> None:
    bad = HELLO.replace("entrypoint: main", "entrypoint: nowhere")
    assert cli.run("run", write(tmp_path, bad)).returncode == 1
    cli.wait_for(lambda: not _fork_servers(cli.home), timeout=10)
    assert cli.names() == []


def test_kawa_starts_its_fork_server_before_importing_the_rest_of_itself() -> None:
    # `kawa run` spawns the fork server first thing, so that its start-up overlaps the
    # imports, loading and validation of this process (see kawa.cli.entry)
    probe = (
        "import sys; import kawa.cli.entry; from kawa.executors.local import server_process; "
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    ours = {m for m in loaded if m.split(".")[0] == "kawa"}
    assert ours == {
        "kawa",
        "kawa._version",
        "kawa.cli",
        "kawa.cli.entry",
        "kawa.executors",
        "kawa.executors.local",
        "kawa.executors.local.server_process",
    }
    assert not loaded & {"typing", "pathlib", "dataclasses", "json", "re", "argparse"}


@pytest.mark.parametrize("kawa_home", ["", "relative/home", "/abs/home"])
def test_the_early_fork_server_is_started_for_the_home_kawa_uses(
    kawa_home: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kawa.controller.home import Home
    from kawa.executors.local import server_process

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KAWA_HOME", kawa_home)
    assert Path(server_process.default_home()).absolute() == Home.default().path
