"""Argo's ``when``: a govaluate expression, evaluated after ``{{...}}`` substitution.

Reproduces ``shouldExecute`` in Argo's ``workflow/controller/steps.go`` on top of
Knetic/govaluate (the archived final version Argo pins):

* Argo passes no variables.  It re-labels every bare word (govaluate's *variable*
  token) as a string, so ``heads == heads`` is ``"heads" == "heads"`` and
  ``Succeeded != Failed`` is true.  ``true`` and ``false`` (lower case only) are booleans;
  ``in``/``IN`` is the operator.
* A bare word with a dot is an *accessor*, not a variable: ``example.com`` is rejected
  ("Unable to access unexported field 'com'") and ``v1.2`` fails at evaluation ("No
  parameter 'v1' found."); quote such values.
* Strings take single or double quotes, and *either* quote ends them (``"it's"`` is
  broken); a backslash escapes any character (``\\n`` is ``n``).  Quoted text that looks
  like a date or time (``'2024-01-01'``, ``'3:04PM'``) is compared as Unix seconds.
* Numbers are floats (``2 == 2.0``); ``0x1F`` is hex.  A word glued to a number
  (``3d6f``) is a syntax error, and ``my-value`` is ``my - value``, which fails because
  strings cannot be subtracted.
* Operators, loosest first: ``,`` (makes a list, for ``in``), ``? : ??``, ``||``, ``&&``,
  ``== != < > <= >= =~ !~ in``, ``& | ^``, ``<< >>``, ``+ -``, ``* / %``, ``**``, prefix
  ``- ! ~``; all left-associative (govaluate parses right-recursively and then mirrors
  equal-precedence chains, which gives the same trees).  Runs of symbol characters are one
  token, so ``x==-1`` is the invalid token ``==-``.
* ``in`` needs a parenthesised list of at least two items: ``"a" in ("a")`` is an error.
* ``+`` joins if either side is a string (``"a" + 1`` is ``"a1"``); ``<`` etc. compare two
  numbers or two strings; ``&&``/``||`` short-circuit and need booleans; ``=~`` is an
  unanchored regular-expression search.
* After a complete expression, leftover tokens are ignored: ``(true) false`` is true.

The result must be a boolean.  Error texts follow Argo's.  Where kawa differs: an empty or
all-blank ``when`` means "run" (Argo crashes on a blank one); dates in quotes are read in
UTC, not the controller's time zone; and regular expressions use Python's engine (RE2
syntax that Python lacks, such as ``\\pL``, is an error).
"""

from __future__ import annotations

import math
from typing import Any

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import govalues
from kawa.spec.expressions import runtime as rt
from kawa.spec.expressions.govaluate_lexer import (
    ACCESSOR,
    BOOLEAN,
    CLAUSE,
    CLAUSE_CLOSE,
    COMPARATOR,
    COMPARATOR_SYMBOLS,
    LOGICALOP,
    MODIFIER,
    MODIFIER_SYMBOLS,
    NUMERIC,
    PATTERN,
    PREFIX,
    SEPARATOR,
    STRING,
    TERNARY,
    TERNARY_SYMBOLS,
    TIME,
    VARIABLE,
    Problem,
    Token,
    check_syntax,
    compile_patterns,
    shown,
    tokenize,
)
from kawa.spec.expressions.govalues import sprint

# -- planning (parsing) -----------------------------------------------------------------

_LEVELS: list[tuple[str, frozenset[str]]] = [
    (SEPARATOR, frozenset({","})),
    (TERNARY, frozenset(TERNARY_SYMBOLS)),
    (LOGICALOP, frozenset({"||"})),
    (LOGICALOP, frozenset({"&&"})),
    (COMPARATOR, frozenset(COMPARATOR_SYMBOLS)),
    (MODIFIER, frozenset({"&", "|", "^"})),
    (MODIFIER, frozenset({"<<", ">>"})),
    (MODIFIER, frozenset({"+", "-"})),
    (MODIFIER, frozenset({"*", "/", "%"})),
    (MODIFIER, frozenset({"**"})),
]

Node = tuple[Any, ...]  # ("lit", v) | ("var", name) | ("acc", parts, args) | ("op", sym, l, r)


class _Planner:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def level(self, index: int) -> Node:
        if index == len(_LEVELS):
            return self.value()
        kind, symbols = _LEVELS[index]
        left = self.level(index + 1)
        while (tok := self.peek()) is not None and tok.kind == kind and tok.value in symbols:
            self.i += 1
            left = ("op", tok.value, left, self.level(index + 1))
        return left

    def value(self) -> Node:
        tok = self.peek()
        if tok is None:
            return ("lit", None)
        self.i += 1
        if tok.kind == CLAUSE:
            inner = self.level(0)
            if self.peek() is None:
                raise Problem("Unbalanced parenthesis")
            self.i += 1  # govaluate assumes this is the closing parenthesis
            return inner
        if tok.kind == CLAUSE_CLOSE:
            self.i -= 1
            return ("lit", None)
        if tok.kind in (NUMERIC, STRING, PATTERN, BOOLEAN, TIME):
            return ("lit", tok.value)
        if tok.kind == VARIABLE:
            return ("var", tok.value)
        if tok.kind == PREFIX:
            return ("prefix", tok.value, self.value())
        if tok.kind == ACCESSOR:
            following = self.peek()
            args = self.level(0) if following is not None and following.kind == CLAUSE else None
            return ("acc", tok.value, args)
        raise Problem(f"Unable to plan token kind: '{tok.kind}', value: '{shown(tok)}'")


# -- evaluation -------------------------------------------------------------------------

_LOGICAL_ERR = "Value '{}' cannot be used with the logical operator '{}', it is not a bool"
_MODIFIER_ERR = "Value '{}' cannot be used with the modifier '{}', it is not a number"
_COMPARATOR_ERR = "Value '{}' cannot be used with the comparator '{}', it is not a number"
_TERNARY_ERR = "Value '{}' cannot be used with the ternary operator '{}', it is not a bool"
_PREFIX_ERR = "Value '{}' cannot be used with the prefix '{}'"

_SKIPPED = object()


def _is_float(v: Any) -> bool:
    return isinstance(v, float)


def _check(ok: bool, fmt: str, value: Any, symbol: str) -> None:
    if not ok:
        raise Problem(fmt.format(sprint(value), symbol))


def _i64(x: float) -> int:
    if not math.isfinite(x) or not govalues.INT64_MIN <= x < 2.0**63:
        return govalues.INT64_MIN
    return int(x)


def _same(a: Any, b: Any) -> bool:
    """Go's ``==`` on two ``interface{}`` values (``in``)."""
    if a is None or b is None:
        return a is None and b is None
    if type(a) is not type(b) or isinstance(a, list):
        return False
    return bool(a == b)


def _eval(node: Node) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "var":
        raise Problem(f"No parameter '{node[1]}' found.")
    if kind == "acc":
        if node[2] is not None:
            _eval(node[2])
        raise Problem(f"No parameter '{node[1][0]}' found.")
    if kind == "prefix":
        return _prefix(node[1], _eval(node[2]))
    return _binary(node[1], node[2], node[3])


def _prefix(symbol: str, value: Any) -> Any:
    if symbol == "!":
        _check(isinstance(value, bool), _PREFIX_ERR, value, symbol)
        return not value
    _check(_is_float(value), _PREFIX_ERR, value, symbol)
    return -value if symbol == "-" else float(~_i64(value))


def _binary(symbol: str, left_node: Node, right_node: Node) -> Any:
    left = _eval(left_node)
    if symbol == "&&" and left is False:
        return False
    if symbol == "||" and left is True:
        return True
    if symbol == "??" and left is not None:
        return left
    skip = (symbol == "?" and left is False) or (symbol == ":" and left is not None)
    right = _SKIPPED if skip else _eval(right_node)
    _type_check(symbol, left, right)
    return _operate(symbol, left, right)


def _type_check(symbol: str, left: Any, right: Any) -> None:
    if symbol in ("<", ">", "<=", ">="):
        ok = (_is_float(left) and _is_float(right)) or (
            isinstance(left, str) and isinstance(right, str)
        )
        _check(ok, _COMPARATOR_ERR, left, symbol)
    elif symbol in ("=~", "!~"):
        _check(isinstance(left, str), _COMPARATOR_ERR, left, symbol)
        _check(isinstance(right, str) or hasattr(right, "search"), _COMPARATOR_ERR, right, symbol)
    elif symbol in ("&&", "||"):
        _check(isinstance(left, bool), _LOGICAL_ERR, left, symbol)
        _check(isinstance(right, bool), _LOGICAL_ERR, right, symbol)
    elif symbol == "in":
        _check(isinstance(right, list), _COMPARATOR_ERR, right, symbol)
    elif symbol == "+":
        ok = (
            (_is_float(left) and _is_float(right))
            or isinstance(left, str)
            or isinstance(right, str)
        )
        _check(ok, _MODIFIER_ERR, left, symbol)
    elif symbol in MODIFIER_SYMBOLS:
        _check(_is_float(left), _MODIFIER_ERR, left, symbol)
        _check(_is_float(right), _MODIFIER_ERR, right, symbol)
    elif symbol == "?":
        _check(isinstance(left, bool), _TERNARY_ERR, left, symbol)


def _operate(symbol: str, left: Any, right: Any) -> Any:
    if symbol in ("==", "!="):
        return rt.deep_equal(left, right) == (symbol == "==")
    if symbol in ("<", ">", "<=", ">="):
        return rt.compare(symbol, left, right)
    if symbol == "&&":
        return left and right
    if symbol == "||":
        return left or right
    if symbol == "in":
        return any(_same(left, item) for item in right)
    if symbol in ("=~", "!~"):
        return _regex(left, right) == (symbol == "=~")
    if symbol == "?":
        return right if left else None
    if symbol in (":", "??"):
        return left if left is not None else right
    if symbol == ",":
        return [*left, right] if isinstance(left, list) else [left, right]
    if symbol == "+" and (isinstance(left, str) or isinstance(right, str)):
        return sprint(left) + sprint(right)
    return _arithmetic(symbol, left, right)


def _regex(text: str, pattern: Any) -> bool:
    if isinstance(pattern, str):
        try:
            pattern = rt.compile_regex(pattern)
        except rt.Fault as err:
            raise Problem(f"Unable to compile regexp pattern '{pattern}': {err.message}") from None
    return pattern.search(text) is not None


def _arithmetic(symbol: str, x: float, y: float) -> float:
    if symbol == "+":
        return x + y
    if symbol == "-":
        return x - y
    if symbol == "*":
        return x * y
    if symbol == "/":
        return rt.divide(x, y)
    if symbol == "%":
        try:
            return math.fmod(x, y)
        except ValueError:
            return math.nan
    if symbol == "**":
        return rt.power(x, y)
    if symbol in ("<<", ">>"):
        value, shift = _i64(x) % 2**64, _i64(y) % 2**64
        shifted = (
            0 if shift >= 64 else (value << shift) % 2**64 if symbol == "<<" else value >> shift
        )
        return float(shifted)
    a, b = _i64(x), _i64(y)
    return float(a & b if symbol == "&" else a | b if symbol == "|" else a ^ b)


# -- Argo's shouldExecute -----------------------------------------------------------------


def _plan(tokens: list[Token]) -> Node:
    check_syntax(tokens)
    compile_patterns(tokens)
    return _Planner(tokens).level(0)


def _fail(what: str, source: str, detail: str) -> ExpressionError:
    # Argo: "<what> '<source>': <detail>"; ExpressionError appends the source itself.
    return ExpressionError(f"{what}: {detail}", source)


def _parse(source: str) -> Node:
    """Argo's two parses: as written, then with bare words turned into strings."""
    try:
        tokens = tokenize(source)
        _plan(list(tokens))
    except Problem as problem:
        detail = str(problem)
        if "Invalid token" in detail:
            detail += ' (hint: try wrapping the affected expression in quotes ("))'
        raise _fail("Invalid 'when' expression", source, detail) from None
    except RecursionError:
        raise _fail("Invalid 'when' expression", source, "nested too deeply") from None
    strings = [Token(STRING, t.value) if t.kind == VARIABLE else t for t in tokens]
    try:
        return _plan(strings)
    except Problem as problem:
        raise _fail("Failed to parse 'when' expression", source, str(problem)) from None
    except RecursionError:
        raise _fail("Failed to parse 'when' expression", source, "nested too deeply") from None


def parse(source: str) -> None:
    """Check ``source`` without evaluating it; raises ``ExpressionError`` on bad syntax."""
    if govalues.trim_space(source) != "":
        _parse(source)


def evaluate(source: str) -> Any:
    """Evaluate a substituted ``when`` the way Argo does; the result may be any value."""
    tree = _parse(source)
    try:
        return _eval(tree)
    except Problem as problem:
        raise _fail("Failed to evaluate 'when' expression", source, str(problem)) from None
    except RecursionError:
        raise _fail("Failed to evaluate 'when' expression", source, "nested too deeply") from None


def evaluate_when(source: str) -> bool:
    """Should a step run?  ``source`` is the ``when`` text after ``{{...}}`` substitution."""
    if govalues.trim_space(source) == "":
        return True
    result = evaluate(source)
    if not isinstance(result, bool):
        raise ExpressionError(f"Expected boolean evaluation. Got {sprint(result)}", source)
    return result
