"""Starting the fork server's process — ``os`` and ``sys`` only, so that ``kawa run`` can
start it first thing, before it imports the engine and loads the workflow.

The fork server takes ~40 ms to come up (a fresh Python and its modules); ``kawa run``
needs ~70 ms to import kawa, load, validate and submit the workflow.  Started by
:mod:`kawa.cli.entry` before it imports anything else of kawa (:func:`start_early`), the
server is up by the time the first step is issued, on the other core;
:class:`~kawa.executors.local.executor.LocalExecutor` then takes it (:func:`take_early`)
instead of starting one.  A server nobody takes (the workflow did not validate) sees its
pipe close when ``kawa`` exits, and ends.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

FORKSERVER = os.path.join(os.path.dirname(__file__), "forkserver.py")
MODES = ("auto", "none", "user")


class ServerProcess:
    """A fork server being started: the pid of its launcher, our ends of its pipes."""

    def __init__(self, launcher_pid: int, requests: int, events: int) -> None:
        self.launcher_pid = launcher_pid
        self.requests = requests
        self.events = events


def spawn(home: Path | str, mode: str) -> ServerProcess:
    """Start a fork server for ``home`` (an absolute, resolved path) in its own session.

    The launched process forks the server and exits at once (``--daemon``), so that the
    server is nobody's child and outlives this process; its stderr goes to
    ``$KAWA_HOME/forkserver.log``.
    """
    home = os.fspath(home)
    argv = [sys.executable, "-I", "-S", FORKSERVER, "--home", home]
    argv += ["--isolation", mode, "--argosay", os.path.join(home, "shims", "argosay")]
    argv += ["--daemon", "1"]
    requests_r, requests_w = os.pipe2(os.O_CLOEXEC)
    events_r, events_w = os.pipe2(os.O_CLOEXEC)
    log = os.open(
        os.path.join(home, "forkserver.log"),
        os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC,
        0o644,
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


def default_home() -> str:
    """``$KAWA_HOME``, else ``~/.kawa`` (as :meth:`kawa.controller.home.Home.default`)."""
    return os.environ.get("KAWA_HOME") or os.path.join(os.path.expanduser("~"), ".kawa")


def home_path(home: Path | str) -> str:
    """The home as the executor names it (created if missing, absolute, symlinks resolved)."""
    os.makedirs(home, exist_ok=True)
    return os.path.realpath(home)


def chosen_mode(isolation: str | None = None) -> str:
    """The isolation mode asked for: ``isolation``, else ``$KAWA_ISOLATION``, else auto."""
    mode = isolation or os.environ.get("KAWA_ISOLATION") or "auto"
    if mode not in MODES:
        raise ValueError(f"isolation must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


_early: dict[tuple[str, str], ServerProcess] = {}


def start_early(home: Path | str) -> None:
    """Start the fork server of ``home`` now, for the executor that will ask for it."""
    try:
        mode = chosen_mode()
        resolved = home_path(home)
        _early[(resolved, mode)] = spawn(resolved, mode)
    except (ValueError, OSError):
        return  # the executor tries again, and reports what fails


def take_early(home: Path | str, mode: str) -> ServerProcess | None:
    """The server :func:`start_early` started for this home and mode, if any."""
    return _early.pop((os.fspath(home), mode), None)
