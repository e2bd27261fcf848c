"""``when`` and ``continueOn``: whether a step or task runs, and whether its failure stops
its parent.

Argo resolves the ``{{...}}`` references first — a sibling (``steps.*``/``tasks.*``) that is
not there yet means "not yet" (``UnresolvedReference``), any other unknown tag stays as
written — then evaluates the text with govaluate, bare words being strings
(``heads == heads``).  A false ``when`` gives a Skipped node with
``when '<resolved text>' evaluated false``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kawa.engine.scope import WHEN_PREFIXES, Scope, render
from kawa.spec.expressions import govaluate
from kawa.spec.status import NodePhase


def when(holder: Mapping[str, Any], scope: Scope) -> tuple[bool, str]:
    """(runs, the resolved text); raises ExpressionError / UnresolvedReference."""
    source = holder.get("when")
    if source is None or str(source).strip() == "":
        return True, ""
    text = render(str(source), scope, prefixes=WHEN_PREFIXES)
    return govaluate.evaluate_when(text), text


def skipped_message(text: str) -> str:
    return f"when '{text}' evaluated false"


def continues_on(holder: Mapping[str, Any], phase: NodePhase) -> bool:
    """``continueOn``: whether a Failed (or Error) step/task lets its parent carry on."""
    continue_on = holder.get("continueOn") or {}
    if phase is NodePhase.FAILED:
        return bool(continue_on.get("failed"))
    return bool(continue_on.get("error"))
