"""The fork server's pre-warmed interpreters (``zygote.py``), one per script.

``start`` hands a warm step to the zygote of its script (starting it the first time) and
returns the step's pid at once; the step's end comes back as a wait status on the zygote's
pipe (``exits``), and the fork server finishes it as it finishes its own children.  If a
zygote dies, its steps are reported lost (status None).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

ZYGOTE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zygote.py")


@dataclass
class Zygote:
    process: subprocess.Popen[bytes]
    inbuf: bytearray = field(default_factory=bytearray)
    running: set[int] = field(default_factory=set)
    #: replies read while waiting for a start's answer
    pending: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fd(self) -> int:
        assert self.process.stdout is not None
        return self.process.stdout.fileno()


class Zygotes:
    def __init__(self, interpreter: str = sys.executable) -> None:
        self.interpreter = interpreter
        self.by_script: dict[str, Zygote] = {}
        self.by_fd: dict[int, Zygote] = {}
        self.counter = 0

    def _zygote(self, script: str, env: dict[str, str]) -> tuple[Zygote, bool]:
        zygote = self.by_script.get(script)
        if zygote is not None and zygote.process.poll() is None:
            return zygote, False
        process = subprocess.Popen(
            [self.interpreter, ZYGOTE, script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
            cwd="/",
            start_new_session=True,
        )
        zygote = Zygote(process)
        self.by_script[script] = zygote
        self.by_fd[zygote.fd] = zygote
        return zygote, True

    def start(self, script: str, container: dict[str, Any], root: str) -> tuple[int, int | None]:
        """(the step's pid, the zygote's fd if it is new and must be watched)."""
        zygote, new = self._zygote(script, container["env"])
        self.counter += 1
        request = {
            "id": self.counter,
            "root": root,
            "cwd": container["cwd"],
            "env": container["env"],
            "argv": container["argv"],
            "stdout": container["stdout"],
            "stderr": container["stderr"],
        }
        assert zygote.process.stdin is not None
        zygote.process.stdin.write(json.dumps(request).encode() + b"\n")
        zygote.process.stdin.flush()
        pid = 0
        while not pid:  # the answer comes right after the fork; ends may come around it
            for reply in self._lines(zygote, block=True):
                if reply.get("id") == self.counter:
                    pid = int(reply["pid"])
                    zygote.running.add(pid)
                elif reply.get("eof"):
                    raise OSError("the pre-warmed interpreter ended before starting the step")
                else:  # keep every other line, even those read with the answer
                    zygote.pending.append(reply)
        return pid, zygote.fd if new else None

    def _lines(self, zygote: Zygote, block: bool) -> list[dict[str, Any]]:
        os.set_blocking(zygote.fd, block)
        try:
            chunk = os.read(zygote.fd, 1 << 16)
        except BlockingIOError:
            return []
        finally:
            os.set_blocking(zygote.fd, True)
        if not chunk:
            return [{"eof": True}]
        zygote.inbuf += chunk
        *lines, rest = zygote.inbuf.split(b"\n")
        zygote.inbuf = bytearray(rest)
        return [json.loads(line) for line in lines if line.strip()]

    def has_pending(self, fd: int) -> bool:
        zygote = self.by_fd.get(fd)
        return zygote is not None and bool(zygote.pending)

    def exits(self, fd: int) -> list[tuple[int, int | None]]:
        """Steps of the zygote on ``fd`` that ended: (pid, wait status or None if lost)."""
        zygote = self.by_fd.get(fd)
        if zygote is None:
            return []
        replies, zygote.pending = zygote.pending, []
        replies += self._lines(zygote, block=False)
        ended: list[tuple[int, int | None]] = []
        for reply in replies:
            if reply.get("eof"):
                ended += [(pid, None) for pid in sorted(zygote.running)]
                zygote.running.clear()
                del self.by_fd[fd]
                continue
            if "status" in reply:
                pid = int(reply["pid"])
                zygote.running.discard(pid)
                ended.append((pid, int(reply["status"])))
        return ended
