"""``kawa retry``, ``kawa resubmit``, ``kawa rerun``: run a finished workflow again; and
what a run leaves behind: ``kawa provenance``, ``kawa cp`` (its output artifacts).

Like ``kawa run`` they follow the workflow to its end in the foreground (same ``-o``,
exit status 0 only if it succeeded), unless ``--detach`` leaves it to a running
``kawa controller``.  When a controller is already running, they wait for it instead of
driving the workflow themselves.
"""

from __future__ import annotations

import argparse
import time
from typing import Any


def register(sub: Any) -> None:
    retry = sub.add_parser("retry", help="retry a failed workflow in place (Argo's retry)")
    retry.add_argument("name")
    retry.add_argument("--node-field-selector", default="")
    retry.add_argument(
        "--restart-successful",
        action="store_true",
        help="also run again the succeeded nodes the node field selector matches",
    )
    resubmit = sub.add_parser("resubmit", help="run a workflow's spec again as a new workflow")
    resubmit.add_argument("name")
    resubmit.add_argument(
        "--memoized", action="store_true", help="keep the succeeded steps of a failed workflow"
    )
    rerun = sub.add_parser(
        "rerun",
        help="run again as a new workflow, reusing every unchanged step's recorded outputs",
    )
    rerun.add_argument("name")
    rerun.add_argument(
        "--from",
        dest="from_nodes",
        action="append",
        default=[],
        metavar="NODE",
        help="execute this node (display name as `kawa get` shows it) and all after it",
    )
    for p, verb in ((retry, "retry"), (resubmit, "resubmit"), (rerun, "rerun")):
        p.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE")
        p.add_argument("-o", "--output", choices=["json", "name", "wide"], default=None)
        p.add_argument(
            "--detach", action="store_true", help="return at once; a kawa controller runs it"
        )
        p.set_defaults(handler=cmd_restart, verb=verb)


def cmd_restart(args: argparse.Namespace) -> int:
    """retry, resubmit or rerun (``args.verb``), then follow the run."""
    from kawa.cli.main import parse_parameters
    from kawa.controller import restarts
    from kawa.controller.service import DEFAULT_NAMESPACE, Kawa

    options: dict[str, Any] = {"parameters": parse_parameters(args.parameter)}
    if args.verb == "retry":
        from kawa.cli.commands import parse_node_selector

        options["restart_successful"] = args.restart_successful
        options["selector"] = parse_node_selector(args.node_field_selector)
    elif args.verb == "resubmit":
        options["memoized"] = args.memoized
    else:
        options["from_nodes"] = args.from_nodes
    kawa = Kawa()
    workflow = getattr(restarts, args.verb)(kawa, args.name, DEFAULT_NAMESPACE, **options)
    return _follow(kawa, workflow, args)


def _follow(kawa: Any, workflow: Any, args: argparse.Namespace) -> int:
    from kawa.cli import watch
    from kawa.cli.commands import _controller_running, _report

    if args.detach:
        if args.output == "json":
            from kawa.cli.main import print_json

            print_json(workflow.to_json())
        else:
            print(workflow.name)
        return 0
    if _controller_running(kawa):
        while not kawa.load(workflow.uid).status.phase.completed:
            time.sleep(0.2)
        return _report([kawa.load(workflow.uid)], args.output)
    watcher = watch.Watcher(enabled=args.output is None)
    try:
        finals = kawa.drive([workflow.uid], on_change=watcher.update)
    finally:
        watcher.close()
    return _report(finals, args.output)


def register_cp(sub: Any) -> None:
    cp = sub.add_parser("cp", help="copy a workflow's output artifacts to a directory")
    cp.add_argument("name")
    cp.add_argument("dest")
    cp.add_argument("--artifact-name", default="")
    cp.add_argument("--node", default="", help="only this node (display name)")
    cp.set_defaults(handler=cmd_cp)


def cmd_cp(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kawa.controller.downloads import copy_outputs
    from kawa.controller.service import Kawa

    kawa = Kawa()
    workflow = kawa.find(args.name)
    for path in copy_outputs(kawa, workflow, Path(args.dest), args.artifact_name, args.node):
        print(path)
    return 0


def register_provenance(sub: Any) -> None:
    p = sub.add_parser("provenance", help="what a run ran, on what, and its digests")
    p.add_argument("name")
    p.add_argument("-o", "--output", choices=["json"], default=None)
    p.set_defaults(handler=cmd_provenance)


def cmd_provenance(args: argparse.Namespace) -> int:
    from kawa.controller.provenance import provenance
    from kawa.controller.service import Kawa

    kawa = Kawa()
    record = provenance(kawa, kawa.find(args.name))
    if args.output == "json":
        from kawa.cli.main import print_json

        print_json(record)
        return 0
    run = record["workflow"]
    print(f"Name:          {run['name']}  ({run['uid']})")
    print(f"Phase:         {run['phase']}")
    print(f"Spec digest:   {run['specDigest']}")
    print(f"Outputs:       {run['outputsDigest']}")
    if run["rerunOf"]:
        print(f"Re-run of:     {run['rerunOf']['workflow']}")
    hosted = record["host"]
    print(f"Host:          {hosted['hostname']} ({hosted['platform']}, Python {hosted['python']})")
    print(f"kawa:          {record['kawaVersion']}")
    print()
    for node in record["nodes"]:
        if node["type"] not in ("Pod", "Skipped") or "templateDigest" not in node:
            continue
        where = ""
        if node.get("reusedFrom"):
            where = f"  reused from {node['reusedFrom']['workflow']}"
        print(f"{node['displayName']}")
        print(f"  template {node['templateDigest']}")
        print(f"  outputs  {node['outputsDigest']}{where}")
    return 0
