"""Argo's ``jsonpath(json, path)`` function."""

from __future__ import annotations

import json

import pytest

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import expr

DOC = json.dumps(
    {
        "store": {
            "book": [
                {"title": "A", "price": 8, "tags": ["x"]},
                {"title": "B", "price": 12},
                {"title": "C", "price": 5, "tags": ["y", "z"]},
            ],
            "bicycle": {"color": "red", "price": 19.95},
        },
        "with space": 1,
        "length": "not the size",
    }
)


def jp(path: str) -> object:
    return expr.evaluate("jsonpath(doc, path)", {"doc": DOC, "path": path})


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$.store.bicycle.color", "red"),
        ("$['store']['bicycle']['color']", "red"),
        ('$["with space"]', 1.0),
        ("$.store.book[0].title", "A"),
        ("$.store.book[-1].title", "C"),
        ("$.store.book[*].title", ["A", "B", "C"]),
        ("$.store.book.*.price", [8.0, 12.0, 5.0]),
        ("$.store.book[0,2].title", ["A", "C"]),
        ("$.store.book[0:2].title", ["A", "B"]),
        ("$.store.book[::-1].title", ["C", "B", "A"]),
        ("$.store.book[*].tags", [["x"], ["y", "z"]]),
        ("$..price", [19.95, 8.0, 12.0, 5.0]),
        ("$..tags", ["x", "y", "z"]),
        ("$.store.book.length", 3),
        ("$.length", "not the size"),
        ("$.store.*.color", ["red"]),
        ("$", json.loads(DOC, parse_int=float)),
    ],
)
def test_jsonpath_selectors(path: str, value: object) -> None:
    assert jp(path) == value


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("$.missing", "key 'missing' not found"),
        ("$.store.book[9]", "out of range"),
        ("$.store.book.title", "expected \\[map\\]"),
        ("store", "must start with"),
        ("$.store.book[?(@.price > 10)]", "not supported"),
    ],
)
def test_jsonpath_errors(path: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        jp(path)


def test_jsonpath_rejects_invalid_json() -> None:
    with pytest.raises(ExpressionError, match="invalid JSON"):
        expr.evaluate("jsonpath('{bad', '$.a')")
