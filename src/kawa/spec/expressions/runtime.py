"""expr-lang's operators on JSON-like values (expr's ``vm/runtime`` package).

The typing rules are expr's, which are Go's:

* ``+ - *`` on two ints give an int (wrapping at 64 bits), with a float operand a float;
  ``+`` also joins two strings; nothing else mixes (``"a" + 1`` is an error).
* ``/`` always gives a float, and dividing by zero gives ``+Inf``/``-Inf``/``NaN`` as Go
  does; ``%`` takes two ints (Go's truncated remainder: ``-7 % 3 == -1``); ``**``/``^``
  always give a float.
* ``< > <= >=`` compare two numbers or two strings; anything else is an error.
* ``==`` never fails: numbers compare across int/float, arrays element-wise, maps with
  Go's ``reflect.DeepEqual`` (so ``{a: 1} == {a: 1.0}`` is false), and values of different
  types are simply unequal.
* ``x in list`` uses ``==``; ``key in map`` looks up a key; ``in`` on anything else fails.
* ``obj.key`` on a map gives nil for a missing key; an index out of range, or any access
  on nil without ``?.``, is an error; indexing a string gives the *byte* at that UTF-8
  offset (``"abc"[0] == 97``), and slicing a string cuts UTF-8 bytes, as in Go.

kawa differs: expr's type checker also rejects some expressions before running them when
both operand types are known (``"a" == 1`` is a compile error in Argo); kawa checks types
only at run time, so that comparison is simply false.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from kawa.spec.expressions import govalues
from kawa.spec.expressions.govalues import is_int, is_list, is_number, type_name, wrap_int

#: longest string an expression may build (a guard against doubling loops)
MAX_STRING = 10_000_000


class Fault(Exception):
    """A run-time error without a position; the evaluator attaches the node's position."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- equality -------------------------------------------------------------------------


def equal(a: Any, b: Any) -> bool:
    """expr's ``==`` (``runtime.Equal``)."""
    if is_number(a) and is_number(b):
        if isinstance(a, float) or isinstance(b, float):
            return float(a) == float(b)
        return bool(a == b)
    if is_list(a) and is_list(b):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, bool) and isinstance(b, bool):
        return a == b
    return deep_equal(a, b)


def deep_equal(a: Any, b: Any) -> bool:
    """Go's ``reflect.DeepEqual`` on ``interface{}`` values: types must match exactly."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    for kind in (int, float, str, bytes):
        if isinstance(a, kind) or isinstance(b, kind):
            return isinstance(a, kind) and isinstance(b, kind) and bool(a == b)
    if is_list(a) or is_list(b):
        return (
            is_list(a)
            and is_list(b)
            and len(a) == len(b)
            and all(deep_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)) or len(a) != len(b):
            return False
        return all(k in b and deep_equal(v, b[k]) for k, v in a.items())
    return a is b


# -- ordering -------------------------------------------------------------------------


def compare(op: str, a: Any, b: Any) -> bool:
    """``<``, ``>``, ``<=``, ``>=`` on two numbers or two strings."""
    if is_number(a) and is_number(b):
        if isinstance(a, float) or isinstance(b, float):
            a, b = float(a), float(b)
    elif not (isinstance(a, str) and isinstance(b, str)):
        raise Fault(f"invalid operation: {type_name(a)} {op} {type_name(b)}")
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op == "<=":
        return bool(a <= b)
    return bool(a >= b)


# -- arithmetic -----------------------------------------------------------------------


def _mismatch(op: str, a: Any, b: Any) -> Fault:
    return Fault(f"invalid operation: {type_name(a)} {op} {type_name(b)}")


def arithmetic(op: str, a: Any, b: Any) -> Any:
    """``+ - * / % ** ^``."""
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > MAX_STRING:
            raise Fault("memory budget exceeded")
        return a + b
    if not (is_number(a) and is_number(b)):
        raise _mismatch("%" if op == "%" else op, a, b)
    if op == "/":
        return divide(float(a), float(b))
    if op in ("**", "^"):
        return power(float(a), float(b))
    if op == "%":
        if not (is_int(a) and is_int(b)):
            raise _mismatch("%", a, b)
        if b == 0:
            raise Fault("integer divide by zero")
        remainder = abs(a) % abs(b)
        return wrap_int(-remainder if a < 0 else remainder)
    if is_int(a) and is_int(b):
        result = a + b if op == "+" else a - b if op == "-" else a * b
        return wrap_int(result)
    x, y = float(a), float(b)
    return x + y if op == "+" else x - y if op == "-" else x * y


def divide(x: float, y: float) -> float:
    """Go's float64 division: no exception on zero."""
    if y == 0:
        if x == 0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def power(x: float, y: float) -> float:
    """Go's ``math.Pow``: overflow gives Inf, domain errors NaN or Inf."""
    odd = math.isfinite(y) and y == int(y) and int(y) % 2 == 1
    try:
        return math.pow(x, y)
    except OverflowError:
        return -math.inf if x < 0 and odd else math.inf
    except ValueError:
        if x == 0:
            return math.copysign(math.inf, x) if odd else math.inf
        return math.nan


def negate(v: Any) -> Any:
    if is_int(v):
        return wrap_int(-v)
    if isinstance(v, float):
        return -v
    raise Fault(f"invalid operation: - {type_name(v)}")


def to_int(v: Any) -> int:
    """``runtime.ToInt``: numbers only, floats truncated."""
    if is_int(v):
        return int(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return govalues.INT64_MIN
        return wrap_int(int(v))
    raise Fault(f"invalid operation: int({type_name(v)})")


def make_range(a: Any, b: Any) -> list[int]:
    low, high = to_int(a), to_int(b)
    return list(range(low, high + 1)) if high >= low else []


# -- membership and strings -----------------------------------------------------------


def member_of(needle: Any, haystack: Any) -> bool:
    """``needle in haystack``."""
    if haystack is None:
        return False
    if is_list(haystack):
        return any(equal(item, needle) for item in haystack)
    if isinstance(haystack, Mapping):
        key = "" if needle is None else needle
        if not isinstance(key, str):
            raise Fault(f"cannot use {type_name(needle)} as map key (type string)")
        return key in haystack
    raise Fault(f'operator "in" not defined on {type_name(haystack)}')


def string_test(op: str, a: Any, b: Any) -> bool:
    """``contains``, ``startsWith``, ``endsWith``, ``matches`` (nil on either side: false)."""
    if a is None or b is None:
        return False
    if isinstance(a, bytes) and op == "matches":
        a = a.decode("utf-8", "replace")
    if not (isinstance(a, str) and isinstance(b, str)):
        raise Fault(f"invalid operation: {type_name(a)} {op} {type_name(b)}")
    if op == "contains":
        return b in a
    if op == "startsWith":
        return a.startswith(b)
    if op == "endsWith":
        return a.endswith(b)
    return compile_regex(b).search(a) is not None


def compile_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Go (RE2) pattern with Python's ``re``; the common syntax is shared."""
    try:
        return re.compile(pattern.replace("\\z", "\\Z"))
    except (re.error, OverflowError, RecursionError, ValueError) as err:
        raise Fault(f"error parsing regexp: {err}: `{pattern}`") from None


# -- access ---------------------------------------------------------------------------


def fetch(obj: Any, key: Any) -> Any:
    """``obj[key]`` and ``obj.key`` (``runtime.Fetch``)."""
    if isinstance(obj, Mapping):
        k = "" if key is None else key
        if not isinstance(k, str):
            raise Fault(f"cannot use {type_name(key)} to get an element from {type_name(obj)}")
        return obj.get(k)
    if is_list(obj) or isinstance(obj, str | bytes):
        data = obj.encode("utf-8", "replace") if isinstance(obj, str) else obj
        index = to_int(key)
        length = len(data)
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise Fault(f"index out of range: {index} (array length is {length})")
        return data[index]
    raise Fault(f"cannot fetch {govalues.sprint(key)} from {type_name(obj)}")


def slice_of(obj: Any, start: Any, end: Any) -> Any:
    """``obj[start:end]`` with Go's clamping; strings are cut by UTF-8 bytes."""
    if not (is_list(obj) or isinstance(obj, str | bytes)):
        raise Fault(f"cannot slice {type_name(obj)}")
    data = obj.encode("utf-8", "replace") if isinstance(obj, str) else obj
    length = len(data)
    a = 0 if start is None else to_int(start)
    b = length if end is None else to_int(end)
    if a < 0:
        a = max(a + length, 0)
    if b < 0:
        b = max(b + length, 0)
    b = min(b, length)
    a = min(a, b)
    part = data[a:b]
    if isinstance(obj, str):
        assert isinstance(part, bytes)
        return part.decode("utf-8", "replace")
    return list(part) if is_list(obj) else part


def length(v: Any) -> int:
    """``len``: characters of a string (Go counts runes), items of an array or map."""
    if isinstance(v, str | bytes) or is_list(v) or isinstance(v, Mapping):
        return len(v)
    raise Fault(f"invalid argument for len (type {type_name(v)})")


def truth(v: Any, what: str) -> bool:
    """A value used as a condition must be a bool."""
    if isinstance(v, bool):
        return v
    raise Fault(f"invalid operation: {what} (expected bool, got {type_name(v)})")
