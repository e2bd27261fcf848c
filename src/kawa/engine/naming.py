"""Node names and ids, as Argo forms them.

Argo names nodes by their path from the root (``wf[0].step``, ``wf.task``,
``step(0:item)``, retries ``name(1)``, hooks ``name.onExit``) and derives the node id from
the name: the root's id is the workflow name; every other id is the workflow name, a
dash, and the 32-bit FNV-1a hash of the node name in decimal.  Because the id depends only
on the name, a restarted controller and a retried workflow agree on which node is which.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619


def fnv32a(text: str) -> int:
    value = _FNV_OFFSET
    for byte in text.encode():
        value ^= byte
        value = (value * _FNV_PRIME) & 0xFFFFFFFF
    return value


@lru_cache(maxsize=1 << 16)
def node_id(workflow_name: str, node_name: str) -> str:
    if node_name == workflow_name:
        return workflow_name
    return f"{workflow_name}-{fnv32a(node_name)}"


def step_group(parent: str, index: int) -> str:
    return f"{parent}[{index}]"


def step(group: str, step_name: str) -> str:
    return f"{group}.{step_name}"


def task(dag: str, task_name: str) -> str:
    return f"{dag}.{task_name}"


def retry_attempt(name: str, attempt: int) -> str:
    return f"{name}({attempt})"


def exit_hook(name: str) -> str:
    return f"{name}.onExit"


def lifecycle_hook(name: str, hook: str) -> str:
    return f"{name}.hooks.{hook}"


def item_label(item: Any) -> str:
    """How an item appears inside ``step(0:...)`` (Argo: parentheses removed).

    Strings are JSON-escaped without quotes, numbers and booleans as written, maps as
    sorted ``key:value`` entries joined by ``,`` (nested maps/lists as compact JSON), lists
    as Go prints a slice: ``[1 two 3]``.
    """
    return _describe(item).replace("(", "").replace(")", "")


def _describe(item: Any) -> str:
    if isinstance(item, dict):
        return ",".join(sorted(f"{k}:{_nested(v)}" for k, v in item.items()))
    if isinstance(item, list):
        return "[" + " ".join(_nested(v) for v in item) + "]"
    if isinstance(item, str):
        escaped = json.dumps(item)[1:-1]
        return escaped.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    return _scalar(item)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _nested(value: Any) -> str:
    """A map entry's value: strings unquoted, maps/lists as compact JSON."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    if isinstance(value, str):
        return value
    return _scalar(value)


def loop_child(name: str, index: int, item: Any) -> str:
    return f"{name}({index}:{item_label(item)})"
