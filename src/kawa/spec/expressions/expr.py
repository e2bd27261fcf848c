"""expr-lang, the language of Argo's ``{{= }}`` tags and ``expression`` fields: public API.

``compile(source)`` parses once into a ``Program``; ``Program.evaluate(env)`` runs it
against a (nested) environment as many times as needed; ``evaluate(source, env)`` does
both.  ``evaluate_bool`` is Argo's ``argoexpr.EvalBool`` (hooks, ``retryStrategy``
expressions): the result must be a boolean.

Every failure, in parsing or in evaluation, is an ``ExpressionError`` carrying the source
and the character position; nothing else escapes.

Where kawa differs from Argo: expr's compiler type-checks the expression against the
environment before running it.  kawa checks only while evaluating, so an unknown name or
a wrong type in a branch that is never taken (``false && nosuchname``) is not an error
here, and comparing values of different types with ``==`` is false rather than a compile
error.  The Go-only functions that read the clock (``now``, ``date``, ``duration``,
``timezone``) are rejected, since expressions in kawa are pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import evaluator, govalues, parser
from kawa.spec.expressions import nodes as n
from kawa.spec.frozen import frozen


@frozen
class Program:
    """A parsed expression, ready to evaluate any number of times."""

    source: str
    tree: n.Node

    def evaluate(self, env: Mapping[str, Any] | None = None) -> Any:
        """Run the expression; ``env`` maps top-level names to JSON-like values."""
        try:
            return evaluator.Evaluator(self.source, env or {}).eval(self.tree)
        except ExpressionError:
            raise
        except RecursionError:
            raise ExpressionError("expression is nested too deeply", self.source) from None
        except evaluator._ChainNil:
            return None
        except Exception as err:  # a bug in kawa; still only ExpressionError leaves here
            message = f"internal error: {type(err).__name__}: {err}"
            raise ExpressionError(message, self.source) from err

    def evaluate_bool(self, env: Mapping[str, Any] | None = None) -> bool:
        """Run the expression and require a boolean result (Argo's ``EvalBool``)."""
        result = self.evaluate(env)
        if not isinstance(result, bool):
            raise ExpressionError(
                f"unable to cast expression result '{govalues.sprint(result)}' to bool",
                self.source,
            )
        return result

    def identifiers(self) -> list[str]:
        """Names and dotted member paths the expression reads, as Argo's ``getIdentifiers``.

        ``inputs.parameters.x`` yields ``inputs``, ``inputs.parameters`` and
        ``inputs.parameters.x``.  Paths on the left of ``??`` and before a ``?.`` are left
        out (the expression copes with them missing); Argo uses this list to leave a tag
        unresolved while a late-bound variable (``retries``, ``item`` ...) is not known yet.
        """
        guarded: set[int] = set()
        _mark_guarded(self.tree, guarded)
        found: list[str] = []
        _collect(self.tree, guarded, found)
        return found


def _walk(node: n.Node) -> list[n.Node]:
    """All nodes below and including ``node``, children before parents (expr's order)."""
    out: list[n.Node] = []
    stack: list[tuple[n.Node, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        if expanded:
            out.append(current)
            continue
        stack.append((current, True))
        stack.extend((child, False) for child in reversed(n.children(current)))
    return out


def _mark_guarded(tree: n.Node, guarded: set[int]) -> None:
    for node in _walk(tree):
        if isinstance(node, n.Binary) and node.op == "??":
            guarded.update(id(m) for m in _walk(node.left) if isinstance(m, n.Member))
        if isinstance(node, n.Member) and node.optional and isinstance(node.obj, n.Member):
            guarded.add(id(node.obj))


def _member_path(node: n.Member) -> str | None:
    parts: list[str] = []
    current: n.Node = node
    while isinstance(current, n.Member):
        if current.optional:
            return None
        prop = current.prop
        if not (isinstance(prop, n.Literal) and isinstance(prop.value, str)):
            return None
        parts.append(prop.value)
        current = current.obj
    if not isinstance(current, n.Identifier):
        return None
    parts.append(current.name)
    return ".".join(reversed(parts))


def _collect(tree: n.Node, guarded: set[int], found: list[str]) -> None:
    for node in _walk(tree):
        if id(node) in guarded:
            continue
        name: str | None = None
        if isinstance(node, n.Identifier):
            name = node.name
        elif isinstance(node, n.Member):
            name = _member_path(node)
        if name is not None and name not in found:
            found.append(name)


def compile(source: str) -> Program:
    """Parse ``source``; raises ``ExpressionError`` on a syntax error."""
    try:
        return Program(source, parser.parse(source))
    except ExpressionError:
        raise
    except Exception as err:  # a bug in kawa; still only ExpressionError leaves here
        message = f"internal error: {type(err).__name__}: {err}"
        raise ExpressionError(message, source) from err


def evaluate(source: str, env: Mapping[str, Any] | None = None) -> Any:
    """Parse and run ``source`` against ``env``."""
    return compile(source).evaluate(env)


def evaluate_bool(source: str, env: Mapping[str, Any] | None = None) -> bool:
    """Parse and run ``source``; the result must be a boolean."""
    return compile(source).evaluate_bool(env)
