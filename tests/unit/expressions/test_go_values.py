"""Go's printing and JSON of values, which is what users see in rendered templates."""

from __future__ import annotations

import math

import pytest

from kawa.spec.expressions import govalues


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "<nil>"),
        (True, "true"),
        (42, "42"),
        (1.5, "1.5"),
        (2.0, "2"),
        (100000.0, "100000"),
        (1234567.0, "1.234567e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-0.5, "-0.5"),
        (math.inf, "+Inf"),
        (math.nan, "NaN"),
        ("text", "text"),
        ([1, "a", [2]], "[1 a [2]]"),
        ({"b": 1, "a": None}, "map[a:<nil> b:1]"),
    ],
)
def test_sprint_prints_like_go_percent_v(value: object, text: str) -> None:
    assert govalues.sprint(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (-0.0, "-0"),
        (123.456, "123.456"),
    ],
)
def test_json_floats_are_written_like_go_encoding_json(value: float, text: str) -> None:
    assert govalues.marshal(value) == text


def test_json_sorts_keys_and_escapes_html_characters() -> None:
    assert govalues.marshal({"b": "<a&b>", "a": [True, None]}) == (
        '{"a":[true,null],"b":"\\u003ca\\u0026b\\u003e"}'
    )


def test_json_escapes_control_characters_like_go() -> None:
    assert govalues.marshal("a\nb\tc\x01\b\u2028") == '"a\\nb\\tc\\u0001\\b\\u2028"'


def test_json_keeps_non_ascii_text_as_is() -> None:
    assert govalues.marshal("héllo ✓") == '"héllo ✓"'


def test_indented_json_matches_go_marshal_indent_with_two_spaces() -> None:
    assert govalues.marshal({"a": [1, {}], "b": []}, indent=True) == (
        '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": []\n}'
    )


def test_json_rejects_nan_like_go() -> None:
    with pytest.raises(govalues.GoValueError, match="unsupported value: NaN"):
        govalues.marshal([math.nan])


def test_unmarshal_turns_every_number_into_a_float() -> None:
    assert govalues.unmarshal('{"a": [1, 2.5]}') == {"a": [1.0, 2.5]}
    assert isinstance(govalues.unmarshal("7"), float)


@pytest.mark.parametrize("text", ["NaN", "[1,", "{'a': 1}", "1e400", ""])
def test_unmarshal_rejects_what_go_rejects(text: str) -> None:
    with pytest.raises(govalues.GoValueError):
        govalues.unmarshal(text)


@pytest.mark.parametrize(
    ("text", "base", "value"),
    [
        ("42", 10, 42),
        ("-7", 10, -7),
        ("0x1f", 0, 31),
        ("010", 0, 8),
        ("0b11", 0, 3),
        ("1_000", 0, 1000),
    ],
)
def test_parse_int_follows_strconv(text: str, base: int, value: int) -> None:
    assert govalues.parse_int(text, base) == value


@pytest.mark.parametrize(
    ("text", "base"), [("1.5", 10), ("", 10), ("1_0", 10), ("9" * 20, 10), ("0x", 0)]
)
def test_parse_int_rejects_what_strconv_rejects(text: str, base: int) -> None:
    with pytest.raises(govalues.GoValueError):
        govalues.parse_int(text, base)


@pytest.mark.parametrize(
    ("text", "value"), [("1.5", 1.5), ("1e3", 1000.0), (".5", 0.5), ("5.", 5.0), ("-2", -2.0)]
)
def test_parse_float_follows_strconv(text: str, value: float) -> None:
    assert govalues.parse_float(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", " 1", "1e", "1e400"])
def test_parse_float_rejects_what_strconv_rejects(text: str) -> None:
    with pytest.raises(govalues.GoValueError):
        govalues.parse_float(text)


def test_int_arithmetic_wraps_at_64_bits_like_go() -> None:
    assert govalues.wrap_int(2**63) == -(2**63)
    assert govalues.wrap_int(-(2**63) - 1) == 2**63 - 1


def test_trim_space_uses_go_whitespace() -> None:
    assert govalues.trim_space("\u00a0\t x \u3000") == "x"
    assert govalues.trim_space("\x1cx") == "\x1cx"
