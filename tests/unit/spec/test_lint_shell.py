"""Lint: a warning where a parameter is spliced unquoted into shell code."""

from __future__ import annotations

import pytest

from kawa.spec import _lint_shell

from .conftest import errors, lint_spec, warnings

CONTAINER = """\
entrypoint: main
arguments: {{parameters: [{{name: who, value: world}}]}}
templates:
  - name: main
    inputs: {{parameters: [{{name: x, value: "1"}}]}}
    container:
      image: busybox
      command: {command}
      args: {args}
"""


def shell_warnings(command: str, args: str) -> list[str]:
    issues = lint_spec(CONTAINER.format(command=command, args=args))
    assert errors(issues) == []
    return warnings(issues)


def test_an_unquoted_parameter_after_sh_dash_c_is_a_warning() -> None:
    (message,) = shell_warnings("[sh, -c]", '["echo {{inputs.parameters.x}}"]')
    assert message.startswith("{{inputs.parameters.x}} is substituted unquoted into shell code")


def test_workflow_parameters_bash_and_combined_flags_are_covered() -> None:
    assert len(shell_warnings("[/bin/bash, -euc]", '["echo {{workflow.parameters.who}}"]')) == 1
    assert len(shell_warnings("[sh]", '["-c", "ls {{inputs.parameters.x}}"]')) == 1


def test_quoted_commented_or_non_shell_uses_are_not_warned() -> None:
    assert shell_warnings("[sh, -c]", """["echo '{{inputs.parameters.x}}'"]""") == []
    assert shell_warnings("[sh, -c]", """["echo \\"{{inputs.parameters.x}}\\""]""") == []
    assert shell_warnings("[sh, -c]", '["true # {{inputs.parameters.x}}"]') == []
    assert shell_warnings("[echo]", '["{{inputs.parameters.x}}"]') == []
    assert shell_warnings("[python, -c]", '["print({{inputs.parameters.x}})"]') == []


def test_a_shell_script_source_is_checked_and_a_python_one_is_not() -> None:
    body = (
        "entrypoint: main\ntemplates:\n  - name: main\n"
        "    inputs: {{parameters: [{{name: x, value: '1'}}]}}\n"
        "    script: {{image: x, command: [{}], source: 'echo {{{{inputs.parameters.x}}}}'}}\n"
    )
    assert len(warnings(lint_spec(body.format("bash")))) == 1
    assert warnings(lint_spec(body.format("python"))) == []


@pytest.mark.parametrize(
    ("code", "unquoted"),
    [
        ("echo {{inputs.parameters.a}}", ["inputs.parameters.a"]),
        ("echo '{{inputs.parameters.a}}' {{inputs.parameters.b}}", ["inputs.parameters.b"]),
        ('echo "it\'s {{inputs.parameters.a}}"', []),
        ("echo \\'{{inputs.parameters.a}}", ["inputs.parameters.a"]),
        ("a=1 # {{inputs.parameters.a}}\necho {{inputs.parameters.b}}", ["inputs.parameters.b"]),
        ("echo a#{{inputs.parameters.a}}", ["inputs.parameters.a"]),
        ("echo {{workflow.name}} {{item}}", []),
    ],
)
def test_quote_tracking_follows_shell_rules(code: str, unquoted: list[str]) -> None:
    assert _lint_shell.unquoted_parameters(code) == unquoted
