"""Variables visible to a template, and Argo's ``{{...}}`` substitution.

Argo keeps a flat map of dotted names (``inputs.parameters.x``, ``steps.a.outputs.result``,
``workflow.name``) and replaces ``{{name}}`` tags textually; ``{{= expr}}`` tags are
evaluated by expr-lang over the same names, nested into maps.  A ``Scope`` is that flat map.
Unresolved simple tags whose prefix kawa knows (``inputs.``, ``steps.``, ...) are an error
where Argo reports "failed to resolve"; other unknown tags are left as written, as Argo does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from kawa.spec.errors import ExpressionError, KawaError
from kawa.spec.expressions import argo, govalues, tags

#: prefixes whose unresolved references are an error rather than literal text
STRICT_PREFIXES = ("inputs.", "steps.", "tasks.", "workflow.parameters.", "item")
#: in ``when``, only sibling references must resolve (Argo waits for them); the rest stays
WHEN_PREFIXES = ("steps.", "tasks.")


class UnresolvedReference(KawaError):
    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(f"failed to resolve {{{{{reference}}}}}")


class Scope:
    """A flat, immutable-by-convention map of variable name -> value."""

    __slots__ = ("_env", "values")

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self.values: dict[str, Any] = dict(values or {})
        self._env: dict[str, Any] | None = None

    def with_values(self, more: Mapping[str, Any]) -> Scope:
        merged = dict(self.values)
        merged.update(more)
        return Scope(merged)

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def env(self) -> dict[str, Any]:
        """Nested view for expr-lang: ``{"inputs": {"parameters": {...}}, ...}``."""
        if self._env is None:
            self._env = argo.nest(self.values)
        return self._env


def to_text(value: Any) -> str:
    """How a value appears once substituted into a string (Go's JSON for non-strings)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float)):
        return govalues.sprint(value)
    return json.dumps(value, separators=(",", ":"))


def evaluate(source: str, scope: Scope) -> Any:
    """A ``{{= ... }}`` expression's value (the expr-lang parser, ~9 ms to import, is
    loaded by the first workflow that has one)."""
    from kawa.spec.expressions import expr

    return expr.evaluate(source, scope.env())


def render(
    text: str, scope: Scope, *, strict: bool = True, prefixes: tuple[str, ...] = STRICT_PREFIXES
) -> str:
    """Substitute every tag of ``text``; raise UnresolvedReference for known-but-missing."""
    if "{{" not in text:
        return text

    def simple(name: str) -> str | None:
        value = scope.values.get(name)
        if value is None:
            if strict and name.startswith(prefixes):
                raise UnresolvedReference(name)
            return None
        return to_text(value)

    def expression(source: str) -> str | None:
        try:
            value = evaluate(source, scope)
        except ExpressionError:
            if not strict:
                return None
            raise
        return argo.format_result(value, source)

    return tags.render(text, simple, expression)


def substitute(value: Any, scope: Scope, *, strict: bool = True, skip: Iterable[str] = ()) -> Any:
    """Substitute tags in every string of a JSON-like tree (keys in ``skip`` untouched)."""
    skipped = frozenset(skip)
    if isinstance(value, str):
        return render(value, scope, strict=strict)
    if isinstance(value, list):
        return [substitute(v, scope, strict=strict) for v in value]
    if isinstance(value, dict):
        return {
            k: v if k in skipped else substitute(v, scope, strict=strict) for k, v in value.items()
        }
    return value
