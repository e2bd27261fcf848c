"""Lint: the structural rules of ``argo lint`` (templates, DAGs, inputs, exit handlers)."""

from __future__ import annotations

import textwrap

from kawa.spec import lint, loading

from .conftest import HEADER, errors, lint_spec, warnings, workflow

ECHO = """\
  - name: echo
    inputs:
      parameters: [{name: message}]
    container:
      image: busybox
      command: [echo]
      args: ["{{inputs.parameters.message}}"]
"""


def spec(text: str) -> str:
    """A spec body from an indented triple-quoted string."""
    return textwrap.dedent(text)


def library(entrypoint: str = "") -> loading.Document:
    """A WorkflowTemplate ``lib`` holding the ``echo`` template."""
    head = f"  entrypoint: {entrypoint}\n" if entrypoint else ""
    text = f"{HEADER}kind: WorkflowTemplate\nmetadata: {{name: lib}}\nspec:\n{head}  templates:\n"
    (document,) = loading.load_text(text + ECHO)
    return document


def steps(*lines: str) -> str:
    """A workflow whose entrypoint ``main`` runs one step group of ``lines``, plus echo."""
    body = "entrypoint: main\ntemplates:\n  - name: main\n    steps:\n      - "
    return body + "\n        ".join(f"- {line}" for line in lines) + "\n" + ECHO


HI = "arguments: {parameters: [{name: message, value: hi}]}"


def test_a_correct_workflow_has_no_issues() -> None:
    assert lint_spec(steps(f"{{name: a, template: echo, {HI}}}")) == []


def test_entrypoint_must_name_an_existing_template() -> None:
    issues = lint_spec("entrypoint: mian\ntemplates:\n  - name: main\n    container: {image: x}\n")
    assert errors(issues) == ["template name 'mian' undefined; did you mean 'main'?"]
    assert issues[0].field == "spec.entrypoint"


def test_a_workflow_needs_an_entrypoint_but_a_workflow_template_does_not() -> None:
    body = "templates:\n  - name: main\n    container: {image: x}\n"
    assert errors(lint_spec(body)) == ["spec.entrypoint is required"]
    assert lint_spec(body, kind="WorkflowTemplate") == []


def test_every_step_template_reference_must_exist() -> None:
    issues = lint_spec(steps("{name: a, template: ech}"))
    assert errors(issues) == ["template name 'ech' undefined; did you mean 'echo'?"]
    assert issues[0].field == "spec.templates[0].steps[0][0].template"


def test_a_step_must_name_exactly_one_template() -> None:
    assert errors(lint_spec(steps("{name: a}"))) == [
        "templates.main.steps[0].a: names no template (set template, templateRef or inline)"
    ]
    (message,) = errors(lint_spec(steps("{name: a, template: echo, inline: {suspend: {}}}")))
    assert message.startswith("templates.main.steps[0].a: only one of template, templateRef")


TEMPLATE_REF = (
    "{name: a, templateRef: {name: %s, template: %s},"
    " arguments: {parameters: [{name: message, value: hi}]}}"
)


def test_template_ref_is_checked_against_the_workflow_templates_given() -> None:
    templates = {"lib": library()}
    assert lint_spec(steps(TEMPLATE_REF % ("lib", "echo")), templates=templates) == []
    assert errors(lint_spec(steps(TEMPLATE_REF % ("lib", "eco")), templates=templates)) == [
        "template reference lib.eco not found; did you mean 'echo'?"
    ]
    assert errors(lint_spec(steps(TEMPLATE_REF % ("lbi", "echo")), templates=templates)) == [
        "WorkflowTemplate 'lbi' not found; did you mean 'lib'?"
    ]


def test_template_ref_inputs_must_be_supplied_too() -> None:
    step = "{name: a, templateRef: {name: lib, template: echo}}"
    assert errors(lint_spec(steps(step), templates={"lib": library()})) == [
        "templates.main.steps[0].a templates.echo inputs.parameters.message was not supplied"
    ]


def test_template_ref_without_a_lookup_is_a_warning_not_an_error() -> None:
    issues = lint_spec(steps(TEMPLATE_REF % ("lib", "echo")))
    assert errors(issues) == []
    assert warnings(issues) == [
        "templateRef to WorkflowTemplate 'lib' not checked: no WorkflowTemplates were given to lint"
    ]


def test_a_template_has_exactly_one_type() -> None:
    none = "entrypoint: main\ntemplates:\n  - name: main\n    inputs: {}\n"
    (message,) = errors(lint_spec(none))
    assert message.startswith("templates.main template type unspecified. choose one of: container")
    two = spec(
        """\
        entrypoint: main
        templates:
          - name: main
            container: {image: x}
            script: {image: x, source: z}
        """
    )
    (message,) = errors(lint_spec(two))
    assert message.startswith(
        "templates.main multiple template types specified (container, script)"
    )


def dag(*tasks: str) -> str:
    """A workflow whose entrypoint ``main`` is a DAG of ``tasks`` running echo."""
    lines = [f"        - {{name: {task}, template: echo, {HI}}}\n" for task in tasks]
    body = "entrypoint: main\ntemplates:\n  - name: main\n    dag:\n      tasks:\n"
    return body + "".join(lines) + ECHO


def test_dag_cycles_are_reported_with_the_cycle() -> None:
    issues = lint_spec(dag("a, dependencies: [b]", "b, dependencies: [a]"))
    assert errors(issues) == ["templates.main.tasks dependency cycle detected: a->b->a"]


def test_dag_dependencies_must_name_tasks_of_the_dag() -> None:
    issues = lint_spec(dag("a", "b, dependencies: [aa]"))
    assert errors(issues) == [
        "templates.main.tasks.b dependency 'aa' not defined; did you mean 'a'?"
    ]
    issues = lint_spec(dag("a", "b, depends: 'a && c.Succeeded'"))
    assert errors(issues) == ["templates.main.tasks.b dependency 'c' not defined"]


def test_dag_depends_task_results_must_be_known() -> None:
    issues = lint_spec(dag("a", "b, depends: 'a.Succeded'"))
    assert errors(issues) == [
        "templates.main.tasks.b task result 'Succeded' for task 'a' is invalid"
    ]


def test_missing_input_parameter_matches_argos_message() -> None:
    body = "entrypoint: main\ntemplates:\n  - name: main\n    dag:\n      tasks:\n"
    issues = lint_spec(body + "        - {name: a, template: echo}\n" + ECHO)
    assert errors(issues) == [
        "templates.main.tasks.a templates.echo inputs.parameters.message was not supplied"
    ]
    assert errors(lint_spec(steps("{name: hi, template: echo}"))) == [
        "templates.main.steps[0].hi templates.echo inputs.parameters.message was not supplied"
    ]


def test_entrypoint_inputs_come_from_the_workflow_arguments() -> None:
    body = "entrypoint: echo\ntemplates:\n" + ECHO
    assert errors(lint_spec(body)) == ["templates.echo inputs.parameters.message was not supplied"]
    supplied = "arguments: {parameters: [{name: message, value: hi}]}\n" + body
    assert lint_spec(supplied) == []
    assert lint_spec(body, kind="WorkflowTemplate") == []


def test_inputs_with_defaults_need_no_argument() -> None:
    echo = ECHO.replace("{name: message}", "{name: message, default: hi}")
    assert lint_spec("entrypoint: echo\ntemplates:\n" + echo) == []


def test_a_step_argument_needs_a_value() -> None:
    step = "{name: a, template: echo, arguments: {parameters: [{name: message}]}}"
    assert errors(lint_spec(steps(step))) == [
        "arguments.message.value or arguments.message.valueFrom is required"
    ]


def test_output_parameters_need_a_source() -> None:
    body = spec(
        """\
        entrypoint: main
        templates:
          - name: main
            container: {image: x}
            outputs:
              parameters:
                - {name: a, valueFrom: {}}
                - {name: b}
                - {name: c, valueFrom: {parameter: x}}
        """
    )
    assert errors(lint_spec(body)) == [
        "templates.main.outputs.parameters.a: valueFrom type unspecified. "
        "choose one of: path, jqFilter, jsonPath, parameter, raw, expression",
        "templates.main.outputs.parameters.b does not have valueFrom or value specified",
        "templates.main.outputs.parameters.c.path must be specified for container templates",
    ]


def test_exit_handlers_must_name_existing_templates() -> None:
    body = spec(
        """\
        entrypoint: main
        onExit: by
        hooks:
          exit: {template: byebye}
        templates:
          - name: main
            steps:
              - - {name: a, template: main2, onExit: ciao}
          - name: main2
            container: {image: x}
          - name: bye
            container: {image: x}
        """
    )
    assert errors(lint_spec(body)) == [
        "template name 'by' undefined; did you mean 'bye'?",
        "template name 'byebye' undefined; did you mean 'bye'?",
        "template name 'ciao' undefined",
    ]


def test_hooks_other_than_exit_need_an_expression() -> None:
    body = spec(
        """\
        entrypoint: main
        hooks:
          running: {template: main}
        templates:
          - name: main
            container: {image: x}
        """
    )
    assert errors(lint_spec(body)) == ["hooks.running Expression required"]


def test_retry_policy_must_be_one_argo_knows() -> None:
    body = spec(
        """\
        entrypoint: main
        templates:
          - name: main
            retryStrategy: {retryPolicy: OnFailed}
            container: {image: x}
        """
    )
    (message,) = errors(lint_spec(body))
    assert message.startswith("OnFailed is not a valid RetryPolicy")
    assert message.endswith("did you mean 'OnFailure'?")


def test_parallelism_and_deadlines_are_checked() -> None:
    body = spec(
        """\
        entrypoint: main
        parallelism: -1
        templates:
          - name: main
            parallelism: -2
            activeDeadlineSeconds: 5
            steps:
              - - {name: a, template: leaf}
          - name: leaf
            parallelism: 2
            activeDeadlineSeconds: -3
            container: {image: x}
        """
    )
    assert errors(lint_spec(body)) == [
        "spec.parallelism must not be negative (got -1)",
        "templates.main.parallelism must not be negative (got -2)",
        "templates.main.activeDeadlineSeconds is only valid for leaf templates",
        "templates.leaf.parallelism is only valid for steps and dag templates",
        "templates.leaf.activeDeadlineSeconds must be a positive integer > 0 or an argo variable",
    ]


def test_cron_workflow_schedules_time_zones_and_policies_are_checked() -> None:
    body = spec(
        """\
        schedules: ['* * * * *', '61 * * * *', '@every 1h', '@often']
        timezone: Mars/Olympus
        concurrencyPolicy: Sometimes
        workflowSpec:
          entrypoint: main
          templates:
            - name: main
              container: {image: x}
        """
    )
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
    body = spec(
        """\
        entrypoint: main
        templates:
          - name: main
            steps:
              - - {name: b, template: z}
              - - {name: a, template: x}
        """
    )
    issues = lint_spec(body)
    assert [issue.line for issue in issues] == sorted(issue.line for issue in issues)
    assert errors(issues) == ["template name 'z' undefined", "template name 'x' undefined"]


def test_unquoted_y_and_n_are_booleans_as_in_kubernetes() -> None:
    (issue,) = lint_spec(steps("{name: b, template: y}"))
    assert issue.message.startswith("expected a string, got a boolean")


def test_lint_all_knows_the_workflow_templates_of_the_same_file() -> None:
    lib = library()
    text = HEADER + textwrap.dedent(
        """\
        kind: Workflow
        metadata: {name: w}
        spec:
          entrypoint: main
          workflowTemplateRef: {name: lib}
          arguments: {parameters: [{name: message, value: hi}]}
        """
    )
    (user,) = loading.load_text(text)
    expected = ["entrypoint template 'main' not found in WorkflowTemplate 'lib'"]
    assert errors(lint.lint_all([lib, user])) == expected
    assert errors(lint.lint_all([user, lib])) == expected


def test_workflow_template_ref_entrypoint_inputs_come_from_merged_arguments() -> None:
    templates = {"lib": library(entrypoint="echo")}
    doc = workflow("workflowTemplateRef: {name: lib}\n")
    assert errors(lint.lint(doc, templates)) == [
        "templates.echo inputs.parameters.message was not supplied"
    ]
    arguments = "arguments: {parameters: [{name: message, value: x}]}\n"
    doc = workflow("workflowTemplateRef: {name: lib}\n" + arguments)
    assert lint.lint(doc, templates) == []
