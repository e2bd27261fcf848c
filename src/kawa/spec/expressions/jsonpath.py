"""A small JSONPath evaluator for Argo's ``jsonpath(jsonString, path)`` function.

Argo decodes the JSON string and queries it with ``evilmonkeyinc/jsonpath`` v0.8.  kawa
reproduces that library's results for the selectors people write:

* ``$`` the document; ``.key`` and ``['key']`` / ``["key"]`` a map member (a missing key
  is an error, as it is there); ``[n]`` an array element, negative from the end;
* ``*`` / ``[*]`` every member (maps in key order), ``[a,b]`` unions, ``[start:end:step]``
  ranges: these give a list, and the rest of the path applies to each element, silently
  dropping elements where it fails (an index right after a union/range applies to the list);
* ``..key`` recursive descent (a list found under the key is spliced in, as there);
* ``.length`` the size of an array, string or map (a map's own ``length`` key wins).

Not supported (an ``ExpressionError`` says so): filters ``[?(...)]`` and scripts
``[(...)]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kawa.spec.expressions.govalues import is_int, is_list, type_name
from kawa.spec.expressions.runtime import Fault

Step = tuple[str, Any]  # (kind, argument): key, index, wildcard, union, range, recursive, length


@dataclass
class _Cursor:
    text: str
    pos: int = 0

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def error(self, message: str) -> Fault:
        return Fault(f"invalid JSONPath {self.text!r} at {self.pos}: {message}")


def compile_path(path: str) -> list[Step]:
    cur = _Cursor(path)
    if cur.peek() != "$":
        raise cur.error("a path must start with '$'")
    cur.pos = 1
    steps: list[Step] = []
    while cur.pos < len(path):
        if cur.peek(2) == "..":
            cur.pos += 2
            steps.append(("recursive", None))
            if cur.peek() == "[":
                continue
            steps.append(_dotted(cur))
        elif cur.peek() == ".":
            cur.pos += 1
            steps.append(_dotted(cur))
        elif cur.peek() == "[":
            steps.append(_subscript(cur))
        else:
            raise cur.error(f"unexpected {cur.peek()!r}")
    return steps


def _dotted(cur: _Cursor) -> Step:
    start = cur.pos
    while cur.pos < len(cur.text) and cur.text[cur.pos] not in ".[":
        cur.pos += 1
    name = cur.text[start : cur.pos]
    if not name:
        raise cur.error("expected a name after '.'")
    if name == "*":
        return ("wildcard", None)
    if name == "length":
        return ("length", None)
    return ("key", name)


def _subscript(cur: _Cursor) -> Step:
    cur.pos += 1
    if cur.peek() in ("?", "("):
        raise cur.error("filter and script expressions are not supported by kawa")
    parts: list[Any] = []
    text = ""
    while True:
        ch = cur.peek()
        if ch == "":
            raise cur.error("unclosed '['")
        if ch in ("'", '"'):
            parts.append(_quoted(cur, ch))
            text += "q"
            continue
        cur.pos += 1
        if ch == "]":
            break
        text += ch
        if ch in ",:":
            parts.append(ch)
        elif not ch.isspace():
            if parts and isinstance(parts[-1], list):
                parts[-1].append(ch)
            else:
                parts.append([ch])
    return _subscript_step(cur, parts)


def _quoted(cur: _Cursor, quote: str) -> str:
    cur.pos += 1
    out: list[str] = []
    while True:
        ch = cur.peek()
        if ch == "":
            raise cur.error("unclosed quote")
        cur.pos += 1
        if ch == "\\" and cur.peek():
            out.append(cur.peek())
            cur.pos += 1
        elif ch == quote:
            return "".join(out)
        else:
            out.append(ch)


def _atom(cur: _Cursor, part: Any) -> Any:
    if isinstance(part, str):
        return part
    word = "".join(part)
    if word == "*":
        return "*"
    try:
        return int(word)
    except ValueError:
        raise cur.error(f"invalid subscript {word!r}") from None


def _subscript_step(cur: _Cursor, parts: list[Any]) -> Step:
    if ":" in parts:
        bounds: list[int | None] = [None, None, None]
        slot = 0
        for part in parts:
            if part == ":":
                slot += 1
                if slot > 2:
                    raise cur.error("too many ':' in range")
            elif part != ",":
                value = _atom(cur, part)
                if not is_int(value):
                    raise cur.error("range bounds must be integers")
                bounds[slot] = value
        return ("range", tuple(bounds))
    items = [_atom(cur, p) for p in parts if p != ","]
    if not items:
        raise cur.error("empty subscript")
    if items == ["*"]:
        return ("wildcard", None)
    if len(items) == 1:
        return ("index", items[0]) if is_int(items[0]) else ("key", items[0])
    return ("union", items)


def query(document: Any, path: str) -> Any:
    """Apply ``path`` to an already decoded JSON ``document``."""
    return _apply(document, compile_path(path))


def _apply(current: Any, steps: list[Step]) -> Any:
    if not steps:
        return current
    (kind, arg), rest = steps[0], steps[1:]
    if kind == "key":
        if not isinstance(current, Mapping):
            raise Fault(f"key: invalid token target. expected [map] got [{type_name(current)}]")
        if arg not in current:
            raise Fault(f"key: invalid token key '{arg}' not found")
        return _apply(current[arg], rest)
    if kind == "index":
        if not is_list(current):
            raise Fault(f"index: invalid token target. expected [array] got [{type_name(current)}]")
        index = arg + len(current) if arg < 0 else arg
        if not 0 <= index < len(current):
            raise Fault("index: invalid token out of range")
        return _apply(current[index], rest)
    if kind == "length":
        if isinstance(current, Mapping):
            value: Any = current["length"] if "length" in current else len(current)
        elif is_list(current) or isinstance(current, str):
            value = len(current)
        else:
            raise Fault(f"length: invalid token target. got [{type_name(current)}]")
        return _apply(value, rest)
    if kind == "recursive":
        return _recursive(current, rest, 0)
    return _collection(kind, arg, current, rest)


def _collection(kind: str, arg: Any, current: Any, rest: list[Step]) -> list[Any]:
    if kind == "wildcard":
        if isinstance(current, Mapping):
            items = [current[k] for k in sorted(current)]
        elif is_list(current):
            items = list(current)
        else:
            raise Fault(f"wildcard: invalid token target. got [{type_name(current)}]")
        return _each(items, rest)
    if kind == "union":
        if all(isinstance(a, str) for a in arg) and isinstance(current, Mapping):
            items = [current[a] for a in arg if a in current]
        elif all(is_int(a) for a in arg) and is_list(current):
            items = [current[a] for a in arg if -len(current) <= a < len(current)]
        else:
            raise Fault(f"union: invalid token target. got [{type_name(current)}]")
    else:
        if not is_list(current):
            raise Fault(f"range: invalid token target. got [{type_name(current)}]")
        start, end, step = arg
        if step == 0:
            raise Fault("range: invalid token argument. step cannot be 0")
        forward = list(current)[slice(start, end)]
        items = forward[:: abs(step or 1)]
        if step is not None and step < 0:
            items.reverse()
    if rest and rest[0][0] == "index":
        return _apply(items, rest)  # type: ignore[no-any-return]
    return _each(items, rest)


def _each(items: list[Any], rest: list[Step]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        try:
            value = _apply(item, rest)
        except Fault:
            continue
        if value is not None:
            out.append(value)
    return out


def _recursive(current: Any, rest: list[Step], depth: int) -> list[Any]:
    if current is None or depth > 500:
        return []
    found: list[Any] = []
    if rest:
        try:
            value = _apply(current, rest)
        except Fault:
            value = None
        if is_list(value):
            found.extend(value)
        elif value is not None:
            found.append(value)
    else:
        found.append(current)
    if isinstance(current, Mapping):
        children = [current[k] for k in sorted(current)]
    elif is_list(current):
        children = list(current)
    else:
        children = []
    for child in children:
        found.extend(_recursive(child, rest, depth + 1))
    return found
