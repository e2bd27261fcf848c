"""expr-lang's built-in functions (expr's ``builtin`` package), minus the closures.

The closure-taking builtins (``filter``, ``map``, ``all`` ...) live in the evaluator; this
module holds the plain ones, each taking the evaluated argument list.  Behaviour follows
expr v1.17 as Argo runs it:

* ``toJSON`` indents with two spaces (``json.MarshalIndent``), sorts map keys and escapes
  ``<``, ``>``, ``&``; Argo's ``toJson`` (in ``argo.py``) is the compact form.
* ``fromJSON`` turns every JSON number into a float (Go's ``interface{}`` decoding).
* ``int("1.5")`` is an error (``strconv.Atoi``); ``int(1.9)`` is 1.
* ``indexOf``/``lastIndexOf`` count UTF-8 bytes, ``len`` counts characters, as in Go.
* ``first``/``last``/``get`` give nil instead of failing; ``keys``/``values`` keep the
  map's insertion order (Go's order is random, so any order is faithful).

Not available in kawa, because expressions are pure: ``now``, ``date``, ``duration`` and
``timezone``; they raise an ``ExpressionError`` that says so.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

from kawa.spec.expressions import govalues
from kawa.spec.expressions import runtime as rt
from kawa.spec.expressions.govalues import is_int, is_list, is_number, type_name

Function = Callable[[list[Any]], Any]

MAX_REPEAT = 1_000_000


def arity(name: str, args: list[Any], low: int, high: int | None = None) -> None:
    top = low if high is None else high
    if not low <= len(args) <= top:
        expected = str(low) if low == top else f"{low} to {top}" if top < 99 else f"{low}+"
        raise rt.Fault(
            f"invalid number of arguments for {name} (expected {expected}, got {len(args)})"
        )


def want_str(name: str, v: Any) -> str:
    if not isinstance(v, str):
        raise rt.Fault(f"cannot use {type_name(v)} as argument (type string) to call {name}")
    return v


def want_int(name: str, v: Any) -> int:
    if not is_int(v):
        raise rt.Fault(f"cannot use {type_name(v)} as argument (type int) to call {name}")
    return int(v)


def want_list(name: str, v: Any) -> list[Any]:
    if not is_list(v):
        raise rt.Fault(f"invalid argument for {name} (type {type_name(v)})")
    return list(v)


def want_map(name: str, v: Any) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise rt.Fault(f"cannot get {name} from {type_name(v)}")
    return v


def strings(*params: str) -> Callable[[Callable[..., Any]], Function]:
    """Adapt ``fn(str, ...)`` to a builtin taking an argument list; ``?`` marks optional."""

    def wrap(fn: Callable[..., Any]) -> Function:
        required = sum(1 for p in params if not p.endswith("?"))

        def call(args: list[Any]) -> Any:
            name = fn.__name__.rstrip("_")
            arity(name, args, required, len(params))
            values = [
                want_int(name, a) if p.startswith("i") else want_str(name, a)
                for p, a in zip(params, args, strict=False)
            ]
            return fn(*values)

        return call

    return wrap


# -- conversions ----------------------------------------------------------------------


def to_int(v: Any) -> int:
    """expr's ``int()`` (also Argo's ``asInt``)."""
    if is_int(v):
        return int(v)
    if isinstance(v, float):
        return rt.to_int(v)
    if isinstance(v, str):
        try:
            return govalues.atoi(v)
        except govalues.GoValueError:
            raise rt.Fault(f"invalid operation: int({v})") from None
    raise rt.Fault(f"invalid operation: int({type_name(v)})")


def to_float(v: Any) -> float:
    """expr's ``float()`` (also Argo's ``asFloat``)."""
    if is_number(v):
        return float(v)
    if isinstance(v, str):
        try:
            return govalues.parse_float(v)
        except govalues.GoValueError:
            raise rt.Fault(f"invalid operation: float({v})") from None
    raise rt.Fault(f"invalid operation: float({type_name(v)})")


def go_upper(s: str) -> str:
    return "".join(u if len(u := c.upper()) == 1 else c for c in s)


def go_lower(s: str) -> str:
    return "".join(u if len(u := c.lower()) == 1 else c for c in s)


def go_split(s: str, sep: str, n: int = -1, after: bool = False) -> list[Any] | None:
    """``strings.Split``/``SplitN``/``SplitAfter``/``SplitAfterN``."""
    if n == 0:
        return None
    if sep == "":
        chars = list(s)
        if 0 < n < len(chars):
            chars = [*chars[: n - 1], "".join(chars[n - 1 :])]
        return list(chars)
    parts = s.split(sep, n - 1 if n > 0 else -1)
    if after:
        parts = [p + sep for p in parts[:-1]] + parts[-1:]
    return list(parts)


def byte_index(s: str, sub: str, last: bool = False) -> int:
    i = s.rfind(sub) if last else s.find(sub)
    return -1 if i < 0 else len(s[:i].encode("utf-8", "replace"))


def type_of(v: Any) -> str:
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if is_list(v) or isinstance(v, bytes):
        return "array"
    if isinstance(v, Mapping):
        return "map"
    return "func" if callable(v) else "unknown"


def go_round(x: float) -> float:
    if not math.isfinite(x):
        return x
    return math.copysign(math.floor(abs(x) + 0.5), x)


def rounding(name: str, fn: Callable[[float], float]) -> Function:
    def call(args: list[Any]) -> Any:
        arity(name, args, 1)
        if not is_number(args[0]):
            raise rt.Fault(f"invalid argument for {name} (type {type_name(args[0])})")
        x = float(args[0])
        return fn(x) if math.isfinite(x) else x

    return call


def abs_(args: list[Any]) -> Any:
    arity("abs", args, 1)
    v = args[0]
    if is_int(v):
        return govalues.wrap_int(abs(v))
    if isinstance(v, float):
        return abs(v)
    raise rt.Fault(f"invalid argument for abs (type {type_name(v)})")


# -- aggregates -----------------------------------------------------------------------


def _numbers(name: str, args: list[Any], depth: int = 0) -> list[int | float]:
    if depth > 100:
        raise rt.Fault("recursion depth exceeded")
    out: list[int | float] = []
    for a in args:
        if is_number(a):
            out.append(a)
        elif is_list(a):
            out.extend(_numbers(name, list(a), depth + 1))
        else:
            raise rt.Fault(f"invalid argument for {name} (type {type_name(a)})")
    return out


def min_max(name: str) -> Function:
    def call(args: list[Any]) -> Any:
        if not args:
            raise rt.Fault(f"not enough arguments to call {name}")
        if len(args) == 1 and not (is_number(args[0]) or is_list(args[0])):
            return args[0]
        best: Any = None
        for x in _numbers(name, args):
            if best is None or (rt.compare(">" if name == "max" else "<", x, best)):
                best = x
        return best

    return call


def mean(args: list[Any]) -> float:
    if not args:
        raise rt.Fault("not enough arguments to call mean")
    values = _numbers("mean", args)
    return math.fsum(values) / len(values) if values else 0.0


def median(args: list[Any]) -> float:
    if not args:
        raise rt.Fault("not enough arguments to call median")
    values = sorted(float(v) for v in _numbers("median", args))
    if not values:
        return 0.0
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


# -- JSON and base64 --------------------------------------------------------------------


def to_json(args: list[Any]) -> str:
    arity("toJSON", args, 1)
    try:
        return govalues.marshal(args[0], indent=True)
    except govalues.GoValueError as err:
        raise rt.Fault(str(err)) from None


def from_json(args: list[Any]) -> Any:
    arity("fromJSON", args, 1)
    try:
        return govalues.unmarshal(want_str("fromJSON", args[0]))
    except govalues.GoValueError as err:
        raise rt.Fault(str(err)) from None


def to_base64(args: list[Any]) -> str:
    arity("toBase64", args, 1)
    return base64.b64encode(want_str("toBase64", args[0]).encode("utf-8", "replace")).decode()


def decode_base64(text: str) -> str:
    """``base64.StdEncoding.DecodeString`` (padding required; CR and LF ignored)."""
    cleaned = text.replace("\r", "").replace("\n", "")
    try:
        if len(cleaned) % 4:
            raise binascii.Error("illegal base64 data")
        data = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise rt.Fault("illegal base64 data at input byte 0") from None
    return data.decode("utf-8", "replace")


def from_base64(args: list[Any]) -> str:
    arity("fromBase64", args, 1)
    return decode_base64(want_str("fromBase64", args[0]))


# -- collections ----------------------------------------------------------------------


def safe_fetch(obj: Any, key: Any) -> Any:
    """``get``/``first``/``last``: like ``obj[key]`` but nil instead of an error."""
    if obj is None:
        return None
    try:
        return rt.fetch(obj, key)
    except rt.Fault:
        return None


def get(args: list[Any]) -> Any:
    if len(args) < 2:
        raise rt.Fault(f"invalid number of arguments (expected 2, got {len(args)})")
    obj, key = args[0], args[1]
    if isinstance(obj, Mapping) and not isinstance(key, str | None):
        raise rt.Fault(f"cannot use {type_name(key)} as map key (type string)")
    return safe_fetch(obj, key)


def take(args: list[Any]) -> list[Any]:
    arity("take", args, 2)
    items = want_list("take", args[0])
    return items[: max(0, want_int("take", args[1]))]


def keys(args: list[Any]) -> list[Any]:
    arity("keys", args, 1)
    return list(want_map("keys", args[0]).keys())


def values(args: list[Any]) -> list[Any]:
    arity("values", args, 1)
    return list(want_map("values", args[0]).values())


def to_pairs(args: list[Any]) -> list[Any]:
    arity("toPairs", args, 1)
    return [[k, v] for k, v in want_map("pairs", args[0]).items()]


def from_pairs(args: list[Any]) -> dict[Any, Any]:
    arity("fromPairs", args, 1)
    out: dict[Any, Any] = {}
    for pair in want_list("fromPairs", args[0]):
        if not is_list(pair) or len(pair) != 2:
            raise rt.Fault(f"invalid pair {govalues.sprint(pair)}")
        try:
            out[pair[0]] = pair[1]
        except TypeError:
            raise rt.Fault(f"invalid map key {govalues.sprint(pair[0])}") from None
    return out


def reverse(args: list[Any]) -> list[Any]:
    arity("reverse", args, 1)
    return want_list("reverse", args[0])[::-1]


def uniq(args: list[Any]) -> list[Any]:
    arity("uniq", args, 1)
    out: list[Any] = []
    for item in want_list("uniq", args[0]):
        if not any(rt.equal(item, seen) for seen in out):
            out.append(item)
    return out


def concat(args: list[Any]) -> list[Any]:
    if not args:
        raise rt.Fault("invalid number of arguments (expected at least 1, got 0)")
    out: list[Any] = []
    for a in args:
        if not is_list(a):
            raise rt.Fault(f"cannot concat {type_name(a)}")
        out.extend(a)
    return out


def flatten(args: list[Any]) -> list[Any]:
    arity("flatten", args, 1)

    def walk(items: list[Any], depth: int) -> list[Any]:
        if depth > 100:
            raise rt.Fault("recursion depth exceeded")
        out: list[Any] = []
        for x in items:
            out.extend(walk(list(x), depth + 1) if is_list(x) else [x])
        return out

    return walk(want_list("flatten", args[0]), 0)


def sort_values(items: list[Any], desc: bool, keyed: list[Any] | None = None) -> list[Any]:
    """Sort with expr's ``<`` (numbers or strings, never mixed)."""
    pairs = list(zip(keyed if keyed is not None else items, items, strict=True))

    def order(a: tuple[Any, Any], b: tuple[Any, Any]) -> int:
        x, y = (b[0], a[0]) if desc else (a[0], b[0])
        if rt.compare("<", x, y):
            return -1
        return 1 if rt.compare("<", y, x) else 0

    return [item for _, item in sorted(pairs, key=functools.cmp_to_key(order))]


def sort_order(value: Any) -> bool:
    if not isinstance(value, str):
        raise rt.Fault(f"sort order argument must be a string (got {type_name(value)})")
    if value not in ("asc", "desc"):
        raise rt.Fault(f"invalid order {value}, expected asc or desc")
    return value == "desc"


def sort(args: list[Any]) -> list[Any] | None:
    arity("sort", args, 1, 2)
    desc = sort_order(args[1]) if len(args) == 2 else False
    if not is_list(args[0]):
        return None
    return sort_values(list(args[0]), desc)


def bit(name: str, op: Callable[[int, int], int]) -> Function:
    def call(args: list[Any]) -> int:
        arity(name, args, 2)
        x, y = (want_int(name, a) for a in args)
        if name in ("bitshl", "bitshr", "bitushr") and y < 0:
            raise rt.Fault(f"invalid operation: negative shift count {y} (type int)")
        return govalues.wrap_int(op(x, y))

    return call


def bitnot(args: list[Any]) -> int:
    arity("bitnot", args, 1)
    return ~want_int("bitnot", args[0])


def impure(name: str) -> Function:
    def call(args: list[Any]) -> Any:
        raise rt.Fault(f"{name}() is not available in kawa: expressions are pure (no clock)")

    return call


# -- strings --------------------------------------------------------------------------


@strings("s", "s?")
def trim(s: str, cutset: str | None = None) -> str:
    return govalues.trim_space(s) if cutset is None else s.strip(cutset)


@strings("s", "s?")
def trimPrefix(s: str, prefix: str = " ") -> str:
    return s.removeprefix(prefix)


@strings("s", "s?")
def trimSuffix(s: str, suffix: str = " ") -> str:
    return s.removesuffix(suffix)


@strings("s", "s", "i?")
def split(s: str, sep: str, n: int = -1) -> list[Any] | None:
    return go_split(s, sep, n)


@strings("s", "s", "i?")
def splitAfter(s: str, sep: str, n: int = -1) -> list[Any] | None:
    return go_split(s, sep, n, after=True)


@strings("s", "s", "s", "i?")
def replace(s: str, old: str, new: str, n: int = -1) -> str:
    if n < 0:
        n = -1
    result = s.replace(old, new, n)
    if len(result) > rt.MAX_STRING:
        raise rt.Fault("memory budget exceeded")
    return result


@strings("s", "i")
def repeat(s: str, n: int) -> str:
    if n < 0:
        raise rt.Fault(f"invalid argument for repeat (expected positive integer, got {n})")
    if n > MAX_REPEAT or len(s) * n > rt.MAX_STRING:
        raise rt.Fault("memory budget exceeded")
    return s * n


@strings("s", "s")
def indexOf(s: str, sub: str) -> int:
    return byte_index(s, sub)


@strings("s", "s")
def lastIndexOf(s: str, sub: str) -> int:
    return byte_index(s, sub, last=True)


@strings("s", "s")
def hasPrefix(s: str, prefix: str) -> bool:
    return s.startswith(prefix)


@strings("s", "s")
def hasSuffix(s: str, suffix: str) -> bool:
    return s.endswith(suffix)


@strings("s")
def upper(s: str) -> str:
    return go_upper(s)


@strings("s")
def lower(s: str) -> str:
    return go_lower(s)


def join(args: list[Any]) -> str:
    arity("join", args, 1, 2)
    glue = want_str("join", args[1]) if len(args) == 2 else ""
    return glue.join(want_str("join", x) for x in want_list("join", args[0]))


def one_arg(name: str, fn: Callable[[Any], Any]) -> Function:
    def call(args: list[Any]) -> Any:
        arity(name, args, 1)
        return fn(args[0])

    return call


FUNCTIONS: dict[str, Function] = {
    "len": one_arg("len", rt.length),
    "type": one_arg("type", type_of),
    "abs": abs_,
    "ceil": rounding("ceil", math.ceil),
    "floor": rounding("floor", math.floor),
    "round": rounding("round", go_round),
    "int": one_arg("int", to_int),
    "float": one_arg("float", to_float),
    "string": one_arg("string", govalues.sprint),
    "trim": trim,
    "trimPrefix": trimPrefix,
    "trimSuffix": trimSuffix,
    "upper": upper,
    "lower": lower,
    "split": split,
    "splitAfter": splitAfter,
    "replace": replace,
    "repeat": repeat,
    "join": join,
    "indexOf": indexOf,
    "lastIndexOf": lastIndexOf,
    "hasPrefix": hasPrefix,
    "hasSuffix": hasSuffix,
    "max": min_max("max"),
    "min": min_max("min"),
    "mean": mean,
    "median": median,
    "toJSON": to_json,
    "fromJSON": from_json,
    "toBase64": to_base64,
    "fromBase64": from_base64,
    "first": one_arg("first", lambda v: safe_fetch(v, 0)),
    "last": one_arg("last", lambda v: safe_fetch(v, -1)),
    "get": get,
    "take": take,
    "keys": keys,
    "values": values,
    "toPairs": to_pairs,
    "fromPairs": from_pairs,
    "reverse": reverse,
    "uniq": uniq,
    "concat": concat,
    "flatten": flatten,
    "sort": sort,
    "bitand": bit("bitand", lambda x, y: x & y),
    "bitor": bit("bitor", lambda x, y: x | y),
    "bitxor": bit("bitxor", lambda x, y: x ^ y),
    "bitnand": bit("bitnand", lambda x, y: x & ~y),
    "bitshl": bit("bitshl", lambda x, y: x << min(y, 64)),
    "bitshr": bit("bitshr", lambda x, y: x >> min(y, 64)),
    "bitushr": bit("bitushr", lambda x, y: (x % 2**64) >> min(y, 64)),
    "bitnot": bitnot,
    "now": impure("now"),
    "date": impure("date"),
    "duration": impure("duration"),
    "timezone": impure("timezone"),
}
