"""Schema validation: Argo's field names and types, derived from Hera's models."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kawa.spec import schema
from kawa.spec.errors import SpecIssue

from .conftest import workflow

STEP = """\
entrypoint: main
templates:
  - name: main
    steps:
      - - name: hello
          template: echo
          arguments:
            {arguments}
  - name: echo
    inputs:
      parameters: [{{name: message}}]
    container:
      image: busybox
      {container}
"""


def issues_for(body: str, kind: str = "Workflow") -> list[SpecIssue]:
    return schema.validate(workflow(body, kind))


def step_issues(arguments: str = "{}", container: str = "args: [hi]") -> list[SpecIssue]:
    return issues_for(STEP.format(arguments=arguments, container=container))


def test_a_valid_workflow_has_no_issues() -> None:
    assert step_issues() == []


def test_unknown_field_suggests_the_plural() -> None:
    (issue,) = step_issues(arguments="parameter: [{name: message, value: hi}]")
    assert issue.message == "unknown field 'parameter'; did you mean 'parameters'?"
    assert issue.field == "spec.templates[0].steps[0][0].arguments.parameter"
    assert (issue.line, issue.column) == (13, 15)


def test_field_names_are_case_sensitive() -> None:
    (issue,) = issues_for("Entrypoint: main\ntemplates: []\n")
    assert issue.message == "unknown field 'Entrypoint'; did you mean 'entrypoint'?"


def test_a_field_indented_one_level_too_deep_is_pointed_out() -> None:
    (issue,) = step_issues(container="args: [hi]\n      outputs: {}")
    assert (
        issue.message
        == "unknown field 'outputs' here; 'outputs' belongs one level up (check the indentation)"
    )
    assert issue.field == "spec.templates[1].container.outputs"


def test_an_unknown_field_with_no_close_match_lists_the_valid_ones() -> None:
    (issue,) = step_issues(arguments="zzz: 1")
    assert issue.message == "unknown field 'zzz' (expected one of: artifacts, parameters)"


def test_wrong_types_say_what_was_expected_and_what_was_found() -> None:
    assert [i.message for i in step_issues(container="args: hello")] == [
        "expected a list, got a string"
    ]
    assert [i.message for i in step_issues(container="command: [{a: b}]")] == [
        "expected a string, got a mapping"
    ]
    (issue,) = issues_for("entrypoint: [main]\n")
    assert (issue.field, issue.message) == ("spec.entrypoint", "expected a string, got a list")


def test_a_number_in_a_string_field_suggests_quoting_it() -> None:
    (issue,) = step_issues(container="args: [1]")
    assert issue.message == "expected a string, got an integer (quote it to make it a string: '1')"
    assert issue.field == "spec.templates[1].container.args[0]"


def test_a_yaml_boolean_in_a_string_field_explains_yaml_1_1() -> None:
    (issue,) = step_issues(container="args: [yes]")
    assert issue.message.startswith("expected a string, got a boolean (YAML reads unquoted yes/no")


def test_a_flood_of_problems_is_cut_short() -> None:
    issues = step_issues(container="args: [" + ", ".join(["1"] * 500) + "]")
    assert len(issues) == schema.MAX_ISSUES + 1
    assert issues[-1].message == "... and 400 more problems like these"


def test_missing_required_field_is_named() -> None:
    (issue,) = step_issues(arguments="parameters: [{value: hi}]")
    assert issue.message == "missing required field 'name'"
    assert issue.field == "spec.templates[0].steps[0][0].arguments.parameters[0]"


def test_parameter_values_accept_numbers_and_booleans_like_argos_anystring() -> None:
    assert step_issues(arguments="parameters: [{name: message, value: 1}]") == []
    assert step_issues(arguments="parameters: [{name: message, value: true, default: 2.5}]") == []
    (issue,) = step_issues(arguments="parameters: [{name: message, value: [1]}]")
    assert issue.message == "expected a string, number or boolean, got a list"


def test_int_or_string_fields_accept_both_and_nothing_else() -> None:
    body = (
        "templates:\n  - name: a\n    retryStrategy: {{limit: {}}}\n    container: {{image: x}}\n"
    )
    assert issues_for(body.format("3")) == []
    assert issues_for(body.format("'{{workflow.parameters.n}}'")) == []
    (issue,) = issues_for(body.format("[3]"))
    assert issue.message == "expected an integer or a string, got a list"


def test_quantities_accept_numbers_and_strings() -> None:
    resources = "resources: {{limits: {{cpu: {}, memory: 1Gi}}}}"
    assert step_issues(container=resources.format("1")) == []
    assert step_issues(container=resources.format("500m")) == []
    assert step_issues(container=resources.format("0.5")) == []


def test_with_items_accepts_any_json() -> None:
    body = "templates:\n  - name: a\n    steps:\n      - - name: s\n          template: a\n"
    items = "          withItems: [1, two, {three: [3]}, [4], true, null]\n"
    assert issues_for(body + items) == []


def test_null_leaves_a_field_unset_as_go_does() -> None:
    assert step_issues(arguments="parameters:") == []
    assert issues_for("entrypoint: ~\ntemplates: ~\n") == []


def test_plugin_templates_take_free_form_configuration() -> None:
    body = "templates:\n  - name: a\n    plugin:\n      hello: {any: [thing]}\n"
    assert issues_for(body) == []


def test_fields_argo_v4_added_after_heras_models_are_accepted() -> None:
    body = "podResources: {limits: {cpu: 1}}\ntemplates:\n  - name: a\n    pendingTimeout: 1m\n"
    body += "    container: {image: x}\n"
    assert issues_for(body) == []


def test_cron_workflow_singular_schedule_points_to_schedules() -> None:
    body = "schedule: '* * * * *'\nworkflowSpec: {entrypoint: main}\n"
    assert [i.message for i in issues_for(body, kind="CronWorkflow")] == [
        "missing required field 'schedules'",
        "unknown field 'schedule'; did you mean 'schedules'?",
    ]


def test_missing_spec_is_reported() -> None:
    doc = workflow("entrypoint: x\n")
    del doc.raw["spec"]
    assert [i.message for i in schema.validate(doc)] == ["missing required field 'spec'"]


def test_the_cache_is_json_next_to_the_module_or_in_xdg_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = schema.warm_cache()
    assert os.path.basename(path).startswith("argo-schema-")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    assert set(data["roots"]) == {
        "Workflow",
        "WorkflowTemplate",
        "ClusterWorkflowTemplate",
        "CronWorkflow",
    }

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file, so nothing can be created under it")
    monkeypatch.setattr(schema, "_HERE", str(blocked))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(schema, "_loaded", None)
    (tmp_path / "cache" / "kawa").mkdir(parents=True)
    target = tmp_path / "cache" / "kawa" / os.path.basename(path)
    target.write_text(json.dumps(data))  # a cached copy there, so no rebuild is needed
    assert schema.warm_cache() == str(target)
