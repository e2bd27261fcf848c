"""Starting the fork server's process — standard library only, so that ``kawa run`` can
start it first thing, before it imports the engine and loads the workflow.

The fork server takes ~30 ms to come up (a fresh Python and its modules); ``kawa run``
needs ~80 ms to import kawa, load, validate and submit the workflow.  Started at the
top of ``kawa run`` (:func:`start_early`), the server is up by the time the first step is
issued, on the other core; :class:`~kawa.executors.local.executor.LocalExecutor` then
takes it (:func:`take_early`) instead of starting one.  A server nobody takes (the
workflow did not validate) sees its pipe close when ``kawa`` exits, and ends.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

FORKSERVER = Path(__file__).with_name("forkserver.py")
MODES = ("auto", "none", "user")


class ServerProcess:
    """A fork server being started: the pid of its launcher, our ends of its pipes."""

    def __init__(self, launcher_pid: int, requests: int, events: int) -> None:
        self.launcher_pid = launcher_pid
        self.requests = requests
        self.events = events


def spawn(home: Path, mode: str) -> ServerProcess:
    """Start a fork server for ``home`` (an absolute, resolved path) in its own session.

    The launched process forks the server and exits at once (``--daemon``), so that the
    server is nobody's child and outlives this process; its stderr goes to
    ``$KAWA_HOME/forkserver.log``.
    """
    argv = [sys.executable, "-I", "-S", str(FORKSERVER), "--home", str(home)]
    argv += ["--isolation", mode, "--argosay", str(home / "shims" / "argosay")]
    argv += ["--daemon", "1"]
    requests_r, requests_w = os.pipe2(os.O_CLOEXEC)
    events_r, events_w = os.pipe2(os.O_CLOEXEC)
    log = os.open(
        home / "forkserver.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644
    )
    try:
        pid = os.posix_spawn(
            sys.executable,
            argv,
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, requests_r, 0),
                (os.POSIX_SPAWN_DUP2, events_w, 1),
                (os.POSIX_SPAWN_DUP2, log, 2),
            ],
            setsid=True,
        )
    except BaseException:
        os.close(requests_w)
        os.close(events_r)
        raise
    finally:
        for fd in (requests_r, events_w, log):
            os.close(fd)
    return ServerProcess(pid, requests_w, events_r)


def home_path(home: Path | str) -> Path:
    """The home as the executor names it (created if missing, symlinks resolved)."""
    path = Path(home)
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def chosen_mode(isolation: str | None = None) -> str:
    """The isolation mode asked for: ``isolation``, else ``$KAWA_ISOLATION``, else auto."""
    mode = isolation or os.environ.get("KAWA_ISOLATION") or "auto"
    if mode not in MODES:
        raise ValueError(f"isolation must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


_early: dict[tuple[str, str], ServerProcess] = {}


def start_early(home: Path) -> None:
    """Start the fork server of ``home`` now, for the executor that will ask for it."""
    try:
        mode = chosen_mode()
        resolved = home_path(home)
        _early[(str(resolved), mode)] = spawn(resolved, mode)
    except (ValueError, OSError):
        return  # the executor tries again, and reports what fails


def take_early(home: Path, mode: str) -> ServerProcess | None:
    """The server :func:`start_early` started for this home and mode, if any."""
    return _early.pop((str(home), mode), None)
