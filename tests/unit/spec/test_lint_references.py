"""Lint: ``{{...}}`` references must name variables in scope; expressions must parse."""

from __future__ import annotations

from .conftest import errors, lint_spec, warnings

LEAF = """\
entrypoint: main
arguments: {{parameters: [{{name: who, value: world}}]}}
templates:
  - name: main
    inputs: {{parameters: [{{name: message, default: hi}}]}}
    container: {{image: busybox, args: ["{arg}"]}}
"""


def leaf(arg: str, kind: str = "Workflow") -> list[str]:
    return errors(lint_spec(LEAF.format(arg=arg), kind=kind))


def test_declared_inputs_and_workflow_parameters_resolve() -> None:
    assert leaf("{{inputs.parameters.message}} {{workflow.parameters.who}} {{workflow.name}}") == []


def test_an_undeclared_input_parameter_is_an_error_with_a_suggestion() -> None:
    assert leaf("{{inputs.parameters.mesage}}") == [
        "failed to resolve {{inputs.parameters.mesage}}: template 'main' has no input "
        "parameter 'mesage'; did you mean 'message'?"
    ]


def test_a_workflow_parameter_missing_from_spec_arguments_is_an_error() -> None:
    assert leaf("{{workflow.parameters.whom}}") == [
        "failed to resolve {{workflow.parameters.whom}}: spec.arguments has no parameter "
        "'whom'; did you mean 'who'?"
    ]


def test_in_a_workflow_template_an_undeclared_workflow_parameter_is_only_a_warning() -> None:
    issues = lint_spec(LEAF.format(arg="{{workflow.parameters.other}}"), kind="WorkflowTemplate")
    assert errors(issues) == []
    assert warnings(issues) == [
        "{{workflow.parameters.other}}: not declared in spec.arguments: a Workflow using this "
        "template must supply it"
    ]


def test_variables_argo_does_not_check_are_left_alone() -> None:
    assert leaf("{{retries}} {{ custom }} {{outputs.parameters.x.path}} {{node.name}}") == []


def test_item_outside_a_loop_is_an_error() -> None:
    assert leaf("{{item}}") == [
        "{{item}} is only set in a step or task that loops (withItems, withParam or withSequence)"
    ]


def test_pod_name_needs_a_template_that_runs_a_pod() -> None:
    assert leaf("{{pod.name}}") == []
    step = "{name: a, template: main, when: '{{pod.name}} == x'}"
    body = f"entrypoint: main\ntemplates:\n  - name: main\n    steps:\n      - - {step}\n"
    assert errors(lint_spec(body)) == [
        "failed to resolve {{pod.name}}: pod.name is only set in templates that run a pod"
    ]


STEPS = """\
entrypoint: main
templates:
  - name: main
    steps:
      - - {{name: first, template: gen}}
        - name: sibling
          template: show
          arguments: {{parameters: [{{name: v, value: "{sibling}"}}]}}
      - - name: second
          template: show
          arguments: {{parameters: [{{name: v, value: "{second}"}}]}}
      - - {{name: third, template: gen}}
  - name: gen
    script: {{image: python, command: [python], source: "print(1)"}}
    outputs: {{parameters: [{{name: out, valueFrom: {{path: /tmp/out}}}}]}}
  - name: show
    inputs: {{parameters: [{{name: v}}]}}
    container: {{image: busybox, args: ["{{{{inputs.parameters.v}}}}"]}}
"""


def steps(sibling: str = "x", second: str = "x") -> list[str]:
    return errors(lint_spec(STEPS.format(sibling=sibling, second=second)))


def test_a_step_may_read_outputs_of_earlier_step_groups() -> None:
    second = "{{steps.first.outputs.result}} {{steps.first.outputs.parameters.out}}"
    second += " {{steps.first.status}}"
    assert steps(second=second) == []


def test_a_step_reading_an_unknown_step_or_output_is_an_error() -> None:
    assert steps(second="{{steps.frist.outputs.result}}") == [
        "failed to resolve {{steps.frist.outputs.result}}: template 'main' has no step named "
        "'frist'; did you mean 'first'?"
    ]
    assert steps(second="{{steps.first.outputs.parameters.output}}") == [
        "failed to resolve {{steps.first.outputs.parameters.output}}: step 'first' has no such "
        "output; did you mean 'steps.first.outputs.parameters.out'?"
    ]


def test_a_step_reading_a_later_step_group_is_an_error() -> None:
    assert steps(second="{{steps.third.outputs.result}}") == [
        "failed to resolve {{steps.third.outputs.result}}: step 'third' runs in a later step group"
    ]


def test_a_step_reading_a_sibling_in_its_own_group_is_an_error() -> None:
    assert steps(sibling="{{steps.first.outputs.result}}") == [
        "failed to resolve {{steps.first.outputs.result}}: step 'first' is in the same step "
        "group: it runs in parallel with this one"
    ]


def test_steps_variables_outside_a_steps_template_are_errors() -> None:
    assert leaf("{{steps.a.outputs.result}}") == [
        "failed to resolve {{steps.a.outputs.result}}: "
        "{{steps.*}} is only set inside a steps template"
    ]


LOOP = """\
entrypoint: main
templates:
  - name: main
    steps:
      - - name: each
          template: show
          {loop}
          arguments: {{parameters: [{{name: v, value: "{value}"}}]}}
  - name: show
    inputs: {{parameters: [{{name: v}}]}}
    container: {{image: busybox}}
"""


def test_items_of_a_loop_resolve_by_key() -> None:
    items = "withItems: [{a: 1, b: 2}]"
    assert errors(lint_spec(LOOP.format(value="{{item.a}}-{{item}}", loop=items))) == []
    assert errors(lint_spec(LOOP.format(value="{{item.c}}", loop=items))) == [
        "failed to resolve {{item.c}}: the loop's items have no key 'c' (their keys: a, b)"
    ]
    assert errors(lint_spec(LOOP.format(value="{{item.anything}}", loop="withParam: '[1]'"))) == []
    assert errors(lint_spec(LOOP.format(value="{{item}}", loop="withSequence: {count: '3'}"))) == []


DAG = """\
entrypoint: main
templates:
  - name: main
    dag:
      tasks:
        - {{name: a, template: gen}}
        - {{name: b, template: gen}}
        - name: c
          depends: a
          template: show
          arguments: {{parameters: [{{name: v, value: "{value}"}}]}}
          {extra}
  - name: gen
    script: {{image: python, command: [python], source: "print(1)"}}
  - name: show
    inputs: {{parameters: [{{name: v}}]}}
    container: {{image: busybox}}
"""


def test_a_task_may_read_the_tasks_it_depends_on() -> None:
    value = "{{tasks.a.outputs.result}} {{tasks.a.status}} {{tasks.a.exitCode}}"
    assert lint_spec(DAG.format(value=value, extra="")) == []


def test_a_task_reading_a_task_it_does_not_depend_on_is_an_error_in_arguments() -> None:
    issues = lint_spec(DAG.format(value="{{tasks.b.outputs.result}}", extra=""))
    assert errors(issues) == [
        "{{tasks.b.outputs.result}}: task 'b' is not a dependency of task 'c' (add it to "
        "'depends'): its outputs may not exist yet"
    ]


def test_a_task_reading_a_non_dependency_elsewhere_is_a_warning() -> None:
    issues = lint_spec(DAG.format(value="x", extra="when: '{{tasks.b.outputs.result}} == 1'"))
    assert errors(issues) == []
    assert len(warnings(issues)) == 1
    assert "task 'b' is not a dependency of task 'c'" in warnings(issues)[0]


def test_a_task_reading_an_unknown_task_is_an_error() -> None:
    assert errors(lint_spec(DAG.format(value="{{tasks.z.outputs.result}}", extra=""))) == [
        "failed to resolve {{tasks.z.outputs.result}}: template 'main' has no task named 'z'"
    ]


def test_status_of_a_task_that_is_not_a_dependency_is_an_error() -> None:
    assert errors(lint_spec(DAG.format(value="x", extra="when: '{{tasks.b.status}} == x'"))) == [
        "failed to resolve {{tasks.b.status}}: task 'b' is not a dependency of task 'c' (add "
        "it to 'depends')"
    ]


def test_global_output_parameters_resolve_anywhere() -> None:
    body = (
        LEAF.format(arg="{{workflow.outputs.parameters.g}}")
        + "    outputs: {parameters: [{name: o, globalName: g, valueFrom: {path: /o}}]}\n"
    )
    assert errors(lint_spec(body)) == []


def test_unparsable_expression_tags_are_errors() -> None:
    (message,) = leaf("{{= 1 + }}")
    assert message.startswith("cannot parse expression {{=1 +}}")


def test_unparsable_when_is_an_error() -> None:
    body = STEPS.format(sibling="x", second="x").replace(
        "{name: third, template: gen}",
        "{name: third, template: gen, when: '{{steps.first.outputs.result}} == ('}",
    )
    (message,) = errors(lint_spec(body))
    assert message.startswith("cannot parse when '{{steps.first.outputs.result}} == ('")


def test_unparsable_depends_is_an_error() -> None:
    issues = lint_spec(DAG.format(value="x", extra="").replace("depends: a\n", "depends: 'a &&'\n"))
    (message,) = errors(issues)
    assert message.startswith("templates.main.tasks.c: cannot parse depends 'a &&'")


def test_expression_fields_must_parse() -> None:
    body = (
        LEAF.format(arg="x")
        + "    retryStrategy: {limit: 1, expression: 'lastRetry.exitCode =='}\n"
    )
    (message,) = errors(lint_spec(body))
    assert message.startswith("cannot parse expression 'lastRetry.exitCode =='")
