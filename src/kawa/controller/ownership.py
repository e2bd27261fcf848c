"""Who drives a workflow: an owner id in the store, taken over only when its holder is gone.

An owner id is ``host:pid:start-time``; on the same host a holder is gone when that pid
no longer runs, or runs a different process (pid reuse: the start time differs).  So a
``kawa controller`` takes over a workflow whose ``kawa run`` was killed at once, and two
live kawa processes never drive the same workflow.
"""

from __future__ import annotations

import os


def _start_time(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    return text.rsplit(")", 1)[-1].split()[19]


def my_owner_id() -> str:
    pid = os.getpid()
    return f"{os.uname().nodename}:{pid}:{_start_time(pid) or 0}"


def is_gone(owner: str | None) -> bool:
    if not owner:
        return True
    try:
        host, pid_text, started = owner.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return True
    if host != os.uname().nodename:
        return False  # another host: only its own controller may declare it gone
    current = _start_time(pid)
    return current is None or current != started
