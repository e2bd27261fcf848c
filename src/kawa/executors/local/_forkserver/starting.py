"""Launch one step: claim its node, build its view, start its process.

The order is what makes a launch happen at most once and never go unrecorded:

1. ``launched`` is created with O_CREAT|O_EXCL before anything runs.  Whoever creates it
   owns the node; everyone else (a second ``start``, another fork server) backs off.
2. The step's root is built and its process started (``launch.spawn``), or, for a step
   of several containers, a supervisor is forked.
3. ``launched`` gets its content: pid, start time (from /proc), boot id, the mount plan.
   A reader that finds it still empty waits a moment (``records.read_json``); if kawa
   died in between, the node reads as launched and lost, never as not started.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
from dataclasses import dataclass, field
from typing import Any

from . import isolation, launch, records, supervisor, warm

#: generic roots kept built, so that a launch only adds the step's own mounts
SPARE_ROOTS = 2
#: at most this many roots kept for reuse (more come back when many steps end at once)
KEPT_ROOTS = 8
#: a kept root serves this many steps, each with its ``/tmp`` mounted over the one
#: before, then it is detached whole (one unmount for them all)
STEPS_PER_ROOT = 64


@dataclass
class Launcher:
    """What launching needs from the fork server: its view of the host, fds, mode."""

    isolated: str
    roots: str
    top: list[tuple[str, str, str]]
    argosay: str
    real_root: int
    devnull: int
    boot: str
    counter: int = 0
    spare: list[str] = field(default_factory=list)
    #: root -> (mtime, link count) of its top directory as built: a root whose top
    #: changed (a step wrote ``/x``) is never given to another step
    pristine: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: root -> how many steps it has served (each left its ``/tmp`` mount behind)
    served: dict[str, int] = field(default_factory=dict)
    zygotes: warm.Zygotes = field(default_factory=warm.Zygotes)
    #: pipes of zygotes started since the server last looked (it must watch them)
    new_zygote_fds: list[int] = field(default_factory=list)

    def claim(self, node: str) -> int | None:
        """Create ``launched`` (empty, exclusively); its fd, or None if it existed."""
        _make_node_dirs(node)
        path = os.path.join(node, records.LAUNCHED)
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except FileExistsError:
            return None

    def prepare(self, req: dict[str, Any]) -> None:
        """Make a step's node dir, its ``tmp`` and output files ahead of its start.

        Only what a start would create anyway, and nothing that says it started
        (``launched`` is still made by :meth:`claim`, exclusively, at the start).
        """
        _make_node_dirs(req["node"])
        for container in req["containers"]:
            for name in ("stdout", "stderr"):
                os.close(launch.open_output(container[name]))

    def new_root(self) -> str:
        self.counter += 1
        root = f"{self.roots}/{self.counter}"
        isolation.build_root(root, self.top, self.argosay)
        self.pristine[root] = _top_of(root)
        return root

    def needs_spare_root(self) -> bool:
        return self.isolated != "none" and len(self.spare) < SPARE_ROOTS

    def prepare_spare_root(self) -> None:
        """Build one generic root ahead of need (when the server has nothing to do)."""
        self.spare.append(self.new_root())

    def view(self, req: dict[str, Any]) -> str:
        """The step's root, with its own mounts (empty when steps are not isolated)."""
        if self.isolated == "none":
            return ""
        root = self.spare.pop() if self.spare else self.new_root()
        self.served[root] = self.served.get(root, 0) + 1
        try:
            isolation.apply_mounts(root, req["mounts"], self.isolated == "user-namespace")
        except BaseException:
            self.forget(root)
            raise
        return root

    def release(self, root: str, pid: int, tmp_only: bool) -> None:
        """Take a root back from a step that ended: keep it for the next step, or detach it.

        Building a root costs a tmpfs and a bind mount per top-level host directory;
        most steps change nothing in theirs but the private ``/tmp`` (and paths below
        it).  Such a root is kept as it is: the next step's ``/tmp`` is mounted over
        this one's, which it hides, and after :data:`STEPS_PER_ROOT` steps the root is
        detached whole (an unmount costs ~0.15 to 0.4 ms, mostly waiting for the kernel;
        one per step was a third of the server's time on a fan-out).  A root is not
        kept when the step had other mounts, ran in a pre-warmed or supervised process,
        left a process behind in its process group, or wrote to the root's top
        directory.
        """
        if (
            tmp_only
            and len(self.spare) < KEPT_ROOTS
            and self.served.get(root, STEPS_PER_ROOT) < STEPS_PER_ROOT
            and not records.group_alive(pid)
            and _top_of(root) == self.pristine.get(root)
        ):
            self.spare.append(root)
            return
        self.forget(root)

    def forget(self, root: str) -> None:
        """Detach ``root`` and everything mounted in it."""
        self.pristine.pop(root, None)
        self.served.pop(root, None)
        isolation.remove_root(root)

    def start(self, req: dict[str, Any], root: str) -> tuple[int, str, int | None]:
        """Start the step in ``root``: (pid, "", start ticks) or (0, why it could not start).

        The start ticks are known without reading /proc when the clock did not cross a
        tick while the process was forked (``records.ticks_between``); else None.
        """
        before = records.boot_ns()
        if req.get("supervised"):
            pid, message = self.fork_supervisor(req, root), ""
        elif req.get("warm") and self.isolated != "user-namespace":
            # a Python script, forked from a pre-warmed interpreter (which, exec'd by an
            # unprivileged user, could not chroot: there the step starts cold)
            pid, fd = self.zygotes.start(req["warm"], req["containers"][0], root)
            if fd is not None:
                self.new_zygote_fds.append(fd)
            message = ""
        else:
            pid, message = launch.spawn(req["containers"][0], root, self.real_root, self.devnull)
        return pid, message, records.ticks_between(before, records.boot_ns())

    def fork_supervisor(self, req: dict[str, Any], root: str) -> int:
        pid = os.fork()
        if pid:
            return pid
        try:  # the child: never return into (a copy of) the server's loop
            gc.disable()
            signal.set_wakeup_fd(-1)
            for sig in launch.RESET_SIGNALS:
                signal.signal(sig, signal.SIG_DFL)
            os.setsid()
            os.dup2(self.devnull, 0)
            os.dup2(self.devnull, 1)
            keep = sorted({self.real_root, self.devnull})
            os.closerange(3, keep[0])
            os.closerange(keep[0] + 1, keep[-1])
            os.closerange(keep[-1] + 1, 1 << 16)
            supervisor.run_pod(req, root, self.real_root, self.devnull)
        finally:
            os._exit(launch.EXIT_KAWA_ERROR)

    def record_launch(
        self, fd: int, pid: int, req: dict[str, Any], at: float, ticks: int | None = None
    ) -> None:
        if pid and ticks is None:
            ticks = records.start_ticks(pid)
        record = {
            "pid": pid,
            "start_ticks": ticks if pid else None,
            "boot_id": self.boot,
            "started_at": records.iso(at),
            "isolation": self.isolated,
            "mounts": req["mounts"] if self.isolated != "none" else [],
        }
        if req.get("after"):  # launched in advance, the moment that node exited 0
            record["after"] = req["after"]
        try:
            os.write(fd, records.compact(record).encode())
        finally:
            os.close(fd)


def _make_node_dirs(node: str) -> None:
    """The node dir and its ``tmp``, usually made here (the controller makes the node dir
    for input artifacts); one ``mkdir`` each when the node's parent exists."""
    try:
        os.mkdir(node)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(node, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(os.path.join(node, records.TMP))


def _top_of(root: str) -> tuple[int, int]:
    st = os.stat(root)
    return st.st_mtime_ns, st.st_nlink


def tmp_only(req: dict[str, Any]) -> bool:
    """A plain step whose only mounts are its ``/tmp`` and paths below it."""
    if req.get("supervised") or req.get("warm"):
        return False
    paths = [m["path"] for m in req["mounts"]]
    return paths[:1] == ["/tmp"] and all(p.startswith("/tmp/") for p in paths[1:])
