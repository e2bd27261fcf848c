"""Loop expansion: ``withItems``, ``withParam``, ``withSequence``.

Each item becomes its own node ``name(i:item)``; ``{{item}}`` and ``{{item.key}}`` are
substituted into the step before it runs.  ``withParam`` must be a JSON list; an empty
list gives one Skipped node ("Skipped, empty params").  ``withSequence`` follows Argo:
``count`` or ``start``/``end`` (descending when end < start), ``format`` printf-style.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from kawa.engine.scope import Scope, render, substitute, to_text
from kawa.spec.errors import KawaError
from kawa.spec.status import NodeStatus


class LoopError(KawaError):
    pass


def has_loop(step: Mapping[str, Any]) -> bool:
    return any(k in step for k in ("withItems", "withParam", "withSequence"))


def items(step: Mapping[str, Any], scope: Scope) -> list[Any]:
    if "withItems" in step:
        return list(substitute(step["withItems"], scope) or [])
    if "withParam" in step:
        text = render(str(step["withParam"]), scope)
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise LoopError(
                f"withParam value could not be parsed as a JSON list: {text.strip()}"
            ) from error
        if not isinstance(value, list):
            raise LoopError(f"withParam value is not a JSON list: {text.strip()}")
        return value
    return sequence(substitute(step["withSequence"], scope))


#: items of loop nodes that exist, by node id: once a loop node is created, everything its
#: items depend on has finished, so they never change (kept with the task they came from,
#: and the workflow spec: ``kawa retry -p`` gives a new spec whose loops expand again)
_ITEMS: dict[str, tuple[Mapping[str, Any], Mapping[str, Any], list[Any]]] = {}


def items_of(
    node: NodeStatus,
    step: Mapping[str, Any],
    scope: Callable[[], Scope],
    spec: Mapping[str, Any],
    key: str = "",
) -> list[Any]:
    """The items of a loop under an existing node, computed once per node and step."""
    slot = f"{node.id}/{key}"
    cached = _ITEMS.get(slot)
    if cached is not None and cached[0] is step and cached[1] is spec:
        return cached[2]
    found = items(step, scope())
    if len(_ITEMS) > 4096:
        _ITEMS.clear()
    _ITEMS[slot] = (step, spec, found)
    return found


def sequence(raw: Mapping[str, Any]) -> list[str]:
    count = raw.get("count")
    start = int(raw.get("start") or 0)
    if count is not None and str(count) != "":
        if raw.get("end") not in (None, ""):
            raise LoopError("withSequence: only one of count or end can be defined")
        numbers = list(range(start, start + int(count)))
    else:
        end = int(raw.get("end") or 0)
        step = 1 if end >= start else -1
        numbers = list(range(start, end + step, step))
    fmt = raw.get("format")
    return [_printf(str(fmt), n) if fmt else str(n) for n in numbers]


_VERB = re.compile(r"%([-+ #0]*)(\d*)(?:\.(\d+))?([dxXobs])")


def _printf(fmt: str, number: int) -> str:
    def one(match: re.Match[str]) -> str:
        flags, width, precision, verb = match.groups()
        py = {"d": "d", "x": "x", "X": "X", "o": "o", "b": "b", "s": "d"}[verb]
        spec = f"{flags.replace('#', '')}{width}{py}"
        del precision
        return format(number, spec)

    return _VERB.sub(one, fmt)


def item_values(item: Any) -> dict[str, Any]:
    """Variables a loop item defines: ``item`` and, for maps, ``item.<key>``.

    A map item substitutes as compact JSON with sorted keys; ``item.key`` as the value's
    own text (strings unquoted, maps/lists as JSON).
    """
    values: dict[str, Any] = {"item": _text(item)}
    if isinstance(item, dict):
        for key, value in item.items():
            values[f"item.{key}"] = _text(value)
    return values


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return to_text(value)


def expand(step: Mapping[str, Any], item: Any, scope: Scope) -> dict[str, Any]:
    """The step with the item substituted (loop keys removed)."""
    body = {k: v for k, v in step.items() if k not in ("withItems", "withParam", "withSequence")}
    item_scope = scope.with_values(item_values(item))
    result: dict[str, Any] = substitute(body, item_scope, strict=False)
    return result


def item_json(item: Any) -> str:
    return json.dumps(item, separators=(",", ":"))
