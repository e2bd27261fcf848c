"""expr-lang syntax: literals, precedence, and syntax errors."""

from __future__ import annotations

import pytest

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import expr
from kawa.spec.expressions.parser import MAX_NODES


def ev(source: str, **env: object) -> object:
    return expr.evaluate(source, env)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("42", 42),
        ("0x2A", 42),
        ("0o52", 42),
        ("0b101010", 42),
        ("1_000_000", 1_000_000),
        ("0.5", 0.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("true", True),
        ("false", False),
        ("nil", None),
        ("'single'", "single"),
        ('"double"', "double"),
        ('"tab\\there"', "tab\there"),
        ("'it\\'s'", "it's"),
        ('"\\u00e9\\x41\\101\\U0001F600"', "éAA😀"),
        ('"\\u{1F600}"', "😀"),
        ("`raw \\n string`", "raw \\n string"),
        ("`a``b`", "a`b"),
        ("[1, 'a', [true]]", [1, "a", [True]]),
        ("[1, 2,]", [1, 2]),
        ("{a: 1, 'b': 2, \"c\": 3, 4: 5}", {"a": 1, "b": 2, "c": 3, "4": 5}),
        ("{('k' + 'ey'): 1}", {"key": 1}),
        ("{}", {}),
    ],
)
def test_literals_evaluate_to_json_like_values(source: str, value: object) -> None:
    assert ev(source) == value


def test_float_literal_is_a_float_and_int_literal_an_int() -> None:
    assert isinstance(ev("1.0"), float)
    assert isinstance(ev("1"), int)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("2 ** 3 ** 2", 512.0),
        ("-2 ** 2", -4.0),
        ("not true == false", True),
        ("true || false && false", True),
        ("1 + 1 == 2 && 'a' < 'b'", True),
        ("1 < 2 < 3", True),
        ("3 > 2 > 2", False),
        ("1..3", [1, 2, 3]),
        ("true ? 1 : 2", 1),
        ("false ? 1 : true ? 2 : 3", 2),
        ("nil ?? 'd'", "d"),
        ("1 + 1 | string()", "2"),
    ],
)
def test_operator_precedence_follows_expr(source: str, value: object) -> None:
    assert ev(source) == value


def test_comments_are_ignored() -> None:
    assert ev("1 + /* two */ 2 // trailing") == 3


def test_let_binds_a_name_for_the_rest_of_the_expression() -> None:
    assert ev("let x = 2; let y = x * 3; x + y") == 8


def test_if_else_is_a_conditional_expression() -> None:
    assert ev("if n > 1 { 'many' } else if n == 1 { 'one' } else { 'none' }", n=1) == "one"


def test_sequence_yields_its_last_value() -> None:
    assert ev("1; 2; 3") == 3


def test_word_operators_can_be_member_names() -> None:
    assert ev("m.in + m.not", m={"in": 1, "not": 2}) == 3


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("1 +", "unexpected end of expression"),
        ("(1", "unexpected end of expression"),
        ("1 2", "unexpected token Number"),
        ("'open", "literal not terminated"),
        ("'a\\qb'", "invalid char escape"),
        ("3abc", "bad number syntax"),
        ("a @ b", "unrecognized character"),
        ("/* open", "unclosed comment"),
        ("a ?? b + c", "cannot be mixed"),
        ("x | 1", "unexpected token"),
        ("99999999999999999999", "invalid integer literal"),
        ("{a 1}", "unexpected token"),
        ("filter([1])", "expected at least 2 arguments"),
        ("a not b", "unexpected token"),
        ("#", "unexpected token"),
    ],
)
def test_syntax_errors_name_the_problem(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        expr.compile(source)


def test_syntax_error_carries_source_and_position() -> None:
    with pytest.raises(ExpressionError) as caught:
        expr.compile("1 + + ")
    assert caught.value.source == "1 + + "
    assert caught.value.position == 6


def test_expression_with_too_many_nodes_is_rejected() -> None:
    with pytest.raises(ExpressionError, match="maximum allowed nodes"):
        expr.compile("+".join(["1"] * (MAX_NODES + 1)))


def test_deeply_nested_expression_is_an_error_not_a_crash() -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        expr.compile("(" * 500 + "1" + ")" * 500)


def test_long_flat_chain_evaluates_without_recursion_trouble() -> None:
    assert ev(" + ".join(["1"] * 3000)) == 3000


def test_compiled_program_evaluates_many_times_with_different_environments() -> None:
    program = expr.compile("x * 2")
    assert [program.evaluate({"x": v}) for v in (1, 2, 3)] == [2, 4, 6]
