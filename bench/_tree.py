"""Run one command cold and measure its wall time and the peak memory of its process tree.

The process tree is the command and every process it starts, daemons included: this
process makes itself a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``), so a
process that double-forks to detach — kawa's fork server, Prefect's temporary API
server — is re-parented here rather than to init, and stays in the tree.  A sampler
thread finds the tree in ``/proc/*/stat`` every 20 ms, sums the proportional set sizes
(PSS, from ``/proc/PID/smaps_rollup``) of its processes and keeps the maximum.  PSS
rather than RSS: a page shared by n processes counts 1/n in each, so an engine that
forks a worker per task from a big parent (Luigi) is not charged its parent n times.
A child that still shares its parent's memory — between ``vfork``/``posix_spawn`` and
its ``exec`` — is the same memory and is not counted twice (``kcmp(KCMP_VM)``).

Wall time ends when the command exits.  Whatever it left behind in the tree is then
given a moment to end by itself and killed after that, so it cannot skew the next run.
Only the standard library is used: the kawa-only tests run this without the peers'
environment.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
KCMP_VM = 1
SYS_KCMP = {"x86_64": 312, "aarch64": 272}.get(platform.machine())
LIBC = ctypes.CDLL(None, use_errno=True)
INTERVAL = 0.02


@dataclass(frozen=True)
class Outcome:
    wall: float  # seconds, start to the command's exit
    peak: int  # bytes, largest sum of the tree's PSS seen
    returncode: int
    timed_out: bool


def become_subreaper() -> None:
    if LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def parents() -> dict[int, int]:
    """Every process on the machine: pid -> parent pid."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue
        fields = data[data.rindex(b")") + 2 :].split()
        found[int(name)] = int(fields[1])
    return found


def pss(pid: int) -> int:
    """The proportional set size of a process in bytes (0 once it has ended)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def shares_memory(pid: int, parent: int) -> bool:
    """Whether ``pid`` still runs in its parent's address space (vforked, not yet exec'd)."""
    if SYS_KCMP is None:
        return False
    return LIBC.syscall(SYS_KCMP, pid, parent, KCMP_VM, 0, 0) == 0


def memory(root: int) -> int:
    """The PSS of ``root``'s descendants in bytes, memory shared by vfork counted once."""
    table = parents()
    tree = descendants(root, table)
    return sum(pss(pid) for pid in tree if not shares_memory(pid, table[pid]))


def descendants(root: int, table: dict[int, int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, parent in table.items():
        children.setdefault(parent, []).append(pid)
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, ()):
            if child not in tree:
                tree.add(child)
                todo.append(child)
    return tree


class Sampler(threading.Thread):
    """Samples the PSS of this process's descendants (the command's tree) until stopped."""

    def __init__(self) -> None:
        super().__init__(name="pss-sampler", daemon=True)
        self.peak = 0
        self._done = threading.Event()
        self._me = os.getpid()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, memory(self._me))
            self._done.wait(INTERVAL)

    def stop(self) -> None:
        self._done.set()
        self.join()


def reap_orphans(keep: int) -> None:
    """Reap re-parented daemons that have ended, but never ``keep`` (Popen waits for it)."""
    flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, flags)
        except ChildProcessError:
            return
        if info is None or info.si_pid == keep:
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(info.si_pid, 0)


def run(
    command: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    log: Path,
    timeout: float,
) -> Outcome:
    """Run ``command`` once, its output to ``log``; measure it; clean up its tree."""
    sampler = Sampler()
    sampler.start()
    try:
        with open(log, "wb") as out:
            start = time.perf_counter()
            proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
            deadline, timed_out = start + timeout, False
            while proc.poll() is None:
                reap_orphans(keep=proc.pid)
                if time.perf_counter() > deadline:
                    proc.kill()
                    proc.wait()
                    timed_out = True
                time.sleep(0.005)
            wall = time.perf_counter() - start
    finally:
        sampler.stop()
        end_leftovers()
    return Outcome(wall=wall, peak=sampler.peak, returncode=proc.returncode, timed_out=timed_out)


def end_leftovers(grace: float = 3.0) -> None:
    """Give processes still in the tree ``grace`` seconds to end, then kill them by pid."""
    me = os.getpid()
    deadline = time.monotonic() + grace
    while True:
        reap_orphans(keep=-1)
        left = descendants(me, parents())
        if not left:
            return
        if time.monotonic() > deadline:
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
            reap_orphans(keep=-1)
            return
        time.sleep(0.05)
