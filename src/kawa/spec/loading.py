"""Argo documents from YAML or JSON, with the line and column of every field.

A file holds one or more ``Workflow``, ``WorkflowTemplate``, ``ClusterWorkflowTemplate`` or
``CronWorkflow`` documents.  Loading reads them the way Argo's CLI does
(``workflow/common/parse.go``): text that is valid JSON is one JSON document; anything else
is a YAML stream, read as YAML 1.1 by go-yaml v2 with strict decoding, so a duplicate
mapping key is an error.  Scalars resolve as go-yaml resolves them (``_scalars``), so
``on``/``yes`` are booleans and ``1:30`` stays a string.  ``_yaml_reader`` reads YAML
with positions; JSON is read by ``json`` (values) and the YAML reader (positions).

Documents are numbered from 0 in the order they appear in the file (``Document.index``);
empty documents (nothing, or only comments) are skipped but keep their number.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any

from kawa.spec import _yaml_reader
from kawa.spec._paths import Path, field_path, kind_of, line_column
from kawa.spec._yaml_reader import DEPTH_MESSAGE, MAX_DEPTH, MAX_VALUES, Parsed
from kawa.spec.errors import NotFoundError, Severity, SpecError, SpecIssue
from kawa.spec.frozen import frozen

__all__ = [
    "API_VERSION",
    "KINDS",
    "MAX_DEPTH",
    "MAX_VALUES",
    "Document",
    "Path",
    "Positions",
    "field_path",
    "kind_of",
    "load_file",
    "load_text",
]

API_VERSION = "argoproj.io/v1alpha1"
KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")


@frozen
class Positions:
    """Where each field of a document starts: ``(line, column)``, both 1-based.

    A mapping entry's position is that of its key; a list item's is that of the item.
    """

    marks: Mapping[Path, tuple[int, int]] = field(default_factory=dict)

    def position_of(self, path: Sequence[str | int]) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        key = tuple(path)
        marks = self.marks
        while key not in marks:
            if not key:
                return (1, 1)
            key = key[:-1]
        return marks[key]


@frozen
class Document:
    """One Argo object as written: ``raw`` is exactly the JSON value YAML/JSON gives."""

    file: str
    kind: str
    raw: dict[str, Any]
    positions: Positions
    index: int = 0

    @property
    def name(self) -> str:
        """``metadata.name``, else ``metadata.generateName``, else ``""``."""
        metadata = self.raw.get("metadata")
        if not isinstance(metadata, dict):
            return ""
        for key in ("name", "generateName"):
            value = metadata.get(key)
            if isinstance(value, str) and value:
                return value
        return ""

    def position_of(self, path: Sequence[str | int]) -> tuple[int, int]:
        """Shortcut for ``self.positions.position_of(path)``."""
        return self.positions.position_of(path)

    def issue(
        self, path: Sequence[str | int], message: str, severity: Severity = "error"
    ) -> SpecIssue:
        """A ``SpecIssue`` at ``path`` of this document."""
        line, column = self.positions.position_of(path)
        return SpecIssue(self.file, line, column, field_path(path), message, severity)


def load_file(path: str | os.PathLike[str]) -> list[Document]:
    """Every Argo document in the file at ``path`` (YAML stream or one JSON object).

    Raises ``NotFoundError`` when there is no such file and ``SpecError`` when its
    content is not a valid set of Argo documents.
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise NotFoundError(f"{name}: no such file") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise SpecError([SpecIssue(name, 1, 1, "", f"cannot read the file: {reason}")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = line_column(data[: error.start].decode("utf-8", "replace"))
        message = "the file is not UTF-8 text"
        raise SpecError([SpecIssue(name, line, column, "", message)]) from None
    return load_text(text, file=name)


def load_text(text: str, file: str = "<stdin>") -> list[Document]:
    """Every Argo document in ``text``; ``file`` names it in positions and errors.

    Raises ``SpecError`` listing every problem found: malformed YAML/JSON (with the
    line and column of the error), duplicate keys, documents that are not mappings, a
    missing or wrong ``apiVersion``, a missing or unknown ``kind``.
    """
    parsed = _parse(text, file)
    issues = list(parsed.issues)
    documents: list[Document] = []
    for index, raw, marks in parsed.documents:
        document = _document(file, index, raw, Positions(marks), issues)
        if document is not None:
            documents.append(document)
    if any(issue.severity == "error" for issue in issues):
        raise SpecError(sorted(issues, key=_issue_order))
    return documents


def _issue_order(issue: SpecIssue) -> tuple[int, int]:
    return (issue.line, issue.column)


def _document(
    file: str, index: int, raw: Any, positions: Positions, issues: list[SpecIssue]
) -> Document | None:
    line, column = positions.position_of(())
    if not isinstance(raw, dict):
        message = f"a document must be a mapping (apiVersion, kind, ...), got {kind_of(raw)}"
        issues.append(SpecIssue(file, line, column, "", message))
        return None
    document = Document(file, "", raw, positions, index)
    count = len(issues)
    issues.extend(_check_header(document))
    if len(issues) > count:
        return None
    return Document(file, raw["kind"], raw, positions, index)


def _check_header(document: Document) -> list[SpecIssue]:
    raw = document.raw
    issues: list[SpecIssue] = []
    version = raw.get("apiVersion")
    if version is None:
        message = f"missing required field 'apiVersion' ({API_VERSION})"
        issues.append(document.issue(("apiVersion",), message))
    elif version != API_VERSION:
        message = f"apiVersion must be '{API_VERSION}', got {_shown(version)}"
        issues.append(document.issue(("apiVersion",), message))
    kind = raw.get("kind")
    if kind is None:
        expected = ", ".join(KINDS)
        issues.append(
            document.issue(("kind",), f"missing required field 'kind' (one of {expected})")
        )
    elif kind not in KINDS:
        issues.append(document.issue(("kind",), _unknown_kind(kind)))
    return issues


def _unknown_kind(kind: Any) -> str:
    import difflib  # only on errors: keeps the CLI's start fast

    message = f"unknown kind {_shown(kind)}"
    if isinstance(kind, str):
        folded = {k.lower(): k for k in KINDS}
        close = folded.get(kind.lower()) or next(
            iter(difflib.get_close_matches(kind, KINDS, n=1, cutoff=0.6)), None
        )
        if close:
            message += f"; did you mean '{close}'?"
    return f"{message} (kawa reads {', '.join(KINDS)})"


def _shown(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else f"{kind_of(value)} {json.dumps(value)}"


# --- reading text -----------------------------------------------------------------------


def _parse(text: str, file: str) -> Parsed:
    if text.lstrip()[:1] in ("{", "["):
        parsed = _parse_json(text, file)
        if parsed is not None:
            return parsed
    return _yaml_reader.read(text, file)


def _parse_json(text: str, file: str) -> Parsed | None:
    """A JSON document, or None when ``text`` is not JSON (then it is read as YAML)."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except (ValueError, RecursionError):
        yaml_try = _yaml_reader.read(text, file)
        if not yaml_try.issues:
            return yaml_try
        return _json_error(text, file)
    shadow = _yaml_reader.read(_JSON_ESCAPE.sub(_plain_escape, text), file)  # positions only
    marks: dict[Path, tuple[int, int]] = {(): (1, 1)}
    if len(shadow.documents) == 1:
        marks = shadow.documents[0][2]
    parsed = Parsed(documents=[(0, value, marks)])
    parsed.issues = [i for i in shadow.issues if i.message.startswith("duplicate key")]
    if duplicates and not parsed.issues:
        parsed.issues = [SpecIssue(file, 1, 1, "", f"duplicate key {duplicates[0]!r}")]
    if _too_deep(value):
        parsed.issues.append(SpecIssue(file, 1, 1, "", DEPTH_MESSAGE))
        parsed.documents = []
    return parsed


#: JSON ``\\uXXXX`` escapes (libyaml rejects surrogate pairs) and escaped backslashes
_JSON_ESCAPE = re.compile(r"(\\\\)|\\u[0-9a-fA-F]{4}")


def _plain_escape(match: re.Match[str]) -> str:
    """A same-length escape libyaml accepts, so positions in the text do not move."""
    return match.group(1) or "\\u0041"


def _json_error(text: str, file: str) -> Parsed:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        message = f"invalid JSON: {error.msg}"
        return Parsed(issues=[SpecIssue(file, error.lineno, error.colno, "", message)])
    except (ValueError, RecursionError):
        pass
    return Parsed(issues=[SpecIssue(file, 1, 1, "", f"invalid JSON: {DEPTH_MESSAGE}")])


def _too_deep(value: Any) -> bool:
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(item, dict):
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
    return False
