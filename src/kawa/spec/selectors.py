"""Kubernetes label selectors and Argo's node field selectors, parsed."""

from __future__ import annotations

import re

from kawa.spec.errors import KawaError
from kawa.spec.events import NodeSelector

_SET = re.compile(r"^\s*([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def parse_label_selector(
    text: str, option: str = "labelSelector"
) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Kubernetes label selectors: ``a=b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``, ``!a``."""
    terms: list[tuple[str, str, tuple[str, ...]]] = []
    for part in _split_selector(text):
        match = _SET.match(part)
        if match:
            values = tuple(v.strip() for v in match.group(3).split(",") if v.strip())
            terms.append((match.group(1), match.group(2), values))
        elif "!=" in part:
            key, value = part.split("!=", 1)
            terms.append((key.strip(), "!=", (value.strip(),)))
        elif "=" in part:
            key, value = part.replace("==", "=").split("=", 1)
            terms.append((key.strip(), "=", (value.strip(),)))
        elif part.strip().startswith("!"):
            terms.append((part.strip()[1:], "!exists", ()))
        elif re.fullmatch(r"[\w./-]+", part.strip()):
            terms.append((part.strip(), "exists", ()))
        else:
            raise KawaError(f"{option} {text!r}: cannot parse label selector term {part.strip()!r}")
    return tuple(terms)


def _split_selector(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current)
    return [p for p in parts if p.strip()]


def parse_node_selector(text: str) -> NodeSelector:
    terms: list[tuple[str, str, bool]] = []
    for part in _split_selector(text or ""):
        if "!=" in part:
            key, value = part.split("!=", 1)
            terms.append((key.strip(), value.strip(), True))
        elif "=" in part:
            key, value = part.replace("==", "=").split("=", 1)
            terms.append((key.strip(), value.strip(), False))
        else:
            raise KawaError(f"--node-field-selector {text!r}: expected FIELD=VALUE terms")
    return NodeSelector(terms=tuple(terms))
