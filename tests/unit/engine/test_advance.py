"""Advance starts: a chain's next step is issued while the step before it runs.

The engine issues ``StartStep(after=X)`` only where X exiting 0 is sure to make it
issue the very same start once it has seen X succeed (``kawa.engine.advance``).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from kawa.engine.observe import apply
from kawa.engine.reconcile import reconcile
from kawa.spec.actions import StartStep, StepOutcome
from kawa.spec.events import StepEnded, StepStarted
from tests.unit.engine.harness import T0, drive, make_workflow

TEMPLATES = """
    - name: echo
      inputs: {parameters: [{name: m, default: x}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
    - name: says
      container: {image: busybox, command: [echo, hi]}
      outputs: {parameters: [{name: p, valueFrom: {path: /tmp/p}}]}
    - name: retried
      retryStrategy: {limit: 2}
      container: {image: busybox, command: [echo, hi]}
    - name: fail
      container: {image: busybox, command: [sh, -c], args: ["exit 1"]}
"""


def workflow(tasks: str, spec: str = "") -> str:
    return f"""
spec:
  entrypoint: main
{spec}  templates:
    - name: main
      dag:
        tasks:
{tasks}{TEMPLATES}"""


CHAIN = """          - {name: A, template: echo}
          - {name: B, template: echo, depends: A, arguments: {parameters: [{name: m, value: b}]}}
          - {name: C, template: echo, dependencies: [B]}
"""


A_THEN_B = """          - {name: A, template: echo}
          - {name: B, template: echo, depends: A}
"""


def _without_after(step: StartStep) -> StartStep:
    return dataclasses.replace(step, after="")


def test_each_link_of_a_chain_is_issued_in_advance_once_and_as_it_starts_for_real() -> None:
    run = drive(workflow(CHAIN))
    assert run.phase == "Succeeded"
    ids = {name: run.node(name).id for name in ("A", "B", "C")}
    assert [(s.node_id, s.after) for s in run.advanced] == [
        (ids["B"], ids["A"]),
        (ids["C"], ids["B"]),
    ]
    real = {s.node_id: s for s in run.started}
    for advanced in run.advanced:
        assert _without_after(advanced) == real[advanced.node_id]


def test_an_advance_start_is_issued_with_the_start_of_its_predecessor_and_never_again() -> None:
    wf = make_workflow(workflow(CHAIN))
    first = reconcile(wf, T0)
    kinds = [(a.node_name.rsplit(".", 1)[1], a.after != "") for a in first.actions]  # type: ignore[union-attr]
    assert kinds == [("A", False), ("B", True)]
    wf = wf.with_status(first.status)
    a = next(n for n in wf.status.nodes.values() if n.display_name == "A")
    wf = apply(wf, StepStarted(a.id, T0))
    again = reconcile(wf, T0 + timedelta(seconds=1))
    assert again.actions == ()


def test_a_failing_predecessor_leaves_its_advance_start_unissued_for_real() -> None:
    tasks = """          - {name: A, template: fail}
          - {name: B, template: echo, depends: A}
"""
    run = drive(workflow(tasks))
    assert run.phase == "Failed"
    assert [s.after for s in run.advanced] == [run.node("A").id]
    assert str(run.node("B").phase) == "Omitted"
    assert [s.node_name for s in run.started] == ["wf.A"]


@pytest.mark.parametrize(
    ("why", "tasks", "spec"),
    [
        (
            "B uses A's output",
            """          - {name: A, template: echo}
          - {name: B, template: echo, depends: A,
             arguments: {parameters: [{name: m, value: "{{tasks.A.outputs.result}}"}]}}
""",
            "",
        ),
        (
            "B uses when A finished (the copy's A finished at another time)",
            """          - {name: A, template: echo}
          - {name: B, template: echo, depends: A,
             arguments: {parameters: [{name: m, value: "{{tasks.A.finishedAt}}"}]}}
""",
            "",
        ),
        (
            "B has an expression, which may reach A by other names",
            """          - {name: A, template: echo}
          - {name: B, template: echo, depends: A,
             arguments: {parameters: [{name: m, value: "{{= 'b' }}"}]}}
""",
            "",
        ),
        (
            "B has a when",
            """          - {name: A, template: echo}
          - {name: B, template: echo, depends: A, when: "1 == 1"}
""",
            "",
        ),
        (
            "B is a loop",
            """          - {name: A, template: echo}
          - {name: B, template: echo, depends: A, withItems: [1, 2]}
""",
            "",
        ),
        (
            "A has outputs: a missing file fails it though it exits 0",
            """          - {name: A, template: says}
          - {name: B, template: echo, depends: A}
""",
            "",
        ),
        (
            "A is retried",
            """          - {name: A, template: retried}
          - {name: B, template: echo, depends: A}
""",
            "",
        ),
        (
            "B waits for two tasks",
            """          - {name: A, template: echo}
          - {name: A2, template: echo}
          - {name: B, template: echo, depends: A && A2}
""",
            "",
        ),
        (
            "another step runs beside A (it may fail first: failFast)",
            """          - {name: A, template: echo}
          - {name: other, template: echo}
          - {name: B, template: echo, depends: A}
""",
            "",
        ),
        (
            "the workflow has a deadline",
            A_THEN_B,
            "  activeDeadlineSeconds: 60\n",
        ),
        (
            "templateDefaults may add retries or deadlines",
            A_THEN_B,
            "  templateDefaults: {timeout: 60s}\n",
        ),
    ],
)
def test_no_advance_start_where_a_success_might_not_start_it_so(
    why: str, tasks: str, spec: str
) -> None:
    run = drive(workflow(tasks, spec))
    assert run.advanced == [], why


def test_a_dag_with_parallelism_issues_no_advance_start() -> None:
    tasks = A_THEN_B
    text = workflow(tasks).replace("      dag:\n", "      parallelism: 1\n      dag:\n")
    assert drive(text).advanced == []


def test_workflow_parallelism_keeps_the_queue_on_the_advance_start() -> None:
    run = drive(workflow(CHAIN, "  parallelism: 2\n"))
    assert run.advanced and all(s.queue and s.queue_limit == 2 for s in run.advanced)


def test_the_advance_start_does_not_count_as_a_started_node() -> None:
    """Until the predecessor succeeded, the status knows nothing of the next step."""
    wf = make_workflow(workflow(CHAIN))
    first = reconcile(wf, T0)
    names = sorted(n.display_name for n in first.status.nodes.values())
    assert names == ["A", "wf"]
    a = next(n for n in first.status.nodes.values() if n.display_name == "A")
    ended = StepEnded(a.id, T0, StepOutcome(a.id, exit_code=0, result="x"))
    wf = apply(apply(wf.with_status(first.status), StepStarted(a.id, T0)), ended)
    second = reconcile(wf, T0 + timedelta(seconds=1))
    starts = [x for x in second.actions if isinstance(x, StartStep)]
    assert [(s.node_name, s.after != "") for s in starts] == [("wf.B", False), ("wf.C", True)]
