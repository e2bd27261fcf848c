"""What lint needs from ``kawa.spec.expressions``, imported on first use.

The parsers live in ``kawa.spec.expressions`` (expr-lang for ``{{= }}``, govaluate for
``when``, Argo's ``depends`` language).  Lint imports them only when a document has an
expression, so that ``kawa lint`` on plain documents starts fast.
"""

from __future__ import annotations

import re
from typing import Any

from kawa.spec.errors import KawaError

#: Argo's ``taskNameRegex`` (workflow/common/ancestry.go): the task names of a ``depends``
#: string that does not parse (lint still checks them)
_TASK_NAMES = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)|([a-zA-Z0-9][-a-zA-Z0-9]*)")
_WORDS = frozenset(("true", "false", "TRUE", "FALSE", "True", "False"))


def _module(name: str) -> Any:
    """``kawa.spec.expressions.<name>`` (imported once, by Python's module cache)."""
    return __import__(f"kawa.spec.expressions.{name}", fromlist=[name])


def find_tags(text: str) -> list[Any]:
    """The ``{{...}}`` tags in ``text`` (Argo's fasttemplate scan): ``tags.Tag`` objects."""
    if "{{" not in text:
        return []
    found: list[Any] = _module("tags").find_tags(text)
    return found


def expression_error(source: str) -> str | None:
    """Why the expr-lang expression ``source`` does not parse, or None."""
    return _error_of(_module("expr").compile, source)


def when_error(source: str) -> str | None:
    """Why the govaluate ``when`` condition ``source`` does not parse, or None.

    ``source`` has its ``{{...}}`` tags already replaced by placeholders.
    """
    error = _error_of(_module("govaluate").parse, source)
    prefix = "Invalid 'when' expression: "
    if error is not None and error.startswith(prefix):
        return error[len(prefix) :]
    return error


def depends_tasks(source: str) -> tuple[set[str], str | None]:
    """The task names a ``depends`` string mentions, and why it does not parse (or None)."""
    try:
        parsed = _module("depends").parse_depends(source)
    except KawaError as error:
        return _regex_tasks(source), _reason(error)
    return set(parsed.tasks), None


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
