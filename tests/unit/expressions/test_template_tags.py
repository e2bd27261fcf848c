"""Argo's ``{{ }}`` and ``{{= }}`` tags: finding and rendering them."""

from __future__ import annotations

import pytest

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import tags


def test_simple_tag_name_is_stripped_of_surrounding_whitespace() -> None:
    [tag] = tags.find_tags("hello {{ item.name }}!")
    assert (tag.kind, tag.inner, tag.raw) == ("simple", "item.name", " item.name ")
    assert (tag.start, tag.end) == (6, 21)
    assert tag.text == tag.inner


def test_expression_tag_needs_equals_right_after_the_braces() -> None:
    [tag] = tags.find_tags("{{= inputs.parameters.x + 1 }}")
    assert (tag.kind, tag.inner) == ("expression", "inputs.parameters.x + 1")
    assert tags.find_tags("{{=x}}")[0].kind == "expression"


def test_equals_after_a_space_makes_a_simple_tag_as_in_argo() -> None:
    [tag] = tags.find_tags("{{ = x }}")
    assert (tag.kind, tag.inner) == ("simple", "= x")


def test_several_tags_in_one_string_are_found_left_to_right() -> None:
    found = tags.find_tags("{{a}}-{{= b }}-{{c}}")
    assert [(t.kind, t.inner) for t in found] == [
        ("simple", "a"),
        ("expression", "b"),
        ("simple", "c"),
    ]


def test_opening_braces_without_closing_are_plain_text() -> None:
    assert tags.find_tags("echo {{ not closed") == []
    assert tags.has_unclosed_tag("echo {{ not closed")
    assert [t.inner for t in tags.find_tags("{{a}} and {{ b")] == ["a"]
    assert tags.has_unclosed_tag("{{a}} and {{ b")
    assert not tags.has_unclosed_tag("{{a}} and }} b")


def test_a_tag_closes_at_the_first_closing_braces() -> None:
    [tag] = tags.find_tags("{{a{{b}}c}}")
    assert tag.inner == "a{{b"


def test_render_replaces_each_tag_with_its_resolvers_answer() -> None:
    out = tags.render(
        "{{ x }} and {{= 1 + 1 }}",
        lambda name: name.upper(),
        lambda source: f"<{source}>",
    )
    assert out == "X and <1 + 1>"


def test_render_leaves_a_tag_untouched_when_the_resolver_returns_none() -> None:
    out = tags.render("a {{ known }} b {{  unknown }} c", {"known": "K"}.get, lambda _s: None)
    assert out == "a K b {{  unknown }} c"


def test_render_without_tags_returns_the_text_unchanged() -> None:
    assert tags.render("plain {{ text", str.upper, str.upper) == "plain {{ text"


def test_render_passes_resolver_errors_through() -> None:
    def fail(_source: str) -> str:
        raise ExpressionError("boom", "x", 0)

    with pytest.raises(ExpressionError, match="boom"):
        tags.render("{{= x }}", str, fail)
