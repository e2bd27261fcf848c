"""Tokenizer for expr-lang (github.com/expr-lang/expr v1.17, the language of ``{{= }}``).

Reproduces expr's lexer: quoted strings with Go-style escapes (``\\n``, ``\\x41``,
``\\u00e9``, ``\\U0001F600``, ``\\101``), raw backtick strings (a doubled backtick is a
backtick), ``b"..."`` byte strings, numbers with ``_`` separators and ``0x``/``0o``/``0b``
prefixes, ``//`` and ``/* */`` comments, and operator spelling (``?.``, ``??``, ``..``,
``**``, ``::``, the word operators ``and or not in matches contains startsWith endsWith``).

Identifiers follow Go's ``unicode.IsLetter``/``IsDigit`` plus ``_`` and ``$``.  Positions
are character offsets into the source (expr reports rune offsets, which is the same thing).
"""

from __future__ import annotations

from typing import Literal

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import govalues
from kawa.spec.frozen import frozen

Kind = Literal["Identifier", "Number", "String", "Bytes", "Operator", "Bracket", "EOF"]

WORD_OPERATORS = frozenset(
    {
        "not",
        "in",
        "or",
        "and",
        "matches",
        "contains",
        "startsWith",
        "endsWith",
        "let",
        "if",
        "else",
    }
)


@frozen
class Token:
    kind: Kind
    value: str
    pos: int
    #: decoded bytes of a ``b"..."`` literal
    data: bytes = b""

    def is_(self, kind: Kind, *values: str) -> bool:
        return self.kind == kind and (not values or self.value in values)

    def __str__(self) -> str:
        if self.kind == "EOF" or self.value == "":
            return self.kind
        return f"{self.kind}({govalues.quote_json(self.value, escape_html=False)})"


def is_alpha(ch: str) -> bool:
    return ch == "_" or ch == "$" or ch.isalpha()


def is_alnum(ch: str) -> bool:
    return is_alpha(ch) or ch.isdecimal()


_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
}

_HEX = "0123456789abcdefABCDEF"


class Lexer:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.tokens: list[Token] = []

    def error(self, message: str, pos: int) -> ExpressionError:
        return ExpressionError(message, self.src, pos)

    def peek(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.src[i] if i < len(self.src) else ""

    def emit(self, kind: Kind, value: str, start: int, data: bytes = b"") -> None:
        self.tokens.append(Token(kind, value, start, data))

    def run(self) -> list[Token]:
        while self.pos < len(self.src):
            self.step()
        self.emit("EOF", "", len(self.src))
        return self.tokens

    def step(self) -> None:
        start = self.pos
        ch = self.src[start]
        nxt = self.peek(1)
        if govalues.is_space(ch):
            self.pos += 1
        elif ch in "'\"":
            self.emit("String", self.quoted(ch)[0], start)
        elif ch == "`":
            self.emit("String", self.raw_string(), start)
        elif ch in "bB" and nxt in ("'", '"'):
            self.pos += 1
            text, data = self.quoted(nxt, as_bytes=True)
            self.emit("Bytes", text, start, data)
        elif "0" <= ch <= "9" or (ch == "." and "0" <= nxt <= "9"):
            self.emit("Number", self.number(), start)
        elif ch == "/" and nxt in ("/", "*"):
            self.comment(nxt)
        else:
            self.operator(ch, nxt, start)

    def operator(self, ch: str, nxt: str, start: int) -> None:
        if is_alnum(ch):
            end = start
            while end < len(self.src) and is_alnum(self.src[end]):
                end += 1
            word = self.src[start:end]
            self.pos = end
            self.emit("Operator" if word in WORD_OPERATORS else "Identifier", word, start)
            return
        if ch == "#":
            self.pos += 2 if nxt == "#" else 1
            self.emit("Operator", self.src[start : self.pos], start)
            end = self.pos
            while end < len(self.src) and is_alnum(self.src[end]):
                end += 1
            if end > self.pos:
                self.emit("Identifier", self.src[self.pos : end], self.pos)
                self.pos = end
            return
        pairs = {"?": ".?", "|": "|", ":": ":", ".": ".", "&": "&=*", "!": "&=*"}
        pairs.update({"=": "&=*", "*": "&=*", "<": "&=*", ">": "&=*"})
        if ch in "([{)]}":
            self.pos += 1
            self.emit("Bracket", ch, start)
        elif ch in ",;%+-^/":
            self.pos += 1
            self.emit("Operator", ch, start)
        elif ch in pairs:
            self.pos += 2 if nxt and nxt in pairs[ch] else 1
            self.emit("Operator", self.src[start : self.pos], start)
        else:
            raise self.error(f"unrecognized character: U+{ord(ch):04X} {ch!r}", start)

    def comment(self, kind: str) -> None:
        if kind == "/":
            end = self.src.find("\n", self.pos)
            self.pos = len(self.src) if end < 0 else end + 1
            return
        end = self.src.find("*/", self.pos + 2)
        if end < 0:
            raise self.error("unclosed comment", len(self.src))
        self.pos = end + 2

    # -- numbers --------------------------------------------------------------------

    def number(self) -> str:
        start = self.pos
        digits = "0123456789_"
        if self.peek() == "0" and self.peek(1) in ("x", "X", "o", "O", "b", "B"):
            digits = {"x": _HEX + "_", "o": "01234567_", "b": "01_"}[self.peek(1).lower()]
            self.pos += 2
        self._accept_run(digits)
        if self.peek() == "." and self.peek(1) != ".":
            self.pos += 1
            self._accept_run(digits)
        if self.peek() in ("e", "E"):
            self.pos += 1
            if self.peek() in ("+", "-"):
                self.pos += 1
            self._accept_run(digits)
        if self.peek() and is_alnum(self.peek()):
            self.pos += 1
            word = self.src[start : self.pos]
            raise self.error(f"bad number syntax: {govalues.quote_json(word)}", self.pos - 1)
        return self.src[start : self.pos]

    def _accept_run(self, alphabet: str) -> None:
        while self.peek() and self.peek() in alphabet:
            self.pos += 1

    # -- strings --------------------------------------------------------------------

    def raw_string(self) -> str:
        out: list[str] = []
        i = self.pos + 1
        while True:
            if i >= len(self.src):
                raise self.error("literal not terminated", len(self.src))
            ch = self.src[i]
            if ch == "`":
                if self.src[i + 1 : i + 2] == "`":
                    out.append("`")
                    i += 2
                    continue
                self.pos = i + 1
                return "".join(out)
            out.append(ch)
            i += 1

    def quoted(self, quote: str, as_bytes: bool = False) -> tuple[str, bytes]:
        """Scan a quoted literal starting at ``self.pos`` (the quote) and decode it.

        Returns the text and, for ``b"..."`` literals, its bytes (``\\x``/octal escapes
        are single bytes there, other characters UTF-8).
        """
        i = self.pos + 1
        out: list[str] = []
        data = bytearray()
        while True:
            if i >= len(self.src) or self.src[i] == "\n":
                raise self.error("literal not terminated", min(i, len(self.src)))
            ch = self.src[i]
            if ch == quote:
                self.pos = i + 1
                return "".join(out), bytes(data)
            if ch != "\\":
                if ch == "\r":  # Go normalises raw CR and CRLF in literals to LF
                    ch = "" if self.src[i + 1 : i + 2] == "\n" else "\n"
                out.append(ch)
                if as_bytes:
                    data += ch.encode("utf-8", "replace")
                i += 1
                continue
            code = self.src[i + 1 : i + 2]
            decoded, i = self.escape(i, quote)
            out.append(decoded)
            if as_bytes:
                if code in ("u", "U"):
                    raise self.error("unable to unescape string", i)
                if code == "x" or (code and code in "0123"):
                    data.append(ord(decoded) if ord(decoded) < 256 else 0)
                else:
                    data += decoded.encode("utf-8", "replace")

    def escape(self, i: int, quote: str) -> tuple[str, int]:
        """Decode the escape at ``src[i] == '\\'``; return the text and the next index."""
        code = self.src[i + 1 : i + 2]
        if code in _SIMPLE_ESCAPES and (code not in ("'", '"') or code == quote):
            return _SIMPLE_ESCAPES[code], i + 2
        if code in ("x", "u", "U"):
            if code == "u" and self.src[i + 2 : i + 3] == "{":
                close = self.src.find("}", i + 3)
                body = self.src[i + 3 : close] if close > 0 else ""
                if close < 0 or not 1 <= len(body) <= 6 or any(c not in _HEX for c in body):
                    raise self.error("invalid char escape", i + 1)
                return self._rune(int(body, 16), i), close + 1
            width = {"x": 2, "u": 4, "U": 8}[code]
            body = self.src[i + 2 : i + 2 + width]
            if len(body) < width or any(c not in _HEX for c in body):
                raise self.error("invalid char escape", i + 1)
            return self._rune(int(body, 16), i), i + 2 + width
        if code and code in "01234567":
            body = self.src[i + 1 : i + 4]
            if len(body) < 3 or any(c not in "01234567" for c in body):
                raise self.error("invalid char escape", i + 1)
            if code not in "0123":
                raise self.error("unable to unescape string", i + 1)
            return self._rune(int(body, 8), i), i + 4
        raise self.error("invalid char escape", i + 1)

    def _rune(self, value: int, pos: int) -> str:
        if value > 0x10FFFF:
            raise self.error("unable to unescape string", pos)
        if 0xD800 <= value <= 0xDFFF:
            return "\ufffd"
        return chr(value)


def tokenize(source: str) -> list[Token]:
    """All tokens of ``source``, ending with an ``EOF`` token."""
    return Lexer(source).run()
