"""Tree-walking evaluator for expr-lang syntax trees (what expr's compiler + VM do).

Names resolve, innermost first, to ``let`` variables, then Argo's additions (``asInt``,
``asFloat``, ``jsonpath``, ``toJson``, ``sprig``, which shadow environment keys of the same
name as in Argo's ``GetFuncMap``), then the environment.  ``$env`` is the whole
environment.  An unknown name is an error; a missing map key is nil.

``and``/``or``/``&&``/``||`` short-circuit and need booleans; ``??`` yields its right side
only when the left is nil; ``?.`` turns the rest of its chain nil when its base is nil.

Guards against runaway expressions (expr has the same, with the same defaults): arrays,
maps and ranges count against a budget of one million elements per evaluation, and a
string may not grow beyond ten million characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import argo, functions
from kawa.spec.expressions import nodes as n
from kawa.spec.expressions import runtime as rt
from kawa.spec.expressions.govalues import is_list, type_name

MEMORY_BUDGET = 1_000_000


class _ChainNil(Exception):
    """Raised by ``?.`` on a nil base; caught by the enclosing ``Chain`` node."""


class _Scope:
    __slots__ = ("acc", "count", "index", "item", "items")

    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.index = 0
        self.item: Any = None
        self.acc: Any = None
        self.count = 0


class Evaluator:
    def __init__(self, source: str, env: Mapping[str, Any]) -> None:
        self.source = source
        self.env = env
        self.lets: list[tuple[str, Any]] = []
        self.scopes: list[_Scope] = []
        self.memory = 0
        self.dispatch: dict[type[n.Node], Callable[[Any], Any]] = {
            n.Literal: self.literal,
            n.Identifier: self.identifier,
            n.Pointer: self.pointer,
            n.Unary: self.unary,
            n.Binary: self.binary,
            n.Member: self.member,
            n.Chain: self.chain,
            n.Slice: self.slice,
            n.Call: self.call,
            n.Builtin: self.builtin,
            n.Conditional: self.conditional,
            n.Array: self.array,
            n.MapLiteral: self.map_literal,
            n.Let: self.let,
            n.Sequence: self.sequence,
            n.Predicate: self.predicate_outside,
        }

    def eval(self, node: n.Node) -> Any:
        try:
            return self.dispatch[type(node)](node)
        except rt.Fault as fault:
            raise ExpressionError(fault.message, self.source, node.pos) from None

    def grow(self, size: int) -> None:
        self.memory += size
        if self.memory >= MEMORY_BUDGET:
            raise rt.Fault("memory budget exceeded")

    # -- leaves ---------------------------------------------------------------------

    def literal(self, node: n.Literal) -> Any:
        return node.value

    def identifier(self, node: n.Identifier) -> Any:
        found, value = self.lookup(node.name)
        if not found:
            raise rt.Fault(f"unknown name {node.name}")
        return value

    def lookup(self, name: str) -> tuple[bool, Any]:
        for var, value in reversed(self.lets):
            if var == name:
                return True, value
        if name == "$env":
            return True, {**self.env, **argo.EXTRAS}
        if name in argo.EXTRAS:
            return True, argo.EXTRAS[name]
        if name in self.env:
            return True, self.env[name]
        return False, None

    def pointer(self, node: n.Pointer) -> Any:
        scope = self.scopes[-1]
        if node.name == "":
            return scope.item
        if node.name == "index":
            return scope.index
        if node.name == "acc":
            return scope.acc
        raise rt.Fault(f"unknown pointer #{node.name}")

    # -- operators ------------------------------------------------------------------

    def unary(self, node: n.Unary) -> Any:
        value = self.eval(node.operand)
        if node.op in ("not", "!"):
            return not rt.truth(value, node.op)
        if node.op == "-":
            return rt.negate(value)
        return value

    def binary(self, node: n.Binary) -> Any:
        # Walk a left-leaning chain (``1 + 2 + 3 ...``) in a loop, not by recursion.
        spine: list[n.Binary] = []
        current: n.Node = node
        while isinstance(current, n.Binary):
            spine.append(current)
            current = current.left
        value = self.eval(current)
        for link in reversed(spine):
            try:
                value = self.combine(link, value)
            except rt.Fault as fault:
                raise ExpressionError(fault.message, self.source, link.pos) from None
        return value

    def combine(self, node: n.Binary, left: Any) -> Any:
        op = node.op
        if op in ("and", "&&", "or", "||"):
            if rt.truth(left, op) == (op in ("or", "||")):
                return left
            return rt.truth(self.eval(node.right), op)
        if op == "??":
            return left if left is not None else self.eval(node.right)
        right = self.eval(node.right)
        if op == "==":
            return rt.equal(left, right)
        if op == "!=":
            return not rt.equal(left, right)
        if op in ("<", ">", "<=", ">="):
            return rt.compare(op, left, right)
        if op == "in":
            return rt.member_of(left, right)
        if op in ("contains", "startsWith", "endsWith", "matches"):
            return rt.string_test(op, left, right)
        if op == "..":
            result = rt.make_range(left, right)
            self.grow(len(result))
            return result
        return rt.arithmetic(op, left, right)

    def conditional(self, node: n.Conditional) -> Any:
        if rt.truth(self.eval(node.cond), "?:"):
            return self.eval(node.then)
        return self.eval(node.otherwise)

    # -- access ---------------------------------------------------------------------

    def member(self, node: n.Member) -> Any:
        obj = self.eval(node.obj)
        if node.optional and obj is None:
            raise _ChainNil
        return rt.fetch(obj, self.eval(node.prop))

    def chain(self, node: n.Chain) -> Any:
        try:
            return self.eval(node.node)
        except _ChainNil:
            return None

    def slice(self, node: n.Slice) -> Any:
        obj = self.eval(node.obj)
        start = None if node.start is None else self.eval(node.start)
        end = None if node.end is None else self.eval(node.end)
        return rt.slice_of(obj, start, end)

    # -- calls ----------------------------------------------------------------------

    def call(self, node: n.Call) -> Any:
        fn = self.eval(node.callee)
        args = [self.eval(a) for a in node.args]
        if fn is None:
            raise rt.Fault("invalid operation: cannot call nil")
        if not callable(fn):
            raise rt.Fault(f"invalid operation: cannot call non-function of type {type_name(fn)}")
        try:
            result = fn(*args)
        except (rt.Fault, ExpressionError, RecursionError):
            raise
        except Exception as err:  # a Python callable supplied in the environment
            raise rt.Fault(f"{type(err).__name__}: {err}") from None
        return self.sized(result)

    def sized(self, result: Any) -> Any:
        if is_list(result) or isinstance(result, Mapping):
            self.grow(len(result))
        return result

    def builtin(self, node: n.Builtin) -> Any:
        closure = CLOSURES.get(node.name)
        if closure is not None:
            return self.sized(closure(self, node))
        args = [self.eval(a) for a in node.args]
        return self.sized(functions.FUNCTIONS[node.name](args))

    def predicate_outside(self, node: n.Predicate) -> Any:
        raise rt.Fault("a predicate can only be an argument of a builtin such as filter()")

    # -- literals and blocks ----------------------------------------------------------

    def array(self, node: n.Array) -> list[Any]:
        items = [self.eval(item) for item in node.items]
        self.grow(len(items))
        return items

    def map_literal(self, node: n.MapLiteral) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.pairs:
            key = self.eval(key_node)
            if not isinstance(key, str):
                raise ExpressionError(
                    f"map keys must be strings (got {type_name(key)})", self.source, key_node.pos
                )
            result[key] = self.eval(value_node)
        self.grow(len(result))
        return result

    def let(self, node: n.Let) -> Any:
        self.lets.append((node.name, self.eval(node.value)))
        try:
            return self.eval(node.body)
        finally:
            self.lets.pop()

    def sequence(self, node: n.Sequence) -> Any:
        result = None
        for item in node.items:
            result = self.eval(item)
        return result

    # -- closures -------------------------------------------------------------------

    def iterate(self, node: n.Builtin) -> tuple[list[Any], n.Node | None]:
        collection = self.eval(node.args[0])
        if not is_list(collection):
            raise rt.Fault(f"builtin {node.name} takes only array (got {type_name(collection)})")
        body = node.args[1] if len(node.args) > 1 else None
        if isinstance(body, n.Predicate):
            body = body.body
        return list(collection), body

    def apply(self, scope: _Scope, body: n.Node | None, index: int) -> Any:
        scope.index = index
        scope.item = scope.items[index]
        if body is None:
            return scope.item
        self.scopes.append(scope)
        try:
            return self.eval(body)
        finally:
            self.scopes.pop()

    def test(self, scope: _Scope, body: n.Node | None, index: int, name: str) -> bool:
        return rt.truth(self.apply(scope, body, index), f"{name}() predicate")


def _quantifier(name: str) -> Callable[[Evaluator, n.Builtin], Any]:
    def run(ev: Evaluator, node: n.Builtin) -> Any:
        items, body = ev.iterate(node)
        scope = _Scope(items)
        hits = 0
        for i in range(len(items)):
            hit = ev.test(scope, body, i, name)
            if name == "all" and not hit:
                return False
            if name in ("any", "none") and hit:
                return name == "any"
            hits += hit
        if name == "one":
            return hits == 1
        if name == "count":
            return hits
        return name in ("all", "none")

    return run


def _filter(ev: Evaluator, node: n.Builtin) -> list[Any]:
    items, body = ev.iterate(node)
    scope = _Scope(items)
    return [items[i] for i in range(len(items)) if ev.test(scope, body, i, "filter")]


def _map(ev: Evaluator, node: n.Builtin) -> list[Any]:
    items, body = ev.iterate(node)
    scope = _Scope(items)
    return [ev.apply(scope, body, i) for i in range(len(items))]


def _find(name: str) -> Callable[[Evaluator, n.Builtin], Any]:
    def run(ev: Evaluator, node: n.Builtin) -> Any:
        items, body = ev.iterate(node)
        scope = _Scope(items)
        order = range(len(items) - 1, -1, -1) if "Last" in name else range(len(items))
        for i in order:
            if ev.test(scope, body, i, name):
                return i if name.endswith("Index") else items[i]
        return None

    return run


def _sum(ev: Evaluator, node: n.Builtin) -> Any:
    items, body = ev.iterate(node)
    scope = _Scope(items)
    total: Any = 0
    for i in range(len(items)):
        total = rt.arithmetic("+", ev.apply(scope, body, i), total)
    return total


def _group_by(ev: Evaluator, node: n.Builtin) -> dict[Any, list[Any]]:
    items, body = ev.iterate(node)
    scope = _Scope(items)
    groups: dict[Any, list[Any]] = {}
    for i in range(len(items)):
        key = ev.apply(scope, body, i)
        try:
            groups.setdefault(key, []).append(items[i])
        except TypeError:
            raise rt.Fault(f"cannot group by a value of type {type_name(key)}") from None
    return groups


def _sort_by(ev: Evaluator, node: n.Builtin) -> list[Any]:
    items, body = ev.iterate(node)
    order = ev.eval(node.args[2]) if len(node.args) > 2 else "asc"
    if not isinstance(order, str):
        raise rt.Fault("sortBy order argument must be a string")
    if order not in ("asc", "desc"):
        raise rt.Fault("unknown order, use asc or desc")
    scope = _Scope(items)
    keys = [ev.apply(scope, body, i) for i in range(len(items))]
    return functions.sort_values(items, order == "desc", keys)


def _reduce(ev: Evaluator, node: n.Builtin) -> Any:
    items, body = ev.iterate(node)
    scope = _Scope(items)
    start = 0
    if len(node.args) > 2:
        scope.acc = ev.eval(node.args[2])
    elif items:
        scope.acc, start = items[0], 1
    else:
        raise rt.Fault("reduce of empty array with no initial value")
    for i in range(start, len(items)):
        scope.acc = ev.apply(scope, body, i)
    return scope.acc


CLOSURES: dict[str, Callable[[Evaluator, n.Builtin], Any]] = {
    "all": _quantifier("all"),
    "any": _quantifier("any"),
    "none": _quantifier("none"),
    "one": _quantifier("one"),
    "count": _quantifier("count"),
    "filter": _filter,
    "map": _map,
    "find": _find("find"),
    "findIndex": _find("findIndex"),
    "findLast": _find("findLast"),
    "findLastIndex": _find("findLastIndex"),
    "sum": _sum,
    "groupBy": _group_by,
    "sortBy": _sort_by,
    "reduce": _reduce,
}
