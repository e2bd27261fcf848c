"""What lint needs from ``kawa.spec.expressions``, imported on first use.

The parsers live in ``kawa.spec.expressions`` (expr-lang for ``{{= }}``, govaluate for
``when``, Argo's ``depends`` language).  Lint imports them lazily so that ``kawa lint``
starts fast and still works, less thoroughly, where that package is missing: then
expressions are not parsed (``available()`` is False) and ``depends`` falls back to the
task-name regular expression Argo's validator itself uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from kawa.spec.errors import KawaError

TagKind = Literal["simple", "expression"]

#: Argo's ``taskNameRegex`` (workflow/common/ancestry.go): task names in a depends string
_TASK_NAMES = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)|([a-zA-Z0-9][-a-zA-Z0-9]*)")
_WORDS = frozenset(("true", "false", "TRUE", "FALSE", "True", "False"))


@dataclass(frozen=True)
class Tag:
    """One ``{{...}}`` in a string: its kind, trimmed text, and offsets."""

    kind: TagKind
    inner: str
    start: int
    end: int


_modules: dict[str, Any] = {}


def _module(name: str) -> Any:
    """``kawa.spec.expressions.<name>``, or None when it cannot be imported."""
    if name not in _modules:
        try:
            module = __import__(f"kawa.spec.expressions.{name}", fromlist=[name])
        except ImportError:
            module = None
        _modules[name] = module
    return _modules[name]


def available() -> bool:
    """Can lint parse expressions (is ``kawa.spec.expressions`` complete)?"""
    return all(_module(name) is not None for name in ("tags", "expr", "govaluate", "depends"))


def find_tags(text: str) -> list[Tag]:
    """The ``{{...}}`` tags in ``text`` (Argo's fasttemplate scan)."""
    if "{{" not in text:
        return []
    tags = _module("tags")
    if tags is not None:
        return [Tag(t.kind, t.inner, t.start, t.end) for t in tags.find_tags(text)]
    found: list[Tag] = []
    position = 0
    while (start := text.find("{{", position)) >= 0:
        close = text.find("}}", start + 2)
        if close < 0:
            break
        raw = text[start + 2 : close]
        kind: TagKind = "expression" if raw.startswith("=") else "simple"
        inner = raw[1:].strip() if kind == "expression" else raw.strip()
        found.append(Tag(kind, inner, start, close + 2))
        position = close + 2
    return found


def expression_error(source: str) -> str | None:
    """Why the expr-lang expression ``source`` does not parse, or None."""
    module = _module("expr")
    if module is None:
        return None
    return _error_of(module.compile, source)


def when_error(source: str) -> str | None:
    """Why the govaluate ``when`` condition ``source`` does not parse, or None.

    ``source`` has its ``{{...}}`` tags already replaced by placeholders.
    """
    module = _module("govaluate")
    if module is None:
        return None
    parse = getattr(module, "parse", None)
    # Without a parse-only entry point, evaluate and keep only syntax errors, which Argo
    # (and kawa's port) report as "Invalid 'when' expression"; evaluation errors depend
    # on the values substituted at run time.
    error = _error_of(parse or module.evaluate, source)
    prefix = "Invalid 'when' expression: "
    if error is not None and error.startswith(prefix):
        return error[len(prefix) :]
    return error if parse is not None else None


def depends_tasks(source: str) -> tuple[set[str], str | None]:
    """The task names a ``depends`` string mentions, and why it does not parse (or None)."""
    module = _module("depends")
    if module is not None:
        try:
            parsed = module.parse_depends(source)
        except KawaError as error:
            return _regex_tasks(source), _reason(error)
        return set(parsed.tasks), None
    return _regex_tasks(source), None


def _regex_tasks(source: str) -> set[str]:
    names: set[str] = set()
    for match in _TASK_NAMES.finditer(source):
        if match.group(1):
            names.add(match.group(1).split(".", 1)[0])
        elif match.group(2) not in _WORDS:
            names.add(match.group(2))
    return names


def _error_of(function: Any, source: str) -> str | None:
    try:
        function(source)
    except KawaError as error:
        return _reason(error)
    except (ValueError, RecursionError) as error:  # a parser bug must not crash lint
        return str(error) or type(error).__name__
    return None


def _reason(error: KawaError) -> str:
    reason = getattr(error, "reason", None)
    return reason if isinstance(reason, str) and reason else str(error)
