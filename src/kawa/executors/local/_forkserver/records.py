"""The node directory: where a step's facts live so that any later kawa can read them.

Layout of ``$KAWA_HOME/runs/<workflow_uid>/nodes/<node_id>/``::

    launched      JSON, created at most once (O_CREAT|O_EXCL) by the step's own process
                  before exec: pid, start_ticks, boot_id, started_at, isolation,
                  mounts (the container path -> host path plan)
    exit          JSON, created at most once (O_CREAT|O_EXCL) by the fork server that
                  reaped the step, or by a later one that lost track of it: exit_code,
                  signal, started_at, finished_at, message, error, containers
    stdout stderr the main container's output
    script        a script template's ``source``
    tmp/          the step's private /tmp, and its working directory by default
    progress      $ARGO_PROGRESS_FILE
    overlay/<n>/  upper and work dirs of overlay mounts (private views of host dirs)
    private/<p>/  private declared paths that do not exist on the host
    containers/<name>/  stdout, stderr, exit of init containers, sidecars, containerSet

Q: Why O_EXCL rather than write-then-rename?  A: rename replaces an existing file; an
exclusive create fails with EEXIST.  Both records must be written once and never
replaced, so a second launch attempt (or a late writer) loses the race instead of
overwriting the truth.  The content goes in with a single write(2) right after the
create; a reader that catches the file empty in between retries (``read_json``).

Q: Why no fsync?  A: The records must survive a killed kawa, not a power cut (the same
bargain as SQLite's WAL with synchronous=NORMAL).  The page cache outlives any process.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from typing import Any

LAUNCHED = "launched"
EXIT = "exit"
STDOUT = "stdout"
STDERR = "stderr"
SCRIPT = "script"
TMP = "tmp"
PROGRESS = "progress"
CONTAINERS = "containers"
SUPERVISOR = "supervisor.json"
LOST_MESSAGE = (
    "kawa lost track of this step: its process ended while no kawa process was "
    "watching, and its exit status was not recorded"
)


#: JSON without spaces, by one encoder (``json.dumps`` with options builds one per call)
compact = json.JSONEncoder(separators=(",", ":")).encode


def iso(ts: float) -> str:
    """ISO-8601 UTC with microseconds and a ``Z``, e.g. ``2026-01-02T03:04:05.678901Z``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_once(path: str, data: dict[str, Any]) -> bool:
    """Create ``path`` holding ``data`` as JSON unless it exists; False if it did."""
    payload = compact(data).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    except FileExistsError:
        return False
    try:
        os.write(fd, payload)
    finally:
        os.close(fd)
    return True


def read_json(path: str, patience: float = 0.1) -> dict[str, Any] | None:
    """The JSON object in ``path``; None if there is no such file.

    A record caught between its creation and its write reads as empty: wait up to
    ``patience`` seconds for it; a record that stays unreadable (its writer was killed
    in that instant) reads as ``{}``.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return None
        try:
            value: dict[str, Any] = json.loads(data)
            return value
        except ValueError:
            if time.monotonic() > deadline:
                return {}
            time.sleep(0.001)


def boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return ""


def _stat(pid: int | str) -> list[bytes] | None:
    """The fields of /proc/<pid>/stat after the command name (state is [0])."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rindex(b")") + 2 :].split()


#: nanoseconds per clock tick, the unit of start times in /proc/<pid>/stat
TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def boot_ns() -> int:
    """CLOCK_BOOTTIME, the clock the kernel stamps a new process's start time with."""
    return time.clock_gettime_ns(time.CLOCK_BOOTTIME)


def ticks_between(before_ns: int, after_ns: int) -> int | None:
    """The start time (``start_ticks``) of a process forked between two :func:`boot_ns`.

    When both readings fall in the same tick, that tick is the process's start time, and
    reading it from /proc is not needed (a read that, right after a spawn, waits for the
    child to finish its exec: 0.1-0.3 ms).  None when a tick boundary lies in between.
    """
    tick = before_ns // TICK_NS
    return tick if after_ns // TICK_NS == tick else None


def start_ticks(pid: int | str = "self", *, living: bool = False) -> int | None:
    """Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot.

    (pid, start_ticks, boot_id) names a process uniquely; a pid alone may be reused.
    With ``living``, a process that has exited (a zombie) counts as gone.
    """
    fields = _stat(pid)
    if fields is None or (living and fields[0] in (b"Z", b"X")):
        return None
    return int(fields[19])


def session_of(pid: int) -> int | None:
    fields = _stat(pid)
    return None if fields is None else int(fields[3])


def is_same_process(launched: dict[str, Any], current_boot: str) -> bool:
    """Is the process recorded in ``launched`` still alive (same pid, start, boot)?"""
    if "pid" not in launched:
        return False
    if launched.get("boot_id") and current_boot and launched["boot_id"] != current_boot:
        return False
    ticks = start_ticks(int(launched["pid"]), living=True)
    return ticks is not None and ticks == launched.get("start_ticks")


def group_alive(pgid: int) -> bool:
    """Whether a process of process group ``pgid`` is still running (one syscall)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def signal_session(sid: int, sig: int) -> int:
    """Send ``sig`` to every process of session ``sid``; how many were signalled.

    A step is a session leader; its children stay in its session even when they make
    their own process groups (shells with job control, sidecars), so this reaches what a
    process-group kill would miss.
    """
    count = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        if pid == sid or session_of(pid) == sid:
            try:
                os.kill(pid, sig)
                count += 1
            except ProcessLookupError:
                pass
    return count


def now() -> float:
    return time.time()
