"""The ``sprig`` namespace Argo puts into every expression (Masterminds/sprig v3.3).

Argo exposes ``sprig.GenericFuncMap()`` (minus ``env`` and ``expandenv``) as the map
``sprig``; expressions call ``sprig.trim(x)``.  Sprig was written for Go templates, so
arguments come in *template* order: the value being worked on is last
(``sprig.replace("old", "new", s)``, ``sprig.contains("needle", s)``,
``sprig.default("fallback", value)``).

Each function here takes Go's parameter types strictly, as Go's ``reflect.Call`` does: a
float where sprig wants an ``int`` is an error, ``nil`` becomes the zero value (``""``,
``0``).  Sprig's own leniency is kept: ``int``/``float64``/``atoi`` turn unparsable
strings into 0, ``fromJson`` gives nil and ``b64dec`` gives the error text on bad input.

Not available in kawa (pure expressions): clock, random, UUID, crypto key, network and
environment functions (``now``, ``date``, ``randAlphaNum``, ``uuidv4``, ``genPrivateKey``,
``getHostByName`` ...); calling one raises an ``ExpressionError`` that says so.  Semver,
``merge`` and the certificate helpers are not implemented.
"""

from __future__ import annotations

import base64
import math
import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Any

from kawa.spec.expressions import functions as fn
from kawa.spec.expressions import govalues
from kawa.spec.expressions import runtime as rt
from kawa.spec.expressions.govalues import is_int, is_list, sprint, type_name

SprigFunction = Callable[..., Any]

_GO_TYPES = {"s": "string", "i": "int", "a": "interface {}", "m": "map[string]interface {}"}


def _coerce(kind: str, value: Any) -> Any:
    if kind == "a":
        return value
    if value is None:
        return {"s": "", "i": 0, "m": {}}[kind]
    ok = {
        "s": isinstance(value, str),
        "i": is_int(value),
        "m": isinstance(value, Mapping),
    }[kind]
    if not ok:
        raise rt.Fault(f"reflect: Call using {type_name(value)} as type {_GO_TYPES[kind]}")
    return value


def go(params: str, body: Callable[..., Any]) -> SprigFunction:
    """Wrap ``body`` with Go's arity and type rules; ``params`` like ``"is"`` or ``"a*a"``."""
    fixed, star, rest = params.partition("*")

    def call(*args: Any) -> Any:
        if (star and len(args) < len(fixed)) or (not star and len(args) != len(fixed)):
            expected = f"at least {len(fixed)}" if star else str(len(fixed))
            raise rt.Fault(f"invalid number of arguments: expected {expected}, got {len(args)}")
        kinds = fixed + rest * (len(args) - len(fixed))
        return body(*(_coerce(k, a) for k, a in zip(kinds, args, strict=True)))

    return call


def strval(v: Any) -> str:
    return v if isinstance(v, str) else sprint(v)


def strslice(v: Any) -> list[str]:
    if is_list(v):
        return [strval(x) for x in v if x is not None]
    return [] if v is None else [strval(v)]


def empty(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str | bytes | Mapping) or is_list(v):
        return len(v) == 0
    if isinstance(v, bool):
        return not v
    if isinstance(v, int | float):
        return v == 0
    return False


def to_int64(v: Any) -> int:
    """``cast.ToInt64``: numbers truncated, strings parsed (base prefixes, ``1.00``), else 0."""
    if isinstance(v, bool):
        return int(v)
    if is_int(v):
        return int(v)
    if isinstance(v, float):
        return rt.to_int(v)
    if isinstance(v, str):
        text = re.sub(r"\.0+$", "", v) if "." in v else v
        try:
            return govalues.parse_int(text, 0)
        except govalues.GoValueError:
            return 0
    return 0


def to_float64(v: Any) -> float:
    """``cast.ToFloat64``: numbers, parsable strings, bools; else 0."""
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return govalues.parse_float(v)
        except govalues.GoValueError:
            return 0.0
    return 0.0


def go_quote(s: str) -> str:
    """``strconv.Quote``."""
    out = ['"']
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    named |= {"\v": "\\v", '"': '\\"', "\\": "\\\\"}
    for ch in s:
        if ch in named:
            out.append(named[ch])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out) + '"'


def substr(start: int, end: int, s: str) -> str:
    data = s.encode("utf-8", "replace")
    if start < 0:
        lo, hi = 0, end
    elif end < 0 or end > len(data):
        lo, hi = start, len(data)
    else:
        lo, hi = start, end
    if not 0 <= lo <= hi <= len(data):
        raise rt.Fault(f"runtime error: slice bounds out of range [{lo}:{hi}]")
    return data[lo:hi].decode("utf-8", "replace")


def trunc(c: int, s: str) -> str:
    data = s.encode("utf-8", "replace")
    if c < 0 and len(data) + c > 0:
        return data[len(data) + c :].decode("utf-8", "replace")
    if c >= 0 and len(data) > c:
        return data[:c].decode("utf-8", "replace")
    return s


def title(s: str) -> str:
    out, prev = [], " "
    for ch in s:
        separator = not (prev.isalnum() or prev == "_")
        out.append(ch.title() if separator and len(ch.title()) == 1 else ch)
        prev = ch
    return "".join(out)


def untitle(s: str) -> str:
    out, prev = [], " "
    for ch in s:
        out.append(fn.go_lower(ch) if govalues.is_space(prev) else ch)
        prev = ch
    return "".join(out)


def until_step(start: int, stop: int, step: int) -> list[int]:
    if (stop < start and step >= 0) or (stop >= start and step <= 0):
        return []
    if abs(stop - start) // max(abs(step), 1) > fn.MAX_REPEAT:
        raise rt.Fault("memory budget exceeded")
    return list(range(start, stop, step))


def seq(*params: int) -> str:
    if len(params) == 1:
        start, end, step = 1, params[0], 1 if params[0] >= 1 else -1
    elif len(params) == 2:
        start, end = params
        step = 1 if end >= start else -1
    elif len(params) == 3:
        start, step, end = params
        if end < start and step > 0:
            return ""
    else:
        return ""
    increment = -1 if end < start else 1
    return " ".join(str(i) for i in until_step(start, end + increment, step))


def int_div(a: Any, b: Any, op: str) -> int:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise rt.Fault("runtime error: integer divide by zero")
    quotient = abs(x) // abs(y)
    if op == "/":
        return quotient if (x >= 0) == (y >= 0) else -quotient
    remainder = abs(x) % abs(y)
    return remainder if x >= 0 else -remainder


def decimal_op(op: str) -> SprigFunction:
    def call(first: Any, *rest: Any) -> float:
        import decimal

        context = decimal.Context(prec=34)
        total = decimal.Decimal(repr(to_float64(first)))
        for x in rest:
            d = decimal.Decimal(repr(to_float64(x)))
            if op == "+":
                total = context.add(total, d)
            elif op == "-":
                total = context.subtract(total, d)
            elif op == "*":
                total = context.multiply(total, d)
            elif d == 0:
                raise rt.Fault("decimal division by 0")
            else:
                total = context.divide(total, d).quantize(decimal.Decimal("1e-16"), context=context)
        return float(total)

    return call


def go_base(p: str) -> str:
    if p == "":
        return "."
    p = p.rstrip("/")
    return "/" if p == "" else p.rsplit("/", 1)[-1]


def go_clean(p: str) -> str:
    if p == "":
        return "."
    cleaned = posixpath.normpath(p)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def go_dir(p: str) -> str:
    return go_clean(p[: p.rfind("/") + 1]) if "/" in p else "."


def go_ext(p: str) -> str:
    for i in range(len(p) - 1, -1, -1):
        if p[i] == "/":
            return ""
        if p[i] == ".":
            return p[i:]
    return ""


def regex_replace(pattern: str, s: str, repl: str, literal: bool = False) -> str:
    regex = rt.compile_regex(pattern)
    if literal:
        return regex.sub(lambda _m: repl, s)

    def expand(m: re.Match[str]) -> str:
        # Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a literal $.
        def group(g: re.Match[str]) -> str:
            name = g.group(1) or g.group(2)
            try:
                return m.group(int(name) if name.isdigit() else name) or ""
            except (IndexError, re.error):
                return ""

        text = repl.replace("$$", "\0")
        return re.sub(r"\$(?:\{(\w+)\}|(\w+))", group, text).replace("\0", "$")

    return regex.sub(expand, s)


def _or_default(thunk: Callable[[], Any], default: Any) -> Any:
    try:
        return thunk()
    except (rt.Fault, govalues.GoValueError):
        return default


def regex_find_all(pattern: str, s: str, n: int) -> list[str]:
    found = [m.group(0) for m in rt.compile_regex(pattern).finditer(s)]
    return found if n < 0 else found[:n]


def regex_split(pattern: str, s: str, n: int) -> list[str]:
    if n == 0:
        return []
    parts = rt.compile_regex(pattern).split(s, maxsplit=max(n - 1, 0))
    return [p for p in parts if isinstance(p, str)]


def b64dec(s: str) -> str:
    try:
        return fn.decode_base64(s)
    except rt.Fault as err:
        return err.message


def from_json(s: str) -> Any:
    try:
        return govalues.unmarshal(s)
    except govalues.GoValueError:
        return None


def to_json(v: Any, indent: bool = False, html: bool = True) -> str:
    try:
        return govalues.marshal(v, indent=indent, escape_html=html)
    except govalues.GoValueError:
        return ""


def must(name: str, kind: str) -> SprigFunction:
    def call(v: Any) -> Any:
        if not is_list(v):
            raise rt.Fault(f"Cannot find {name} on type {type_name(v)}")
        items = list(v)
        if kind == "first":
            return items[0] if items else None
        if kind == "last":
            return items[-1] if items else None
        if not items:
            return None
        return items[1:] if kind == "rest" else items[:-1]

    return call


def uniq(v: Any) -> list[Any]:
    out: list[Any] = []
    for x in _list("uniq", v):
        if not any(rt.deep_equal(x, y) for y in out):
            out.append(x)
    return out


def _list(name: str, v: Any) -> list[Any]:
    if not is_list(v):
        raise rt.Fault(f"Cannot {name} on type {type_name(v)}")
    return list(v)


def slice_(v: Any, *indices: Any) -> list[Any]:
    items = _list("slice", v)
    lo = to_int64(indices[0]) if indices else 0
    hi = to_int64(indices[1]) if len(indices) > 1 else len(items)
    if not 0 <= lo <= hi <= len(items):
        raise rt.Fault(f"runtime error: slice bounds out of range [{lo}:{hi}]")
    return items[lo:hi]


def dict_(*v: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(v), 2):
        out[strval(v[i])] = v[i + 1] if i + 1 < len(v) else ""
    return out


def impure(name: str) -> SprigFunction:
    def call(*_args: Any) -> Any:
        raise rt.Fault(f"sprig.{name} is not available in kawa: expressions are pure")

    return call


def _hash(algorithm: str) -> SprigFunction:
    def digest(s: str) -> str:
        import hashlib

        return hashlib.new(algorithm, s.encode("utf-8", "replace")).hexdigest()

    return go("s", digest)


def _adler32(s: str) -> str:
    import zlib

    return str(zlib.adler32(s.encode("utf-8", "replace")))


def _kind(v: Any) -> str:
    if v is None:
        return "invalid"
    names = {bool: "bool", int: "int", float: "float64", str: "string"}
    for t, name in names.items():
        if type(v) is t:
            return name
    return "slice" if is_list(v) else "map" if isinstance(v, Mapping) else "func"


SPRIG: dict[str, SprigFunction] = {
    # strings
    "trim": go("s", govalues.trim_space),
    "upper": go("s", fn.go_upper),
    "lower": go("s", fn.go_lower),
    "title": go("s", title),
    "untitle": go("s", untitle),
    "substr": go("iis", substr),
    "trunc": go("is", trunc),
    "repeat": go("is", lambda n, s: fn.repeat([s, n])),
    "trimAll": go("ss", lambda cut, s: s.strip(cut)),
    "trimall": go("ss", lambda cut, s: s.strip(cut)),
    "trimPrefix": go("ss", lambda p, s: s.removeprefix(p)),
    "trimSuffix": go("ss", lambda p, s: s.removesuffix(p)),
    "nospace": go("s", lambda s: "".join(c for c in s if not govalues.is_space(c))),
    "contains": go("ss", lambda sub, s: sub in s),
    "hasPrefix": go("ss", lambda p, s: s.startswith(p)),
    "hasSuffix": go("ss", lambda p, s: s.endswith(p)),
    "quote": go("*a", lambda *v: " ".join(go_quote(strval(x)) for x in v if x is not None)),
    "squote": go("*a", lambda *v: " ".join(f"'{sprint(x)}'" for x in v if x is not None)),
    "cat": go("*a", lambda *v: " ".join(sprint(x) for x in v if x is not None)),
    "indent": go("is", lambda n, s: " " * n + s.replace("\n", "\n" + " " * n)),
    "nindent": go("is", lambda n, s: "\n" + " " * n + s.replace("\n", "\n" + " " * n)),
    "replace": go("sss", lambda old, new, s: s.replace(old, new)),
    "plural": go("ssi", lambda one, many, n: one if n == 1 else many),
    "toString": go("a", strval),
    "split": go("ss", lambda sep, s: {f"_{i}": p for i, p in enumerate(fn.go_split(s, sep) or [])}),
    "splitList": go("ss", lambda sep, s: fn.go_split(s, sep)),
    "splitn": go(
        "sis", lambda sep, n, s: {f"_{i}": p for i, p in enumerate(fn.go_split(s, sep, n) or [])}
    ),
    "join": go("sa", lambda sep, v: sep.join(strslice(v))),
    "sortAlpha": go("a", lambda v: sorted(strslice(v)) if is_list(v) else [strval(v)]),
    "toStrings": go("a", strslice),
    # numbers
    "atoi": go("s", lambda s: _or_default(lambda: govalues.atoi(s), 0)),
    "int": go("a", to_int64),
    "int64": go("a", to_int64),
    "float64": go("a", to_float64),
    "seq": go("*i", seq),
    "until": go("i", lambda n: until_step(0, n, 1 if n >= 0 else -1)),
    "untilStep": go("iii", until_step),
    "add1": go("a", lambda a: govalues.wrap_int(to_int64(a) + 1)),
    "add": go("*a", lambda *v: govalues.wrap_int(sum(to_int64(x) for x in v))),
    "sub": go("aa", lambda a, b: govalues.wrap_int(to_int64(a) - to_int64(b))),
    "mul": go("a*a", lambda a, *v: govalues.wrap_int(math.prod([to_int64(a), *map(to_int64, v)]))),
    "div": go("aa", lambda a, b: int_div(a, b, "/")),
    "mod": go("aa", lambda a, b: int_div(a, b, "%")),
    "add1f": go("a", lambda a: decimal_op("+")(a, 1)),
    "addf": go("*a", lambda *v: decimal_op("+")(0.0, *v)),
    "subf": go("a*a", decimal_op("-")),
    "mulf": go("a*a", decimal_op("*")),
    "divf": go("a*a", decimal_op("/")),
    "max": go("a*a", lambda a, *v: max([to_int64(a), *map(to_int64, v)])),
    "biggest": go("a*a", lambda a, *v: max([to_int64(a), *map(to_int64, v)])),
    "min": go("a*a", lambda a, *v: min([to_int64(a), *map(to_int64, v)])),
    "maxf": go("a*a", lambda a, *v: max([to_float64(a), *map(to_float64, v)])),
    "minf": go("a*a", lambda a, *v: min([to_float64(a), *map(to_float64, v)])),
    "floor": go("a", lambda a: math.floor(to_float64(a)) * 1.0),
    "ceil": go("a", lambda a: math.ceil(to_float64(a)) * 1.0),
    # defaults and JSON
    "default": go("a*a", lambda d, *given: d if not given or empty(given[0]) else given[0]),
    "empty": go("a", empty),
    "coalesce": go("*a", lambda *v: next((x for x in v if not empty(x)), None)),
    "all": go("*a", lambda *v: all(not empty(x) for x in v)),
    "any": go("*a", lambda *v: any(not empty(x) for x in v)),
    "compact": go("a", lambda v: [x for x in _list("compact", v) if not empty(x)]),
    "ternary": go("aa" + "a", lambda t, f, c: t if rt.truth(c, "ternary") else f),
    "fromJson": go("s", from_json),
    "toJson": go("a", to_json),
    "toPrettyJson": go("a", lambda v: to_json(v, indent=True)),
    "toRawJson": go("a", lambda v: to_json(v, html=False)),
    # lists and dicts
    "list": go("*a", lambda *v: list(v)),
    "tuple": go("*a", lambda *v: list(v)),
    "dict": go("*a", dict_),
    "get": go("ms", lambda d, k: d.get(k, "")),
    "hasKey": go("ms", lambda d, k: k in d),
    "keys": go("*m", lambda *ds: [k for d in ds for k in d]),
    "values": go("m", lambda d: list(d.values())),
    "pick": go("m*s", lambda d, *ks: {k: d[k] for k in ks if k in d}),
    "omit": go("m*s", lambda d, *ks: {k: v for k, v in d.items() if k not in ks}),
    "pluck": go("s*m", lambda k, *ds: [d[k] for d in ds if k in d]),
    "first": go("a", must("first", "first")),
    "last": go("a", must("last", "last")),
    "rest": go("a", must("rest", "rest")),
    "initial": go("a", must("initial", "initial")),
    "append": go("aa", lambda v, x: [*_list("push", v), x]),
    "push": go("aa", lambda v, x: [*_list("push", v), x]),
    "prepend": go("aa", lambda v, x: [x, *_list("prepend", v)]),
    "reverse": go("a", lambda v: _list("reverse", v)[::-1]),
    "uniq": go("a", uniq),
    "without": go("a*a", lambda v, *o: [x for x in _list("without", v) if x not in o]),
    "has": go("aa", lambda x, v: any(rt.deep_equal(x, y) for y in _list("has", v))),
    "concat": go("*a", lambda *ls: [x for items in ls for x in _list("concat", items)]),
    "slice": go("a*a", slice_),
    # encoding, paths, hashes, regex, reflection
    "b64enc": go("s", lambda s: base64.b64encode(s.encode("utf-8", "replace")).decode()),
    "b64dec": go("s", b64dec),
    "b32enc": go("s", lambda s: base64.b32encode(s.encode("utf-8", "replace")).decode()),
    "base": go("s", go_base),
    "dir": go("s", go_dir),
    "clean": go("s", go_clean),
    "ext": go("s", go_ext),
    "isAbs": go("s", lambda p: p.startswith("/")),
    "sha1sum": _hash("sha1"),
    "sha256sum": _hash("sha256"),
    "sha512sum": _hash("sha512"),
    "adler32sum": go("s", _adler32),
    "regexMatch": go("ss", lambda p, s: _or_default(lambda: bool(_search(p, s)), False)),
    "mustRegexMatch": go("ss", lambda p, s: bool(_search(p, s))),
    "regexFind": go("ss", lambda p, s: m.group(0) if (m := _search(p, s)) else ""),
    "regexFindAll": go("ssi", regex_find_all),
    "regexReplaceAll": go("sss", regex_replace),
    "regexReplaceAllLiteral": go("sss", lambda p, s, r: regex_replace(p, s, r, literal=True)),
    "regexSplit": go("ssi", regex_split),
    "regexQuoteMeta": go("s", lambda s: re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", s)),
    "typeOf": go("a", type_name),
    "kindOf": go("a", _kind),
    "kindIs": go("sa", lambda k, v: _kind(v) == k),
    "typeIs": go("sa", lambda t, v: type_name(v) == t),
    "deepEqual": go("aa", rt.deep_equal),
}

_IMPURE = """now date dateInZone date_in_zone dateModify date_modify mustDateModify
    must_date_modify ago duration durationRound htmlDate htmlDateInZone toDate mustToDate
    unixEpoch randAlphaNum randAlpha randAscii randNumeric randInt randBytes shuffle uuidv4
    genPrivateKey derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert
    genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES bcrypt
    htpasswd getHostByName env expandenv"""
for _name in _IMPURE.split():
    SPRIG[_name] = impure(_name)


def _search(pattern: str, s: str) -> re.Match[str] | None:
    return rt.compile_regex(pattern).search(s)
