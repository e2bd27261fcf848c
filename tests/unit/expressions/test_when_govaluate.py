"""Argo's ``when``: govaluate after ``{{...}}`` substitution, with bare words as strings."""

from __future__ import annotations

import pytest

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import argo, expr, govaluate, tags
from kawa.spec.expressions.govaluate import evaluate_when


@pytest.mark.parametrize(
    "source",
    [
        '"always" in ("always","test","")',
        '"" in ("always","test","")',
        "heads == heads",
        "2 == 2",
        "even == even",
        "true",
        "Succeeded != Failed",
        "'heads' == \"heads\"",
        "5 > 3",
        "2.0 == 2",
        "'b' > 'a'",
        "1 + 2 * 3 == 7",
        "10 - 4 - 3 == 3",
        "2 ** 3 == 8",
        "7 % 3 == 1",
        "(1 + 2) * 3 == 9",
        "true && !false",
        "false || true",
        "-3 < -2",
        "0x10 == 16",
        "'a' + 1 == 'a1'",
        "'x' + true == 'xtrue'",
        "foo =~ '^f.o$'",
        "foo !~ 'bar'",
        "4 in (1, 2, 4)",
        "'2024-01-01' == '2024-01-01T00:00:00Z'",
        "'2024-01-02' > '2024-01-01 23:59:59'",
        "[my var] == 'my var'",
        "True != true",
        "5 & 3 == 1",
        "1 << 4 == 16",
        "true ? true : false",
        "(true) false",
    ],
)
def test_when_is_true(source: str) -> None:
    assert evaluate_when(source) is True


@pytest.mark.parametrize(
    "source",
    [
        '"foo" in ("always","test","")',
        "false",
        "Succeeded != Succeeded",
        "heads == tails",
        "1 == '1'",
        "true == 'true'",
        "false && bogus",
        "false ? true : false",
        "5 <= 4",
    ],
)
def test_when_is_false(source: str) -> None:
    assert evaluate_when(source) is False


def test_empty_when_means_run() -> None:
    assert evaluate_when("") is True
    assert evaluate_when("  \n") is True


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("5", "Expected boolean evaluation. Got 5"),
        ("heads", "Expected boolean evaluation. Got heads"),
        (
            "my-value == my-value",
            "Value 'my' cannot be used with the modifier '-', it is not a number",
        ),
        ("example.com == x", "Unable to access unexported field 'com' in token 'example.com'"),
        ("v1.2 == v1.2", "No parameter 'v1' found."),
        ("x==-1", "Invalid token: '==-' \\(hint: try wrapping"),
        ('"a" in ("a")', "Value 'a' cannot be used with the comparator 'in'"),
        ("3d6f == x", "Cannot transition token types from NUMERIC \\[3\\] to VARIABLE \\[d6f\\]"),
        ("foo(1)", "Undefined function foo"),
        ("!foo", "Cannot transition token types from PREFIX \\[!\\] to STRING \\[foo\\]"),
        ("(1 == 1", "Unbalanced parenthesis"),
        ("'open", "Unclosed string literal"),
        ("[open", "Unclosed parameter bracket"),
        ("1 ==", "Unexpected end of expression"),
        ("1 > 'a'", "Value '1' cannot be used with the comparator '>', it is not a number"),
        ("true && 1", "Value '1' cannot be used with the logical operator '&&', it is not a bool"),
        ("'a' ? 1 : 2", "cannot be used with the ternary operator '\\?'"),
        ("1 . 2", "Unable to parse numeric value '.' to float64"),
        ("a.", "Hanging accessor"),
        ("x =~ '('", "error parsing regexp"),
        ("(-) == 1", "Value '<nil>' cannot be used with the prefix '-'"),
    ],
)
def test_when_errors_read_like_argo(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message) as caught:
        evaluate_when(source)
    assert caught.value.source == source


def test_either_quote_ends_a_string() -> None:
    with pytest.raises(ExpressionError):
        evaluate_when('"it\'s" == x')


def test_backslash_escapes_the_next_character_literally() -> None:
    assert evaluate_when("'a\\'b' == \"a\\'b\"") is True
    assert evaluate_when(r"'\n' == 'n'") is True


def test_numbers_are_floats() -> None:
    assert govaluate.evaluate("7 / 2") == 3.5
    assert govaluate.evaluate("1 / 0") == float("inf")


def test_in_builds_its_list_from_a_parenthesised_comma_list() -> None:
    assert govaluate.evaluate("(1, 'a', true)") == [1.0, "a", True]


def test_and_short_circuits_before_checking_the_right_side() -> None:
    assert evaluate_when("false && 'x'") is False
    with pytest.raises(ExpressionError, match="logical operator"):
        evaluate_when("true && 'x'")


def test_kitchen_time_strings_are_times() -> None:
    assert evaluate_when("'3:04PM' == '15:04' ") is False  # '15:04' is not a time layout
    assert evaluate_when("'3:04PM' < '4:00PM'") is True


def test_deeply_nested_when_is_an_error_not_a_crash() -> None:
    with pytest.raises(ExpressionError):
        evaluate_when("(" * 3000 + "true" + ")" * 3000)


def test_argo_filter_example_runs_items_whose_type_is_in_the_list() -> None:
    # Argo's test/e2e/functional/steps-when-expr-filter.yaml, rendered the way Argo does.
    list_param = expr.evaluate(
        "concat(['always'], inputs.parameters.test == 'true' ? ['test'] : []) | toJSON()",
        {"inputs": {"parameters": {"test": "true"}}},
    )
    when = (
        "\"{{= get(item, 'type') ?? 'always' }}\"\nin\n"
        '("{{= inputs.parameters.list | fromJSON() | join(\'","\') }}","")\n'
    )
    items = [
        {"name": "first", "type": ""},
        {"name": "second", "type": "always"},
        {"name": "third", "type": "test"},
        {"name": "fourth"},
        {"name": "fifth", "type": "other"},
    ]
    decisions = []
    for item in items:
        env = {"item": item, **argo.nest({"inputs.parameters.list": list_param})}

        def evaluate(source: str, env: dict[str, object] = env) -> str:
            return argo.format_result(expr.evaluate(source, env))

        rendered = tags.render(when, lambda _name: None, evaluate)
        decisions.append(evaluate_when(rendered))
    assert decisions == [True, True, True, True, False]


def test_parse_checks_syntax_without_evaluating() -> None:
    govaluate.parse("v1.2 == v1.2")  # fails only when evaluated
    govaluate.parse("  ")
    with pytest.raises(ExpressionError, match="Invalid 'when' expression: Invalid token"):
        govaluate.parse("x==-1")
    with pytest.raises(ExpressionError, match="Failed to parse 'when' expression"):
        govaluate.parse("!foo")
