"""The fork server's loop: launch steps, reap them, record how they ended, report.

Requests arrive on stdin and events leave on stdout, one compact JSON object per line:

=========================================  ==============================================
request                                    effect
=========================================  ==============================================
``{"op":"start","node":D,...}``            launch the step whose node dir is ``D``
``{"op":"stop","node":D,"grace":S}``       SIGTERM its session; SIGKILL after ``S`` s
``{"op":"watch","node":D}``                report the end of a step launched earlier,
                                           perhaps by another (dead) controller
=========================================  ==============================================

Events: ``hello`` (pid, isolation, reason), ``started`` (node, pid, at), ``already``
(node: it was launched before, nothing new ran), ``ended`` (node: its ``exit`` record is
written), ``progress`` (node, progress, at).

Speed: a few *pool children* are forked ahead of time and have already entered their
own mount namespace with a generic view of the host; a start request is written to one
of them, which claims the node, adds the step's own mounts and execs.  Forking (the
costly part for a Python parent) happens between launches, not on the way to one.

Durability: the server runs in its own session and survives its controller.  When
stdin reaches EOF it stops reporting, keeps reaping and writing ``exit`` records, and
exits once no step of its own is left.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import sys
from dataclasses import dataclass, field
from typing import Any, NoReturn

from . import isolation, launch, records, supervisor

#: "started" waits this long, so a quick step's start and end reach the controller in one
#: wake-up (the engine loses nothing by hearing of a start 2 ms late)
STARTED_DELAY = 0.002
PROGRESS_EVERY = 1.0
LOST_GRACE = 2.0
LOST_CHECK_EVERY = 0.05
MAX_PROGRESS_READ = 4096


@dataclass
class Running:
    """A step this server forked (``pid`` is our child) or watches (``pidfd``)."""

    node: str
    pid: int
    started: float
    supervised: bool = False
    pidfd: int = -1
    progress_seen: tuple[int, int] = (0, -1)
    progress: str = ""
    note: dict[str, Any] = field(default_factory=dict)


@dataclass
class PoolChild:
    pid: int
    request_fd: int


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
    pool_size: int
    argosay: str
    isolated: str = "none"
    reason: str = ""
    boot: str = field(default_factory=records.boot_id)
    jobs: dict[int, Running] = field(default_factory=dict)
    nodes: dict[str, Running] = field(default_factory=dict)
    watched: dict[int, Running] = field(default_factory=dict)
    lost_waits: dict[str, float] = field(default_factory=dict)
    kills: list[Kill] = field(default_factory=list)
    pool: list[PoolChild] = field(default_factory=list)
    top: list[tuple[str, str, str]] = field(default_factory=list)
    out: bytearray = field(default_factory=bytearray)
    started: list[dict[str, Any]] = field(default_factory=list)
    inbuf: bytearray = field(default_factory=bytearray)
    controller_gone: bool = False
    next_progress: float = 0.0

    def __post_init__(self) -> None:
        self.root = os.path.join(self.home, "forkserver", "root")
        self.poller = select.poll()

    # -- start-up ------------------------------------------------------------------

    def choose_isolation(self) -> None:
        if self.mode == "none":
            self.isolated, self.reason = "none", "KAWA_ISOLATION=none"
            return
        try:
            if self.mode == "user" or os.geteuid() != 0:
                isolation.enter_user_namespace(os.getuid(), os.getgid())
                kind = "user-namespace"
            else:
                kind = "mount-namespace"
            os.makedirs(self.root, exist_ok=True)
            self.top = isolation.host_top_level()
            self.probe()
            self.isolated = kind
        except OSError as e:
            self.isolated, self.reason = "none", str(e)

    def probe(self) -> None:
        """Try everything a step's view needs, in a throwaway child; raise what failed."""
        base = os.path.join(self.home, "forkserver", f"probe-{os.getpid()}")
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            code = 0
            try:
                isolation.prepare_root(self.root, self.top, self.argosay)
                overlay = {"kind": "overlay", "path": "/tmp", "lower": base + "/lower"}
                overlay.update(upper=base + "/upper", work=base + "/work")
                os.makedirs(base + "/lower")
                isolation.apply_mounts(
                    self.root, [overlay], self.mode == "user" or os.geteuid() != 0
                )
                isolation.enter_root(self.root, "/")
            except BaseException as e:
                os.write(w, str(e).encode())
                code = 1
            os._exit(code)
        os.close(w)
        message = _read_all(r).decode(errors="replace")
        os.close(r)
        _, status = os.waitpid(pid, 0)
        _rmtree(base)
        if status != 0:
            raise OSError(f"mount namespaces do not work here: {message or status}")

    # -- pool ----------------------------------------------------------------------

    def fork_pool_child(self) -> PoolChild:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(w)
            self.become_pool_child(r)
        os.close(r)
        return PoolChild(pid, w)

    def become_pool_child(self, request_fd: int) -> NoReturn:
        try:
            gc.disable()
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGXFSZ, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)
            os.setsid()
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 1)
            os.closerange(3, request_fd)
            os.closerange(request_fd + 1, 1 << 16)
            problem = ""
            if self.isolated != "none":
                try:
                    isolation.prepare_root(self.root, self.top, self.argosay)
                except OSError as e:
                    problem = f"kawa could not give the step its own view of the files: {e}"
            _rehearse()
            data = _read_all(request_fd)
            if not data:
                os._exit(0)
            req = json.loads(data)
            if problem:
                launch.fail(launch.report_path(req["node"], os.getpid()), problem)
            if req.get("supervised"):
                supervisor.run_pod(req, self.isolated, self.root)
            launch.run_step(req, self.isolated, self.root)
        finally:  # never return into (a copy of) the server's loop
            os._exit(launch.EXIT_KAWA_ERROR)

    def fill_pool(self) -> None:
        while not self.controller_gone and len(self.pool) < self.pool_size:
            self.pool.append(self.fork_pool_child())

    # -- requests ------------------------------------------------------------------

    def handle(self, line: bytes) -> None:
        req = json.loads(line)
        op = req.get("op")
        if op == "start":
            self.start(req, line)
        elif op == "stop":
            self.stop(req["node"], float(req.get("grace", 10.0)))
        elif op == "watch":
            self.watch(req["node"])

    def start(self, req: dict[str, Any], data: bytes) -> None:
        """Claim the node for a pool child (``launched``), then hand it the request."""
        node = req["node"]
        if node in self.nodes:
            self.emit(ev="already", node=node)
            return
        child = self.pool.pop(0) if self.pool else self.fork_pool_child()
        if not self.claim(node, req, child.pid):
            self.pool.insert(0, child)
            self.emit(ev="already", node=node)
            self.watch(node)
            return
        job = Running(node, child.pid, records.now(), bool(req.get("supervised")))
        self.jobs[child.pid] = job
        self.nodes[node] = job
        try:
            _write_all(child.request_fd, data)
        except BrokenPipeError:
            job.note = {"error": True, "message": "kawa's launcher died before the step ran"}
        finally:
            os.close(child.request_fd)
        self.started.append({"ev": "started", "node": node, "pid": child.pid, "at": job.started})

    def claim(self, node: str, req: dict[str, Any], pid: int) -> bool:
        """Create ``launched`` naming ``pid``; False if the node was launched before."""
        tmp = os.path.join(node, records.TMP)
        try:
            os.mkdir(tmp)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(tmp, exist_ok=True)
        record = {
            "pid": pid,
            "start_ticks": records.start_ticks(pid),
            "boot_id": self.boot,
            "started_at": records.iso(records.now()),
            "isolation": self.isolated,
            "mounts": req["mounts"] if self.isolated != "none" else [],
        }
        return records.write_once(os.path.join(node, records.LAUNCHED), record)

    def stop(self, node: str, grace: float) -> None:
        job = self.nodes.get(node)
        if job is not None and job.pidfd < 0:
            pid, ticks = job.pid, None
        else:
            launched = records.read_json(os.path.join(node, records.LAUNCHED))
            if launched is None or not records.is_same_process(launched, self.boot):
                return
            pid, ticks = int(launched["pid"]), launched.get("start_ticks")
        records.signal_session(pid, signal.SIGTERM)
        self.kills.append(Kill(records.now() + grace, node, pid, ticks))

    def watch(self, node: str) -> None:
        """Report the end of a step that this server did not fork."""
        if node in self.nodes:
            return
        if os.path.exists(os.path.join(node, records.EXIT)):
            self.emit(ev="ended", node=node)
            return
        launched = records.read_json(os.path.join(node, records.LAUNCHED))
        if launched is None:
            return
        pid = int(launched["pid"])
        try:
            pidfd = os.pidfd_open(pid)
        except (ProcessLookupError, OSError):
            self.lost_waits[node] = records.now() + LOST_GRACE
            return
        if not records.is_same_process(launched, self.boot):
            os.close(pidfd)
            self.lost_waits[node] = records.now() + LOST_GRACE
            return
        job = Running(node, pid, records.now(), pidfd=pidfd)
        self.watched[pidfd] = job
        self.nodes[node] = job
        self.poller.register(pidfd, select.POLLIN)

    # -- endings -------------------------------------------------------------------

    def reap(self) -> None:
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
            else:
                for child in [c for c in self.pool if c.pid == pid]:
                    self.pool.remove(child)
                    os.close(child.request_fd)

    def finish(self, job: Running, status: int) -> None:
        """Report the step's end, then record it in ``exit``."""
        finished = records.now()
        del self.nodes[job.node]
        note_path = launch.report_path(job.node, job.pid)
        note = records.read_json(note_path) or job.note
        if note is not job.note:
            os.unlink(note_path)
        record: dict[str, Any] = {
            "pid": job.pid,
            "exit_code": supervisor.exit_code(status),
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "started_at": records.iso(job.started),
            "finished_at": records.iso(finished),
        }
        if note:
            record.update(message=note.get("message", ""), error=bool(note.get("error")))
        if job.supervised:
            summary = records.read_json(os.path.join(job.node, records.SUPERVISOR)) or {}
            record.update(summary)
        self.check_progress(job)
        self.flush_started()
        self.emit(ev="ended", node=job.node, record=record)
        records.write_once(os.path.join(job.node, records.EXIT), record)

    def watched_exited(self, pidfd: int) -> None:
        job = self.watched.pop(pidfd)
        self.poller.unregister(pidfd)
        os.close(pidfd)
        self.check_progress(job)
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
                alive = kill.start_ticks is not None and (
                    records.start_ticks(kill.pid) == kill.start_ticks
                )
            if alive:
                records.signal_session(kill.pid, signal.SIGKILL)

    # -- progress ------------------------------------------------------------------

    def check_progress(self, job: Running) -> None:
        path = os.path.join(job.node, records.PROGRESS)
        try:
            st = os.stat(path)
        except OSError:
            return
        seen = (st.st_mtime_ns, st.st_size)
        if seen == job.progress_seen:
            return
        job.progress_seen = seen
        with open(path, "rb") as f:
            f.seek(max(0, st.st_size - MAX_PROGRESS_READ))
            text = f.read().decode(errors="replace")
        lines = text.strip().split("\n")
        last = lines[-1].strip()
        if last and last != job.progress and _valid_progress(last):
            job.progress = last
            self.emit(ev="progress", node=job.node, progress=last, at=records.now())

    # -- plumbing ------------------------------------------------------------------

    def emit(self, **event: Any) -> None:
        if self.controller_gone:
            return
        self.out += json.dumps(event, separators=(",", ":")).encode() + b"\n"
        self.flush()

    def flush_started(self) -> None:
        events, self.started = self.started, []
        for event in events:
            self.emit(**event)

    def flush(self) -> None:
        while self.out and not self.controller_gone:
            try:
                n = os.write(1, self.out)
            except BlockingIOError:
                self.poller.register(1, select.POLLOUT)
                return
            except OSError:
                self.lose_controller()
                return
            del self.out[:n]
        with contextlib.suppress(KeyError):
            self.poller.unregister(1)

    def lose_controller(self) -> None:
        """The controller is gone: stop reporting, keep reaping our own steps."""
        self.controller_gone = True
        self.out.clear()
        for fd in (0, 1):
            with contextlib.suppress(KeyError):
                self.poller.unregister(fd)
        for pidfd, job in list(self.watched.items()):
            self.poller.unregister(pidfd)
            os.close(pidfd)
            del self.nodes[job.node]
        self.watched.clear()
        self.lost_waits.clear()
        for child in self.pool:
            os.close(child.request_fd)
        self.pool.clear()

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
        deadlines = [k.at for k in self.kills]
        if self.started:
            deadlines.append(self.started[0]["at"] + STARTED_DELAY)
        if self.lost_waits:
            deadlines.append(now + LOST_CHECK_EVERY)
        if self.nodes:
            deadlines.append(self.next_progress)
        if not deadlines:
            return -1
        return max(0, int((min(deadlines) - now) * 1000) + 1)

    def run(self) -> int:
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
        for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        os.set_blocking(0, False)
        os.set_blocking(1, False)
        self.poller.register(0, select.POLLIN)
        self.poller.register(wake_r, select.POLLIN)
        self.emit(ev="hello", pid=os.getpid(), isolation=self.isolated, reason=self.reason)
        gc.freeze()  # forked children never scan (and so never copy) the server's objects
        self.fill_pool()
        while True:
            for fd, _ in self.poller.poll(self.timeout(records.now())):
                if fd == 0:
                    self.read_requests()
                elif fd == 1:
                    self.flush()
                elif fd == wake_r:
                    _drain(wake_r)
                elif fd in self.watched:
                    self.watched_exited(fd)
            self.reap()
            now = records.now()
            if self.started and now >= self.started[0]["at"] + STARTED_DELAY:
                self.flush_started()
            self.check_kills(now)
            self.check_lost(now)
            if now >= self.next_progress:
                for job in list(self.nodes.values()):
                    self.check_progress(job)
                self.next_progress = now + PROGRESS_EVERY
            if self.controller_gone and not self.jobs:
                return 0
            self.fill_pool()


def _valid_progress(text: str) -> bool:
    """Argo's ``Progress.IsValid``: ``N/M`` with 0 <= N <= M and M > 0."""
    n, sep, m = text.partition("/")
    if not sep or not n.isdigit() or not m.isdigit():
        return False
    return int(n) <= int(m) and int(m) > 0


def _rehearse() -> None:
    """Touch, while idle, the memory a launch will touch.

    A pool child shares its pages with the server until it writes them; each first
    write costs a page copy.  Allocating and freeing a few thousand objects here (and
    running the JSON decoder once) moves those copies off the path of the launch.
    """
    junk = [json.loads('{"a": [1, "b"], "c": {"d": "e"}}') for _ in range(200)]
    junk.clear()
    saved = os.dup(2)
    launch.redirect(os.devnull, os.devnull)
    os.dup2(saved, 2)
    os.close(saved)
    launch.lookup("true", os.defpath)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def _rmtree(path: str) -> None:
    for dirpath, dirnames, filenames in os.walk(path, topdown=False):
        for name in filenames:
            os.unlink(os.path.join(dirpath, name))
        for name in dirnames:
            full = os.path.join(dirpath, name)
            os.chmod(full, 0o700)
            os.rmdir(full)
    if os.path.isdir(path):
        os.rmdir(path)


def main(argv: list[str]) -> int:
    args = dict(zip(argv[::2], argv[1::2], strict=False))
    if args.get("--daemon") == "1" and os.fork():
        os._exit(0)
    server = Server(
        home=args["--home"],
        mode=args.get("--isolation", "auto"),
        pool_size=int(args.get("--pool", "2")),
        argosay=args["--argosay"],
    )
    server.choose_isolation()
    try:
        return server.run()
    except BaseException as e:
        sys.stderr.write(f"kawa fork server {os.getpid()} failed: {e!r}\n")
        raise
