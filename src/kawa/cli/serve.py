"""``kawa server`` and ``kawa auth token create|list|delete``."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    server = sub.add_parser("server", help="run the controller, the Argo-compatible API and UI")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=2746)
    server.add_argument(
        "--auth",
        choices=["auto", "on", "off"],
        default="auto",
        help="bearer tokens: required unless bound to loopback (auto)",
    )
    server.set_defaults(handler=cmd_server)
    top = sub.add_parser("auth", help="API tokens for kawa server")
    what = top.add_subparsers(dest="what")
    token = what.add_parser("token")
    verbs = token.add_subparsers(dest="verb")
    create = verbs.add_parser("create", help="create a token (printed once)")
    create.add_argument("name")
    create.add_argument("-n", "--namespace", action="append", default=[])
    create.set_defaults(handler=cmd_token_create)
    lst = verbs.add_parser("list")
    lst.set_defaults(handler=cmd_token_list)
    delete = verbs.add_parser("delete")
    delete.add_argument("name")
    delete.set_defaults(handler=cmd_token_delete)


def cmd_server(args: argparse.Namespace) -> int:
    from kawa.server.runner import serve

    chosen = {"auto": None, "on": True, "off": False}[args.auth]
    from kawa.server import auth

    if chosen is False and args.host not in auth.LOOPBACK:
        from kawa.spec.errors import KawaError

        raise KawaError("--auth off is only allowed on a loopback address")
    print(f"kawa server: http://{args.host}:{args.port}/", flush=True)
    serve(args.host, args.port, require_auth=chosen)
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from kawa.controller.service import Kawa
    from kawa.server import auth

    print(auth.create(Kawa().store, args.name, list(args.namespace)))
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from kawa.controller.service import Kawa
    from kawa.server import auth

    for token in auth.tokens(Kawa().store):
        print(f"{token.name}  namespaces: {', '.join(token.namespaces) or 'all'}")
    return 0


def cmd_token_delete(args: argparse.Namespace) -> int:
    from kawa.controller.service import Kawa
    from kawa.server import auth

    Kawa().store.delete_object(auth.KIND, "", args.name)
    print(f"token {args.name} deleted")
    return 0
