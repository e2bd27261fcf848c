"""The syntax tree of an expr-lang expression.

One frozen dataclass per construct of expr's ``ast`` package that kawa supports.  Every
node records ``pos``, the character offset errors point at.
"""

from __future__ import annotations

from typing import Any

from kawa.spec.frozen import frozen


@frozen
class Node:
    pos: int


@frozen
class Literal(Node):
    """``nil``, ``true``, ``42``, ``1.5``, ``"text"``, ``b"bytes"``."""

    value: Any


@frozen
class Identifier(Node):
    name: str


@frozen
class Pointer(Node):
    """``#`` (``name == ""``), ``#index`` or ``#acc`` inside a predicate."""

    name: str


@frozen
class Unary(Node):
    op: str
    operand: Node


@frozen
class Binary(Node):
    op: str
    left: Node
    right: Node


@frozen
class Member(Node):
    """``obj.name``, ``obj?.name``, ``obj[key]``."""

    obj: Node
    prop: Node
    optional: bool = False


@frozen
class Chain(Node):
    """The extent of an optional chain: a nil met by ``?.`` inside makes it nil."""

    node: Node


@frozen
class Slice(Node):
    obj: Node
    start: Node | None
    end: Node | None


@frozen
class Call(Node):
    """A call of a value: ``f(x)`` (f from the environment) or ``obj.method(x)``."""

    callee: Node
    args: tuple[Node, ...]


@frozen
class Builtin(Node):
    """A call of one of expr's built-in functions (``len``, ``filter``, ``toJSON`` ...)."""

    name: str
    args: tuple[Node, ...]


@frozen
class Predicate(Node):
    """A closure argument: ``{# > 1}`` or a bare predicate expression."""

    body: Node


@frozen
class Conditional(Node):
    cond: Node
    then: Node
    otherwise: Node


@frozen
class Array(Node):
    items: tuple[Node, ...]


@frozen
class MapLiteral(Node):
    pairs: tuple[tuple[Node, Node], ...]


@frozen
class Let(Node):
    name: str
    value: Node
    body: Node


@frozen
class Sequence(Node):
    """``a; b``: evaluates each, yields the last."""

    items: tuple[Node, ...]


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of ``node``, in source order."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Member):
        return (node.obj, node.prop)
    if isinstance(node, Chain | Predicate):
        return (node.node,) if isinstance(node, Chain) else (node.body,)
    if isinstance(node, Slice):
        return tuple(n for n in (node.obj, node.start, node.end) if n is not None)
    if isinstance(node, Call):
        return (node.callee, *node.args)
    if isinstance(node, Builtin):
        return node.args
    if isinstance(node, Conditional):
        return (node.cond, node.then, node.otherwise)
    if isinstance(node, Array):
        return node.items
    if isinstance(node, MapLiteral):
        return tuple(n for pair in node.pairs for n in pair)
    if isinstance(node, Let):
        return (node.value, node.body)
    if isinstance(node, Sequence):
        return node.items
    return ()
