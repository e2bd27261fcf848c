"""Field paths as Argo spells them, and how messages name JSON types and positions."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

#: a place in a document: mapping keys and list indexes from the root
Path = tuple[str | int, ...]
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


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


def line_column(prefix: str) -> tuple[int, int]:
    """The 1-based position just after ``prefix``."""
    line = prefix.count("\n") + 1
    return line, len(prefix) - (prefix.rfind("\n") + 1) + 1
