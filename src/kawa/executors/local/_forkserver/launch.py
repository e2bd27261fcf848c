"""What a step's own process does between fork and exec.

The fork server has already claimed the node for this process (``launched``, created
at most once) when the request arrives.  The fast path (one container) is then: point
stdout/stderr at the node dir, enter the step's view, find the executable, exec.
Nothing else runs in between, so a plain step costs one pipe read, a few mounts and an
exec.

Failures before exec are written to ``launch.<pid>.json`` in the node dir for the fork
server to fold into the ``exit`` record when it reaps the process.  An executable that
cannot be found or run exits 64 with Argo's emissary message (``cmd/argoexec/commands/
emissary.go``: ``failed to find name in PATH: exec: "x": executable file not found in
$PATH``; ``failed to start command: fork/exec ...``), which Argo reports as a failed
main container.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any, NoReturn

from . import isolation

#: exit code of a process that kawa (not the user's command) ended before exec
EXIT_KAWA_ERROR = 125
#: Argo's emissary exit code when the command cannot be found or started
EXIT_CANNOT_START = 64


def report_path(node: str, pid: int) -> str:
    return os.path.join(node, f"launch.{pid}.json")


def report(path: str, data: dict[str, Any]) -> None:
    """Leave a note for whoever reaps us about why this process ends before exec."""
    with open(path, "w") as f:
        f.write(json.dumps(data))


def redirect(stdout: str, stderr: str) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    for fd, path in ((1, stdout), (2, stderr)):
        f = os.open(path, flags, 0o644)
        os.dup2(f, fd)
        os.close(f)


def enter_view(isolated: str, root: str, cwd: str) -> None:
    if isolated != "none":
        isolation.enter_root(root, cwd)
    else:
        os.makedirs(cwd, exist_ok=True)
        os.chdir(cwd)


def _quote(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


def _executable(path: str) -> str | None:
    """None if ``path`` may be exec'd, else Go's error text (``findExecutable``)."""
    try:
        st = os.stat(path)
    except OSError as e:
        return f"stat {path}: {_go_errno(e)}"
    if stat.S_ISDIR(st.st_mode):
        return "is a directory"
    if not os.access(path, os.X_OK, effective_ids=True):
        return "permission denied"
    return None


def _go_errno(e: OSError) -> str:
    text = os.strerror(e.errno) if e.errno else str(e)
    return text[:1].lower() + text[1:]


def lookup(name: str, path_env: str) -> tuple[str | None, str]:
    """Go's ``exec.LookPath``: (path, "") or (None, Argo's message)."""
    if "/" in name:
        problem = _executable(name)
        if problem is None:
            return name, ""
        return None, f"failed to find name in PATH: exec: {_quote(name)}: {problem}"
    for d in path_env.split(":"):
        candidate = os.path.join(d or ".", name)
        if _executable(candidate) is None:
            return candidate, ""
    return None, (
        f"failed to find name in PATH: exec: {_quote(name)}: executable file not found in $PATH"
    )


def exec_container(report_to: str, c: dict[str, Any]) -> NoReturn:
    """Find and exec the container's command; on failure exit 64 like Argo's emissary."""
    argv: list[str] = c["argv"]
    env: dict[str, str] = c["env"]
    path, message = lookup(argv[0], env.get("PATH", ""))
    if path is not None:
        try:
            os.execve(path, argv, env)
        except OSError as e:
            message = f"failed to start command: fork/exec {path}: {_go_errno(e)}"
    fail(report_to, message, EXIT_CANNOT_START, error=False)


def fail(
    report_to: str, message: str, code: int = EXIT_KAWA_ERROR, *, error: bool = True
) -> NoReturn:
    try:
        os.write(2, (message + "\n").encode(errors="replace"))
        report(report_to, {"message": message, "error": error})
    finally:
        os._exit(code)


def run_step(req: dict[str, Any], isolated: str, root: str) -> NoReturn:
    """The fast path: one container, exec'd by this very process."""
    node: str = req["node"]
    report_to = report_path(node, os.getpid())
    try:
        c = req["containers"][0]
        redirect(c["stdout"], c["stderr"])
        if isolated != "none":
            isolation.apply_mounts(root, req["mounts"], isolated == "user-namespace")
        enter_view(isolated, root, c["cwd"])
    except BaseException as e:
        fail(report_to, f"kawa could not prepare the step's process: {e}")
    exec_container(report_to, c)
