"""Read a YAML stream into plain values and the position of every field.

Q: Why walk libyaml's events instead of ``yaml.safe_load``?
A: One pass gives the plain value tree *and* the position of every field, which every
later error message needs; it sees duplicate keys (``safe_load`` silently keeps the last);
and, unlike PyYAML's node composer, it is not recursive in C, which segfaults on a
document nested a few thousand levels deep.  Nesting is capped at ``MAX_DEPTH`` and alias
expansion at ``MAX_VALUES``, so hostile input gives a ``SpecIssue``, never a crash or a
hang.

Scalars resolve as go-yaml v2 resolves them (``_scalars``).  Merge keys (``<<``) merge as
go-yaml's strict mode does: a key set twice, by a merge or not, is a duplicate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kawa.spec import _scalars
from kawa.spec._paths import Path, field_path, kind_of, line_column
from kawa.spec._yaml_import import import_yaml
from kawa.spec.errors import SpecIssue

#: deepest nesting of mappings/sequences accepted (real workflows stay well under 40)
MAX_DEPTH = 200
#: most values one document may hold once YAML aliases are expanded ("billion laughs")
MAX_VALUES = 500_000
DEPTH_MESSAGE = f"the document is nested more than {MAX_DEPTH} levels deep"

if TYPE_CHECKING:
    import yaml
    from yaml import events as ev
else:
    yaml = import_yaml()  # its unused patterns compiled only if used (see _yaml_import)
    ev = yaml.events


class _PurePythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own parser, for installs built without libyaml (slower, same events)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


_Parser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None) or _PurePythonParser


class Parsed:
    """What reading a text gave: (index, value, positions) per document, and problems."""

    def __init__(
        self,
        documents: list[tuple[int, Any, dict[Path, tuple[int, int]]]] | None = None,
        issues: list[SpecIssue] | None = None,
    ) -> None:
        self.documents = documents or []
        self.issues = issues or []


def read(text: str, file: str) -> Parsed:
    """Every document of a YAML stream: (index, value, positions), and the problems."""
    parsed = Parsed()
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
        line, column = line_column(text[: error.position])
        reason = f"invalid YAML: {error.reason} (character {error.character!r})"
        parsed.issues.append(SpecIssue(file, line, column, "", reason))
    except UnicodeEncodeError as error:
        line, column = line_column(text[: error.start])
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
            self._fail(mark, DEPTH_MESSAGE)

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
