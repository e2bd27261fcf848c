"""retryStrategy: attempts as children, policy, limit, backoff, expression."""

from datetime import timedelta

from kawa.spec.actions import StartStep, StepOutcome
from tests.unit.engine.harness import T0, drive


def failing(times: int, code: int = 1):  # type: ignore[no-untyped-def]
    seen: dict[str, int] = {}

    def outcome(step: StartStep) -> StepOutcome:
        count = seen.setdefault("n", 0)
        seen["n"] = count + 1
        return StepOutcome(step.node_id, exit_code=code if count < times else 0, result="ok")

    return outcome


def workflow(strategy: str) -> str:
    return f"""
metadata: {{name: wf}}
spec:
  entrypoint: flaky
  templates:
    - name: flaky
      retryStrategy: {strategy}
      container: {{image: busybox, command: [sh, -c], args: ["exit 1"]}}
"""


def test_failed_attempts_are_retried_as_numbered_children_until_one_succeeds() -> None:
    run = drive(workflow("{limit: 3}"), failing(2))
    assert run.phase == "Succeeded"
    root = run.by_name("wf")
    assert str(root.type) == "Retry"
    names = [run.workflow.status.nodes[c].name for c in root.children]
    assert names == ["wf(0)", "wf(1)", "wf(2)"]
    assert [str(run.workflow.status.nodes[c].phase) for c in root.children] == [
        "Failed",
        "Failed",
        "Succeeded",
    ]
    assert all(run.workflow.status.nodes[c].retried for c in root.children)
    assert root.outputs is not None and root.outputs.result == "ok"


def test_retries_stop_at_the_limit_with_argos_message() -> None:
    run = drive(workflow('{limit: "2"}'), failing(10))
    assert run.phase == "Failed"
    assert len(run.by_name("wf").children) == 3
    assert run.by_name("wf").message == "No more retries left"


def test_on_error_policy_does_not_retry_a_failure() -> None:
    run = drive(workflow("{limit: 3, retryPolicy: OnError}"), failing(10))
    assert run.phase == "Failed"
    assert len(run.by_name("wf").children) == 1


def test_backoff_waits_duration_times_factor_between_attempts() -> None:
    run = drive(workflow('{limit: 3, backoff: {duration: "10s", factor: 2}}'), failing(3))
    assert run.phase == "Succeeded"
    attempts = [run.workflow.status.nodes[c] for c in run.by_name("wf").children]
    gaps = [
        (attempts[i + 1].started_at - attempts[i].finished_at).total_seconds() for i in range(3)
    ]
    assert gaps[0] >= 10 and gaps[1] >= 20 and gaps[2] >= 40
    assert attempts[0].started_at == T0 or attempts[0].started_at >= T0


def test_retry_expression_decides_with_last_retry_variables() -> None:
    strategy = '{limit: 5, expression: "asInt(lastRetry.exitCode) == 2"}'
    run = drive(workflow(strategy), failing(10, code=3))
    assert run.phase == "Failed"
    assert len(run.by_name("wf").children) == 1
    assert run.by_name("wf").message == "retryStrategy.expression evaluated to false"


def test_workflow_level_retry_strategy_wraps_the_root() -> None:
    text = """
metadata: {name: wf}
spec:
  entrypoint: one
  retryStrategy: {limit: 1}
  templates:
    - name: one
      container: {image: busybox, command: [echo, hi]}
"""
    run = drive(text)
    assert str(run.by_name("wf").type) == "Retry"
    assert run.by_name("wf(0)").phase == "Succeeded"
    assert run.now - T0 < timedelta(minutes=1)
