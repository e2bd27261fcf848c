"""Steps templates: groups in sequence, parallel steps, when, loops, continueOn, outputs."""

from kawa.spec.actions import StartStep, StepOutcome
from tests.unit.engine.harness import default_outcome, drive

STEPS = """
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: a, template: echo, arguments: {parameters: [{name: m, value: a}]}}
        - - {name: b, template: echo, arguments: {parameters: [{name: m, value: "{{steps.a.outputs.result}}-b"}]}}
          - {name: c, template: echo, arguments: {parameters: [{name: m, value: c}]}}
    - name: echo
      inputs: {parameters: [{name: m}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
"""


def test_groups_run_in_order_and_steps_of_a_group_start_together() -> None:
    run = drive(STEPS)
    assert run.phase == "Succeeded"
    assert run.started_names() == ["wf[0].a", "wf[1].b", "wf[1].c"]
    assert run.node("b").inputs.parameters[0].value == "a-b"


def test_step_groups_chain_through_the_previous_groups_steps() -> None:
    run = drive(STEPS)
    root, group0, a, group1 = (run.by_name(n) for n in ("wf", "wf[0]", "wf[0].a", "wf[1]"))
    assert root.children == (group0.id,)
    assert group0.children == (a.id,)
    assert a.children == (group1.id,)
    assert [str(n.type) for n in (root, group0, a, group1)] == [
        "Steps",
        "StepGroup",
        "Pod",
        "StepGroup",
    ]


def test_failed_step_fails_its_group_and_later_groups_never_start() -> None:
    def fail_a(step: StartStep) -> StepOutcome:
        if step.node_name.endswith(".a"):
            return StepOutcome(step.node_id, exit_code=3)
        return default_outcome(step)

    run = drive(STEPS, fail_a)
    assert run.phase == "Failed"
    a = run.node("a")
    assert a.message == "main: Error (exit code 3)"
    assert run.by_name("wf[0]").message == f"child '{a.id}' failed"
    assert run.workflow.status.message == f"child '{a.id}' failed"
    assert "wf[1].b" not in run.started_names()


def test_continue_on_failed_lets_later_groups_run_and_exposes_the_exit_code() -> None:
    text = """
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: bad, template: bad, continueOn: {failed: true}}
        - - {name: after, template: echo, arguments: {parameters: [{name: m, value: "{{steps.bad.exitCode}}"}]}}
    - name: bad
      container: {image: alpine, command: [sh, -c], args: ["exit 7"]}
    - name: echo
      inputs: {parameters: [{name: m}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
"""
    run = drive(text)
    assert run.phase == "Succeeded"
    assert run.node("bad").phase == "Failed"
    assert run.node("after").inputs.parameters[0].value == "7"


def test_false_when_makes_a_skipped_node_with_argos_message() -> None:
    text = """
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: flip, template: echo, arguments: {parameters: [{name: m, value: heads}]}}
        - - {name: heads, template: echo, arguments: {parameters: [{name: m, value: yes}]}, when: "{{steps.flip.outputs.result}} == heads"}
          - {name: tails, template: echo, arguments: {parameters: [{name: m, value: no}]}, when: "{{steps.flip.outputs.result}} == tails"}
    - name: echo
      inputs: {parameters: [{name: m}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
"""
    run = drive(text)
    assert run.phase == "Succeeded"
    tails = run.node("tails")
    assert (str(tails.type), str(tails.phase)) == ("Skipped", "Skipped")
    assert tails.message == "when 'heads == tails' evaluated false"
    assert run.node("heads").phase == "Succeeded"


def test_loop_items_become_children_named_with_their_item() -> None:
    text = """
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: say
            template: echo
            arguments: {parameters: [{name: m, value: "{{item.word}}"}]}
            withItems: [{word: hi}, {word: there}]
        - - name: all
            template: echo
            arguments: {parameters: [{name: m, value: "{{steps.say.outputs.result}}"}]}
    - name: echo
      inputs: {parameters: [{name: m}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
"""
    run = drive(text)
    assert run.phase == "Succeeded"
    assert run.node("say(0:word:hi)").phase == "Succeeded"
    assert run.node("say(1:word:there)").inputs.parameters[0].value == "there"
    assert run.node("all").inputs.parameters[0].value == '["hi","there"]'


def test_empty_with_param_gives_one_skipped_node() -> None:
    text = """
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: loop, template: echo, arguments: {parameters: [{name: m, value: "{{item}}"}]}, withParam: "[]"}
    - name: echo
      inputs: {parameters: [{name: m}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
"""
    run = drive(text)
    assert run.phase == "Succeeded"
    assert run.node("loop").message == "Skipped, empty params"


def test_with_sequence_counts_down_and_formats() -> None:
    text = """
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: down, template: echo, arguments: {parameters: [{name: m, value: "{{item}}"}]}, withSequence: {start: "3", end: "1"}}
          - {name: fmt, template: echo, arguments: {parameters: [{name: m, value: "{{item}}"}]}, withSequence: {count: "2", format: "u%02d"}}
    - name: echo
      inputs: {parameters: [{name: m}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
"""
    run = drive(text)
    names = run.displays()
    assert {"down(0:3)", "down(1:2)", "down(2:1)", "fmt(0:u00)", "fmt(1:u01)"} <= set(names)


def test_missing_input_parameter_errors_the_node_with_argos_text() -> None:
    text = """
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: a, template: echo}
    - name: echo
      inputs: {parameters: [{name: m}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
"""
    run = drive(text)
    assert run.phase == "Failed"
    assert "inputs.parameters.m was not supplied" in run.node("a").message
    assert run.started == []


def test_template_variables_include_paths_input_json_and_current_status() -> None:
    text = """
spec:
  entrypoint: main
  templates:
    - name: main
      inputs: {parameters: [{name: a, value: "1"}]}
      container:
        image: busybox
        command: [echo, "{{outputs.parameters.out.path}} {{inputs.parameters}} {{workflow.status}}"]
      outputs:
        parameters: [{name: out, valueFrom: {path: /tmp/out.txt, default: none}}]
"""
    run = drive(text)
    assert run.phase == "Succeeded"
    assert run.started[0].main.command[1] == '/tmp/out.txt [{"name":"a","value":"1"}] Running'
