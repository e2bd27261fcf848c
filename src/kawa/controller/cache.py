"""Memoization caches as Argo keeps them: one ConfigMap per cache, one key per entry.

A cache ConfigMap carries the label ``workflows.argoproj.io/configmap-type: Cache``; an
existing ConfigMap without it is refused (Argo's message), so a cache never overwrites a
ConfigMap that holds something else.  An entry is Argo's JSON:
``{"nodeID", "outputs", "creationTimestamp", "lastHitTimestamp"}``.  Loading an entry
stamps ``lastHitTimestamp``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kawa.spec.errors import KawaError, NotFoundError
from kawa.spec.frozen import frozen
from kawa.spec.status import format_time
from kawa.store.sqlite import SqliteStore

TYPE_LABEL = "workflows.argoproj.io/configmap-type"
CACHE = "Cache"
KIND = "configmap"


@frozen
class Entry:
    cache: str
    key: str
    node_id: str
    created: str
    last_hit: str
    outputs: dict[str, Any]


def _refusal(config_map: dict[str, Any]) -> str:
    labels = (config_map.get("metadata") or {}).get("labels") or {}
    if TYPE_LABEL not in labels:
        return f"memoization configmap doesn't have {TYPE_LABEL} label, refusing to use it"
    if labels[TYPE_LABEL] != CACHE:
        return (
            f"memoization configmap doesn't have label {TYPE_LABEL} = {CACHE}, refusing to use it"
        )
    return ""


def load(
    store: SqliteStore, namespace: str, cache: str, key: str, now: datetime
) -> tuple[dict[str, Any] | None, str]:
    """(entry, "") or (None, "") for a miss, or (None, why the cache cannot be used)."""
    found: dict[str, Any] = {}

    def stamp(data: str | None) -> str | None:
        if data is None:
            return None
        config_map = json.loads(data)
        problem = _refusal(config_map)
        if problem:
            found["error"] = problem
            return None
        raw = (config_map.get("data") or {}).get(key)
        if not raw:
            return None
        try:
            entry = json.loads(raw)
        except ValueError as error:
            found["error"] = (
                f"malformed cache entry: could not unmarshal JSON; unable to parse: {error}"
            )
            return None
        entry["lastHitTimestamp"] = format_time(now)
        found["entry"] = entry
        config_map["data"][key] = json.dumps(entry, separators=(",", ":"))
        return json.dumps(config_map)

    store.update_object(KIND, namespace, cache, stamp, now.isoformat())
    return found.get("entry"), found.get("error", "")


def save(
    store: SqliteStore,
    namespace: str,
    cache: str,
    key: str,
    node_id: str,
    outputs: dict[str, Any],
    now: datetime,
) -> None:
    def put(data: str | None) -> str | None:
        config_map: dict[str, Any] = json.loads(data) if data else {"metadata": {"name": cache}}
        if data and _refusal(config_map):
            raise KawaError(_refusal(config_map))
        meta = config_map.setdefault("metadata", {})
        meta["namespace"] = namespace
        meta["labels"] = {TYPE_LABEL: CACHE}
        stamp = format_time(now)
        entry = {
            "nodeID": node_id,
            "outputs": outputs,
            "creationTimestamp": stamp,
            "lastHitTimestamp": stamp,
        }
        config_map.setdefault("data", {})[key] = json.dumps(entry, separators=(",", ":"))
        return json.dumps(config_map)

    store.update_object(KIND, namespace, cache, put, now.isoformat())


def entries(store: SqliteStore, namespace: str | None = None) -> list[Entry]:
    found = []
    for _, name, data in store.list_objects(KIND, namespace):
        config_map = json.loads(data)
        if _refusal(config_map):
            continue
        for key, raw in sorted((config_map.get("data") or {}).items()):
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = {}
            found.append(
                Entry(
                    cache=name,
                    key=key,
                    node_id=str(entry.get("nodeID", "")),
                    created=str(entry.get("creationTimestamp", "")),
                    last_hit=str(entry.get("lastHitTimestamp", "")),
                    outputs=entry.get("outputs") or {},
                )
            )
    return found


def delete(store: SqliteStore, namespace: str, cache: str, keys: list[str]) -> int:
    """Delete keys of a cache (all of it without keys); how many entries went."""
    data = store.get_object(KIND, namespace, cache)
    config_map = json.loads(data)
    if _refusal(config_map):
        raise NotFoundError(f'configmap "{cache}" is not a memoization cache')
    present = config_map.get("data") or {}
    if not keys:
        store.delete_object(KIND, namespace, cache)
        return len(present)
    missing = [k for k in keys if k not in present]
    if missing:
        raise NotFoundError(f'cache "{cache}" has no key {", ".join(repr(k) for k in missing)}')

    def drop(text: str | None) -> str | None:
        current = json.loads(text or "{}")
        for k in keys:
            (current.get("data") or {}).pop(k, None)
        return json.dumps(current)

    store.update_object(KIND, namespace, cache, drop, "")
    return len(keys)
