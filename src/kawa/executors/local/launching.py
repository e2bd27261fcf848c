"""Turn a :class:`StartStep` into the fork server's start request.

A step's environment is clean and the same everywhere:

=======================  ==========================================================
``PATH``                 ``$KAWA_HOME/shims`` first (argosay, cowsay, python,
                         python3), then kawa's own ``PATH``
``HOME``, ``LANG``,      kawa's, when set
``LC_ALL``, ``TZ``
``ARGO_PROGRESS_FILE``   ``<node dir>/progress`` (the same path inside the view)
``ARGO_CONTAINER_NAME``  as Argo sets them
``ARGO_NODE_ID``
``ARGO_WORKFLOW_NAME``
the container's ``env``  last, so it wins (``PATH`` keeps the shims first); values,
                         ``command`` and ``args`` get Kubernetes' ``$(VAR)``
                         expansion (``$$`` is a literal ``$``)
=======================  ==========================================================

Secret values travel to the fork server through a pipe and into the process's
environment only; kawa writes them to no file and no log.
"""

from __future__ import annotations

import os
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

from kawa.executors.local import images, mounts
from kawa.executors.local._forkserver import records
from kawa.executors.local.layout import NodePaths
from kawa.spec.actions import Container, StartStep

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
INHERITED = ("HOME", "LANG", "LC_ALL", "TZ")
_REFERENCE = re.compile(r"\$(\$|\(([A-Za-z_][A-Za-z0-9_.-]*)\))")


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` expansion: defined names are replaced, others kept."""
    if "$" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        if m.group(1) == "$":
            return "$"
        name = m.group(2)
        return env[name] if name in env else m.group(0)

    return _REFERENCE.sub(one, text)


def environment(step: StartStep, c: Container, node: NodePaths, shims: str) -> dict[str, str]:
    env = {"PATH": f"{shims}:{os.environ.get('PATH') or DEFAULT_PATH}"}
    env.update({k: os.environ[k] for k in INHERITED if k in os.environ})
    env["ARGO_PROGRESS_FILE"] = node.file(records.PROGRESS)
    env["ARGO_CONTAINER_NAME"] = c.name
    env["ARGO_NODE_ID"] = step.node_id
    env["ARGO_WORKFLOW_NAME"] = step.workflow_name
    for key, value in c.env:
        env[key] = expand(value, env)
    if not env["PATH"].startswith(shims + ":"):
        env["PATH"] = f"{shims}:{env['PATH']}"
    return env


def container_request(
    step: StartStep, c: Container, role: str, node: NodePaths, shims: str, isolation: str
) -> dict[str, Any]:
    env = environment(step, c, node, shims)
    argv = [expand(a, env) for a in images.command_line(c)]
    if c.source is not None:
        argv.append(node.script(c.name, role == "main"))
    cdir = node.container(c.name)
    where = node.path if role == "main" else cdir
    return {
        "name": c.name,
        "role": role,
        "argv": images.resolve(argv, Path(shims)),
        "env": env,
        "cwd": node.cwd(c.working_dir, isolation),
        "dir": cdir,
        "stdout": f"{where}/{records.STDOUT}",
        "stderr": f"{where}/{records.STDERR}",
        "deps": list(c.dependencies),
    }


@cache
def _interpreter_paths() -> tuple[str, ...]:
    paths = (sys.prefix, sys.base_prefix, os.path.dirname(sys.executable))
    return tuple(dict.fromkeys(os.path.realpath(p) for p in paths))


def named_host_paths(containers: list[dict[str, Any]]) -> list[str]:
    """Host directories a step's command line names by absolute path (``/tmp/repo/x.py``,
    ``--data /tmp/data``), so that a private ``/tmp`` does not hide them: a file's
    directory, or the directory itself.  Paths that do not exist on the host are left to
    the step (they are its own, e.g. output paths)."""
    found: list[str] = []
    for c in containers:
        for token in c["argv"][1:]:
            if not token.startswith("/") or token == "/" or "\0" in token:
                continue
            if os.path.isdir(token):
                found.append(os.path.normpath(token))
            elif os.path.isfile(token):
                found.append(os.path.dirname(os.path.normpath(token)))
    return list(dict.fromkeys(found))


def roles(step: StartStep) -> list[tuple[Container, str]]:
    if step.container_set:
        return [(c, "set") for c in step.container_set]
    pairs = [(c, "init") for c in step.init_containers]
    pairs += [(c, "sidecar") for c in step.sidecars]
    return [*pairs, (step.main, "main")]


def build_request(step: StartStep, node: NodePaths, shims: str, isolation: str) -> dict[str, Any]:
    """The start request; raises :class:`images.CannotRun` for an unrunnable step.

    ``node`` and ``shims`` must be real paths (no symlinks): they are made visible in
    the step's view as they are.
    """
    pairs = roles(step)
    containers = [container_request(step, c, role, node, shims, isolation) for c, role in pairs]
    visible = [node.path, shims, *_interpreter_paths()]
    plan = mounts.plan(step, node, visible, named_host_paths(containers))
    request: dict[str, Any] = {
        "op": "start",
        "node": node.path,
        "supervised": len(containers) > 1 or pairs[0][1] != "main",
        "mounts": [m.to_json() for m in plan],
        "containers": containers,
    }
    warm = warm_script(step, containers)
    if warm:
        request["warm"] = warm
    if step.queue:  # workflow parallelism: the fork server admits it (see _forkserver/slots)
        request.update(queue=step.queue, limit=step.queue_limit, lane=step.queue_lane)
    return request


def warm_script(step: StartStep, containers: list[dict[str, Any]]) -> str:
    """The script a ``kawa.dev/warm-python`` step runs, when it can start warm.

    It can when the step is one main container whose command is this host's Python (the
    ``python`` alias) followed by a script file and its arguments — no interpreter flags.
    """
    if ("warm-python", "true") not in step.labels or len(containers) != 1:
        return ""
    argv = containers[0]["argv"]
    if len(argv) < 2 or not argv[1].endswith(".py") or argv[1].startswith("-"):
        return ""
    if argv[0] != sys.executable:  # images.resolve maps `python` to this interpreter
        return ""
    return str(argv[1])


def write_scripts(step: StartStep, node: NodePaths) -> None:
    """Write script sources into the node dir (never replacing a script already there)."""
    for c, role in roles(step):
        if c.source is None:
            continue
        script = node.script(c.name, role == "main")
        os.makedirs(os.path.dirname(script), exist_ok=True)
        try:
            fd = os.open(script, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as f:
            f.write(c.source)
