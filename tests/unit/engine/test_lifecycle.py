"""Exit handlers, hooks, suspend/resume/stop, deadlines, shutdown."""

from kawa.spec.actions import StartStep, StepOutcome
from kawa.spec.events import NodeSelector, ResumeRequested, StopRequested
from tests.unit.engine.harness import default_outcome, drive, make_workflow

EXIT = """
metadata: {name: wf}
spec:
  entrypoint: main
  onExit: report
  templates:
    - name: main
      container: {image: busybox, command: [sh, -c], args: ["exit 1"]}
    - name: report
      container: {image: busybox, command: [echo, "{{workflow.status}} {{workflow.failures}}"]}
"""


def test_exit_handler_runs_after_the_root_and_sees_status_and_failures() -> None:
    run = drive(EXIT)
    assert run.phase == "Failed"
    handler = run.by_name("wf.onExit")
    assert handler.phase == "Succeeded"
    args = run.started[-1].main.command
    assert args[1].startswith('Failed "[{\\"displayName\\":\\"wf\\"')


def test_failing_exit_handler_fails_a_succeeded_workflow() -> None:
    text = EXIT.replace('args: ["exit 1"]', 'args: ["exit 0"]').replace(
        'command: [echo, "{{workflow.status}} {{workflow.failures}}"]',
        'command: [sh, -c], args: ["exit 2"]',
    )
    run = drive(text)
    assert run.phase == "Failed"
    assert run.workflow.status.message == "main: Error (exit code 2)"


SUSPEND = """
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: approve, template: wait}
        - - {name: after, template: hello}
    - name: wait
      suspend: {}
    - name: hello
      container: {image: busybox, command: [echo, hi]}
"""


def test_suspended_node_waits_until_resumed() -> None:
    run = drive(SUSPEND)
    assert run.phase == "Running"
    approve = run.node("approve")
    assert (str(approve.type), str(approve.phase)) == ("Suspend", "Running")
    resumed = drive(
        run.workflow,
        events=lambda r: [
            ResumeRequested(r.now, NodeSelector((("displayName", "approve", False),)))
        ],
    )
    assert resumed.phase == "Succeeded"
    assert resumed.node("after").phase == "Succeeded"


def test_stopping_a_suspended_node_fails_it_with_the_message() -> None:
    run = drive(SUSPEND)
    selector = NodeSelector((("displayName", "approve", False),))
    stopped = drive(
        run.workflow, events=lambda r: [StopRequested(r.now, message="no", selector=selector)]
    )
    assert stopped.phase == "Failed"
    assert stopped.node("approve").message == "no"


def test_suspend_duration_resumes_by_itself() -> None:
    run = drive(SUSPEND.replace("suspend: {}", 'suspend: {duration: "30"}'))
    assert run.phase == "Succeeded"
    approve = run.node("approve")
    assert (approve.finished_at - approve.started_at).total_seconds() >= 30


def _hold(step: StartStep) -> StepOutcome | None:
    return None if "sleep" in " ".join(step.main.args) else default_outcome(step)


def test_template_deadline_stops_the_step_with_argos_message() -> None:
    text = """
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
    - name: main
      activeDeadlineSeconds: 10
      container: {image: busybox, command: [sh, -c], args: ["sleep 100"]}
"""
    run = drive(text, _hold)
    assert run.phase == "Failed"
    assert (
        run.by_name("wf").message == "Pod was active on the node longer than the specified deadline"
    )
    assert len(run.stopped) == 1


def test_terminate_stops_running_steps_and_skips_the_exit_handler() -> None:
    text = EXIT.replace('args: ["exit 1"]', 'args: ["sleep 100"]')
    workflow = make_workflow(text)
    first = drive(workflow, _hold, until=lambda r: bool(r.started))
    run = drive(first.workflow, _hold, events=lambda r: [StopRequested(r.now, terminate=True)])
    assert run.phase == "Failed"
    assert run.workflow.status.message == "Stopped with strategy 'Terminate'"
    assert run.by_name("wf").message == "workflow shutdown with strategy:  Terminate"
    assert all(s.node_name != "wf.onExit" for s in run.started)


def test_stop_runs_the_exit_handler() -> None:
    text = EXIT.replace('args: ["exit 1"]', 'args: ["sleep 100"]')
    first = drive(make_workflow(text), _hold, until=lambda r: bool(r.started))
    run = drive(first.workflow, _hold, events=lambda r: [StopRequested(r.now)])
    assert run.phase == "Failed"
    assert run.workflow.status.message == "Stopped with strategy 'Stop'"
    assert run.by_name("wf.onExit").phase == "Succeeded"


def test_step_exit_hook_runs_after_its_step() -> None:
    text = """
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: a, template: hello, hooks: {exit: {template: bye}}}
    - name: hello
      container: {image: busybox, command: [echo, hi]}
    - name: bye
      container: {image: busybox, command: [echo, bye]}
"""
    run = drive(text)
    assert run.phase == "Succeeded"
    hook = run.node("a.onExit")
    assert hook.hooked and hook.phase == "Succeeded"
    assert hook.id in run.node("a").children


def test_exit_hook_does_not_run_for_a_skipped_step_and_gets_workflow_arguments() -> None:
    text = """
metadata: {name: wf}
spec:
  entrypoint: main
  arguments: {parameters: [{name: who, value: kawa}]}
  templates:
    - name: main
      steps:
        - - {name: skipped, template: hello, when: "false", onExit: bye}
          - {name: ran, template: hello, onExit: bye}
    - name: hello
      container: {image: busybox, command: [echo, hi]}
    - name: bye
      inputs: {parameters: [{name: who}]}
      container: {image: busybox, command: [echo, "bye {{inputs.parameters.who}}"]}
"""
    run = drive(text)
    assert run.phase == "Succeeded"
    assert "skipped.onExit" not in run.displays()
    assert run.node("ran.onExit").inputs.parameters[0].value == "kawa"
