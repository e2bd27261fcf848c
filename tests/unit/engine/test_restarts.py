"""Retry in place and re-run with reuse, on the pure engine (no processes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from kawa.engine import rerun, retry_workflow
from kawa.spec.actions import StartStep, StepOutcome
from kawa.spec.errors import ConflictError, NotFoundError
from kawa.spec.events import NodeSelector
from kawa.spec.status import NodePhase
from tests.unit.engine.harness import default_outcome, drive, make_workflow

PIPELINE = """
metadata: {name: wf}
spec:
  entrypoint: main
  onExit: bye
  arguments: {parameters: [{name: items, value: '["x", "y", "z"]'}]}
  templates:
    - name: main
      dag:
        tasks:
          - {name: a, template: echo, arguments: {parameters: [{name: m, value: a}]}}
          - name: fan
            depends: a
            template: echo
            withParam: "{{workflow.parameters.items}}"
            arguments: {parameters: [{name: m, value: "{{item}}"}]}
          - {name: b, depends: fan, template: echo, arguments: {parameters: [{name: m, value: "{{tasks.fan.outputs.result}}"}]}}
    - name: echo
      inputs: {parameters: [{name: m}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
    - name: bye
      container: {image: busybox, command: [echo, bye]}
"""


def failing(*names: str, times: int = 1):  # type: ignore[no-untyped-def]
    """Outcomes where the steps whose argument is in ``names`` fail ``times`` times."""
    left = dict.fromkeys(names, times)

    def outcome(step: StartStep) -> StepOutcome:
        arg = step.main.command[-1]
        if left.get(arg, 0) > 0:
            left[arg] -= 1
            return StepOutcome(step.node_id, exit_code=1)
        return default_outcome(step)

    return outcome


def test_retry_reruns_only_the_failed_item_and_what_follows() -> None:
    outcome = failing("y")
    first = drive(PIPELINE, outcome)
    assert first.phase == "Failed"
    assert first.node("b").phase is NodePhase.OMITTED or first.by_name("wf.b") is not None
    later = first.now + timedelta(minutes=5)
    retried, removed = retry_workflow.retry(first.workflow, later)
    assert retried.status.phase.value == "Running"
    names = {n.display_name for n in retried.status.nodes.values()}
    assert "fan(1:y)" not in names and "wf.onExit" not in names
    assert {"a", "fan(0:x)", "fan(2:z)"} <= names
    assert first.node("fan(1:y)").id in removed
    second = drive(retried, outcome)
    assert second.phase == "Succeeded"
    assert second.started_names() == ["wf.fan(1:y)", "wf.b", "wf.onExit"]
    assert second.node("a").finished_at == first.node("a").finished_at


def test_retry_with_new_parameters_expands_the_loop_again() -> None:
    first = drive(PIPELINE, failing("y"))
    spec = {
        **first.workflow.spec,
        "arguments": {"parameters": [{"name": "items", "value": '["x", "w"]'}]},
    }
    retried, _ = retry_workflow.retry(first.workflow, first.now, spec=spec)
    second = drive(retried)
    assert second.phase == "Succeeded"
    assert sorted(second.started_names()) == ["wf.b", "wf.fan(0:x)", "wf.fan(1:w)", "wf.onExit"]


def test_retry_refuses_running_and_plain_succeeded_workflows() -> None:
    done = drive(PIPELINE)
    with pytest.raises(ConflictError, match="set the options restartSuccessful"):
        retry_workflow.retry(done.workflow, done.now)
    running = make_workflow(PIPELINE)
    with pytest.raises(ConflictError, match="Cannot retry a workflow in phase Pending"):
        retry_workflow.retry(running, done.now)
    selector = NodeSelector((("displayName", "a", False),))
    again, _ = retry_workflow.retry(
        done.workflow, done.now, restart_successful=True, selector=selector
    )
    rerun_all = drive(again)
    # a and everything after it (here: every step) runs again
    assert rerun_all.started_names()[0] == "wf.a" and rerun_all.phase == "Succeeded"


def test_a_failed_retry_node_gets_fresh_attempts() -> None:
    text = PIPELINE.replace(
        "    - name: echo\n", "    - name: echo\n      retryStrategy: {limit: 1}\n"
    )
    outcome = failing("y", times=2)
    first = drive(text, outcome)
    assert first.phase == "Failed"
    retried, _ = retry_workflow.retry(first.workflow, first.now)
    second = drive(retried, outcome)
    assert second.phase == "Succeeded"
    assert "wf.fan(1:y)(0)" in second.started_names()


def test_rerun_reuses_equal_steps_and_runs_forced_and_changed_ones() -> None:
    first = drive(PIPELINE)
    table = rerun.reusable(first.workflow)
    assert len(table) == 6  # a, three items, b, the exit handler
    changed = make_workflow(
        PIPELINE.replace("{name: wf}", "{name: wf2}"), {"items": '["x", "q", "z"]'}
    )
    forced = rerun.downstream(first.workflow, [first.node("a")], "wf2")
    assert "wf2.a" in forced and "wf2.b" in forced
    plain = drive(replace(changed, reuse=table, origin={"forced": []}))
    # the exit handler does the same as before: reused too
    assert sorted(plain.started_names()) == ["wf2.b", "wf2.fan(1:q)"]
    assert plain.node("fan(0:x)").message == "reused from wf (node wf.fan(0:x))"
    assert plain.node("fan(0:x)").private["reused_from"]["workflow"] == "wf"
    from_a = drive(replace(changed, reuse=table, origin={"forced": forced}))
    assert len(from_a.started_names()) == 5  # all but the (unchanged) exit handler


def test_find_node_by_display_name_name_or_id() -> None:
    first = drive(PIPELINE)
    item = first.node("fan(1:y)")
    assert rerun.find_node(first.workflow, "fan(1:y)") == item
    assert rerun.find_node(first.workflow, item.name) == item
    assert rerun.find_node(first.workflow, item.id) == item
    with pytest.raises(NotFoundError, match="did you mean 'fan'"):
        rerun.find_node(first.workflow, "fna")
