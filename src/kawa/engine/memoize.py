"""Argo's ``memoize``: reuse a template's outputs stored under a key in a cache ConfigMap.

Before a memoized node runs, the engine asks the controller for the entry
(``LookupCache``) and waits for the answer (``CacheLooked``, recorded in the history like
any event, so a replay sees the same answer).  An entry whose ``nodeID`` is set and that
is younger than ``maxAge`` is a hit: the node succeeds at once with the stored outputs and
``memoizationStatus.hit: true``.  Otherwise the node runs with ``hit: false``, and when it
succeeds its outputs are saved under the key (``SaveCache``, see ``reconcile``).

As in Argo, the key must match ``^[a-zA-Z0-9][-a-zA-Z0-9]*$`` (it is a ConfigMap key), and
``maxAge`` is a Go duration (``10s``, ``1h30m``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from kawa.engine import retries
from kawa.engine.run import Run
from kawa.engine.scope import Scope, render
from kawa.spec.actions import LookupCache, SaveCache
from kawa.spec.frozen import evolve
from kawa.spec.status import NodePhase, NodeStatus, Outputs, parse_time

KEY = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")


def gate(run: Run, memoize: Mapping[str, Any], node: NodeStatus, scope: Scope) -> NodeStatus | None:
    """The node while the cache decides (waiting, a hit, an error); None to run it."""
    if node.memoization_status is not None or node.fulfilled:
        return None
    key = render(str(memoize.get("key", "")), scope)
    cache = str(((memoize.get("cache") or {}).get("configMap") or {}).get("name", ""))
    if not KEY.match(key):
        return _error(run, node, f"invalid cache key: {key}")
    answer = node.private.get("memo_answer")
    if answer is None:
        if not node.private.get("memo_requested"):
            ns = run.workflow.namespace
            run.emit(LookupCache(run.workflow.uid, node.id, ns, cache, key))
            node = run.save(node.with_private(memo_requested={"cache": cache, "key": key}))
        return node
    if answer.get("error"):
        return _error(run, node, str(answer["error"]))
    entry = answer.get("entry") or None
    hit = bool(entry and entry.get("nodeID"))
    if memoize.get("maxAge"):
        try:
            max_age = _go_duration(render(str(memoize["maxAge"]), scope))
        except ValueError as error:
            return _error(run, node, f"invalid maxAge: {error}")
        created = parse_time((entry or {}).get("creationTimestamp"))
        hit = hit and created is not None and run.now - created <= timedelta(seconds=max_age)
    status = {"hit": hit, "key": key, "cacheName": cache}
    cleared = node.with_private(memo_requested=None, memo_answer=None)
    if not hit:
        run.save(evolve(cleared, memoization_status=status))
        return None
    outputs = Outputs.from_json((entry or {}).get("outputs")) or Outputs()
    done = evolve(cleared, memoization_status=status, outputs=outputs, private={})
    return run.save(done.with_phase(NodePhase.SUCCEEDED, run.now))


def saves(run: Run, before: Mapping[str, NodeStatus]) -> None:
    """Save the outputs of memoized nodes that succeeded (by running) in this reconcile."""
    for node_id in run.touched:
        node = run.nodes[node_id]
        status = node.memoization_status
        if not status or status.get("hit") or node.phase is not NodePhase.SUCCEEDED:
            continue
        earlier = before.get(node_id)
        if earlier is not None and earlier.phase is NodePhase.SUCCEEDED:
            continue
        outputs = node.outputs.to_json() if node.outputs else {}
        run.emit(
            SaveCache(
                run.workflow.uid,
                node.id,
                run.workflow.namespace,
                str(status.get("cacheName", "")),
                str(status.get("key", "")),
                outputs,
            )
        )


def _go_duration(text: str) -> float:
    if text.strip() not in ("0", "") and re.fullmatch(r"[0-9.]+", text.strip()):
        raise ValueError(f'time: missing unit in duration "{text}"')
    return retries.parse_duration(text)


def _error(run: Run, node: NodeStatus, message: str) -> NodeStatus:
    return run.save(
        node.with_private(memo_requested=None).with_phase(NodePhase.ERROR, run.now, message)
    )
