"""Where the benchmarks put their kawa homes and files.

``$KAWA_BENCH_SCRATCH`` if set, else ``bench/.scratch`` in this checkout: on the disk the
project lives on, and not under ``/tmp`` (a step's ``/tmp`` is private, and a home below
it makes every step recreate the home's path inside its own ``/tmp``).

Q: Why do kawa's figures vary more than the pool's?  A: kawa creates a few files and
directories per step; on the VM these figures come from, creating a directory took from
0.02 ms to 0.8 ms depending on the disk's recent history (deleting earlier homes, which
the file system then discards), wherever it was.  Compare runs made in the same
invocation, alternated.
"""

from __future__ import annotations

import os
from pathlib import Path


def scratch_dir() -> Path:
    chosen = os.environ.get("KAWA_BENCH_SCRATCH")
    path = Path(chosen) if chosen else Path(__file__).resolve().parent / ".scratch"
    path.mkdir(parents=True, exist_ok=True)
    return path
