"""Properties of the engine over random DAGs and random step outcomes (no processes)."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kawa.engine.reconcile import reconcile
from kawa.spec.actions import StartStep, StepOutcome
from tests.unit.engine.harness import T0, drive, make_workflow


@st.composite
def dags(draw: Any) -> tuple[str, dict[str, int]]:
    count = draw(st.integers(min_value=1, max_value=8))
    names = [f"t{i}" for i in range(count)]
    tasks = []
    for index, name in enumerate(names):
        deps = (
            draw(st.lists(st.sampled_from(names[:index]), unique=True, max_size=3)) if index else []
        )
        task: dict[str, Any] = {"name": name, "template": "work"}
        if deps:
            style = draw(st.sampled_from(["dependencies", "and", "or-failed"]))
            if style == "dependencies":
                task["dependencies"] = deps
            elif style == "and":
                task["depends"] = " && ".join(deps)
            else:
                task["depends"] = " || ".join(f"{d}.Failed" for d in deps)
        if draw(st.booleans()):
            task["continueOn"] = {"failed": True}
        tasks.append(task)
    codes = {name: draw(st.sampled_from([0, 0, 0, 1])) for name in names}
    spec = {
        "metadata": {"name": "wf"},
        "spec": {
            "entrypoint": "main",
            "templates": [
                {"name": "main", "dag": {"tasks": tasks}},
                {"name": "work", "container": {"image": "busybox", "command": ["true"]}},
            ],
        },
    }
    return yaml.safe_dump(spec), codes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags())
def test_random_dags_settle_with_each_step_started_once_after_its_dependencies_settled(
    case: tuple[str, dict[str, int]],
) -> None:
    text, codes = case
    ended_at: dict[str, int] = {}
    order: list[str] = []

    def outcome(step: StartStep) -> StepOutcome:
        task = step.node_name.rsplit(".", 1)[1]
        order.append(task)
        ended_at[task] = len(order)
        return StepOutcome(step.node_id, exit_code=codes[task])

    run = drive(text, outcome)
    assert run.workflow.status.phase.completed
    started = [s.node_id for s in run.started]
    assert len(started) == len(set(started)), "a step was started twice"
    assert all(n.fulfilled for n in run.workflow.status.nodes.values())
    tasks = {t["name"]: t for t in yaml.safe_load(text)["spec"]["templates"][0]["dag"]["tasks"]}
    for position, name in enumerate(order, start=1):
        task = tasks[name]
        deps = task.get("dependencies") or [
            part.strip().split(".")[0]
            for part in task.get("depends", "").replace("||", "&&").split("&&")
            if part.strip()
        ]
        for dep in deps:
            if dep in ended_at:
                assert ended_at[dep] < position, f"{name} started before {dep} ended"
            else:  # never ran: it must have been settled without running
                assert str(run.node(dep).phase) in ("Omitted", "Skipped"), (
                    f"{name} ran before {dep}"
                )


@settings(max_examples=40, deadline=None)
@given(dags())
def test_reconcile_is_a_pure_function_of_workflow_and_time(
    case: tuple[str, dict[str, int]],
) -> None:
    text, _ = case
    workflow = make_workflow(text)
    first, second = reconcile(workflow, T0), reconcile(workflow, T0)
    assert first.status.to_json(private=True) == second.status.to_json(private=True)
    assert first.actions == second.actions and first.wake_at == second.wake_at
    assert workflow.status.nodes == {}, "the input workflow must not be modified"


def test_a_two_thousand_item_fan_out_completes_without_quadratic_blow_up() -> None:
    text = """
metadata: {name: wf}
spec:
  entrypoint: main
  parallelism: 8
  templates:
    - name: main
      dag:
        tasks:
          - {name: fan, template: work, withSequence: {count: "2000"}}
          - {name: join, template: work, depends: fan}
    - name: work
      container: {image: busybox, command: ["true"]}
"""
    run = drive(text, max_passes=5000)
    assert run.phase == "Succeeded"
    assert len(run.started) == 2001
