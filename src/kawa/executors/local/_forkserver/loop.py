"""The fork server's loop: launch steps, reap them, record how they ended, report.

Requests arrive on stdin and events leave on stdout, one compact JSON object per line:

=========================================  ==============================================
request                                    effect
=========================================  ==============================================
``{"op":"start","node":D,...}``            launch the step whose node dir is ``D``
``{"op":"stop","node":D,"grace":S}``       SIGTERM its session; SIGKILL after ``S`` s
``{"op":"watch","node":D}``                report the end of a step launched earlier,
                                           perhaps by another (dead) controller
``{"op":"start",...,"after":A}``           an *advance* start: launch the step the moment
                                           this server's step ``A`` exits 0 (at once if it
                                           already did); drop it if ``A`` ends otherwise
``{"op":"withdraw","node":D}``             drop the advance start of ``D`` if it has not
                                           launched: ``withdrawn``; else ``kept``
``{"op":"confirm","node":D,...}``          the engine's own start of an advance start:
                                           ``confirmed``, then launch it now unless it
                                           launched or waits for a slot here already
=========================================  ==============================================

Events: ``hello`` (pid, isolation, reason), ``started`` (node, pid, at), ``already``
(node: it was launched before, nothing new ran), ``ended`` (node, and its ``exit``
record, which is written to the node dir right after), ``progress`` (node, progress, at),
``dropped`` (node: its advance start will not launch, ``A`` did not exit 0 here),
``withdrawn`` / ``kept`` (node: the answer to ``withdraw``), ``confirmed`` (node: the
answer to ``confirm``).

Advance starts are how a chain's next step starts without waiting for the controller:
the engine issues them only when ``A`` exiting 0 is sure to lead to that very start
(``kawa.engine.advance``).  They are never queued for a lost controller: the next one
starts such a step the usual way.

Speed: a plain step is started with ``posix_spawn`` (vfork + exec) from this process,
chrooted into a root built for it in this process's own mount namespace; nothing is
forked on the way (a Python fork copies page tables and then page after page).

Durability: the server runs in its own session and survives its controller.  When
stdin reaches EOF it stops reporting, keeps reaping and writing ``exit`` records, and
exits once no step of its own is left.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
from dataclasses import dataclass, field
from typing import Any

from . import isolation, launch, records, slots, starting, supervisor, watching

PROGRESS_EVERY = 1.0
LOST_GRACE = 2.0
LOST_CHECK_EVERY = 0.05
#: with no step running, build spare roots after this much quiet
SPARE_AFTER = 0.02
#: how many recent endings (node -> exited 0) are kept for advance starts that arrive late
RECENT_ENDINGS = 256


@dataclass
class Running:
    """A step this server started (``pid`` is our child) or watches (``pidfd``)."""

    node: str
    pid: int
    started: float
    supervised: bool = False
    root: str = ""
    pidfd: int = -1
    #: its root may be kept for another step (``starting.Launcher.release``)
    tmp_only: bool = False
    progress: watching.Progress = field(default_factory=watching.Progress)


@dataclass
class Kill:
    at: float
    node: str
    pid: int
    start_ticks: int | None


@dataclass
class Server:
    home: str
    mode: str
    argosay: str
    isolated: str = "none"
    reason: str = ""
    jobs: dict[int, Running] = field(default_factory=dict)
    nodes: dict[str, Running] = field(default_factory=dict)
    watched: dict[int, Running] = field(default_factory=dict)
    lost_waits: dict[str, float] = field(default_factory=dict)
    kills: list[Kill] = field(default_factory=list)
    out: bytearray = field(default_factory=bytearray)
    inbuf: bytearray = field(default_factory=bytearray)
    #: advance starts by the node whose ending they wait for, and that node by each
    parked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    parked_after: dict[str, str] = field(default_factory=dict)
    #: node -> whether it exited 0, for the last few steps of this server that ended
    recent: dict[str, bool] = field(default_factory=dict)
    controller_gone: bool = False
    waiting_to_write: bool = False
    next_progress: float = 0.0
    more_to_reap: bool = False

    def __post_init__(self) -> None:
        self.slots: slots.Slots[dict[str, Any]] = slots.Slots()
        self.poller = select.poll()
        self.launcher = starting.Launcher(
            isolated="none",
            roots=os.path.join(self.home, "forkserver", f"roots-{os.getpid()}"),
            top=[],
            argosay=self.argosay,
            real_root=os.open("/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC),
            devnull=os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC),
            boot=records.boot_id(),
        )

    # -- start-up ------------------------------------------------------------------

    def choose_isolation(self) -> None:
        if self.mode == "none":
            self.isolated, self.reason = "none", "KAWA_ISOLATION=none"
            return
        userns = self.mode == "user" or os.geteuid() != 0
        try:
            if userns:
                isolation.enter_user_namespace(os.getuid(), os.getgid())
            isolation.enter_server_namespace(self.launcher.roots)
            # the way back out of a chroot must lead to this namespace's root
            os.close(self.launcher.real_root)
            self.launcher.real_root = os.open("/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            self.launcher.top = isolation.host_top_level()
            self.remove_stale_roots()
            self.launcher.isolated = "user-namespace" if userns else "mount-namespace"
            self.probe()
            self.isolated = self.launcher.isolated
        except OSError as e:
            self.isolated, self.reason = "none", f"mount namespaces do not work here: {e}"
            self.launcher.isolated = "none"

    def remove_stale_roots(self) -> None:
        """Remove the (empty) root dirs of fork servers that are gone."""
        base = os.path.join(self.home, "forkserver")
        for name in os.listdir(base):
            owner = name.removeprefix("roots-")
            if owner.isdigit() and int(owner) != os.getpid() and records.start_ticks(owner) is None:
                with contextlib.suppress(OSError):
                    os.rmdir(os.path.join(base, name))

    def probe(self) -> None:
        """Build a view with an overlay in it, enter and leave it; raise what failed."""
        base = os.path.join(self.home, "forkserver", f"probe-{os.getpid()}")
        os.makedirs(base + "/lower", exist_ok=True)
        overlay = {"kind": "overlay", "path": "/tmp", "lower": base + "/lower"}
        overlay.update(upper=base + "/upper", work=base + "/work")
        try:
            root = self.launcher.view({"mounts": [overlay]})
            with launch.View(root, "/tmp", self.launcher.real_root):
                pass
            self.launcher.forget(root)
        finally:
            watching.rmtree(base)

    # -- requests ------------------------------------------------------------------

    def handle(self, line: bytes) -> None:
        """Carry out one request; a request that fails is logged, never fatal."""
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "start" and req.get("after"):
                self.park(req)
            elif op == "start":
                self.admit(req)
            elif op == "withdraw":
                self.withdraw(req["node"])
            elif op == "confirm":
                self.confirm(req)
            elif op == "stop":
                self.stop(req["node"], float(req.get("grace", 10.0)))
            elif op == "watch":
                self.watch(req["node"])
        except Exception as e:  # the server must outlive any one request
            sys.stderr.write(f"kawa fork server: a request failed: {e!r}\n")

    def admit(self, req: dict[str, Any]) -> None:
        """Start now, or queue behind the request's parallelism limit."""
        key = req.get("queue")
        if not key or self.slots.admit(
            key, int(req.get("limit") or 1), str(req.get("lane") or ""), req["node"], req
        ):
            self.start(req)

    def park(self, req: dict[str, Any]) -> None:
        """Hold an advance start until its step ``after`` ends (only a step of ours)."""
        after, node = req["after"], req["node"]
        job = self.nodes.get(after)
        if job is not None and job.pidfd < 0:  # our own child (a watched step has a pidfd)
            self.parked.setdefault(after, []).append(req)
            self.parked_after[node] = after
            with contextlib.suppress(OSError):  # its files, while nothing else is to do
                self.launcher.prepare(req)
        elif self.recent.get(after):
            self.admit(req)
        else:
            self.emit(ev="dropped", node=node)

    def withdraw(self, node: str, *, quiet: bool = False) -> None:
        after = self.parked_after.pop(node, None)
        if after is None:
            if not quiet:
                self.emit(ev="kept", node=node)
            return
        waiting = self.parked[after]
        waiting[:] = [r for r in waiting if r["node"] != node]
        if not waiting:
            del self.parked[after]
        if not quiet:
            self.emit(ev="withdrawn", node=node)

    def confirm(self, req: dict[str, Any]) -> None:
        """Start a step sent in advance, unless that start is under way here.

        The advance start was dropped or withdrawn (its answer may still be on its way to
        the controller) or is still parked: start it as any step.
        """
        node = req["node"]
        self.emit(ev="confirmed", node=node)
        if node in self.parked_after:
            self.withdraw(node, quiet=True)
        elif node in self.nodes or node in self.recent or self.slots.holds(node):
            return
        self.admit(req)

    def release_parked(self, node: str, record: dict[str, Any]) -> None:
        """``node`` ended: launch the advance starts waiting for it, or drop them."""
        succeeded = record.get("exit_code") == 0 and not record.get("error")
        self.recent[node] = succeeded
        if len(self.recent) > RECENT_ENDINGS:
            del self.recent[next(iter(self.recent))]
        for req in self.parked.pop(node, ()):
            del self.parked_after[req["node"]]
            if succeeded:
                self.admit(req)
            else:
                self.emit(ev="dropped", node=req["node"])

    def start(self, req: dict[str, Any]) -> None:
        node = req["node"]
        fd = None if node in self.nodes else self.launcher.claim(node)
        if fd is None:
            self.emit(ev="already", node=node)
            self.watch(node)
            for waiting in self.slots.release(node):  # it does not run under this server
                self.start(waiting)
            return
        at = records.now()
        root, pid, message, error, ticks = "", 0, "", False, None
        try:
            root = self.launcher.view(req)
            pid, message, ticks = self.launcher.start(req, root)
        except OSError as e:
            message, error = f"kawa could not prepare the step's process: {e}", True
        self.launcher.record_launch(fd, pid, req, at, ticks)
        if pid:
            supervised = bool(req.get("supervised"))
            job = Running(node, pid, at, supervised, root, tmp_only=starting.tmp_only(req))
            self.jobs[pid] = job
            self.nodes[node] = job
            self.emit(ev="started", node=node, pid=pid, at=at)
            self.watch_zygotes()
            return
        if root:
            self.launcher.forget(root)
        code = None if error else launch.EXIT_CANNOT_START
        record = {"pid": 0, "exit_code": code, "signal": None, "message": message}
        record.update(error=error, started_at=records.iso(at), finished_at=records.iso(at))
        self.end(node, record)

    def stop(self, node: str, grace: float) -> None:
        if node in self.parked_after:
            self.withdraw(node)
            return
        if self.slots.withdraw(node) is not None:
            at = records.iso(records.now())
            record = {"pid": 0, "exit_code": None, "signal": None, "started_at": at}
            record.update(finished_at=at, message="stopped before it started")
            self.end(node, record)
            return
        job = self.nodes.get(node)
        if job is not None and job.pidfd < 0:
            pid, ticks = job.pid, None
        else:
            launched = records.read_json(os.path.join(node, records.LAUNCHED))
            if launched is None or not records.is_same_process(launched, self.launcher.boot):
                return
            pid, ticks = int(launched["pid"]), launched.get("start_ticks")
        records.signal_session(pid, signal.SIGTERM)
        self.kills.append(Kill(records.now() + grace, node, pid, ticks))

    def watch(self, node: str) -> None:
        """Report the end of a step that this server did not start."""
        if node in self.nodes:
            return
        if os.path.exists(os.path.join(node, records.EXIT)):
            self.emit(ev="ended", node=node)
            return
        launched = records.read_json(os.path.join(node, records.LAUNCHED))
        if launched is None:
            return
        pid = int(launched.get("pid") or 0)
        try:
            pidfd = os.pidfd_open(pid) if pid else -1
        except OSError:
            pidfd = -1
        if pidfd < 0 or not records.is_same_process(launched, self.launcher.boot):
            if pidfd >= 0:
                os.close(pidfd)
            self.lost_waits[node] = records.now() + LOST_GRACE
            return
        job = Running(node, pid, records.now(), pidfd=pidfd)
        self.watched[pidfd] = job
        self.nodes[node] = job
        self.poller.register(pidfd, select.POLLIN)

    # -- endings -------------------------------------------------------------------

    def watch_zygotes(self) -> None:
        """Watch the pipes of new zygotes; take the ends they reported meanwhile."""
        for fd in self.launcher.new_zygote_fds:
            self.poller.register(fd, select.POLLIN)
        self.launcher.new_zygote_fds.clear()
        for fd in list(self.launcher.zygotes.by_fd):
            if self.launcher.zygotes.has_pending(fd):
                self.zygote_exits(fd)

    def zygote_exits(self, fd: int) -> None:
        for pid, status in self.launcher.zygotes.exits(fd):
            job = self.jobs.pop(pid, None)
            if job is None:
                continue
            if status is None:  # the zygote died: the step's outcome is unknown
                del self.nodes[job.node]
                lost: dict[str, Any] = {"pid": pid, "exit_code": None, "signal": None}
                lost.update(error=True, started_at=records.iso(job.started))
                lost.update(finished_at=records.iso(records.now()))
                lost["message"] = "the pre-warmed Python interpreter of this step ended"
                self.end(job.node, lost)
                continue
            self.finish(job, status)
        if fd not in self.launcher.zygotes.by_fd:
            with contextlib.suppress(KeyError):
                self.poller.unregister(fd)

    def reap(self) -> None:
        """Reap the children that exited, but end after one of ours.

        Ending a step starts the next ones; a step as short as that bookkeeping would
        keep this loop going, and the requests waiting on stdin (the next link of a
        chain) would wait with them.  ``more_to_reap`` brings the main loop back at once.
        """
        self.more_to_reap = False
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            job = self.jobs.pop(pid, None)
            if job is not None:
                self.finish(job, status)
                self.more_to_reap = True
                return

    def finish(self, job: Running, status: int) -> None:
        """Report the step's end, record it in ``exit``, give its root back."""
        del self.nodes[job.node]
        record: dict[str, Any] = {
            "pid": job.pid,
            "exit_code": supervisor.exit_code(status),
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "started_at": records.iso(job.started),
            "finished_at": records.iso(records.now()),
        }
        if job.supervised:
            summary = records.read_json(os.path.join(job.node, records.SUPERVISOR)) or {}
            record.update(summary)
        self.report_progress(job)
        self.end(job.node, record, job)

    def end(self, node: str, record: dict[str, Any], job: Running | None = None) -> None:
        """Report and record a step's end, give its root back, refill its slot.

        When no step waits for the slot, what runs next is the controller's decision:
        the end is sent at once, before the rest of the bookkeeping.  The steps that
        start now (the slot's next, advance starts) start before the ``exit`` file is
        written: the event carries the record; the file is for a controller that missed
        the event, and creating it can take a while on a busy disk.
        """
        self.emit(ev="ended", node=node, record=record)
        waiting = self.slots.release(node)
        if not waiting:
            self.flush()
        if job is not None and job.root:  # before the refill, which may reuse it
            with contextlib.suppress(OSError):
                self.launcher.release(job.root, job.pid, job.tmp_only)
        for item in waiting:  # refill the slot at once
            self.start(item)
        self.release_parked(node, record)
        self.flush()
        records.write_once(os.path.join(node, records.EXIT), record)

    def watched_exited(self, pidfd: int) -> None:
        job = self.watched.pop(pidfd)
        self.poller.unregister(pidfd)
        os.close(pidfd)
        self.report_progress(job)
        del self.nodes[job.node]
        self.lost_waits[job.node] = records.now() + LOST_GRACE

    def check_lost(self, now: float) -> None:
        """Wait (bounded) for the old server's ``exit`` record; else record the loss."""
        for node, deadline in list(self.lost_waits.items()):
            path = os.path.join(node, records.EXIT)
            if not os.path.exists(path):
                if now < deadline:
                    continue
                lost: dict[str, Any] = {"exit_code": None, "signal": None, "error": True}
                lost.update(lost=True, message=records.LOST_MESSAGE, finished_at=records.iso(now))
                records.write_once(path, lost)
            del self.lost_waits[node]
            self.emit(ev="ended", node=node)

    def check_kills(self, now: float) -> None:
        for kill in [k for k in self.kills if k.at <= now]:
            self.kills.remove(kill)
            own = self.jobs.get(kill.pid)
            if own is not None and own.node == kill.node:
                alive = True
            else:
                ticks = records.start_ticks(kill.pid)
                alive = kill.start_ticks is not None and ticks == kill.start_ticks
            if alive:
                records.signal_session(kill.pid, signal.SIGKILL)

    def report_progress(self, job: Running) -> None:
        progress = job.progress.check(os.path.join(job.node, records.PROGRESS))
        if progress:
            self.emit(ev="progress", node=job.node, progress=progress, at=records.now())

    # -- plumbing ------------------------------------------------------------------

    def emit(self, **event: Any) -> None:
        if self.controller_gone:
            return
        # written by ``flush``: once per loop turn, and in ``end`` after the starts that
        # refilled the slot, so an ending and those starts wake the controller once
        self.out += records.compact(event).encode() + b"\n"

    def flush(self) -> None:
        while self.out and not self.controller_gone:
            try:
                n = os.write(1, self.out)
            except BlockingIOError:
                if not self.waiting_to_write:
                    self.poller.register(1, select.POLLOUT)
                    self.waiting_to_write = True
                return
            except OSError:
                self.lose_controller()
                return
            del self.out[:n]
        if self.waiting_to_write:
            with contextlib.suppress(KeyError):
                self.poller.unregister(1)
            self.waiting_to_write = False

    def lose_controller(self) -> None:
        """The controller is gone: stop reporting, keep reaping our own steps."""
        self.controller_gone = True
        self.out.clear()
        self.slots.drop_waiting()  # never started: the next controller issues them again
        self.parked.clear()
        self.parked_after.clear()
        for fd in (0, 1):
            with contextlib.suppress(KeyError):
                self.poller.unregister(fd)
        for pidfd, job in list(self.watched.items()):
            self.poller.unregister(pidfd)
            os.close(pidfd)
            del self.nodes[job.node]
        self.watched.clear()
        self.lost_waits.clear()

    def read_requests(self) -> None:
        while True:
            try:
                chunk = os.read(0, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                self.lose_controller()
                break
            self.inbuf += chunk
        while (end := self.inbuf.find(b"\n")) >= 0:
            line = bytes(self.inbuf[:end])
            del self.inbuf[: end + 1]
            if line.strip():
                self.handle(line)

    def timeout(self, now: float) -> int:
        if self.more_to_reap:
            return 0
        deadlines = [k.at for k in self.kills]
        if self.lost_waits:
            deadlines.append(now + LOST_CHECK_EVERY)
        if self.nodes:
            deadlines.append(self.next_progress)
        if self.launcher.needs_spare_root():
            deadlines.append(now + SPARE_AFTER)
        if not deadlines:
            return -1
        return max(0, int((min(deadlines) - now) * 1000) + 1)

    def tick(self) -> None:
        now = records.now()
        self.check_kills(now)
        self.check_lost(now)
        if now >= self.next_progress:
            for job in list(self.nodes.values()):
                self.report_progress(job)
            self.next_progress = now + PROGRESS_EVERY

    def run(self) -> int:
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
        for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM, signal.SIGQUIT):
            signal.signal(sig, signal.SIG_IGN)
        os.chdir("/")
        os.set_blocking(0, False)
        os.set_blocking(1, False)
        self.poller.register(0, select.POLLIN)
        self.poller.register(wake_r, select.POLLIN)
        self.emit(ev="hello", pid=os.getpid(), isolation=self.isolated, reason=self.reason)
        self.flush()
        while True:
            events = self.poller.poll(self.timeout(records.now()))
            for fd, _ in events:
                if fd == 0:
                    self.read_requests()
                elif fd == 1:
                    self.flush()
                elif fd == wake_r:
                    watching.drain(wake_r)
                elif fd in self.watched:
                    self.watched_exited(fd)
                elif fd in self.launcher.zygotes.by_fd:
                    self.zygote_exits(fd)
            self.reap()
            self.tick()
            self.flush()
            if self.controller_gone and not self.jobs:
                return 0
            # build a spare root while steps run, or after a quiet moment; never in
            # the way of a request that is waiting
            quiet = not events or (self.jobs and not self.poller.poll(0))
            if quiet and self.launcher.needs_spare_root():
                self.prepare_spare_root()

    def prepare_spare_root(self) -> None:
        try:
            self.launcher.prepare_spare_root()
        except OSError as e:
            sys.stderr.write(f"kawa fork server: cannot prepare a root: {e!r}\n")


def main(argv: list[str]) -> int:
    args = dict(zip(argv[::2], argv[1::2], strict=False))
    if args.get("--daemon") == "1" and os.fork():
        os._exit(0)
    server = Server(
        home=args["--home"], mode=args.get("--isolation", "auto"), argosay=args["--argosay"]
    )
    server.choose_isolation()
    try:
        return server.run()
    except BaseException as e:
        sys.stderr.write(f"kawa fork server {os.getpid()} failed: {e!r}\n")
        raise
