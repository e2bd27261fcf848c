"""kawa's error vocabulary.

Every error kawa raises on purpose is a ``KawaError``; callers branch on the type, never on
the text (Argo's ``IsMissingVariableErr`` greps error strings; we do not).  ``SpecError``
carries one or more ``SpecIssue``s, each naming the file, line, column and field path of
the problem and what would be valid, so the CLI can print ``file:line:col: field: message``.
"""

from __future__ import annotations

from typing import Literal

from kawa.spec.frozen import frozen

Severity = Literal["error", "warning"]


class KawaError(Exception):
    """Base of every error kawa raises deliberately; the CLI prints it as one line."""


@frozen
class SpecIssue:
    """One problem in a document: where it is, which field, and what is expected."""

    file: str
    line: int
    column: int
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        tag = "" if self.severity == "error" else "warning: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {tag}{field}{self.message}"


class SpecError(KawaError):
    """A document (YAML/JSON workflow, template, parameters) is not valid."""

    def __init__(self, issues: list[SpecIssue]) -> None:
        self.issues = issues
        errors = [i for i in issues if i.severity == "error"] or issues
        super().__init__("\n".join(str(i) for i in errors))


class ExpressionError(KawaError):
    """An expression (``when``, ``depends``, ``{{= ...}}``) cannot be parsed or evaluated."""

    def __init__(self, message: str, source: str = "", position: int | None = None) -> None:
        self.source = source
        self.position = position
        self.reason = message
        where = f" at position {position}" if position is not None else ""
        text = f"{message}{where}"
        if source:
            text += f" in expression {source!r}"
        super().__init__(text)


class NotFoundError(KawaError):
    """A named thing (workflow, template, node, configmap...) does not exist."""


class ConflictError(KawaError):
    """The request conflicts with the current state (e.g. rerun of a running workflow)."""
