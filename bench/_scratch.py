"""Where the benchmarks put their kawa homes and files.

``$KAWA_BENCH_SCRATCH`` if set, else ``bench/.scratch`` in this checkout: on the disk the
project lives on, and not under ``/tmp`` (a step's ``/tmp`` is private, and a home below
it makes every step recreate the home's path inside its own ``/tmp``).

Q: Why not ``~/.cache``?  A: On the machine these figures were measured on, creating a
directory under ``/root`` became 20x slower than on the checkout's disk during a session
(0.47 ms against 0.02 ms per ``mkdir``, same file system) — a property of that VM's disk,
not of kawa, which creates a few directories per step.
"""

from __future__ import annotations

import os
from pathlib import Path


def scratch_dir() -> Path:
    chosen = os.environ.get("KAWA_BENCH_SCRATCH")
    path = Path(chosen) if chosen else Path(__file__).resolve().parent / ".scratch"
    path.mkdir(parents=True, exist_ok=True)
    return path
