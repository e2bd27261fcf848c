"""``kawa cache list|delete``: the memoization caches (Argo ``memoize``) of this home."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    top = sub.add_parser("cache", help="list or delete memoization cache entries")
    verbs = top.add_subparsers(dest="verb")
    lst = verbs.add_parser("list", help="list cache entries")
    lst.add_argument("cache", nargs="?", help="only this cache (ConfigMap name)")
    lst.add_argument("-n", "--namespace", default=None)
    lst.add_argument("-o", "--output", choices=["json"], default=None)
    lst.set_defaults(handler=cmd_cache_list)
    delete = verbs.add_parser("delete", help="delete a cache, or some of its keys")
    delete.add_argument("cache")
    delete.add_argument("keys", nargs="*", metavar="KEY")
    delete.add_argument("-n", "--namespace", default="default")
    delete.set_defaults(handler=cmd_cache_delete)


def cmd_cache_list(args: argparse.Namespace) -> int:
    from kawa.controller import cache
    from kawa.controller.service import Kawa

    found = [
        e for e in cache.entries(Kawa().store, args.namespace) if args.cache in (None, e.cache)
    ]
    if args.output == "json":
        from kawa.cli.main import print_json

        print_json(
            [
                {
                    "cache": e.cache,
                    "key": e.key,
                    "nodeID": e.node_id,
                    "creationTimestamp": e.created,
                    "lastHitTimestamp": e.last_hit,
                    "outputs": e.outputs,
                }
                for e in found
            ]
        )
        return 0
    rows = [("CACHE", "KEY", "NODE", "CREATED", "LAST HIT")]
    rows += [(e.cache, e.key, e.node_id, e.created, e.last_hit) for e in found]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_cache_delete(args: argparse.Namespace) -> int:
    from kawa.controller import cache
    from kawa.controller.service import Kawa

    count = cache.delete(Kawa().store, args.namespace, args.cache, list(args.keys))
    what = f"{len(args.keys)} key(s) of cache" if args.keys else "cache"
    print(f"deleted {what} {args.cache} ({count} entries)")
    return 0
