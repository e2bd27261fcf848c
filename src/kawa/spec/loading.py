"""Argo documents from YAML or JSON, with the line and column of every field.

A file holds one or more ``Workflow``, ``WorkflowTemplate``, ``ClusterWorkflowTemplate`` or
``CronWorkflow`` documents.  Loading reads them the way Argo's CLI does
(``workflow/common/parse.go``): text that is valid JSON is one JSON document; anything else
is a YAML stream, read as YAML 1.1 by go-yaml v2 with strict decoding, so a duplicate
mapping key is an error.  Scalars resolve as go-yaml resolves them (``_scalars``), so
``on``/``yes`` are booleans and ``1:30`` stays a string.

Q: Why walk libyaml's events instead of ``yaml.safe_load``?
A: One pass gives the plain value tree *and* the position of every field, which every
later error message needs; it sees duplicate keys (``safe_load`` silently keeps the last);
and, unlike the node composer, it is not recursive in C, which segfaults on a document
nested a few thousand levels deep.  Nesting is capped at ``MAX_DEPTH`` and alias expansion
at ``MAX_VALUES``, so hostile input gives a ``SpecError``, never a crash or a hang.

Documents are numbered from 0 in the order they appear in the file (``Document.index``);
empty documents (nothing, or only comments) are skipped but keep their number.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev

from kawa.spec import _scalars
from kawa.spec.errors import NotFoundError, Severity, SpecError, SpecIssue

API_VERSION = "argoproj.io/v1alpha1"
KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")
#: deepest nesting of mappings/sequences accepted (real workflows stay well under 40)
MAX_DEPTH = 200
#: most values one document may hold once YAML aliases are expanded ("billion laughs")
MAX_VALUES = 500_000

Path = tuple[str | int, ...]
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


class _PurePythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own parser, for installs built without libyaml (slower, same events)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


_Parser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None) or _PurePythonParser


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


def field_path(path: Sequence[str | int]) -> str:
    """Argo's spelling of a field path: ``spec.templates[2].container.args``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{json.dumps(part)}]")
    return "".join(out)


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
        line, column = _line_column(data[: error.start].decode("utf-8", "replace"))
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
        issues.append(document.issue((), f"missing required field 'apiVersion' ({API_VERSION})"))
    elif version != API_VERSION:
        message = f"apiVersion must be '{API_VERSION}', got {_shown(version)}"
        issues.append(document.issue(("apiVersion",), message))
    kind = raw.get("kind")
    if kind is None:
        expected = ", ".join(KINDS)
        issues.append(document.issue((), f"missing required field 'kind' (one of {expected})"))
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


def kind_of(value: Any) -> str:
    """How error messages name a JSON value's type: 'a string', 'a list', ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover - values are plain JSON


def _line_column(prefix: str) -> tuple[int, int]:
    """The 1-based position just after ``prefix``."""
    line = prefix.count("\n") + 1
    return line, len(prefix) - (prefix.rfind("\n") + 1) + 1


# --- reading text -----------------------------------------------------------------------


class _Parsed:
    """What reading a text gave: (index, value, positions) per document, and problems."""

    def __init__(
        self,
        documents: list[tuple[int, Any, dict[Path, tuple[int, int]]]] | None = None,
        issues: list[SpecIssue] | None = None,
    ) -> None:
        self.documents = documents or []
        self.issues = issues or []


def _parse(text: str, file: str) -> _Parsed:
    if text.lstrip()[:1] in ("{", "["):
        parsed = _parse_json(text, file)
        if parsed is not None:
            return parsed
    return _parse_yaml(text, file)


def _parse_json(text: str, file: str) -> _Parsed | None:
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
        yaml_try = _parse_yaml(text, file)
        if not yaml_try.issues:
            return yaml_try
        return _json_error(text, file)
    shadow = _parse_yaml(_JSON_ESCAPE.sub(_plain_escape, text), file)  # positions only
    marks: dict[Path, tuple[int, int]] = {(): (1, 1)}
    if len(shadow.documents) == 1:
        marks = shadow.documents[0][2]
    parsed = _Parsed(documents=[(0, value, marks)])
    parsed.issues = [i for i in shadow.issues if i.message.startswith("duplicate key")]
    if duplicates and not parsed.issues:
        parsed.issues = [SpecIssue(file, 1, 1, "", f"duplicate key {duplicates[0]!r}")]
    if _too_deep(value):
        parsed.issues.append(SpecIssue(file, 1, 1, "", _DEPTH_MESSAGE))
        parsed.documents = []
    return parsed


#: JSON ``\\uXXXX`` escapes (libyaml rejects surrogate pairs) and escaped backslashes
_JSON_ESCAPE = re.compile(r"(\\\\)|\\u[0-9a-fA-F]{4}")


def _plain_escape(match: re.Match[str]) -> str:
    """A same-length escape libyaml accepts, so positions in the text do not move."""
    return match.group(1) or "\\u0041"


def _json_error(text: str, file: str) -> _Parsed:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        message = f"invalid JSON: {error.msg}"
        return _Parsed(issues=[SpecIssue(file, error.lineno, error.colno, "", message)])
    except (ValueError, RecursionError):
        pass
    return _Parsed(issues=[SpecIssue(file, 1, 1, "", f"invalid JSON: {_DEPTH_MESSAGE}")])


_DEPTH_MESSAGE = f"the document is nested more than {MAX_DEPTH} levels deep"


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


def _parse_yaml(text: str, file: str) -> _Parsed:
    parsed = _Parsed()
    index = -1
    try:
        parser = _Parser(text)
        while True:
            event = parser.get_event()
            if event is None:
                break
            if isinstance(event, ev.DocumentStartEvent):
                index += 1
                reader = _DocumentReader(file)
                try:
                    reader.read(parser)
                finally:
                    parsed.issues.extend(reader.issues)
                if reader.root is not None:
                    parsed.documents.append((index, reader.root, reader.marks))
    except _Abort:
        pass
    except yaml.MarkedYAMLError as error:
        parsed.issues.append(_yaml_issue(file, error))
    except yaml.reader.ReaderError as error:
        line, column = _line_column(text[: error.position])
        reason = f"invalid YAML: {error.reason} (character {error.character!r})"
        parsed.issues.append(SpecIssue(file, line, column, "", reason))
    except UnicodeEncodeError as error:
        line, column = _line_column(text[: error.start])
        message = f"invalid text: {error.reason} ({text[error.start]!r})"
        parsed.issues.append(SpecIssue(file, line, column, "", message))
    return parsed


def _yaml_issue(file: str, error: yaml.MarkedYAMLError) -> SpecIssue:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    parts = [part for part in (error.context, error.problem) if part]
    message = "invalid YAML: " + ": ".join(parts) if parts else "invalid YAML"
    if error.context_mark is not None and error.context and error.problem_mark is not None:
        message += f" (started at line {error.context_mark.line + 1})"
    return SpecIssue(file, line, column, "", message)


_NO_KEY: Any = object()


class _Frame:
    """A mapping or sequence being read."""

    __slots__ = ("anchor", "key", "key_lines", "key_mark", "path", "size_before", "value")

    def __init__(self, value: Any, path: Path, anchor: str | None, size_before: int) -> None:
        self.value = value
        self.path = path
        self.anchor = anchor
        self.size_before = size_before
        self.key: Any = _NO_KEY
        self.key_mark = (1, 1)
        self.key_lines: dict[str, str] = {}


class _DocumentReader:
    """Builds one document's value tree and position map from parser events."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.root: Any = None
        self.marks: dict[Path, tuple[int, int]] = {}
        self.issues: list[SpecIssue] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.size = 0

    def read(self, parser: Any) -> None:
        """Consume events up to and including the document's end."""
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is ev.DocumentEndEvent:
                return
            if kind is ev.ScalarEvent:
                self._scalar(event)
            elif kind is ev.MappingStartEvent:
                self._start(event, {})
            elif kind is ev.SequenceStartEvent:
                self._start(event, [])
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                self._end()
            elif kind is ev.AliasEvent:
                self._alias(event)

    # -- events --

    def _scalar(self, event: Any) -> None:
        mark = (event.start_mark.line + 1, event.start_mark.column + 1)
        try:
            value = self._scalar_value(event)
        except _scalars.ScalarError as error:
            self._problem(mark, str(error))
            value = event.value
        if self._wants_key():
            self._set_key(value, mark)
            return
        if value is _scalars.MERGE:
            value = "<<"
        self._place(mark)
        self._grow(1)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self._attach(value)

    def _start(self, event: Any, value: Any) -> None:
        mark = (event.start_mark.line + 1, event.start_mark.column + 1)
        if self._wants_key():
            self._fail(mark, f"a mapping key must be a string, not {kind_of(value)}")
            return
        path = self._place(mark)
        self._grow(1)
        self.stack.append(_Frame(value, path, event.anchor, self.size))
        if len(self.stack) > MAX_DEPTH:
            self._fail(mark, _DEPTH_MESSAGE)

    def _end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, self.size - frame.size_before + 1)
        self._attach(frame.value)

    def _alias(self, event: Any) -> None:
        mark = (event.start_mark.line + 1, event.start_mark.column + 1)
        entry = self.anchors.get(event.anchor)
        if entry is None:
            if any(frame.anchor == event.anchor for frame in self.stack):
                self._fail(mark, f"alias '*{event.anchor}' refers to a value that contains it")
            else:
                self._fail(mark, f"unknown alias '*{event.anchor}' (no '&{event.anchor}' before)")
            return
        value, size = entry
        if self._wants_key():
            if isinstance(value, dict | list):
                self._fail(mark, f"a mapping key must be a string, not {kind_of(value)}")
            else:
                self._set_key(value, mark)
            return
        self._place(mark)
        self._grow(size)
        self._attach(_copy(value))

    # -- building --

    def _scalar_value(self, event: Any) -> Any:
        tag = event.tag
        if tag is None:
            return _scalars.resolve_plain(event.value) if event.implicit[0] else event.value
        if tag == "!":
            return event.value
        return _scalars.resolve_tagged(tag, event.value)

    def _wants_key(self) -> bool:
        stack = self.stack
        return bool(stack) and isinstance(stack[-1].value, dict) and stack[-1].key is _NO_KEY

    def _set_key(self, value: Any, mark: tuple[int, int]) -> None:
        frame = self.stack[-1]
        frame.key_mark = mark
        if value is _scalars.MERGE:
            frame.key = value
            return
        try:
            frame.key = _scalars.key_text(value)
        except _scalars.ScalarError as error:
            self._problem(mark, str(error))
            frame.key = "null"

    def _place(self, mark: tuple[int, int]) -> Path:
        """The path of a value about to be read, recording where it starts."""
        if not self.stack:
            self.marks[()] = mark
            return ()
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            path = (*frame.path, len(frame.value))
            self.marks[path] = mark
            return path
        key = "<<" if frame.key is _scalars.MERGE else frame.key
        path = (*frame.path, key)
        self.marks[path] = frame.key_mark
        return path

    def _attach(self, value: Any) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            frame.value.append(value)
            return
        key, frame.key = frame.key, _NO_KEY
        if key is _scalars.MERGE:
            self._merge(frame, value)
            return
        first = frame.key_lines.get(key)
        if first is not None:
            message = f"duplicate key {key!r} (first defined {first})"
            self._problem(frame.key_mark, message, (*frame.path, key))
            return
        frame.key_lines[key] = f"at line {frame.key_mark[0]}"
        frame.value[key] = value

    def _merge(self, frame: _Frame, value: Any) -> None:
        """YAML 1.1 ``<<`` merge keys, as go-yaml's strict mode applies them."""
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(source, dict) for source in sources):
            self._problem(frame.key_mark, "a '<<' merge needs a mapping or a list of mappings")
            return
        for source in sources:
            for key, item in source.items():
                first = frame.key_lines.get(key)
                if first is not None:
                    message = f"duplicate key {key!r} (first defined {first}) merged by '<<'"
                    self._problem(frame.key_mark, message, (*frame.path, key))
                    continue
                frame.key_lines[key] = f"by the '<<' merge at line {frame.key_mark[0]}"
                frame.value[key] = item
                self.marks[(*frame.path, key)] = frame.key_mark

    def _grow(self, count: int) -> None:
        self.size += count
        if self.size > MAX_VALUES:
            message = f"the document holds more than {MAX_VALUES} values once aliases expand"
            self._fail(self.marks.get((), (1, 1)), message)

    def _problem(self, mark: tuple[int, int], message: str, path: Path = ()) -> None:
        self.issues.append(SpecIssue(self.file, mark[0], mark[1], field_path(path), message))

    def _fail(self, mark: tuple[int, int], message: str) -> None:
        """Report a problem that stops reading: libyaml's cost on pathological input
        (very deep nesting) grows with what is left, so nothing more is read."""
        self._problem(mark, message)
        raise _Abort


class _Abort(Exception):
    """Stop reading the stream: a problem was found that makes the rest meaningless."""


def _copy(value: Any) -> Any:
    """A deep copy of a plain JSON value (aliases must not share mutable values)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
