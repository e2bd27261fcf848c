"""Parser for expr-lang: precedence climbing over ``lexer`` tokens, producing ``nodes``.

Follows expr v1.17's grammar and precedences (lowest first): ``|`` pipe, ``or ||``,
``and &&``, comparisons and ``in matches contains startsWith endsWith`` (``not in`` ...),
``..``, ``+ -``, ``* / %``, unary ``not ! - +``, ``** ^`` (right-associative), ``??``.
Details kept from expr:

* ``a < b < c`` means ``a < b && b < c``;
* ``x | f(y)`` is ``f(x, y)``; the name after ``|`` must be a plain function name;
* ``??`` may not be mixed with another operator without parentheses;
* ``c ? a : b``, ``c ?: b``, ``if c { a } else { b }``, ``let x = 1; x + 1``;
* inside a predicate (the closure argument of ``filter``/``map``/``all``/... ) ``#`` is
  the element, ``#index`` its index, ``#acc`` the accumulator, and ``.name`` means
  ``#.name``;
* at most 10,000 nodes per expression (expr's default).
"""

from __future__ import annotations

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import govalues
from kawa.spec.expressions import nodes as n
from kawa.spec.expressions.lexer import Token, tokenize

MAX_NODES = 10_000
MAX_DEPTH = 150

BINARY: dict[str, tuple[int, bool]] = {
    # operator: (precedence, right-associative)
    "|": (0, False),
    "or": (10, False),
    "||": (10, False),
    "and": (15, False),
    "&&": (15, False),
    "==": (20, False),
    "!=": (20, False),
    "<": (20, False),
    ">": (20, False),
    ">=": (20, False),
    "<=": (20, False),
    "in": (20, False),
    "matches": (20, False),
    "contains": (20, False),
    "startsWith": (20, False),
    "endsWith": (20, False),
    "..": (25, False),
    "+": (30, False),
    "-": (30, False),
    "*": (60, False),
    "/": (60, False),
    "%": (60, False),
    "**": (100, True),
    "^": (100, True),
    "??": (500, False),
}
UNARY = {"not": 50, "!": 50, "-": 90, "+": 90}
COMPARISONS = frozenset({"<", ">", "<=", ">="})
NEGATABLE = frozenset({"in", "matches", "contains", "startsWith", "endsWith"})

#: expr's built-in functions (parsed into ``Builtin`` nodes, never looked up in the env)
BUILTINS = frozenset(
    """all none any one filter map find findIndex findLast findLastIndex count sum groupBy
    sortBy reduce len type abs ceil floor round int float string trim trimPrefix trimSuffix
    upper lower split splitAfter replace repeat join indexOf lastIndexOf hasPrefix hasSuffix
    max min mean median toJSON fromJSON toBase64 fromBase64 now duration date timezone first
    last get take keys values toPairs fromPairs reverse uniq concat flatten sort bitand bitor
    bitxor bitnand bitshl bitshr bitushr bitnot""".split()  # noqa: SIM905
)

# Predicate builtins: argument kinds, "e" expression, "p" predicate, "?" marks optional.
PREDICATES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ["all", "none", "any", "one", "filter", "map", "find", "findIndex", "findLast"],
        ("e", "p"),
    ),
    "findLastIndex": ("e", "p"),
    "groupBy": ("e", "p"),
    "count": ("e", "p?"),
    "sum": ("e", "p?"),
    "sortBy": ("e", "p", "e?"),
    "reduce": ("e", "p", "e?"),
}


class Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.tokens = tokenize(source)
        self.i = 0
        self.predicate_depth = 0
        self.depth = 0
        self.count = 0

    # -- token helpers --------------------------------------------------------------

    @property
    def cur(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if self.i < len(self.tokens) - 1:
            self.i += 1
        return tok

    def error(self, message: str, tok: Token | None = None) -> ExpressionError:
        return ExpressionError(message, self.src, (tok or self.cur).pos)

    def unexpected(self, tok: Token | None = None) -> ExpressionError:
        tok = tok or self.cur
        if tok.kind == "EOF":
            return self.error("unexpected end of expression", tok)
        return self.error(f"unexpected token {tok}", tok)

    def expect(self, kind: str, value: str | None = None) -> Token:
        tok = self.cur
        if tok.kind != kind or (value is not None and tok.value != value):
            raise self.unexpected()
        return self.advance()

    def node(self, cls: type[n.Node], *args: object, pos: int) -> n.Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.error("compilation failed: expression exceeds maximum allowed nodes")
        return cls(pos, *args)

    # -- grammar --------------------------------------------------------------------

    def parse(self) -> n.Node:
        tree = self.sequence()
        if not self.cur.is_("EOF"):
            raise self.unexpected()
        return tree

    def sequence(self) -> n.Node:
        first = self.expression(0)
        items = [first]
        while self.cur.is_("Operator", ";"):
            self.advance()
            if self.cur.is_("EOF"):
                break
            items.append(self.expression(0))
        if len(items) == 1:
            return first
        return self.node(n.Sequence, tuple(items), pos=first.pos)

    def expression(self, precedence: int) -> n.Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression is nested too deeply")
        try:
            return self._expression(precedence)
        finally:
            self.depth -= 1

    def _expression(self, precedence: int) -> n.Node:
        if precedence == 0 and self.cur.is_("Operator", "let"):
            return self.let()
        if precedence == 0 and self.cur.is_("Operator", "if"):
            return self.if_else()
        left = self.primary()
        previous = ""
        while self.cur.kind == "Operator":
            tok = self.cur
            negate = tok.value == "not"
            if negate:
                following = self.tokens[self.i + 1]
                if following.value not in NEGATABLE or following.kind != "Operator":
                    raise self.unexpected(following)
                if BINARY[following.value][0] < precedence:
                    break
                self.advance()
                tok = self.cur
            spec = BINARY.get(tok.value)
            if spec is None or spec[0] < precedence:
                break
            self.advance()
            op, (prec, right_assoc) = tok.value, spec
            if op == "|":
                name = self.expect("Identifier")
                left = self.call(name, [left])
            elif previous == "??" and op != "??":
                raise self.error(
                    f"Operator ({op}) and coalesce expressions (??) cannot be mixed. "
                    "Wrap either by parentheses.",
                    tok,
                )
            elif op in COMPARISONS:
                left = self.comparison(left, tok)
            else:
                right = self.expression(prec if right_assoc else prec + 1)
                left = self.node(n.Binary, op, left, right, pos=tok.pos)
                if negate:
                    left = self.node(n.Unary, "not", left, pos=tok.pos)
            previous = op
        if precedence == 0:
            left = self.conditional(left)
        return left

    def comparison(self, left: n.Node, tok: Token) -> n.Node:
        prec = BINARY[tok.value][0]
        result: n.Node | None = None
        while True:
            right = self.expression(prec + 1)
            cmp = self.node(n.Binary, tok.value, left, right, pos=tok.pos)
            result = cmp if result is None else self.node(n.Binary, "&&", result, cmp, pos=tok.pos)
            left = right
            tok = self.cur
            if not (tok.kind == "Operator" and tok.value in COMPARISONS):
                return result
            self.advance()

    def conditional(self, cond: n.Node) -> n.Node:
        while self.cur.is_("Operator", "?"):
            tok = self.advance()
            if self.cur.is_("Operator", ":"):
                self.advance()
                then, otherwise = cond, self.expression(0)
            else:
                then = self.expression(0)
                self.expect("Operator", ":")
                otherwise = self.expression(0)
            cond = self.node(n.Conditional, cond, then, otherwise, pos=tok.pos)
        return cond

    def let(self) -> n.Node:
        self.advance()
        name = self.expect("Identifier")
        self.expect("Operator", "=")
        value = self.expression(0)
        self.expect("Operator", ";")
        body = self.sequence()
        return self.node(n.Let, name.value, value, body, pos=name.pos)

    def if_else(self) -> n.Node:
        tok = self.advance()
        cond = self.expression(0)
        self.expect("Bracket", "{")
        then = self.sequence()
        self.expect("Bracket", "}")
        self.expect("Operator", "else")
        if self.cur.is_("Operator", "if"):
            otherwise = self.if_else()
        else:
            self.expect("Bracket", "{")
            otherwise = self.sequence()
            self.expect("Bracket", "}")
        return self.node(n.Conditional, cond, then, otherwise, pos=tok.pos)

    def primary(self) -> n.Node:
        tok = self.cur
        if tok.kind == "Operator" and tok.value in UNARY:
            self.advance()
            operand = self.expression(UNARY[tok.value])
            return self.postfix(self.node(n.Unary, tok.value, operand, pos=tok.pos))
        if tok.is_("Bracket", "("):
            self.advance()
            inner = self.sequence()
            self.expect("Bracket", ")")
            return self.postfix(inner)
        if self.predicate_depth > 0 and tok.kind == "Operator" and tok.value in ("#", "."):
            name = ""
            if tok.value == "#":
                self.advance()
                if self.cur.kind == "Identifier":
                    name = self.advance().value
            return self.postfix(self.node(n.Pointer, name, pos=tok.pos))
        if tok.is_("Operator", "::"):
            self.advance()
            return self.postfix(self.call(self.expect("Identifier"), []))
        return self.secondary()

    def secondary(self) -> n.Node:
        tok = self.cur
        node: n.Node
        if tok.kind == "Identifier":
            self.advance()
            literals = {"true": True, "false": False, "nil": None}
            if tok.value in literals:
                return self.node(n.Literal, literals[tok.value], pos=tok.pos)
            if self.cur.is_("Bracket", "("):
                node = self.call(tok, [])
            else:
                node = self.node(n.Identifier, tok.value, pos=tok.pos)
        elif tok.kind == "Number":
            self.advance()
            return self.node(n.Literal, self.number(tok), pos=tok.pos)
        elif tok.kind == "String":
            self.advance()
            node = self.node(n.Literal, tok.value, pos=tok.pos)
        elif tok.kind == "Bytes":
            self.advance()
            node = self.node(n.Literal, tok.data, pos=tok.pos)
        elif tok.is_("Bracket", "["):
            node = self.array()
        elif tok.is_("Bracket", "{"):
            node = self.map_literal()
        else:
            raise self.unexpected()
        return self.postfix(node)

    def number(self, tok: Token) -> int | float:
        text = tok.value.replace("_", "")
        lower = text.lower()
        try:
            if lower.startswith(("0x", "0b", "0o")):
                return govalues.parse_int(text, 0)
            if "." in lower or "e" in lower:
                return govalues.parse_float(text)
            return govalues.parse_int(text, 10)
        except govalues.GoValueError as err:
            kind = {"0x": "hex", "0b": "binary", "0o": "octal"}.get(lower[:2])
            if kind is None:
                kind = "float" if "." in lower or "e" in lower else "integer"
            raise self.error(f"invalid {kind} literal: {err}", tok) from None

    def call(self, name: Token, args: list[n.Node]) -> n.Node:
        spec = PREDICATES.get(name.value)
        if spec is not None:
            self.expect("Bracket", "(")
            remaining = spec[len(args) :]
            for index, kind in enumerate(remaining):
                if self.cur.is_("Bracket", ")"):
                    if kind.endswith("?"):
                        break
                    raise self.error(f"expected at least {len(remaining)} arguments")
                if index > 0:
                    self.expect("Operator", ",")
                args.append(self.predicate() if kind.startswith("p") else self.expression(0))
            if self.cur.is_("Operator", ","):
                self.advance()
            self.expect("Bracket", ")")
            return self.node(n.Builtin, name.value, tuple(args), pos=name.pos)
        args = self.arguments(args)
        if name.value in BUILTINS:
            return self.node(n.Builtin, name.value, tuple(args), pos=name.pos)
        callee = self.node(n.Identifier, name.value, pos=name.pos)
        return self.node(n.Call, callee, tuple(args), pos=name.pos)

    def arguments(self, args: list[n.Node]) -> list[n.Node]:
        offset = len(args)
        self.expect("Bracket", "(")
        while not self.cur.is_("Bracket", ")"):
            if len(args) > offset:
                self.expect("Operator", ",")
            if self.cur.is_("Bracket", ")"):
                break
            args.append(self.expression(0))
        self.expect("Bracket", ")")
        return args

    def predicate(self) -> n.Node:
        start = self.cur
        braces = start.is_("Bracket", "{")
        if braces:
            self.advance()
        self.predicate_depth += 1
        try:
            if braces:
                body = self.sequence()
            else:
                body = self.expression(0)
                if self.cur.is_("Operator", ";"):
                    raise self.error("wrap predicate with brackets { and }")
        finally:
            self.predicate_depth -= 1
        if braces:
            self.expect("Bracket", "}")
        return self.node(n.Predicate, body, pos=start.pos)

    def array(self) -> n.Node:
        start = self.expect("Bracket", "[")
        items: list[n.Node] = []
        while not self.cur.is_("Bracket", "]"):
            if items:
                self.expect("Operator", ",")
                if self.cur.is_("Bracket", "]"):
                    break
            items.append(self.expression(0))
        self.expect("Bracket", "]")
        return self.node(n.Array, tuple(items), pos=start.pos)

    def map_literal(self) -> n.Node:
        start = self.expect("Bracket", "{")
        pairs: list[tuple[n.Node, n.Node]] = []
        while not self.cur.is_("Bracket", "}"):
            if pairs:
                self.expect("Operator", ",")
                if self.cur.is_("Bracket", "}"):
                    break
                if self.cur.is_("Operator", ","):
                    raise self.unexpected()
            tok = self.cur
            key: n.Node
            if tok.kind in ("Number", "String", "Identifier"):
                self.advance()
                key = self.node(n.Literal, tok.value, pos=tok.pos)
            elif tok.is_("Bracket", "("):
                key = self.expression(0)
            else:
                raise self.error(
                    "a map key must be a quoted string, a number, a identifier, or an "
                    f"expression enclosed in parentheses (unexpected token {tok})"
                )
            self.expect("Operator", ":")
            pairs.append((key, self.expression(0)))
        self.expect("Bracket", "}")
        return self.node(n.MapLiteral, tuple(pairs), pos=start.pos)

    def postfix(self, node: n.Node) -> n.Node:
        while self.cur.kind in ("Operator", "Bracket"):
            tok = self.cur
            if tok.value in (".", "?."):
                node = self.member(node, tok)
            elif tok.value == "[":
                node = self.subscript(node, optional=False, tok=tok)
            else:
                return node
        return node

    def member(self, node: n.Node, tok: Token) -> n.Node:
        optional = tok.value == "?."
        self.advance()
        if optional and self.cur.is_("Bracket", "["):
            return self.subscript(node, optional=True, tok=self.cur)
        prop = self.advance()
        if prop.kind != "Identifier" and not (
            prop.kind == "Operator" and prop.value[:1].isalpha() and prop.value.isalnum()
        ):
            raise self.error("expected name", prop)
        is_chain = isinstance(node, n.Chain)
        base = node.node if isinstance(node, n.Chain) else node
        key = self.node(n.Literal, prop.value, pos=prop.pos)
        result = self.node(n.Member, base, key, optional, pos=prop.pos)
        if self.cur.is_("Bracket", "("):
            result = self.node(n.Call, result, tuple(self.arguments([])), pos=prop.pos)
        if is_chain or optional:
            result = self.node(n.Chain, result, pos=prop.pos)
        return result

    def subscript(self, node: n.Node, optional: bool, tok: Token) -> n.Node:
        self.advance()
        start: n.Node | None = None
        end: n.Node | None = None
        if not self.cur.is_("Operator", ":"):
            start = self.expression(0)
            if not self.cur.is_("Operator", ":"):
                self.expect("Bracket", "]")
                result = self.node(n.Member, node, start, optional, pos=tok.pos)
                return self.node(n.Chain, result, pos=tok.pos) if optional else result
        self.advance()
        if not self.cur.is_("Bracket", "]"):
            end = self.expression(0)
        self.expect("Bracket", "]")
        return self.node(n.Slice, node, start, end, pos=tok.pos)


def parse(source: str) -> n.Node:
    """Parse ``source`` into a syntax tree; raises ``ExpressionError`` on bad syntax."""
    try:
        return Parser(source).parse()
    except RecursionError:
        raise ExpressionError("expression is nested too deeply", source, None) from None
