"""DAG templates: dependencies, enhanced depends, Omitted tasks, targets, loops, failFast."""

from kawa.spec.actions import StartStep, StepOutcome
from tests.unit.engine.harness import default_outcome, drive

ECHO = """
    - name: echo
      inputs: {parameters: [{name: m, default: x}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
    - name: fail
      container: {image: busybox, command: [sh, -c], args: ["exit 1"]}
"""


def dag(tasks: str, extra: str = "") -> str:
    return f"""
spec:
  entrypoint: main
  templates:
    - name: main
{extra}      dag:
        tasks:
{tasks}{ECHO}"""


def test_diamond_runs_dependents_after_their_dependencies() -> None:
    run = drive(
        dag(
            """          - {name: A, template: echo}
          - {name: B, template: echo, depends: A}
          - {name: C, template: echo, dependencies: [A]}
          - {name: D, template: echo, depends: B && C}
"""
        )
    )
    assert run.phase == "Succeeded"
    order = [n.rsplit(".", 1)[1] for n in run.started_names()]
    assert order[0] == "A" and order[-1] == "D"
    root = run.by_name("wf")
    assert root.children == (run.node("A").id,)
    assert set(run.node("A").children) == {run.node("B").id, run.node("C").id}
    assert root.outbound_nodes == (run.node("D").id,)


def test_unmet_depends_omits_the_task_and_the_dag_still_succeeds() -> None:
    run = drive(
        dag(
            """          - {name: A, template: echo}
          - {name: C, template: fail, depends: A}
          - {name: handle, template: echo, depends: "C.Failed"}
          - {name: both, template: echo, depends: "A && C"}
          - {name: after, template: echo, depends: "both || handle"}
"""
        )
    )
    assert run.node("C").phase == "Failed"
    both = run.node("both")
    assert (str(both.type), str(both.phase), both.message) == (
        "Skipped",
        "Omitted",
        "omitted: depends condition not met",
    )
    assert run.node("handle").phase == "Succeeded"
    assert run.node("after").phase == "Succeeded"
    assert run.phase == "Succeeded"


def test_a_failed_leaf_fails_the_dag_without_a_message() -> None:
    run = drive(dag("          - {name: A, template: fail}\n"))
    assert run.phase == "Failed"
    assert run.by_name("wf").message == ""


def test_target_runs_only_the_named_tasks_and_their_ancestors() -> None:
    text = dag(
        """          - {name: A, template: echo}
          - {name: B, template: echo, depends: A}
          - {name: other, template: echo}
""",
        extra="",
    ).replace("      dag:\n", "      dag:\n        target: B\n")
    run = drive(text)
    assert run.phase == "Succeeded"
    assert [n.rsplit(".", 1)[1] for n in run.started_names()] == ["A", "B"]


def test_loop_task_is_a_task_group_and_its_outputs_aggregate_in_item_order() -> None:
    run = drive(
        dag(
            """          - name: fan
            template: echo
            arguments: {parameters: [{name: m, value: "{{item}}"}]}
            withItems: [one, two, three]
          - name: join
            template: echo
            depends: fan
            arguments: {parameters: [{name: m, value: "{{tasks.fan.outputs.result}}"}]}
"""
        )
    )
    assert run.phase == "Succeeded"
    fan = run.node("fan")
    assert str(fan.type) == "TaskGroup"
    assert [run.workflow.status.nodes[c].display_name for c in fan.children] == [
        "fan(0:one)",
        "fan(1:two)",
        "fan(2:three)",
    ]
    assert run.node("join").inputs.parameters[0].value == '["one","two","three"]'


def test_template_fail_fast_stops_new_tasks_and_sets_argos_message() -> None:
    held: list[str] = []

    def outcome(step: StartStep) -> StepOutcome | None:
        if step.node_name.endswith(".slow") and not held:
            held.append(step.node_id)
            return StepOutcome(step.node_id, exit_code=0)
        return default_outcome(step)

    text = dag(
        """          - {name: bad, template: fail}
          - {name: slow, template: echo}
          - {name: later, template: echo, depends: slow}
""",
        extra="      failFast: true\n      parallelism: 2\n",
    )
    run = drive(text, outcome)
    assert run.phase == "Failed"
    assert (
        run.workflow.status.message
        == "template has failed or errored children and failFast enabled"
    )
    assert "wf.later" not in run.started_names()


def test_workflow_parallelism_is_handed_to_the_executor_as_a_slot_queue() -> None:
    text = dag(
        """          - name: fan
            template: echo
            withSequence: {count: "6"}
          - {name: single, template: echo}
""",
    ).replace("spec:\n", "spec:\n  parallelism: 2\n", 1)
    run = drive(text)
    assert run.phase == "Succeeded"
    assert {(s.queue, s.queue_limit) for s in run.started} == {("uid-1/parallelism", 2)}
    lanes = {s.node_name: s.queue_lane for s in run.started}
    fan_lanes = {lane for name, lane in lanes.items() if ".fan(" in name}
    assert len(fan_lanes) == 1 and lanes["wf.single"] not in fan_lanes
