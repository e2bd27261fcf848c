"""govaluate's lexer, as Argo's ``when`` meets it (Knetic/govaluate, archived final version).

Tokens are read the way govaluate reads them: runs of symbol characters form one token
(``==-`` is one, invalid, token), a letter starts a word that may contain letters, digits,
``_`` and ``.``, a quote starts a string that *either* quote ends, ``[...]`` is a variable,
a backslash escapes any character, and ``-`` is a prefix only where a value may start.
``check_syntax`` then applies govaluate's table of which token kind may follow which, with
its error texts (``Cannot transition token types from NUMERIC [3] to VARIABLE [d6f]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kawa.spec.expressions import gotime, govalues
from kawa.spec.expressions import runtime as rt
from kawa.spec.expressions.govalues import sprint

PREFIX, NUMERIC, BOOLEAN, STRING, PATTERN, TIME = [
    "PREFIX",
    "NUMERIC",
    "BOOLEAN",
    "STRING",
    "PATTERN",
    "TIME",
]
VARIABLE, SEPARATOR, ACCESSOR, COMPARATOR, LOGICALOP = [
    "VARIABLE",
    "SEPARATOR",
    "ACCESSOR",
    "COMPARATOR",
    "LOGICALOP",
]
MODIFIER, CLAUSE, CLAUSE_CLOSE, TERNARY, UNKNOWN = [
    "MODIFIER",
    "CLAUSE",
    "CLAUSE_CLOSE",
    "TERNARY",
    "UNKNOWN",
]

_VALUES = {PREFIX, NUMERIC, BOOLEAN, VARIABLE, PATTERN, ACCESSOR, STRING, TIME, CLAUSE}
_AFTER_VALUE = {MODIFIER, COMPARATOR, LOGICALOP, CLAUSE_CLOSE, TERNARY, SEPARATOR}
#: govaluate's lexer states: may a token of kind K follow one of kind J, and may J end it
_NEXT: dict[str, set[str]] = {
    UNKNOWN: _VALUES,
    CLAUSE: _VALUES | {CLAUSE_CLOSE},
    CLAUSE_CLOSE: {COMPARATOR, MODIFIER, NUMERIC, BOOLEAN, VARIABLE, STRING, PATTERN, TIME}
    | {CLAUSE, CLAUSE_CLOSE, LOGICALOP, TERNARY, SEPARATOR},
    NUMERIC: _AFTER_VALUE,
    BOOLEAN: _AFTER_VALUE,
    STRING: _AFTER_VALUE,
    VARIABLE: _AFTER_VALUE,
    TIME: _AFTER_VALUE - {TERNARY},
    PATTERN: _AFTER_VALUE - {TERNARY},
    MODIFIER: {PREFIX, NUMERIC, VARIABLE, ACCESSOR, STRING, BOOLEAN, CLAUSE, CLAUSE_CLOSE},
    COMPARATOR: _VALUES | {CLAUSE_CLOSE},
    LOGICALOP: (_VALUES - {PATTERN}) | {CLAUSE_CLOSE},
    PREFIX: {NUMERIC, BOOLEAN, VARIABLE, ACCESSOR, CLAUSE, CLAUSE_CLOSE},
    TERNARY: (_VALUES - {PATTERN}) | {SEPARATOR},
    ACCESSOR: _AFTER_VALUE | {CLAUSE},
    SEPARATOR: _VALUES - {PATTERN},
}
_CAN_END = {CLAUSE_CLOSE, NUMERIC, BOOLEAN, STRING, TIME, PATTERN, VARIABLE, ACCESSOR}

PREFIX_SYMBOLS = {"-", "!", "~"}
MODIFIER_SYMBOLS = {"+", "-", "*", "/", "%", "**", "&", "|", "^", ">>", "<<"}
LOGICAL_SYMBOLS = {"&&", "||"}
COMPARATOR_SYMBOLS = {"==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"}
TERNARY_SYMBOLS = {"?", ":", "??"}


@dataclass
class Token:
    kind: str
    value: Any


# -- lexing ---------------------------------------------------------------------------


class _Stream:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def can_read(self) -> bool:
        return self.pos < len(self.text)

    def read(self) -> str:
        if self.pos >= len(self.text):
            raise Problem("Unexpected end of expression after an escaping backslash")
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def read_until_false(
        self, include_ws: bool, break_ws: bool, cond: Callable[[str], bool]
    ) -> tuple[str, bool]:
        """govaluate's ``readUntilFalse`` (always with backslash escaping)."""
        buf: list[str] = []
        while self.can_read():
            ch = self.read()
            if ch == "\\":
                buf.append(self.read())
                continue
            if govalues.is_space(ch):
                if break_ws and buf:
                    return "".join(buf), True
                if not include_ws:
                    continue
            if cond(ch):
                buf.append(ch)
            else:
                self.pos -= 1
                return "".join(buf), True
        return "".join(buf), False

    def token_until_false(self, cond: Callable[[str], bool]) -> str:
        self.pos -= 1
        return self.read_until_false(False, True, cond)[0]


class Problem(Exception):
    """A govaluate error; ``evaluate_when`` wraps it in Argo's message."""


def _is_numeric(ch: str) -> bool:
    return ch.isdecimal() or ch == "."


def _is_hex(ch: str) -> bool:
    return ch.isdecimal() or ch.lower() in "abcdef"


def _is_variable(ch: str) -> bool:
    return ch.isalpha() or ch.isdecimal() or ch in "_."


def _is_symbol(ch: str) -> bool:
    return not (ch.isdecimal() or ch.isalpha() or ch in "()[]'\"")


def _has_upper_form(ch: str) -> bool:
    upper = ch.upper()
    return len(upper) == 1 and upper != ch


def _read_token(stream: _Stream, state: str) -> Token | None:
    while stream.can_read():
        ch = stream.read()
        if govalues.is_space(ch):
            continue
        if _is_numeric(ch):
            return _number(stream, ch)
        if ch == ",":
            return Token(SEPARATOR, ",")
        if ch == "[":
            text, closed = stream.read_until_false(True, False, lambda c: c != "]")
            if not closed:
                raise Problem("Unclosed parameter bracket")
            stream.pos += 1
            return Token(VARIABLE, text)
        if ch.isalpha():
            return _word(stream.token_until_false(_is_variable))
        if ch in "'\"":
            text, closed = stream.read_until_false(True, False, lambda c: c not in "'\"")
            if not closed:
                raise Problem("Unclosed string literal")
            stream.pos += 1
            seconds = gotime.parse_time(text)
            return Token(STRING, text) if seconds is None else Token(TIME, float(seconds))
        if ch == "(":
            return Token(CLAUSE, "(")
        if ch == ")":
            return Token(CLAUSE_CLOSE, ")")
        return _symbol(stream.token_until_false(_is_symbol), state)
    return None


def _number(stream: _Stream, first: str) -> Token:
    if first == "0" and stream.can_read():
        second = stream.read()
        if second == "x" and stream.can_read():
            digits, _ = stream.read_until_false(False, True, _is_hex)
            try:
                if not digits or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise ValueError(digits)
                value = int(digits, 16)
                if value >= 2**64:
                    raise ValueError(digits)
            except ValueError:
                raise Problem(f"Unable to parse hex value '{digits}' to uint64\n") from None
            return Token(NUMERIC, float(value))
        stream.pos -= 1
    text = stream.token_until_false(_is_numeric)
    try:
        return Token(NUMERIC, govalues.parse_float(text))
    except govalues.GoValueError:
        raise Problem(f"Unable to parse numeric value '{text}' to float64\n") from None


def _word(text: str) -> Token:
    if text in ("true", "false"):
        return Token(BOOLEAN, text == "true")
    if text in ("in", "IN"):
        return Token(COMPARATOR, "in")
    if text.find(".") > 0:
        if text.endswith("."):
            raise Problem(f"Hanging accessor on token '{text}'")
        parts = text.split(".")
        for part in parts[1:]:
            if part and _has_upper_form(part[0]):
                raise Problem(f"Unable to access unexported field '{part}' in token '{text}'")
        return Token(ACCESSOR, parts)
    return Token(VARIABLE, text)


def _symbol(text: str, state: str) -> Token:
    if PREFIX in _NEXT[state] and text in PREFIX_SYMBOLS:
        return Token(PREFIX, text)
    for kind, symbols in (
        (MODIFIER, MODIFIER_SYMBOLS),
        (LOGICALOP, LOGICAL_SYMBOLS),
        (COMPARATOR, COMPARATOR_SYMBOLS),
        (TERNARY, TERNARY_SYMBOLS),
    ):
        if text in symbols:
            return Token(kind, text)
    raise Problem(f"Invalid token: '{text}'")


def tokenize(source: str) -> list[Token]:
    """govaluate's lexer: the tokens of ``source`` (bare words still ``VARIABLE``)."""
    stream = _Stream(source)
    tokens: list[Token] = []
    state = UNKNOWN
    while stream.can_read():
        token = _read_token(stream, state)
        if token is None:
            break
        tokens.append(token)
        state = token.kind
    depth = sum(1 if t.kind == CLAUSE else -1 if t.kind == CLAUSE_CLOSE else 0 for t in tokens)
    if depth != 0:
        raise Problem("Unbalanced parenthesis")
    return tokens


def shown(token: Token | None) -> str:
    if token is None:
        return "<nil>"
    if token.kind in (CLAUSE, CLAUSE_CLOSE):
        return str(ord(token.value))  # Go prints the rune's number
    return sprint(token.value)


def check_syntax(tokens: list[Token]) -> None:
    """govaluate's ``checkExpressionSyntax``: every token may follow the one before."""
    state, last = UNKNOWN, None
    for token in tokens:
        if token.kind not in _NEXT[state]:
            if last is not None and last.kind == VARIABLE and token.kind == CLAUSE:
                raise Problem(f"Undefined function {last.value}")
            raise Problem(
                f"Cannot transition token types from {state} [{shown(last)}] "
                f"to {token.kind} [{shown(token)}]"
            )
        state, last = token.kind, token
    if state not in _CAN_END:
        raise Problem("Unexpected end of expression")


def compile_patterns(tokens: list[Token]) -> None:
    for i, token in enumerate(tokens[:-1]):
        nxt = tokens[i + 1]
        if token.kind == COMPARATOR and token.value in ("=~", "!~") and nxt.kind == STRING:
            try:
                tokens[i + 1] = Token(PATTERN, rt.compile_regex(nxt.value))
            except rt.Fault as err:
                raise Problem(err.message) from None
