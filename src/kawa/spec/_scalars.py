"""YAML scalars read the way Kubernetes reads them.

Argo's CLI and the Kubernetes tooling decode YAML with ``sigs.k8s.io/yaml``, which uses
go-yaml v2, a YAML 1.1 reader.  Its rules for plain (unquoted) scalars differ from
PyYAML's in a few places, and a workflow must mean the same thing in kawa as in Argo:

* booleans: ``y Y yes Yes YES on On ON true True TRUE`` and their negatives
  ``n N no No NO off Off OFF false False FALSE`` (PyYAML has no ``y``/``n``);
* integers: Go's ``strconv.ParseInt(s, 0, 64)`` after removing ``_`` — so ``0x1F``,
  ``0o17``, ``0b101`` and ``017`` (octal) are integers; ``1:30`` is a string (PyYAML's
  base-60 integers are not supported by go-yaml);
* floats: ``1e3``, ``1.``, ``.5`` are floats (PyYAML needs a dot); ``.inf``/``.nan`` are
  floats that JSON cannot carry, so the loader rejects them;
* timestamps: go-yaml turns ``2024-01-01`` into a time that JSON then writes as
  ``2024-01-01T00:00:00Z``.  kawa keeps the text as written (documented in docs/lint.md).

Mapping keys become strings the way ``sigs.k8s.io/yaml`` converts them for JSON:
``on:`` is the key ``"true"``, ``1:`` is ``"1"``.
"""

from __future__ import annotations

import math
import re
import struct
from typing import Any

_BOOLS: dict[str, bool] = {}
for _word in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"):
    _BOOLS[_word] = True
for _word in ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"):
    _BOOLS[_word] = False
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_NOT_JSON = frozenset(
    (".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf")
) | {"-.Inf", "-.INF"}
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?\Z")
_DIGITS = {2: frozenset("01"), 8: frozenset("01234567"), 10: frozenset("0123456789")}
_DIGITS[16] = frozenset("0123456789abcdefABCDEF")
_INT64 = 1 << 63
_UINT64 = 1 << 64

#: the tag a plain scalar's text resolves to under YAML 1.1 merge-key rules
MERGE = object()


class ScalarError(ValueError):
    """A scalar that go-yaml would reject or JSON cannot carry."""


def resolve_plain(text: str) -> Any:
    """The JSON value of an untagged plain scalar, as go-yaml v2 resolves it."""
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _NULLS:
        return None
    if text in _NOT_JSON:
        raise ScalarError(f"{text!r} is not a JSON number; quote it to make it a string")
    if text == "<<":
        return MERGE
    first = text[0]
    if first == ".":
        return float(text) if _DOT_FLOAT.match(text) else text
    if first in "+-" or first.isdigit():
        return _resolve_number(text)
    return text


def _resolve_number(text: str) -> Any:
    plain = text.replace("_", "")
    signed = plain[:1] in "+-"
    value = _go_parse_int(plain)
    if value is not None and (-_INT64 <= value < _INT64 or (not signed and value < _UINT64)):
        return value
    if _FLOAT.match(plain):
        number = float(plain)
        return text if math.isinf(number) else number
    if value is not None and not signed:
        return value  # a big hexadecimal/octal/binary literal (Go's big.Int fallback)
    return text


def _go_parse_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, ...)`` without the range check; None when invalid."""
    negative = text[:1] == "-"
    body = text[1:] if text[:1] in "+-" else text
    base, digits = 10, body
    if len(body) > 1 and body[0] == "0":
        prefix = body[1]
        if prefix in "xX":
            base, digits = 16, body[2:]
        elif prefix in "oO":
            base, digits = 8, body[2:]
        elif prefix in "bB":
            base, digits = 2, body[2:]
        else:
            base, digits = 8, body[1:]
    if not digits or not _DIGITS[base].issuperset(digits):
        return None
    value = int(digits, base)
    return -value if negative else value


def resolve_tagged(tag: str, text: str) -> Any:
    """The value of a scalar with an explicit ``!!type`` tag (go-yaml's rules)."""
    short = tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else ""
    if short in ("", "str", "binary", "timestamp"):
        return text
    value = resolve_plain(text) if text else None
    if value is MERGE:
        value = text
    expected = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(short)
    if expected is None:
        return text
    if short == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if short == "int" and isinstance(value, bool):
        expected = type(None)  # bools are not ints here
    if not isinstance(value, expected):
        raise ScalarError(f"cannot decode {text!r} as a !!{short}")
    return value


def key_text(value: Any) -> str:
    """A resolved mapping key as the string ``sigs.k8s.io/yaml`` makes of it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float32_text(value)
    raise ScalarError("a mapping key must be a string, number or boolean, not null")


def _float32_text(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'g', -1, 32)``: the shortest text of the float32."""
    try:
        (single,) = struct.unpack("f", struct.pack("f", value))
    except OverflowError:
        return ".inf" if value > 0 else "-.inf"
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return text
    return repr(single)  # pragma: no cover - nine digits always round-trip
