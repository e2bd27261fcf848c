"""Argo's use of expr-lang: the environment, its extra functions, and real expressions."""

from __future__ import annotations

import pytest

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import argo, expr, tags


def ev(source: str, env: dict[str, object]) -> object:
    return expr.evaluate(source, env)


def test_nest_turns_dotted_keys_into_nested_maps() -> None:
    flat = {"inputs.parameters.x": "1", "inputs.parameters.y": "2", "item": {"a": 1}}
    assert argo.nest(flat) == {
        "inputs": {"parameters": {"x": "1", "y": "2"}},
        "item": {"a": 1},
    }


def test_nest_drops_a_key_that_is_also_a_prefix_of_a_longer_key() -> None:
    # Argo's expand_test: the less specific key loses.
    before = {"a.b": 1, "a.c.d": 2, "a": 3, "ab": 4, "abb": 5}
    assert argo.nest(before) == {"a": {"b": 1, "c": {"d": 2}}, "ab": 4, "abb": 5}
    assert before["a"] == 3


def test_nest_keeps_hyphenated_names_as_single_keys() -> None:
    env = argo.nest({"steps.flip-coin.outputs.result": "heads"})
    assert env == {"steps": {"flip-coin": {"outputs": {"result": "heads"}}}}


def test_nest_lets_the_longer_key_win_even_when_argo_would_pick_at_random() -> None:
    assert argo.nest({"a": 1, "a-x": 2, "a.b": 3}) == {"a": {"b": 3}, "a-x": 2}


def test_jsonpath_reads_a_value_from_a_json_parameter() -> None:
    env = {"workflow": {"parameters": {"config": '{"a": "1"}'}}}
    assert ev("jsonpath(workflow.parameters.config, '$.a')", env) == "1"


def test_concat_and_to_json_build_an_indented_json_list() -> None:
    source = "concat(['always'], inputs.parameters.test == 'true' ? ['test'] : []) | toJSON()"
    yes = {"inputs": {"parameters": {"test": "true"}}}
    no = {"inputs": {"parameters": {"test": "false"}}}
    assert ev(source, yes) == '[\n  "always",\n  "test"\n]'
    assert ev(source, no) == '[\n  "always"\n]'


def test_get_with_nil_coalescing_gives_a_default_for_a_missing_field() -> None:
    source = "get(item, 'type') ?? 'always'"
    assert ev(source, {"item": {"name": "fourth"}}) == "always"
    assert ev(source, {"item": {"name": "first", "type": ""}}) == ""
    assert ev(source, {"item": {"type": "test"}}) == "test"


def test_from_json_and_join_rebuild_a_quoted_list() -> None:
    env = {"inputs": {"parameters": {"list": '[\n  "always",\n  "test"\n]'}}}
    assert ev("inputs.parameters.list | fromJSON() | join('\",\"')", env) == 'always","test'


def test_step_outputs_choose_a_branch() -> None:
    env = argo.nest(
        {
            "steps.flip-coin.outputs.result": "heads",
            "steps.heads.outputs.result": "it was heads",
            "steps.tails.outputs.result": "it was tails",
        }
    )
    source = (
        "steps['flip-coin'].outputs.result == 'heads' ? "
        "steps.heads.outputs.result : steps.tails.outputs.result"
    )
    assert ev(source, env) == "it was heads"


def test_workflow_status_and_task_status_comparisons() -> None:
    assert (
        ev(
            'workflow.status == "Succeeded" ? "Succeeded" : "Failed"',
            {"workflow": {"status": "Failed"}},
        )
        == "Failed"
    )
    env = argo.nest({"tasks.run-sim.status": "Running"})
    assert ev('tasks["run-sim"].status == "Running"', env) is True


def test_retry_expressions_convert_exit_codes_with_as_int() -> None:
    env = {"lastRetry": {"exitCode": "2", "status": "Error", "duration": "10"}}
    assert expr.evaluate_bool("asInt(lastRetry.exitCode) > 1", env) is True
    assert expr.evaluate_bool('lastRetry.status == "Error"', env) is True
    assert ev("asFloat(lastRetry.duration) / 4", env) == 2.5


def test_as_int_rejects_text_that_is_not_an_integer() -> None:
    with pytest.raises(ExpressionError, match=r"invalid operation: int\(1.5\)"):
        ev("asInt('1.5')", {})


def test_sprig_namespace_functions_are_callable() -> None:
    assert ev("sprig.trim(x)", {"x": "  padded  "}) == "padded"
    assert ev("sprig.upper('a') + sprig.lower('B')", {}) == "Ab"


def test_argo_to_json_is_compact_unlike_expr_to_json() -> None:
    assert ev("toJson({b: [1, 2], a: 'x'})", {}) == '{"a":"x","b":[1,2]}'


def test_format_result_keeps_strings_and_writes_other_values_as_compact_json() -> None:
    assert argo.format_result("plain text") == "plain text"
    assert argo.format_result(3) == "3"
    assert argo.format_result(2.0) == "2"
    assert argo.format_result(True) == "true"
    assert argo.format_result(["a<b", 1.5]) == '["a\\u003cb",1.5]'
    with pytest.raises(ExpressionError, match="nil"):
        argo.format_result(None)


def test_rendering_a_template_with_simple_and_expression_tags() -> None:
    flat = {"inputs.parameters.n": "3", "workflow.name": "wf-1"}
    env = argo.nest(flat)

    def expression(source: str) -> str:
        return argo.format_result(expr.evaluate(source, env), source)

    out = tags.render(
        "{{workflow.name}}: {{= asInt(inputs.parameters.n) * 2 }} {{ unknown }}",
        flat.get,
        expression,
    )
    assert out == "wf-1: 6 {{ unknown }}"


def test_identifiers_lists_names_and_member_paths_like_argo() -> None:
    program = expr.compile("inputs.parameters.x + retries")
    assert program.identifiers() == [
        "inputs",
        "inputs.parameters",
        "inputs.parameters.x",
        "retries",
    ]


def test_identifiers_leave_out_paths_guarded_by_nil_coalescing_or_optional_chaining() -> None:
    assert expr.compile("a.b ?? 'x'").identifiers() == ["a"]
    assert expr.compile("a.b?.c").identifiers() == ["a"]


def test_identifiers_include_bracketed_string_keys() -> None:
    assert "steps.flip-coin.outputs" in expr.compile("steps['flip-coin'].outputs").identifiers()
