"""expr-lang operators on JSON-like values, with expr's (Go's) typing rules."""

from __future__ import annotations

import math

import pytest

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import expr


def ev(source: str, **env: object) -> object:
    return expr.evaluate(source, env)


def fails(source: str, message: str, **env: object) -> ExpressionError:
    with pytest.raises(ExpressionError, match=message) as caught:
        expr.evaluate(source, env)
    return caught.value


def test_int_arithmetic_stays_int_and_mixing_with_float_gives_float() -> None:
    assert ev("2 + 3") == 5 and isinstance(ev("2 + 3"), int)
    assert ev("2 + 0.5") == 2.5
    assert ev("2 * 1.5") == 3.0


def test_division_always_gives_a_float() -> None:
    assert ev("7 / 2") == 3.5
    assert ev("6 / 3") == 2.0 and isinstance(ev("6 / 3"), float)


def test_division_by_zero_gives_infinity_like_go() -> None:
    assert ev("1 / 0") == math.inf
    assert ev("-1 / 0") == -math.inf
    assert math.isnan(ev("0 / 0"))  # type: ignore[arg-type]


def test_modulo_takes_ints_and_keeps_the_sign_of_the_dividend() -> None:
    assert ev("7 % 3") == 1
    assert ev("-7 % 3") == -1
    fails("7.5 % 2", "invalid operation: float64 % int")
    fails("1 % 0", "integer divide by zero")


def test_power_always_gives_a_float() -> None:
    assert ev("2 ** 10") == 1024.0
    assert ev("2 ^ 0.5") == pytest.approx(math.sqrt(2))
    assert ev("0 ** -1") == math.inf


def test_int_overflow_wraps_like_go() -> None:
    assert ev("9223372036854775807 + 1") == -9223372036854775808


def test_string_concatenation_with_plus() -> None:
    assert ev("'a' + \"b\" + x", x="c") == "abc"


def test_adding_a_string_and_a_number_is_an_error() -> None:
    fails("'a' + 1", r"invalid operation: string \+ int")


def test_ordering_compares_numbers_across_int_and_float() -> None:
    assert ev("1 < 1.5") is True
    assert ev("2.0 >= 2") is True


def test_ordering_compares_strings_lexically() -> None:
    assert ev("'apple' < 'banana'") is True
    assert ev("'10' < '9'") is True


def test_ordering_a_string_against_a_number_is_an_error() -> None:
    fails("'1' < 2", "invalid operation: string < int")
    fails("x > 1", r"invalid operation: <nil> > int", x=None)


def test_equality_compares_numbers_by_value_across_types() -> None:
    assert ev("1 == 1.0") is True
    assert ev("[1, 2] == [1.0, 2.0]") is True


def test_equality_of_different_types_is_false_not_an_error() -> None:
    assert ev("'1' == 1") is False
    assert ev("true == 1") is False
    assert ev("nil == false") is False


def test_map_equality_is_type_strict_like_go_deep_equal() -> None:
    assert ev("{a: 1} == {a: 1}") is True
    assert ev("{a: 1} == {a: 1.0}") is False


def test_nil_equals_nil_and_a_missing_key() -> None:
    assert ev("nil == nil") is True
    assert ev("m.missing == nil", m={}) is True


def test_logical_operators_short_circuit() -> None:
    assert ev("false && undefined_name") is False
    assert ev("true || undefined_name") is True
    assert ev("true and not false") is True


def test_logical_operators_need_booleans() -> None:
    fails("1 && true", "expected bool")
    fails("true && 'yes'", "expected bool")
    fails("!'x'", "expected bool")


def test_ternary_condition_must_be_a_boolean() -> None:
    fails("'x' ? 1 : 2", "expected bool")


def test_nil_coalescing_uses_the_right_side_only_for_nil() -> None:
    assert ev("x ?? 'd'", x=None) == "d"
    assert ev("x ?? 'd'", x="") == ""
    assert ev("x ?? 'd'", x=False) is False
    assert ev("m.a ?? m.b ?? 3", m={}) == 3


def test_in_checks_array_items_with_equality() -> None:
    assert ev("2 in [1, 2.0]") is True
    assert ev("'a' not in ['b']") is True
    assert ev("x in nil", x=1) is False


def test_in_checks_map_keys() -> None:
    assert ev("'k' in {k: nil}") is True
    assert ev("'z' in {k: 1}") is False


def test_in_on_a_string_is_an_error() -> None:
    fails("'a' in 'abc'", 'operator "in" not defined on string')


def test_string_operators() -> None:
    assert ev("'hello' contains 'ell'") is True
    assert ev("'hello' startsWith 'he' and 'hello' endsWith 'lo'") is True
    assert ev("'hello' not contains 'z'") is True
    assert ev("'v1.2.3' matches '^v[0-9]+\\\\.'") is True
    assert ev("x contains 'a'", x=None) is False


def test_bad_regular_expression_is_an_error() -> None:
    fails("'a' matches '('", "error parsing regexp")


def test_range_builds_an_inclusive_int_list() -> None:
    assert ev("1..4") == [1, 2, 3, 4]
    assert ev("3..1") == []


def test_huge_range_hits_the_memory_budget() -> None:
    fails("0..10000000", "memory budget exceeded")


def test_member_access_on_maps() -> None:
    env = {"a": {"b": {"c": 1}}}
    assert ev("a.b.c", **env) == 1
    assert ev("a['b']['c']", **env) == 1
    assert ev("a.b.missing", **env) is None


def test_member_access_on_nil_is_an_error_without_optional_chaining() -> None:
    fails("a.b.c", "cannot fetch c from <nil>", a={})


def test_optional_chaining_turns_the_rest_of_the_chain_nil() -> None:
    assert ev("a?.b.c", a=None) is None
    assert ev("a.b?.c.d", a={"b": None}) is None
    assert ev("a?.['b']", a=None) is None
    assert ev("a?.b ?? 'fallback'", a=None) == "fallback"


def test_indexing_arrays_counts_negative_indices_from_the_end() -> None:
    assert ev("xs[0] + xs[-1]", xs=[1, 2, 3]) == 4
    fails("xs[3]", r"index out of range: 3 \(array length is 3\)", xs=[1, 2, 3])


def test_indexing_a_string_gives_the_byte_like_go() -> None:
    assert ev("'abc'[0]") == 97


def test_slices_clamp_like_go() -> None:
    xs = [1, 2, 3, 4, 5]
    assert ev("xs[1:3]", xs=xs) == [2, 3]
    assert ev("xs[:2]", xs=xs) == [1, 2]
    assert ev("xs[3:]", xs=xs) == [4, 5]
    assert ev("xs[1:-1]", xs=xs) == [2, 3, 4]
    assert ev("xs[:]", xs=xs) == xs
    assert ev("xs[4:2]", xs=xs) == []
    assert ev("xs[-10:10]", xs=xs) == xs
    assert ev("'hello'[1:3]") == "el"


def test_unknown_name_is_an_error() -> None:
    err = fails("nosuch + 1", "unknown name nosuch")
    assert err.position == 0


def test_error_position_points_at_the_failing_operator() -> None:
    err = fails("1 + 'a'", "invalid operation")
    assert err.position == 2


def test_env_key_named_like_an_argo_function_is_shadowed_as_in_argo() -> None:
    assert callable(ev("toJson", toJson="mine"))


def test_dollar_env_is_the_whole_environment() -> None:
    assert ev("$env['with space']", **{"with space": 1}) == 1
    assert ev("'x' in $env", x=None) is True


def test_calling_a_non_function_is_an_error() -> None:
    fails("x()", "cannot call non-function of type int", x=1)
    fails("m.f()", "cannot call nil", m={})


def test_python_callables_in_the_environment_can_be_called() -> None:
    assert ev("double(21)", double=lambda v: v * 2) == 42
    fails("boom()", "ZeroDivisionError", boom=lambda: 1 // 0)


def test_pipe_passes_left_value_as_first_argument() -> None:
    assert ev("'a,b' | split(',') | join('-')") == "a-b"
    assert ev("x | f(1)", x=10, f=lambda a, b: a - b) == 9


def test_evaluate_bool_requires_a_boolean() -> None:
    assert expr.evaluate_bool("1 < 2") is True
    with pytest.raises(ExpressionError, match="to bool"):
        expr.evaluate_bool("'yes'")
