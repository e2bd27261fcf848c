"""Go's view of JSON-like values: formatting, JSON encoding, number parsing, whitespace.

Argo evaluates expressions in Go, so what a user sees in a rendered template is what Go's
``fmt`` and ``encoding/json`` print.  This module reproduces the parts that show:

* ``sprint`` is Go's ``fmt.Sprintf("%v", x)``: ``<nil>``, ``[a b]``, ``map[a:1]``, and
  floats in shortest ``%g`` form, which switches to an exponent from ``1e+06`` up
  (``1234567.0`` prints ``1.234567e+06``).
* ``marshal`` is ``json.Marshal`` (and ``json.MarshalIndent(v, "", "  ")``): map keys sorted,
  ``<``, ``>`` and ``&`` escaped as ``\\u003c`` and friends, floats without a trailing ``.0``,
  ``NaN``/``Inf`` rejected.
* ``unmarshal`` is ``json.Unmarshal`` into ``interface{}``: every number becomes a float.
* ``type_name`` is ``%T`` for error messages (``string``, ``float64``, ``[]interface {}``).

kawa differs only where Python cannot hold Go's value: integers are Python ints, wrapped to
64 bits by ``wrap_int`` where Go would overflow.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

#: Go's ``unicode.IsSpace``: ASCII whitespace, NEL, NBSP and the Unicode White_Space set.
GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class GoValueError(Exception):
    """A value Go's encoder or parser rejects; callers turn it into an ExpressionError."""


def is_space(ch: str) -> bool:
    return ch in GO_SPACE


def trim_space(s: str) -> str:
    """``strings.TrimSpace``."""
    start, end = 0, len(s)
    while start < end and s[start] in GO_SPACE:
        start += 1
    while end > start and s[end - 1] in GO_SPACE:
        end -= 1
    return s[start:end]


def wrap_int(n: int) -> int:
    """Wrap ``n`` to a signed 64-bit integer, as Go's ``int`` arithmetic does."""
    if INT64_MIN <= n <= INT64_MAX:
        return n
    return (n + 2**63) % 2**64 - 2**63


def is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def is_list(v: object) -> bool:
    return isinstance(v, list | tuple)


def type_name(v: object) -> str:
    """Go's ``%T`` for the value kawa holds."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, bytes):
        return "[]uint8"
    if isinstance(v, list | tuple):
        return "[]interface {}"
    if isinstance(v, Mapping):
        return "map[string]interface {}"
    if callable(v):
        return "func(...interface {}) interface {}"
    return type(v).__name__


# -- floats ---------------------------------------------------------------------------


def _shortest(x: float) -> tuple[str, int]:
    """Shortest round-trip digits of ``abs(x)`` and the decimal point position.

    ``x == 0.d1d2d3... * 10**point``.  Zero gives ``("0", 1)``.
    """
    text = repr(abs(x))
    mantissa, _, exponent = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    point = len(whole) + (int(exponent) if exponent else 0)
    point -= len(whole + frac) - len((whole + frac).lstrip("0"))
    digits = digits.rstrip("0")
    if not digits:
        return "0", 1
    return digits, point


def _fixed(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * (-point) + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def _exponent(digits: str, point: int, min_exp_digits: int = 2) -> str:
    exp = point - 1
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    sign = "-" if exp < 0 else "+"
    return f"{mant}e{sign}{abs(exp):0{min_exp_digits}d}"


def format_float_v(x: float) -> str:
    """``fmt.Sprintf("%v", x)`` for a float64."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    digits, point = _shortest(x)
    if x == 0:
        return sign + "0"
    exp = point - 1
    if exp < -4 or exp >= 6:
        return sign + _exponent(digits, point)
    return sign + _fixed(digits, point)


def format_float_json(x: float) -> str:
    """``encoding/json``'s float64 text (ES6 style: exponent below 1e-6 and from 1e21)."""
    if math.isnan(x) or math.isinf(x):
        raise GoValueError(f"json: unsupported value: {format_float_v(x)}")
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    sign = "-" if x < 0 else ""
    digits, point = _shortest(x)
    if abs(x) < 1e-6 or abs(x) >= 1e21:
        text = _exponent(digits, point)
        # Go trims e-07 to e-7 (but keeps e+21).
        head, _, tail = text.partition("e")
        if tail.startswith("-0"):
            tail = "-" + tail[2:]
        return sign + head + "e" + tail
    return sign + _fixed(digits, point)


# -- %v -------------------------------------------------------------------------------


def sprint(v: object) -> str:
    """``fmt.Sprintf("%v", v)``."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format_float_v(v)
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return "[" + " ".join(str(b) for b in v) + "]"
    if isinstance(v, list | tuple):
        return "[" + " ".join(sprint(x) for x in v) + "]"
    if isinstance(v, Mapping):
        items = sorted(v.items(), key=lambda kv: _sort_key(kv[0]))
        return "map[" + " ".join(f"{sprint(k)}:{sprint(x)}" for k, x in items) + "]"
    return f"<{type_name(v)}>"


def _sort_key(k: object) -> tuple[int, str]:
    return (0, k) if isinstance(k, str) else (1, sprint(k))


# -- JSON -----------------------------------------------------------------------------

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def quote_json(s: str, escape_html: bool = True) -> str:
    out = ['"']
    for ch in s:
        esc = _ESCAPES.get(ch)
        if esc is not None and (escape_html or ch not in "<>&"):
            out.append(esc)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        elif "\ud800" <= ch <= "\udfff":
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def marshal(v: object, indent: bool = False, escape_html: bool = True) -> str:
    """``json.Marshal`` (or ``json.MarshalIndent(v, "", "  ")`` when ``indent``)."""
    parts: list[str] = []
    _encode(v, parts, "\n" if indent else "", indent, escape_html, 0)
    return "".join(parts)


def _encode(v: object, out: list[str], nl: str, indent: bool, html: bool, depth: int) -> None:
    if depth > 1000:
        raise GoValueError("json: unsupported value: encountered a cycle or too deep nesting")
    if v is None:
        out.append("null")
    elif isinstance(v, bool):
        out.append("true" if v else "false")
    elif isinstance(v, int):
        out.append(str(v))
    elif isinstance(v, float):
        out.append(format_float_json(v))
    elif isinstance(v, str):
        out.append(quote_json(v, html))
    elif isinstance(v, bytes):
        import base64

        out.append('"' + base64.b64encode(v).decode("ascii") + '"')
    elif isinstance(v, list | tuple):
        _encode_items([(None, x) for x in v], "[]", out, nl, indent, html, depth)
    elif isinstance(v, Mapping):
        for k in v:
            if not isinstance(k, str):
                raise GoValueError(f"json: unsupported type: map[{type_name(k)}]interface {{}}")
        items = sorted(v.items())
        _encode_items(list(items), "{}", out, nl, indent, html, depth)
    else:
        raise GoValueError(f"json: unsupported type: {type_name(v)}")


def _encode_items(
    items: list[tuple[str | None, object]],
    brackets: str,
    out: list[str],
    nl: str,
    indent: bool,
    html: bool,
    depth: int,
) -> None:
    if not items:
        out.append(brackets)
        return
    inner = nl + "  " * (depth + 1) if indent else ""
    out.append(brackets[0])
    for i, (key, value) in enumerate(items):
        if i:
            out.append(",")
        out.append(inner)
        if key is not None:
            out.append(quote_json(key, html))
            out.append(": " if indent else ":")
        _encode(value, out, nl, indent, html, depth + 1)
    if indent:
        out.append(nl + "  " * depth)
    out.append(brackets[1])


def _json_number(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise GoValueError(f"json: cannot unmarshal number {text} into Go value of type float64")
    return value


def _reject_constant(name: str) -> object:
    raise GoValueError(f"invalid character '{name[0]}' looking for beginning of value")


def unmarshal(text: str) -> Any:
    """``json.Unmarshal`` into ``interface{}``: numbers are floats, NaN is not JSON."""
    try:
        return json.loads(
            text,
            parse_int=_json_number,
            parse_float=_json_number,
            parse_constant=_reject_constant,
        )
    except GoValueError:
        raise
    except (ValueError, RecursionError) as err:
        message = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
        raise GoValueError(f"invalid JSON: {message}") from None


# -- number parsing -------------------------------------------------------------------


def _underscore_ok(s: str) -> bool:
    """Go's rule: an underscore may only sit between digits (or after a base prefix)."""
    body = s[1:] if s[:1] in "+-" else s
    saw = "^"
    i = 0
    hexa = False
    if len(body) >= 2 and body[0] == "0" and body[1].lower() in "box":
        i, saw, hexa = 2, "0", body[1].lower() == "x"
    for c in body[i:]:
        if "0" <= c <= "9" or (hexa and "a" <= c.lower() <= "f"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _syntax(func: str, s: str) -> GoValueError:
    return GoValueError(f'strconv.{func}: parsing "{s}": invalid syntax')


def parse_int(s: str, base: int = 10) -> int:
    """``strconv.ParseInt(s, base, 64)`` for base 10, or base 0 (prefix-detected)."""
    body = s[1:] if s[:1] in "+-" else s
    sign = -1 if s[:1] == "-" else 1
    if not body:
        raise _syntax("ParseInt", s)
    if base == 10:
        if not all("0" <= c <= "9" for c in body):
            raise _syntax("ParseInt", s)
        value = sign * int(body)
    else:
        if "_" in body and not _underscore_ok(s):
            raise _syntax("ParseInt", s)
        radix, digits = 10, body
        if body[0] == "0":
            prefix = body[1:2].lower()
            if len(body) >= 3 and prefix in ("b", "o", "x"):
                radix, digits = {"b": 2, "o": 8, "x": 16}[prefix], body[2:]
            else:
                radix, digits = 8, body[1:]
        digits = digits.replace("_", "")
        alphabet = "0123456789abcdef"[:radix]
        if not all(c in alphabet for c in digits.lower()) or (not digits and radix != 8):
            raise _syntax("ParseInt", s)
        value = sign * int(digits or "0", radix)
    if not INT64_MIN <= value <= INT64_MAX:
        raise GoValueError(f'strconv.ParseInt: parsing "{s}": value out of range')
    return value


def atoi(s: str) -> int:
    """``strconv.Atoi``."""
    try:
        return parse_int(s, 10)
    except GoValueError as err:
        raise GoValueError(str(err).replace("ParseInt", "Atoi")) from None


_FLOAT_SPECIAL = {
    "inf": math.inf,
    "+inf": math.inf,
    "-inf": -math.inf,
    "infinity": math.inf,
    "+infinity": math.inf,
    "-infinity": -math.inf,
    "nan": math.nan,
}


def parse_float(s: str) -> float:
    """``strconv.ParseFloat(s, 64)`` for decimal text and the Inf/NaN spellings.

    Go's hexadecimal floats (``0x1p-2``) are not accepted by kawa.
    """
    special = _FLOAT_SPECIAL.get(s.lower())
    if special is not None:
        return special
    body = s[1:] if s[:1] in "+-" else s
    mantissa, e, exponent = body.lower().partition("e")
    whole, _, frac = mantissa.partition(".")
    exp_digits = exponent[1:] if exponent[:1] in "+-" else exponent
    parts_ok = all(all("0" <= c <= "9" or c == "_" for c in p) for p in (whole, frac, exp_digits))
    if not parts_ok or not (whole or frac) or (e and not exp_digits):
        raise _syntax("ParseFloat", s)
    if "_" in s and not _underscore_ok(s):
        raise _syntax("ParseFloat", s)
    value = float(s.replace("_", ""))
    if math.isinf(value):
        raise GoValueError(f'strconv.ParseFloat: parsing "{s}": value out of range')
    return value
