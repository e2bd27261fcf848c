"""Workflow commands: lint, run, submit, controller, list, get, logs, and control verbs."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from kawa.spec.errors import KawaError, SpecError, SpecIssue


def register(sub: Any, *, only_run: bool = False) -> None:
    """The workflow commands; with ``only_run``, just ``kawa run`` (what it needs to start:
    a parser costs ~0.3 ms to build)."""
    if not only_run:
        lint = sub.add_parser("lint", help="validate workflow/template files")
        lint.add_argument("files", nargs="+")
        lint.set_defaults(handler=cmd_lint)

    for name, handler, help_text in (
        ("run", cmd_run, "submit and run to completion in the foreground"),
        ("submit", cmd_submit, "submit for a `kawa controller` to run"),
    ):
        if only_run and name != "run":
            continue
        p = sub.add_parser(name, help=help_text)
        p.add_argument("file")
        p.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE")
        p.add_argument("-f", "--parameter-file", action="append", default=[])
        p.add_argument("-o", "--output", choices=["json", "name", "wide"], default=None)
        p.add_argument("--name", default=None, help="use this name instead of generateName")
        if name == "submit":
            p.add_argument("--wait", action="store_true", help="wait until it completes")
        p.set_defaults(handler=handler)
    if only_run:
        return

    controller = sub.add_parser("controller", help="run every unfinished workflow until stopped")
    controller.set_defaults(handler=cmd_controller)

    lst = sub.add_parser("list", help="list workflows")
    lst.add_argument("--phase", action="append", default=[])
    lst.add_argument("-l", "--selector", default="")
    lst.add_argument("--prefix", default="")
    lst.add_argument("--since", default="")
    lst.add_argument("-n", "--namespace", default=None)
    lst.add_argument("--limit", type=int, default=500)
    lst.add_argument("-o", "--output", choices=["json", "name", "wide"], default=None)
    lst.set_defaults(handler=cmd_list)

    get = sub.add_parser("get", help="show a workflow and its node tree")
    get.add_argument("name")
    get.add_argument("-o", "--output", choices=["json", "yaml"], default=None)
    get.set_defaults(handler=cmd_get)

    logs = sub.add_parser("logs", help="print the logs of a workflow's steps")
    logs.add_argument("name")
    logs.add_argument("node", nargs="?")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.set_defaults(handler=cmd_logs)

    for verb in ("suspend", "resume", "stop", "terminate", "delete"):
        p = sub.add_parser(verb, help=f"{verb} a workflow")
        p.add_argument("name")
        if verb in ("resume", "stop"):
            p.add_argument("--node-field-selector", default="")
        if verb == "stop":
            p.add_argument("--message", default="")
        p.set_defaults(handler=cmd_control, verb=verb)


# -- documents ----------------------------------------------------------------------------


def load_documents(paths: Sequence[str]) -> list[Any]:
    from kawa.spec import loading

    documents: list[Any] = []
    issues: list[SpecIssue] = []
    for path in paths:
        try:
            documents.extend(loading.load_file(path))
        except SpecError as error:
            issues.extend(error.issues)
    if issues:
        raise SpecError(issues)
    return documents


def lint_documents(kawa: Any, documents: Sequence[Any]) -> list[SpecIssue]:
    from kawa.controller.documents import lint_documents as lint

    return lint(kawa, documents)


def checked(kawa: Any, paths: Sequence[str]) -> list[Any]:
    documents = load_documents(paths)
    issues = lint_documents(kawa, documents)
    errors = [i for i in issues if i.severity == "error"]
    for warning in (i for i in issues if i.severity != "error"):
        print(str(warning), file=sys.stderr)
    if errors:
        raise SpecError(errors)
    return documents


def cmd_lint(args: argparse.Namespace) -> int:
    from kawa.controller.service import Kawa

    kawa = Kawa()
    try:
        documents = load_documents(args.files)
    except SpecError as error:
        for issue in error.issues:
            print(str(issue))
        print(f"✖ {len(error.issues)} linting errors found!")
        return 1
    issues = lint_documents(kawa, documents)
    for issue in issues:
        print(str(issue))
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        print(f"✖ {len(errors)} linting errors found!")
        return 1
    print("✔ no linting errors found!")
    return 0


# -- running ------------------------------------------------------------------------------


def _prepare(kawa: Any, args: argparse.Namespace) -> list[Any]:
    from kawa.cli.main import parse_parameters

    documents = checked(kawa, [args.file])
    params = parse_parameters(args.parameter, args.parameter_file)
    runnable = [d for d in documents if d.kind == "Workflow"]
    if not runnable:
        raise KawaError(
            f"{args.file}: no Workflow to run "
            f"(found {', '.join(d.kind for d in documents) or 'nothing'})"
        )
    return [
        kawa.prepare(d.raw, params, file=d.file, name=args.name, position_of=d.position_of)
        for d in runnable
    ]


def cmd_run(args: argparse.Namespace) -> int:
    from kawa.cli import watch
    from kawa.controller.service import Kawa

    kawa = Kawa()
    workflows = [kawa.submit(wf) for wf in _prepare(kawa, args)]
    watcher = watch.Watcher(enabled=args.output is None)
    try:
        uids = [wf.uid for wf in workflows]
        finals = kawa.drive(uids, on_change=watcher.update)
    finally:
        watcher.close()
    return _report(finals, args.output)


def _report(finals: list[Any], output: str | None) -> int:
    from kawa.cli import render
    from kawa.cli.main import print_json

    if output == "json":
        print_json(finals[0].to_json() if len(finals) == 1 else [f.to_json() for f in finals])
    elif output == "name":
        for wf in finals:
            print(wf.name)
    else:
        for wf in finals:
            print("\n".join(render.summary(wf)))
            print()
            print("\n".join(render.tree(wf)))
    return 0 if all(str(f.status.phase) == "Succeeded" for f in finals) else 1


def cmd_submit(args: argparse.Namespace) -> int:
    from kawa.controller.service import Kawa

    kawa = Kawa()
    workflows = [kawa.submit(wf) for wf in _prepare(kawa, args)]
    if not args.wait:
        if args.output == "json":
            from kawa.cli.main import print_json

            print_json(workflows[0].to_json())
        else:
            for wf in workflows:
                print(f"{wf.name} submitted")
        return 0
    uids = [wf.uid for wf in workflows]
    if not _controller_running(kawa):
        finals = kawa.drive(uids)
    else:
        while not all(kawa.load(uid).status.phase.completed for uid in uids):
            time.sleep(0.2)
        finals = [kawa.load(uid) for uid in uids]
    return _report(finals, args.output)


def _controller_running(kawa: Any) -> bool:
    directory = kawa.home.sockets
    if not directory.is_dir():
        return False
    import os

    for path in directory.glob("*.sock"):
        pid = path.stem
        if pid.isdigit() and os.path.exists(f"/proc/{pid}"):
            return True
    return False


def cmd_controller(args: argparse.Namespace) -> int:
    import signal

    from kawa.cli import watch
    from kawa.controller.service import Kawa

    stop = {"now": False}

    def handle(signum: int, frame: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    kawa = Kawa()
    print(f"kawa controller: serving {kawa.home.path}", file=sys.stderr, flush=True)
    watcher = watch.Watcher(enabled=False, lines=True)
    kawa.serve(lambda: stop["now"], on_change=watcher.update)
    return 0


# -- reading ------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    from kawa.cli import render
    from kawa.controller.service import Kawa, since
    from kawa.store.records import ListQuery

    phases = tuple(p for value in args.phase for p in value.split(",") if p)
    query = ListQuery(
        namespace=args.namespace,
        phases=phases,
        name_prefix=args.prefix,
        since=since(args.since) if args.since else None,
        labels=parse_label_selector(args.selector),
        limit=args.limit,
    )
    workflows = Kawa().list(query)
    if args.output == "json":
        from kawa.cli.main import print_json

        print_json([wf.to_json() for wf in workflows])
    elif args.output == "name":
        for wf in workflows:
            print(wf.name)
    else:
        print("\n".join(render.list_table(workflows)))
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    from kawa.cli import render
    from kawa.controller.service import Kawa

    workflow = Kawa().find(args.name)
    if args.output == "json":
        from kawa.cli.main import print_json

        print_json(workflow.to_json())
    elif args.output == "yaml":
        import yaml

        print(yaml.safe_dump(workflow.to_json(), sort_keys=False))
    else:
        print("\n".join(render.summary(workflow)))
        print()
        print("\n".join(render.tree(workflow)))
    return 0


def cmd_logs(args: argparse.Namespace) -> int:
    from kawa.cli import logs
    from kawa.controller.service import Kawa

    return logs.show(Kawa(), args.name, args.node, follow=args.follow)


def cmd_control(args: argparse.Namespace) -> int:
    from kawa.controller import clock
    from kawa.controller.service import Kawa
    from kawa.spec.events import ResumeRequested, StopRequested, SuspendRequested

    kawa = Kawa()
    if args.verb == "delete":
        kawa.delete(args.name)
        print(f"Workflow '{args.name}' deleted")
        return 0
    now = clock.now()
    selector = parse_node_selector(getattr(args, "node_field_selector", ""))
    event: Any
    if args.verb == "suspend":
        event = SuspendRequested(now)
    elif args.verb == "resume":
        event = ResumeRequested(now, selector)
    else:
        event = StopRequested(
            now,
            terminate=args.verb == "terminate",
            message=getattr(args, "message", ""),
            selector=selector,
        )
    kawa.command(args.name, event)
    past = {
        "stop": "stopped",
        "terminate": "terminated",
        "suspend": "suspended",
        "resume": "resumed",
    }
    print(f"workflow {args.name} {past[args.verb]}")
    return 0


# -- selectors ----------------------------------------------------------------------------


def parse_label_selector(text: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    from kawa.spec.selectors import parse_label_selector as parse

    return parse(text, option="-l")


def parse_node_selector(text: str) -> Any:
    from kawa.spec.selectors import parse_node_selector as parse

    return parse(text)
