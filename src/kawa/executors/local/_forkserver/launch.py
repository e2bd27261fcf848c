"""Start one container's process: find its executable, then ``posix_spawn`` it.

``posix_spawn`` (a vfork and an exec) copies no page tables, so launching costs the
same as in any small program, however big the launching Python process is.  It cannot
chroot or chdir the child, so the launcher does both to itself just before, and undoes
them just after (``View``); the child inherits them.  The launcher is single-threaded,
so nothing else runs in the borrowed view meanwhile.

An executable that cannot be found or run is reported as Argo's emissary does
(``cmd/argoexec/commands/emissary.go``), exit code 64 with the message
``failed to find name in PATH: exec: "x": executable file not found in $PATH`` or
``failed to start command: fork/exec /x: exec format error``; Argo then reports the main
container as failed.  The message is also written to the container's stderr.
"""

from __future__ import annotations

import json
import os
import signal
import stat
from types import TracebackType
from typing import Any

#: exit code of a step that kawa itself could not start
EXIT_KAWA_ERROR = 125
#: Argo's emissary exit code when the command cannot be found or started
EXIT_CANNOT_START = 64
#: signals the launcher ignores and a step must not inherit as ignored
RESET_SIGNALS = (
    signal.SIGPIPE,
    signal.SIGXFSZ,
    signal.SIGINT,
    signal.SIGHUP,
    signal.SIGTERM,
    signal.SIGQUIT,
    signal.SIGCHLD,
)


class View:
    """Borrow a step's view (``root``, ``cwd``) for the duration of a ``with`` block.

    ``real_root`` is a directory fd of the launcher's own root, to return to.  Without
    a ``root`` (no isolation) only the working directory is borrowed.
    """

    def __init__(self, root: str, cwd: str, real_root: int) -> None:
        self.root = root
        self.cwd = cwd
        self.real_root = real_root

    def __enter__(self) -> View:
        if self.root:
            os.chroot(self.root)
        try:
            try:
                os.chdir(self.cwd)
            except FileNotFoundError:
                os.makedirs(self.cwd, exist_ok=True)
                os.chdir(self.cwd)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.root:
            os.fchdir(self.real_root)
            os.chroot(".")
        os.chdir("/")


def _quote(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


def go_error(e: OSError) -> str:
    """An errno as Go prints it: ``no such file or directory``."""
    text = os.strerror(e.errno) if e.errno else str(e)
    return text[:1].lower() + text[1:]


def _executable(path: str) -> str | None:
    """None if ``path`` may be exec'd, else Go's error text (``findExecutable``)."""
    try:
        st = os.stat(path)
    except OSError as e:
        return f"stat {path}: {go_error(e)}"
    if stat.S_ISDIR(st.st_mode):
        return "is a directory"
    if not os.access(path, os.X_OK, effective_ids=True):
        return "permission denied"
    return None


#: (name, PATH) -> where it was found last time; re-checked with one stat before use, so a
#: step pays one stat instead of one per PATH entry (a newer binary placed earlier in PATH
#: is seen once the cached one disappears)
_FOUND: dict[tuple[str, str], str] = {}


def lookup(name: str, path_env: str) -> tuple[str | None, str]:
    """Go's ``exec.LookPath``: (path, "") or (None, Argo's message)."""
    cached = _FOUND.get((name, path_env))
    if cached is not None and _executable(cached) is None:
        return cached, ""
    found, message = _lookup(name, path_env)
    if found is not None and "/" not in name:
        if len(_FOUND) > 1024:
            _FOUND.clear()
        _FOUND[(name, path_env)] = found
    return found, message


def _lookup(name: str, path_env: str) -> tuple[str | None, str]:
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


def open_output(path: str) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)


def spawn(
    c: dict[str, Any],
    root: str,
    real_root: int,
    devnull: int,
    *,
    new_session: bool = True,
    new_group: bool = False,
) -> tuple[int, str]:
    """Start container ``c`` in its view; (pid, "") or (0, Argo's message).

    The child's stdin is /dev/null, stdout and stderr the container's files; it gets
    its own session (a step) or its own process group (a sidecar).
    """
    out = open_output(c["stdout"])
    err = open_output(c["stderr"])
    try:
        argv: list[str] = c["argv"]
        env: dict[str, str] = c["env"]
        with View(root, c["cwd"], real_root):
            path, message = lookup(argv[0], env.get("PATH", ""))
            if path is not None:
                actions = [
                    (os.POSIX_SPAWN_DUP2, devnull, 0),
                    (os.POSIX_SPAWN_DUP2, out, 1),
                    (os.POSIX_SPAWN_DUP2, err, 2),
                ]
                try:
                    if new_group:  # posix_spawn takes no "no group" value for setpgroup
                        pid = os.posix_spawn(
                            path, argv, env, file_actions=actions, setpgroup=0,
                            setsigdef=RESET_SIGNALS, setsigmask=(),
                        )  # fmt: skip
                    else:
                        pid = os.posix_spawn(
                            path, argv, env, file_actions=actions, setsid=new_session,
                            setsigdef=RESET_SIGNALS, setsigmask=(),
                        )  # fmt: skip
                    return pid, ""
                except OSError as e:
                    message = f"failed to start command: fork/exec {path}: {go_error(e)}"
        os.write(err, (message + "\n").encode(errors="replace"))
        return 0, message
    finally:
        os.close(out)
        os.close(err)
