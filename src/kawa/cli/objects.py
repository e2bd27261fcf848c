"""Local stand-ins for cluster objects: ConfigMaps, Secrets, (Cluster)WorkflowTemplates, cron.

Secret values are stored in the home's database (mode 0600) and never printed: ``get`` and
``list`` show keys only.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kawa.spec.errors import KawaError


def register(sub: Any) -> None:
    for kind in ("configmap", "secret"):
        top = sub.add_parser(kind, help=f"manage local {kind}s")
        verbs = top.add_subparsers(dest="verb")
        create = verbs.add_parser("create")
        create.add_argument("name")
        create.add_argument("--from-literal", action="append", default=[], metavar="KEY=VALUE")
        create.add_argument("--from-file", action="append", default=[], metavar="KEY=PATH")
        create.add_argument("--label", action="append", default=[], metavar="KEY=VALUE")
        create.add_argument("--annotation", action="append", default=[], metavar="KEY=VALUE")
        create.set_defaults(handler=cmd_data_create, kind=kind)
        for verb, handler in (("get", cmd_data_get), ("delete", cmd_data_delete)):
            p = verbs.add_parser(verb)
            p.add_argument("name")
            p.set_defaults(handler=handler, kind=kind)
        lst = verbs.add_parser("list")
        lst.set_defaults(handler=cmd_data_list, kind=kind)

    template = sub.add_parser("template", help="manage WorkflowTemplates")
    tverbs = template.add_subparsers(dest="verb")
    tcreate = tverbs.add_parser("create")
    tcreate.add_argument("files", nargs="+")
    tcreate.set_defaults(
        handler=cmd_template_create, accepted=("WorkflowTemplate", "ClusterWorkflowTemplate")
    )
    tlist = tverbs.add_parser("list")
    tlist.set_defaults(handler=cmd_template_list)

    cron = sub.add_parser(
        "cron", help="manage CronWorkflows (stored and linted; not scheduled yet)"
    )
    cverbs = cron.add_subparsers(dest="verb")
    ccreate = cverbs.add_parser("create")
    ccreate.add_argument("files", nargs="+")
    ccreate.add_argument("--schedule", default=None)
    ccreate.set_defaults(handler=cmd_template_create, accepted=("CronWorkflow",))
    clint = cverbs.add_parser("lint")
    clint.add_argument("files", nargs="+")
    from kawa.cli.commands import cmd_lint

    clint.set_defaults(handler=cmd_lint)


def _kawa() -> Any:
    from kawa.controller.service import Kawa

    return Kawa()


def cmd_data_create(args: argparse.Namespace) -> int:
    from kawa.controller import clock

    data = _pairs("--from-literal", args.from_literal)
    for key, path in _pairs("--from-file", args.from_file).items():
        try:
            with open(path, encoding="utf-8") as handle:
                data[key] = handle.read()
        except OSError as error:
            raise KawaError(f"--from-file {key}={path}: {error.strerror}") from error
    meta: dict[str, Any] = {"name": args.name, "namespace": "default"}
    if args.label:
        meta["labels"] = _pairs("--label", args.label)
    if args.annotation:
        meta["annotations"] = _pairs("--annotation", args.annotation)
    body = {"metadata": meta, "data": data}
    _kawa().store.put_object(
        args.kind, "default", args.name, json.dumps(body), clock.now().isoformat()
    )
    print(f"{args.kind}/{args.name} created")
    return 0


def _pairs(option: str, pairs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise KawaError(f"{option} {pair!r}: expected KEY=VALUE")
        found[key] = value
    return found


def cmd_data_get(args: argparse.Namespace) -> int:
    data = json.loads(_kawa().store.get_object(args.kind, "default", args.name))
    values = data.get("data") or {}
    if args.kind == "secret":
        values = {k: f"<redacted, {len(v)} bytes>" for k, v in values.items()}
    json.dump({"name": args.name, "data": values}, sys.stdout, indent=2)
    print()
    return 0


def cmd_data_list(args: argparse.Namespace) -> int:
    for _, name, data in _kawa().store.list_objects(args.kind):
        keys = ", ".join(sorted((json.loads(data).get("data") or {}).keys()))
        print(f"{name}  [{keys}]")
    return 0


def cmd_data_delete(args: argparse.Namespace) -> int:
    _kawa().store.delete_object(args.kind, "default", args.name)
    print(f"{args.kind}/{args.name} deleted")
    return 0


def cmd_template_create(args: argparse.Namespace) -> int:
    from kawa.cli.commands import checked

    kawa = _kawa()
    documents = checked(kawa, args.files)
    wrong = [d for d in documents if d.kind not in args.accepted]
    if wrong:
        raise KawaError(
            f"{wrong[0].file}: expected {' or '.join(args.accepted)}, got {wrong[0].kind}"
        )
    for document in documents:
        raw = dict(document.raw)
        if getattr(args, "schedule", None):
            raw["spec"] = {**raw.get("spec", {}), "schedules": [args.schedule]}
        name = kawa.put_template(raw)
        print(f"{document.kind}/{name} created")
    return 0


def cmd_template_list(args: argparse.Namespace) -> int:
    kawa = _kawa()
    for kind in ("namespaced", "cluster"):
        for _, name, _ in kawa.store.list_objects(kind):
            label = "WorkflowTemplate" if kind == "namespaced" else "ClusterWorkflowTemplate"
            print(f"{label}/{name}")
    return 0
