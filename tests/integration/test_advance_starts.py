"""Advance starts through the whole of kawa: each step of a chain still runs exactly once.

A DAG chain's next step is issued while the step before it runs, and launched by the
fork server the moment that step exits 0 (``kawa.engine.advance``).  These tests check
what users rely on around it: a killed ``kawa run`` loses and repeats nothing, a stop
or a suspend from another process starts nothing unseen.  Every step appends a line to
its side-effect file per execution, so executions are counted, not assumed.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.integration.conftest import Cli


def chain(name: str, links: int, marks: Path, sleep: float, *, term_exits_0: bool = False) -> str:
    """A DAG chain c1 -> c2 -> ...; each step marks its run, then sleeps ``sleep`` s
    (with ``term_exits_0``, a SIGTERM ends it with exit code 0)."""
    script = f"echo $$ >> {marks}/{{{{inputs.parameters.link}}}} && sleep {sleep}"
    if term_exits_0:
        script = f"trap 'exit 0' TERM; echo $$ >> {marks}/{{{{inputs.parameters.link}}}}; "
        script += f"sleep {sleep} & wait"
    tasks = []
    for i in range(1, links + 1):
        depends = f", depends: c{i - 1}" if i > 1 else ""
        tasks.append(f"          - {{name: c{i}, template: mark, arguments: "
                     f"{{parameters: [{{name: link, value: c{i}}}]}}{depends}}}")  # fmt: skip
    return f"""
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {{name: {name}}}
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
{chr(10).join(tasks)}
    - name: mark
      inputs: {{parameters: [{{name: link}}]}}
      container:
        image: alpine
        command: [sh, -c]
        args: ["{script}"]
"""


def _executions(marks: Path) -> dict[str, int]:
    return {p.name: len(p.read_text().splitlines()) for p in marks.iterdir()}


def _launched_in_advance(cli: Cli) -> int:
    """How many steps the fork server launched in advance (their ``launched`` record)."""
    records = (cli.home / "runs").glob("*/nodes/*/launched")
    return sum(1 for path in records if '"after":' in path.read_text())


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "wf.yaml"
    path.write_text(text)
    return str(path)


def test_a_chain_runs_each_step_once_with_its_next_step_issued_in_advance(
    cli: Cli, tmp_path: Path, marks: Path
) -> None:
    result = cli.run("run", _write(tmp_path, chain("links", 20, marks, 0)))
    assert result.returncode == 0, result.stderr
    assert _executions(marks) == {f"c{i}": 1 for i in range(1, 21)}
    assert _launched_in_advance(cli) == 19


def test_a_killed_run_mid_chain_is_finished_by_a_controller_each_step_once(
    cli: Cli, tmp_path: Path, marks: Path
) -> None:
    links = 40
    run = cli.start("run", _write(tmp_path, chain("killed", links, marks, 0.05)))
    cli.wait_for(lambda: len(list(marks.iterdir())) >= 10, timeout=30, every=0.01)
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    assert len(list(marks.iterdir())) < links, "the kill must land mid-run"
    controller = cli.start("controller")
    try:
        cli.wait_for(
            lambda: cli.workflow("killed")["status"]["phase"] != "Running", timeout=120, every=0.2
        )
    finally:
        controller.send_signal(signal.SIGTERM)
        controller.wait(timeout=30)
    assert cli.workflow("killed")["status"]["phase"] == "Succeeded"
    assert _executions(marks) == {f"c{i}": 1 for i in range(1, links + 1)}


def test_a_stop_while_a_next_step_waits_in_advance_starts_nothing_more(
    cli: Cli, tmp_path: Path, marks: Path
) -> None:
    """c1 ends with exit code 0 when stopped: c2, issued in advance, must not launch."""
    run = cli.start("run", _write(tmp_path, chain("stopped", 3, marks, 5, term_exits_0=True)))
    cli.wait_for(lambda: (marks / "c1").exists(), timeout=30, every=0.02)
    cli.run("stop", "stopped", check=True)
    assert run.wait(timeout=30) == 1
    workflow = cli.workflow("stopped")
    assert workflow["status"]["message"] == "Stopped with strategy 'Stop'"
    time.sleep(0.5)
    assert _executions(marks) == {"c1": 1}
    assert _launched_in_advance(cli) == 0


def test_a_suspend_holds_the_next_step_until_resume_then_it_runs_once(
    cli: Cli, tmp_path: Path, marks: Path
) -> None:
    run = cli.start("run", _write(tmp_path, chain("held", 3, marks, 1.0)))
    try:
        cli.wait_for(lambda: (marks / "c1").exists(), timeout=30, every=0.02)
        cli.run("suspend", "held", check=True)
        nodes = lambda: cli.workflow("held")["status"]["nodes"].values()  # noqa: E731
        cli.wait_for(
            lambda: any(n["displayName"] == "c1" and n["phase"] == "Succeeded" for n in nodes()),
            timeout=30,
        )
        time.sleep(0.5)
        assert _executions(marks) == {"c1": 1}, "nothing starts while suspended"
        cli.run("resume", "held", check=True)
        assert run.wait(timeout=30) == 0
    finally:
        if run.poll() is None:
            run.kill()
    assert _executions(marks) == {"c1": 1, "c2": 1, "c3": 1}
