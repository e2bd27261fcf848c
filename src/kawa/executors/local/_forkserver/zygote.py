"""A pre-warmed Python interpreter that forks one child per step (``kawa.dev/warm-python``).

Started by the fork server, in its namespaces, for one (interpreter, script): it imports
what the script imports at its top level (with the script's directory first on
``sys.path``, as ``python script.py`` has it), then serves start requests on stdin, one
JSON object per line, answering ``{"id", "pid"}`` on stdout, and reports each child's end
as ``{"pid", "status"}`` (the raw wait status).

A child is a step like any other: its own session, default signal handlers, chrooted into
the step's root and in its working directory, stdin ``/dev/null``, stdout/stderr to the
node's files, the step's environment only, ``sys.argv`` = the script and its arguments;
the script runs as ``__main__`` (``runpy``) and its exit status is the step's.  Only the
imports are shared, copy-on-write, never the state a step creates.

Stdlib only, like the fork server.
"""

from __future__ import annotations

import ast
import json
import os
import select
import signal
import sys
import traceback
from typing import Any

RESET = (signal.SIGPIPE, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
         signal.SIGCHLD, signal.SIGXFSZ)  # fmt: skip


def top_level_imports(script: str) -> list[str]:
    """Modules the script imports at its top level (not inside functions or ``if``)."""
    try:
        with open(script, encoding="utf-8") as f:
            tree = ast.parse(f.read(), script)
    except (OSError, SyntaxError, ValueError):
        return []
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return list(dict.fromkeys(found))


def preload(script: str) -> list[str]:
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    loaded = []
    for module in top_level_imports(script):
        try:
            __import__(module)
            loaded.append(module)
        except BaseException:
            continue
    return loaded


def run_child(req: dict[str, Any]) -> None:
    """In the forked child: become the step, run the script, never return."""
    code = 1
    try:
        os.setsid()
        for sig in RESET:
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        devnull = os.open(os.devnull, os.O_RDONLY)
        out = os.open(req["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        err = os.open(req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        for fd in (devnull, out, err):
            os.close(fd)
        if req.get("root"):
            os.chroot(req["root"])
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        script = req["argv"][1]
        sys.argv = list(req["argv"][1:])
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        import runpy

        try:
            runpy.run_path(script, run_name="__main__")
            code = 0
        except SystemExit as e:
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code & 0xFF
            else:
                print(e.code, file=sys.stderr)
                code = 1
        except BaseException:
            traceback.print_exc()
            code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve() -> int:
    script = sys.argv[1]
    preload(script)
    out = sys.stdout
    inbuf = b""
    children: set[int] = set()
    read_fd = sys.stdin.fileno()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    open_input = True
    while open_input or children:
        watched = [wake_r] + ([read_fd] if open_input else [])
        ready, _, _ = select.select(watched, [], [], 1.0)
        if wake_r in ready:
            os.read(wake_r, 4096)
        if read_fd in ready:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                open_input = False
            inbuf += chunk
            *lines, rest = inbuf.split(b"\n")
            inbuf = rest
            for line in lines:
                if not line.strip():
                    continue
                req = json.loads(line)
                out.flush()
                pid = os.fork()
                if pid == 0:
                    os.close(wake_r)
                    os.close(wake_w)
                    run_child(req)
                children.add(pid)
                out.write(json.dumps({"id": req.get("id"), "pid": pid}) + "\n")
                out.flush()
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                break
            if pid == 0:
                break
            children.discard(pid)
            out.write(json.dumps({"pid": pid, "status": status}) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(serve())
