"""The ``sprig`` namespace: Go-template argument order and Go's strict parameter types."""

from __future__ import annotations

import pytest

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import expr


def ev(source: str, **env: object) -> object:
    return expr.evaluate(source, env)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("sprig.trim('  a  ')", "a"),
        ("sprig.upper('a')", "A"),
        ("sprig.lower('A')", "a"),
        ("sprig.title('hello big world')", "Hello Big World"),
        ("sprig.untitle('Hello World')", "hello world"),
        ("sprig.toString(12)", "12"),
        ("sprig.toString(1.5)", "1.5"),
        ("sprig.toString(nil)", "<nil>"),
        ("sprig.contains('ell', 'hello')", True),
        ("sprig.hasPrefix('he', 'hello')", True),
        ("sprig.hasSuffix('lo', 'hello')", True),
        ("sprig.replace('-', '_', 'a-b-c')", "a_b_c"),
        ("sprig.split('/', 'a/b')", {"_0": "a", "_1": "b"}),
        ("sprig.splitList(',', 'a,b')", ["a", "b"]),
        ("sprig.join('-', ['a', 1, nil])", "a-1"),
        ("sprig.repeat(3, 'ab')", "ababab"),
        ("sprig.substr(1, 3, 'hello')", "el"),
        ("sprig.substr(-1, 2, 'hello')", "he"),
        ("sprig.substr(2, 99, 'hello')", "llo"),
        ("sprig.trunc(3, 'hello')", "hel"),
        ("sprig.trunc(-2, 'hello')", "lo"),
        ("sprig.nospace(' a b\tc ')", "abc"),
        ("sprig.quote('a\"b', 1)", '"a\\"b" "1"'),
        ("sprig.squote('a', nil, 2)", "'a' '2'"),
        ("sprig.cat('a', 1, nil, true)", "a 1 true"),
        ("sprig.indent(2, 'a\\nb')", "  a\n  b"),
        ("sprig.b64enc('hi')", "aGk="),
        ("sprig.b64dec('aGk=')", "hi"),
        ("sprig.sha256sum('')", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ],
)
def test_string_functions_take_the_subject_last(source: str, value: object) -> None:
    assert ev(source) == value


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("sprig.int('42')", 42),
        ("sprig.int('0x10')", 16),
        ("sprig.int('010')", 8),
        ("sprig.int('1.00')", 1),
        ("sprig.int('abc')", 0),
        ("sprig.int(3.7)", 3),
        ("sprig.int(true)", 1),
        ("sprig.float64('1.5')", 1.5),
        ("sprig.float64('x')", 0.0),
        ("sprig.atoi('12')", 12),
        ("sprig.atoi('1.5')", 0),
        ("sprig.add(1, '2', 3.9)", 6),
        ("sprig.add1(1)", 2),
        ("sprig.sub(5, 7)", -2),
        ("sprig.mul(2, 3, 4)", 24),
        ("sprig.div(7, 2)", 3),
        ("sprig.div(-7, 2)", -3),
        ("sprig.mod(-7, 3)", -1),
        ("sprig.max(1, 9, 3)", 9),
        ("sprig.min(4, 2)", 2),
        ("sprig.addf(0.1, 0.2)", 0.3),
        ("sprig.divf(1, 4)", 0.25),
        ("sprig.seq(3)", "1 2 3"),
        ("sprig.seq(2, 4)", "2 3 4"),
        ("sprig.seq(5, -2, 1)", "5 3 1"),
        ("sprig.until(3)", [0, 1, 2]),
        ("sprig.untilStep(0, 10, 4)", [0, 4, 8]),
    ],
)
def test_number_functions_follow_sprig_and_cast(source: str, value: object) -> None:
    assert ev(source) == value


def test_div_by_zero_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="divide by zero"):
        ev("sprig.div(1, 0)")


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("sprig.default('d', '')", "d"),
        ("sprig.default('d', nil)", "d"),
        ("sprig.default('d', 0)", "d"),
        ("sprig.default('d', false)", "d"),
        ("sprig.default('d', [])", "d"),
        ("sprig.default('d')", "d"),
        ("sprig.default('d', 'given')", "given"),
        ("sprig.empty('')", True),
        ("sprig.empty({})", True),
        ("sprig.empty(0.0)", True),
        ("sprig.empty('x')", False),
        ("sprig.coalesce(nil, '', 'x')", "x"),
        ("sprig.ternary('y', 'n', true)", "y"),
        ("sprig.list(1, 'a')", [1, "a"]),
        ("sprig.dict('a', 1, 'b')", {"a": 1, "b": ""}),
        ("sprig.get({a: 1}, 'z')", ""),
        ("sprig.hasKey({a: 1}, 'a')", True),
        ("sprig.keys({a: 1}, {b: 2})", ["a", "b"]),
        ("sprig.pick({a: 1, b: 2}, 'a')", {"a": 1}),
        ("sprig.omit({a: 1, b: 2}, 'a')", {"b": 2}),
        ("sprig.first([1, 2])", 1),
        ("sprig.last([])", None),
        ("sprig.rest([1, 2, 3])", [2, 3]),
        ("sprig.initial([1, 2, 3])", [1, 2]),
        ("sprig.append([1], 2)", [1, 2]),
        ("sprig.prepend([1], 0)", [0, 1]),
        ("sprig.uniq([1, 1, 2])", [1, 2]),
        ("sprig.without([1, 2, 3], 2)", [1, 3]),
        ("sprig.has(2, [1, 2])", True),
        ("sprig.compact([0, 1, '', 'a', nil])", [1, "a"]),
        ("sprig.sortAlpha(['b', 'a'])", ["a", "b"]),
        ("sprig.fromJson('{\"a\": 1}')", {"a": 1.0}),
        ("sprig.fromJson('bad')", None),
        ("sprig.toJson({b: 1, a: '<'})", '{"a":"\\u003c","b":1}'),
        ("sprig.toRawJson({a: '<'})", '{"a":"<"}'),
        ("sprig.toPrettyJson([1])", "[\n  1\n]"),
        ("sprig.regexMatch('^a.c$', 'abc')", True),
        ("sprig.regexMatch('(', 'abc')", False),
        ("sprig.regexFind('[0-9]+', 'ab12cd34')", "12"),
        ("sprig.regexFindAll('[0-9]+', 'ab12cd34', -1)", ["12", "34"]),
        ("sprig.regexReplaceAll('a(x*)b', '-ab-axxb-', '${1}W')", "-W-xxW-"),
        ("sprig.regexSplit(',', 'a,b,c', -1)", ["a", "b", "c"]),
        ("sprig.base('/a/b.txt')", "b.txt"),
        ("sprig.dir('/a/b.txt')", "/a"),
        ("sprig.ext('/a/b.txt')", ".txt"),
        ("sprig.clean('a//b/../c/')", "a/c"),
        ("sprig.kindOf(1.5)", "float64"),
        ("sprig.typeOf('s')", "string"),
    ],
)
def test_defaults_collections_and_helpers(source: str, value: object) -> None:
    assert ev(source) == value


def test_go_parameter_types_are_strict() -> None:
    with pytest.raises(ExpressionError, match="reflect: Call using float64 as type int"):
        ev("sprig.repeat(2.0, 'a')")
    with pytest.raises(ExpressionError, match="reflect: Call using int as type string"):
        ev("sprig.upper(1)")


def test_nil_arguments_become_go_zero_values() -> None:
    assert ev("sprig.upper(nil)") == ""
    assert ev("sprig.trunc(nil, 'abc')") == ""


def test_wrong_argument_count_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="invalid number of arguments: expected 1, got 2"):
        ev("sprig.trim('a', 'b')")


def test_clock_random_and_environment_functions_are_refused() -> None:
    for name in ("now", "randAlphaNum", "uuidv4", "env", "date"):
        with pytest.raises(ExpressionError, match="not available in kawa"):
            ev(f"sprig.{name}()")


def test_unknown_sprig_function_is_nil_and_cannot_be_called() -> None:
    with pytest.raises(ExpressionError, match="cannot call nil"):
        ev("sprig.noSuchThing()")
