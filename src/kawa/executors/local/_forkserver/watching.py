"""Small helpers of the fork server's loop: progress files, pipes, directories."""

from __future__ import annotations

import os
from dataclasses import dataclass

MAX_PROGRESS_READ = 4096


def valid_progress(text: str) -> bool:
    """Argo's ``Progress.IsValid``: ``N/M`` with 0 <= N <= M and M > 0.

    (Argo parses N and M leniently, so ``x/5`` passes there as ``0/5``; kawa wants
    digits.)
    """
    n, sep, m = text.partition("/")
    if not sep or not n.isdigit() or not m.isdigit():
        return False
    return int(n) <= int(m) and int(m) > 0


@dataclass
class Progress:
    """What a step last wrote to ``$ARGO_PROGRESS_FILE``; its last line counts (Argo)."""

    seen: tuple[int, int] = (0, -1)
    value: str = ""

    def check(self, path: str) -> str:
        """The new progress if the file changed to a new valid value, else ""."""
        try:
            st = os.stat(path)
        except OSError:
            return ""
        if (st.st_mtime_ns, st.st_size) == self.seen:
            return ""
        self.seen = (st.st_mtime_ns, st.st_size)
        try:
            with open(path, "rb") as f:
                f.seek(max(0, st.st_size - MAX_PROGRESS_READ))
                text = f.read().decode(errors="replace")
        except OSError:
            return ""
        last = text.strip().split("\n")[-1].strip()
        if not last or last == self.value or not valid_progress(last):
            return ""
        self.value = last
        return last


def drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def rmtree(path: str) -> None:
    """shutil.rmtree, for overlay work dirs too (mode 000), without importing shutil."""
    for dirpath, dirnames, filenames in os.walk(path, topdown=False):
        for name in filenames:
            os.unlink(os.path.join(dirpath, name))
        for name in dirnames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                os.unlink(full)
                continue
            os.chmod(full, 0o700)
            os.rmdir(full)
    if os.path.isdir(path):
        os.rmdir(path)
