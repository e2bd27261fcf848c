"""expr-lang's built-in functions, including the closure-taking ones."""

from __future__ import annotations

import pytest

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import expr


def ev(source: str, **env: object) -> object:
    return expr.evaluate(source, env)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("len('héllo')", 5),
        ("len([1, 2])", 2),
        ("len({a: 1})", 1),
        ("string(42)", "42"),
        ("string(1.5)", "1.5"),
        ("string(nil)", "<nil>"),
        ("string([1, 'a'])", "[1 a]"),
        ("string(true)", "true"),
        ("int('42')", 42),
        ("int(3.99)", 3),
        ("int(-3.99)", -3),
        ("float('1.5')", 1.5),
        ("float(2)", 2.0),
        ("abs(-3)", 3),
        ("abs(-2.5)", 2.5),
        ("ceil(1.2)", 2.0),
        ("floor(-1.2)", -2.0),
        ("round(2.5)", 3.0),
        ("round(-2.5)", -3.0),
        ("type(1)", "int"),
        ("type('s')", "string"),
        ("type([])", "array"),
        ("type({})", "map"),
        ("type(nil)", "nil"),
    ],
)
def test_conversions_and_math(source: str, value: object) -> None:
    assert ev(source) == value


@pytest.mark.parametrize(
    "source", ["int('1.5')", "int(' 1')", "int(true)", "float('x')", "float(nil)"]
)
def test_conversions_reject_what_go_rejects(source: str) -> None:
    with pytest.raises(ExpressionError, match="invalid operation"):
        ev(source)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("lower('AbC')", "abc"),
        ("upper('abc')", "ABC"),
        ("trim('  x  ')", "x"),
        ("trim('__x__', '_')", "x"),
        ("trimPrefix('HelloWorld', 'Hello')", "World"),
        ("trimSuffix('file.txt', '.txt')", "file"),
        ("trimPrefix(' x')", "x"),
        ("split('a,b,c', ',')", ["a", "b", "c"]),
        ("split('a,b,c', ',', 2)", ["a", "b,c"]),
        ("split('', ',')", [""]),
        ("split('abc', '')", ["a", "b", "c"]),
        ("splitAfter('a,b', ',')", ["a,", "b"]),
        ("join(['a', 'b'], ', ')", "a, b"),
        ("join(['a', 'b'])", "ab"),
        ("replace('a-b-c', '-', '+')", "a+b+c"),
        ("replace('a-b-c', '-', '+', 1)", "a+b-c"),
        ("repeat('ab', 3)", "ababab"),
        ("indexOf('hello', 'l')", 2),
        ("indexOf('héllo', 'l')", 3),
        ("indexOf('hello', 'z')", -1),
        ("lastIndexOf('hello', 'l')", 3),
        ("hasPrefix('hello', 'he')", True),
        ("hasSuffix('hello', 'lo')", True),
        ("toBase64('hello')", "aGVsbG8="),
        ("fromBase64('aGVsbG8=')", "hello"),
    ],
)
def test_string_functions(source: str, value: object) -> None:
    assert ev(source) == value


def test_string_functions_need_strings() -> None:
    with pytest.raises(ExpressionError, match=r"cannot use int as argument \(type string\)"):
        ev("upper(1)")
    with pytest.raises(ExpressionError, match="type string"):
        ev("join([1, 2])")


def test_repeat_refuses_huge_results() -> None:
    with pytest.raises(ExpressionError, match="memory budget"):
        ev("repeat('x', 100000000)")


def test_from_base64_rejects_bad_input() -> None:
    with pytest.raises(ExpressionError, match="illegal base64"):
        ev("fromBase64('not base64!')")


def test_to_json_indents_with_two_spaces_like_expr() -> None:
    assert ev("toJSON(['a', 'b'])") == '[\n  "a",\n  "b"\n]'
    assert ev("toJSON({b: 1, a: 'x<y'})") == '{\n  "a": "x\\u003cy",\n  "b": 1\n}'
    assert ev("toJSON('s')") == '"s"'


def test_from_json_decodes_numbers_as_floats() -> None:
    assert ev("fromJSON('{\"n\": [1, 2]}')") == {"n": [1.0, 2.0]}
    with pytest.raises(ExpressionError, match="invalid JSON"):
        ev("fromJSON('{')")


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("keys({a: 1, b: 2})", ["a", "b"]),
        ("values({a: 1, b: 2})", [1, 2]),
        ("first([1, 2])", 1),
        ("first([])", None),
        ("last([1, 2])", 2),
        ("get([1, 2], -1)", 2),
        ("get([1, 2], 9)", None),
        ("get({a: 1}, 'a')", 1),
        ("get({a: 1}, 'b')", None),
        ("get(nil, 'b')", None),
        ("concat([1], [2, 3], [])", [1, 2, 3]),
        ("take([1, 2, 3], 2)", [1, 2]),
        ("reverse([1, 2, 3])", [3, 2, 1]),
        ("uniq([1, 2, 1, 1.0])", [1, 2]),
        ("flatten([1, [2, [3]]])", [1, 2, 3]),
        ("sort([3, 1, 2])", [1, 2, 3]),
        ("sort(['b', 'a', 'c'], 'desc')", ["c", "b", "a"]),
        ("toPairs({a: 1})", [["a", 1]]),
        ("fromPairs([['a', 1], ['b', 2]])", {"a": 1, "b": 2}),
        ("max(1, 5, 3)", 5),
        ("max([1, 7.5])", 7.5),
        ("min([4, 2, 8])", 2),
        ("mean([1, 2, 3, 4])", 2.5),
        ("median([5, 1, 3])", 3.0),
        ("median([4, 1, 3, 2])", 2.5),
        ("bitand(12, 10)", 8),
        ("bitor(12, 10)", 14),
        ("bitxor(12, 10)", 6),
        ("bitshl(1, 4)", 16),
        ("bitshr(16, 2)", 4),
        ("bitnot(5)", -6),
    ],
)
def test_collection_functions(source: str, value: object) -> None:
    assert ev(source) == value


def test_sorting_mixed_types_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="invalid operation"):
        ev("sort([1, 'a'])")


def test_clock_functions_are_refused_because_expressions_are_pure() -> None:
    for source in ("now()", "date('2024-01-01')", "duration('1h')"):
        with pytest.raises(ExpressionError, match="not available in kawa"):
            ev(source)


def test_filter_keeps_items_where_the_closure_is_true() -> None:
    assert ev("filter(xs, {# > 1})", xs=[1, 2, 3]) == [2, 3]
    assert ev("filter(xs, # > 1)", xs=[1, 2, 3]) == [2, 3]


def test_map_with_dot_shorthand_reads_a_field_of_each_item() -> None:
    assert ev("map(users, {.name})", users=[{"name": "a"}, {"name": "b"}]) == ["a", "b"]
    assert ev("map(users, #.name | upper())", users=[{"name": "a"}]) == ["A"]


def test_closures_see_the_index_and_nest() -> None:
    assert ev("map(['a', 'b'], #index)") == [0, 1]
    assert ev("map([[1, 2], [3]], {sum(#)})") == [3, 3]
    assert ev("filter(1..3, {let x = #; any([2], # == x)})") == [2]


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("all([2, 4], # % 2 == 0)", True),
        ("all([], false)", True),
        ("any([1, 2], # > 1)", True),
        ("any([], true)", False),
        ("none([1, 2], # > 5)", True),
        ("one([1, 2, 3], # > 2)", True),
        ("one([1, 2, 3], # > 1)", False),
        ("count([1, 2, 3], # > 1)", 2),
        ("count([true, false, true])", 2),
        ("sum([1, 2, 3])", 6),
        ("sum([1, 2], # * 1.5)", 4.5),
        ("find([1, 2, 3], # > 1)", 2),
        ("find([1, 2, 3], # > 5)", None),
        ("findIndex([1, 2, 3], # > 1)", 1),
        ("findLast([1, 2, 3], # > 1)", 3),
        ("findLastIndex([1, 2, 3], # > 1)", 2),
        ("groupBy(['a', 'bb', 'c'], len(#))", {1: ["a", "c"], 2: ["bb"]}),
        ("sortBy([{n: 2}, {n: 1}], .n)", [{"n": 1}, {"n": 2}]),
        ("sortBy([1, 3, 2], #, 'desc')", [3, 2, 1]),
        ("reduce(1..4, #acc + #)", 10),
        ("reduce(['a', 'b'], #acc + #, '>')", ">ab"),
    ],
)
def test_closure_builtins(source: str, value: object) -> None:
    assert ev(source) == value


def test_closure_predicates_must_return_booleans() -> None:
    with pytest.raises(ExpressionError, match="expected bool"):
        ev("filter([1, 2], #)")


def test_closure_builtins_need_an_array() -> None:
    with pytest.raises(ExpressionError, match="takes only array"):
        ev("map({a: 1}, #)")


def test_reduce_of_an_empty_array_without_initial_value_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="reduce of empty array"):
        ev("reduce([], #acc + #)")


def test_wrong_number_of_arguments_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="invalid number of arguments"):
        ev("len(1, 2)")
    with pytest.raises(ExpressionError, match="invalid number of arguments"):
        ev("split('a')")
