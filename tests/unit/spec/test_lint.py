"""Lint: the structural rules of ``argo lint`` (templates, DAGs, inputs, exit handlers)."""

from __future__ import annotations

from kawa.spec import lint, loading

from .conftest import HEADER, errors, lint_spec, warnings, workflow

ECHO = """\
  - name: echo
    inputs:
      parameters: [{name: message}]
    container: {image: busybox, command: [echo], args: ["{{inputs.parameters.message}}"]}
"""


def test_a_correct_workflow_has_no_issues() -> None:
    body = "entrypoint: main\ntemplates:\n  - name: main\n    container: {image: busybox}\n"
    assert lint_spec(body) == []


def test_entrypoint_must_name_an_existing_template() -> None:
    issues = lint_spec("entrypoint: mian\ntemplates:\n  - name: main\n    container: {image: x}\n")
    assert errors(issues) == ["template name 'mian' undefined; did you mean 'main'?"]
    assert issues[0].field == "spec.entrypoint"


def test_a_workflow_needs_an_entrypoint_but_a_workflow_template_does_not() -> None:
    body = "templates:\n  - name: main\n    container: {image: x}\n"
    assert errors(lint_spec(body)) == ["spec.entrypoint is required"]
    assert lint_spec(body, kind="WorkflowTemplate") == []


def test_every_step_template_reference_must_exist() -> None:
    body = (
        "entrypoint: main\ntemplates:\n  - name: main\n    steps:\n      - - {name: a, template: ech}\n"
        + ECHO
    )
    issues = lint_spec(body)
    assert errors(issues) == ["template name 'ech' undefined; did you mean 'echo'?"]
    assert issues[0].field == "spec.templates[0].steps[0][0].template"


def test_a_step_must_name_exactly_one_template() -> None:
    body = "entrypoint: main\ntemplates:\n  - name: main\n    steps:\n      - - {name: a}\n"
    assert errors(lint_spec(body)) == [
        "templates.main.steps[0].a: names no template (set template, templateRef or inline)"
    ]


def test_template_ref_is_checked_against_the_workflow_templates_given() -> None:
    (library,) = loading.load_text(
        HEADER + "kind: WorkflowTemplate\nmetadata: {name: lib}\nspec:\n  templates:\n" + ECHO
    )
    step = "entrypoint: main\ntemplates:\n  - name: main\n    steps:\n      - - name: a\n          templateRef: {{name: {}, template: {}}}\n          arguments: {{parameters: [{{name: message, value: hi}}]}}\n"
    templates = {"lib": library}
    assert lint_spec(step.format("lib", "echo"), templates=templates) == []
    assert errors(lint_spec(step.format("lib", "eco"), templates=templates)) == [
        "template reference lib.eco not found; did you mean 'echo'?"
    ]
    assert errors(lint_spec(step.format("lbi", "echo"), templates=templates)) == [
        "WorkflowTemplate 'lbi' not found; did you mean 'lib'?"
    ]


def test_template_ref_without_a_lookup_is_a_warning_not_an_error() -> None:
    step = "entrypoint: main\ntemplates:\n  - name: main\n    steps:\n      - - name: a\n          templateRef: {name: lib, template: echo}\n"
    issues = lint_spec(step)
    assert errors(issues) == []
    assert warnings(issues) == [
        "templateRef to WorkflowTemplate 'lib' not checked: no WorkflowTemplates were given to lint"
    ]


def test_a_template_has_exactly_one_type() -> None:
    none = "entrypoint: main\ntemplates:\n  - name: main\n    inputs: {}\n"
    two = "entrypoint: main\ntemplates:\n  - name: main\n    container: {image: x}\n    script: {image: x, source: z}\n"
    assert errors(lint_spec(none))[0].startswith("templates.main template type unspecified")
    assert errors(lint_spec(two))[0].startswith(
        "templates.main multiple template types specified (container, script)"
    )


DAG = "entrypoint: main\ntemplates:\n  - name: main\n    dag:\n      tasks:\n{tasks}"
TASK = "        - {{name: {name}, template: echo, {extra}arguments: {{parameters: [{{name: message, value: hi}}]}}}}\n"


def dag(*tasks: tuple[str, str]) -> str:
    return (
        DAG.format(tasks="".join(TASK.format(name=name, extra=extra) for name, extra in tasks))
        + ECHO
    )


def test_dag_cycles_are_reported_with_the_cycle() -> None:
    issues = lint_spec(dag(("a", "dependencies: [b], "), ("b", "dependencies: [a], ")))
    assert errors(issues) == ["templates.main.tasks dependency cycle detected: a->b->a"]


def test_dag_dependencies_must_name_tasks_of_the_dag() -> None:
    issues = lint_spec(dag(("a", ""), ("b", "dependencies: [aa], ")))
    assert errors(issues) == [
        "templates.main.tasks.b dependency 'aa' not defined; did you mean 'a'?"
    ]
    issues = lint_spec(dag(("a", ""), ("b", "depends: 'a && c.Succeeded', ")))
    assert errors(issues) == ["templates.main.tasks.b dependency 'c' not defined"]


def test_dag_depends_task_results_must_be_known() -> None:
    issues = lint_spec(dag(("a", ""), ("b", "depends: 'a.Succeded', ")))
    assert errors(issues) == [
        "templates.main.tasks.b task result 'Succeded' for task 'a' is invalid"
    ]


def test_missing_input_parameter_matches_argos_message() -> None:
    body = DAG.format(tasks="        - {name: a, template: echo}\n") + ECHO
    issues = lint_spec(body)
    assert errors(issues) == [
        "templates.main.tasks.a templates.echo inputs.parameters.message was not supplied"
    ]
    steps = (
        "entrypoint: main\ntemplates:\n  - name: main\n    steps:\n      - - {name: hi, template: echo}\n"
        + ECHO
    )
    assert errors(lint_spec(steps)) == [
        "templates.main.steps[0].hi templates.echo inputs.parameters.message was not supplied"
    ]


def test_entrypoint_inputs_come_from_the_workflow_arguments() -> None:
    body = "entrypoint: echo\ntemplates:\n" + ECHO
    assert errors(lint_spec(body)) == ["templates.echo inputs.parameters.message was not supplied"]
    supplied = "arguments: {parameters: [{name: message, value: hi}]}\n" + body
    assert lint_spec(supplied) == []
    assert lint_spec(body, kind="WorkflowTemplate") == []


def test_inputs_with_defaults_need_no_argument() -> None:
    body = "entrypoint: echo\ntemplates:\n" + ECHO.replace(
        "{name: message}", "{name: message, default: hi}"
    )
    assert lint_spec(body) == []


def test_a_step_argument_needs_a_value() -> None:
    body = (
        "entrypoint: main\ntemplates:\n  - name: main\n    steps:\n      - - {name: a, template: echo, arguments: {parameters: [{name: message}]}}\n"
        + ECHO
    )
    assert errors(lint_spec(body)) == [
        "arguments.message.value or arguments.message.valueFrom is required"
    ]


def test_output_parameters_need_a_source() -> None:
    body = "entrypoint: main\ntemplates:\n  - name: main\n    container: {image: x}\n    outputs:\n      parameters:\n        - {name: a, valueFrom: {}}\n        - {name: b}\n        - {name: c, valueFrom: {parameter: x}}\n"
    assert errors(lint_spec(body)) == [
        "templates.main.outputs.parameters.a: valueFrom type unspecified. choose one of: path, jqFilter, jsonPath, parameter, raw, expression",
        "templates.main.outputs.parameters.b does not have valueFrom or value specified",
        "templates.main.outputs.parameters.c.path must be specified for container templates",
    ]


def test_exit_handlers_must_name_existing_templates() -> None:
    body = "entrypoint: main\nonExit: bye\nhooks:\n  exit: {template: byebye}\ntemplates:\n  - name: main\n    steps:\n      - - {name: a, template: main2, onExit: ciao}\n  - name: main2\n    container: {image: x}\n  - name: bye\n    container: {image: x}\n"
    assert errors(lint_spec(body.replace("onExit: bye", "onExit: by"))) == [
        "template name 'by' undefined; did you mean 'bye'?",
        "template name 'byebye' undefined; did you mean 'bye'?",
        "template name 'ciao' undefined",
    ]


def test_hooks_other_than_exit_need_an_expression() -> None:
    body = "entrypoint: main\nhooks:\n  running: {template: main}\ntemplates:\n  - name: main\n    container: {image: x}\n"
    assert errors(lint_spec(body)) == ["hooks.running Expression required"]


def test_retry_policy_must_be_one_argo_knows() -> None:
    body = "entrypoint: main\ntemplates:\n  - name: main\n    retryStrategy: {retryPolicy: OnFailed}\n    container: {image: x}\n"
    (message,) = errors(lint_spec(body))
    assert message.startswith("OnFailed is not a valid RetryPolicy")
    assert "did you mean 'OnFailure'?" in message


def test_parallelism_and_deadlines_are_checked() -> None:
    body = "entrypoint: main\nparallelism: -1\ntemplates:\n  - name: main\n    parallelism: -2\n    activeDeadlineSeconds: 5\n    steps:\n      - - {name: a, template: leaf}\n  - name: leaf\n    parallelism: 2\n    activeDeadlineSeconds: -3\n    container: {image: x}\n"
    assert errors(lint_spec(body)) == [
        "spec.parallelism must not be negative (got -1)",
        "templates.main.parallelism must not be negative (got -2)",
        "templates.main.activeDeadlineSeconds is only valid for leaf templates",
        "templates.leaf.parallelism is only valid for steps and dag templates",
        "templates.leaf.activeDeadlineSeconds must be a positive integer > 0 or an argo variable",
    ]


def test_cron_workflow_schedules_time_zones_and_policies_are_checked() -> None:
    body = "schedules: ['* * * * *', '61 * * * *', '@every 1h', '@often']\ntimezone: Mars/Olympus\nconcurrencyPolicy: Sometimes\nworkflowSpec:\n  entrypoint: main\n  templates:\n    - name: main\n      container: {image: x}\n"
    assert errors(lint_spec(body, kind="CronWorkflow")) == [
        "cron schedule 61 * * * * is malformed: minute field '61': 61 is out of range (0-59)",
        "cron schedule @often is malformed: unrecognized descriptor: @often",
        "invalid timezone 'Mars/Olympus': unknown time zone",
        "'Sometimes' is not a valid concurrencyPolicy (Allow, Forbid or Replace)",
    ]


def test_schema_errors_are_returned_alone() -> None:
    body = "entrypoint: nowhere\ntemplates:\n  - name: main\n    contianer: {image: x}\n"
    assert errors(lint_spec(body)) == ["unknown field 'contianer'; did you mean 'container'?"]


def test_issues_are_sorted_by_position() -> None:
    body = "entrypoint: main\ntemplates:\n  - name: main\n    steps:\n      - - {name: b, template: z}\n      - - {name: a, template: x}\n"
    issues = lint_spec(body)
    assert [issue.line for issue in issues] == sorted(issue.line for issue in issues)
    assert errors(issues) == ["template name 'z' undefined", "template name 'x' undefined"]


def test_unquoted_y_and_n_are_booleans_as_in_kubernetes() -> None:
    body = "entrypoint: main\ntemplates:\n  - name: main\n    steps:\n      - - {name: b, template: y}\n"
    (issue,) = lint_spec(body)
    assert issue.message.startswith("expected a string, got a boolean")


def test_lint_all_knows_the_workflow_templates_of_the_same_file() -> None:
    text = (
        HEADER
        + "kind: WorkflowTemplate\nmetadata: {name: lib}\nspec:\n  templates:\n"
        + ECHO
        + "---\n"
        + HEADER
        + "kind: Workflow\nmetadata: {name: w}\nspec:\n  entrypoint: main\n  workflowTemplateRef: {name: lib}\n  arguments: {parameters: [{name: message, value: hi}]}\n"
    )
    documents = loading.load_text(text)
    expected = ["entrypoint template 'main' not found in WorkflowTemplate 'lib'"]
    assert errors(lint.lint_all(documents)) == expected
    assert errors(lint.lint_all([documents[1], documents[0]])) == expected


def test_workflow_template_ref_entrypoint_inputs_come_from_merged_arguments() -> None:
    (library,) = loading.load_text(
        HEADER
        + "kind: WorkflowTemplate\nmetadata: {name: lib}\nspec:\n  entrypoint: echo\n  templates:\n"
        + ECHO
    )
    doc = workflow("workflowTemplateRef: {name: lib}\n")
    assert errors(lint.lint(doc, {"lib": library})) == [
        "templates.echo inputs.parameters.message was not supplied"
    ]
    doc = workflow(
        "workflowTemplateRef: {name: lib}\narguments: {parameters: [{name: message, value: x}]}\n"
    )
    assert lint.lint(doc, {"lib": library}) == []
