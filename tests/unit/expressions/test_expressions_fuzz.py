"""Whatever text arrives, the expression languages answer or raise ExpressionError, nothing else."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import depends, expr, govaluate, tags

ENV: dict[str, Any] = {
    "x": 3,
    "f": 1.5,
    "s": "hello",
    "xs": [1, 2, 3],
    "m": {"a": {"b": "c"}, "n": None},
    "item": {"name": "first", "type": ""},
    "inputs": {"parameters": {"list": '["a","b"]', "n": "2"}},
    "nothing": None,
}


def words(text: str) -> list[str]:
    return text.split()


EXPR_TOKENS = words(
    """x f s xs m item inputs nothing nil true false 0 1 2 -1 1.5 'a' "b" `c`
    + - * / % ** ^ == != < > <= >= && || ! and or not in matches contains
    startsWith endsWith ?? ? : ?. . .. [ ] ( ) { } , ; | # #index #acc let = if else
    len filter map all any none one count sum find reduce sortBy groupBy toJSON
    fromJSON join split upper get keys concat string int float asInt jsonpath
    sprig sprig.trim sprig.default toJson $env 'a.b' '$.a' .name parameters"""
)
WHEN_TOKENS = words(
    """heads tails true false 1 2.5 0x1F 'a' "b" '2024-01-01' [v w] a.B x.y
    == != < > <= >= =~ !~ && || ! - + * / % ** & | ^ << >> ~ ? : ?? in , ( )"""
)
DEPENDS_TOKENS = words("A B-1 c.Succeeded d.AnySucceeded e.Nope && || ! ( ) . == 1x")

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def soup(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=12).map(" ".join)


def assert_only_expression_errors(run: Any, source: str) -> None:
    try:
        run(source)
    except ExpressionError as err:
        assert "internal error" not in str(err), str(err)


def run_expr(source: str) -> None:
    program = expr.compile(source)
    program.identifiers()
    program.evaluate(ENV)


@FUZZ
@given(st.text(max_size=60))
def test_arbitrary_text_never_raises_anything_but_expression_error_from_expr(source: str) -> None:
    assert_only_expression_errors(run_expr, source)


@FUZZ
@given(soup(EXPR_TOKENS))
def test_token_soup_never_raises_anything_but_expression_error_from_expr(source: str) -> None:
    assert_only_expression_errors(run_expr, source)


@FUZZ
@given(st.text(max_size=60))
def test_arbitrary_text_never_raises_anything_but_expression_error_from_when(source: str) -> None:
    assert_only_expression_errors(govaluate.evaluate_when, source)


@FUZZ
@given(soup(WHEN_TOKENS))
def test_token_soup_never_raises_anything_but_expression_error_from_when(source: str) -> None:
    assert_only_expression_errors(govaluate.evaluate_when, source)


@FUZZ
@given(st.one_of(st.text(max_size=40), soup(DEPENDS_TOKENS)))
def test_depends_never_raises_anything_but_expression_error(source: str) -> None:
    def run(text: str) -> None:
        parsed = depends.parse_depends(text)
        parsed.evaluate(lambda _task: depends.TaskOutcome("Succeeded", children=("Failed",)))
        parsed.decide(lambda _task: None)
        parsed.expanded()

    assert_only_expression_errors(run, source)


@FUZZ
@given(st.text(alphabet=st.sampled_from("{}= ab.x\n"), max_size=40))
def test_rendering_keeps_text_outside_tags_and_never_fails(text: str) -> None:
    rendered = tags.render(text, lambda _name: None, lambda _source: None)
    assert rendered == text
    for tag in tags.find_tags(text):
        assert text[tag.start : tag.end] == "{{" + tag.raw + "}}"
