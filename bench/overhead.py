"""kawa's per-step overhead against a plain process pool, measured in the same run.

Workload (the one the peer engines were measured on): 200 independent no-op steps plus a
50-step chain, at most 2 running at a time.  ``kawa run`` (cold, from the command line,
fresh $KAWA_HOME each time) against ``bench/_pool.py`` (a 2-slot asyncio pool running the
same 250 ``true`` processes, also started cold).  Prints the median of N runs of each,
the ratio, kawa's overhead per step, and the wall time of `kawa run` hello-world.
Before measuring, it waits (up to ~7 minutes) for the disk to settle: see :func:`settle`.

    .venv/bin/python bench/overhead.py [--runs 3] [--settle SECONDS]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _scratch import scratch_dir

INDEPENDENT, CHAIN, SLOTS = 200, 50, 2
HERE = Path(__file__).resolve().parent


def workflow() -> str:
    chain = []
    for i in range(1, CHAIN + 1):
        depends = f"\n            depends: c{i - 1}" if i > 1 else ""
        chain.append(f"          - name: c{i}\n            template: noop{depends}")
    return f"""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: overhead-
spec:
  entrypoint: main
  parallelism: {SLOTS}
  templates:
    - name: noop
      container:
        image: busybox
        command: ["true"]
    - name: main
      dag:
        tasks:
          - name: fan
            template: noop
            withSequence:
              count: "{INDEPENDENT}"
{chr(10).join(chain)}
"""


HELLO = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-world-
spec:
  entrypoint: hello-world
  templates:
    - name: hello-world
      container:
        image: busybox
        command: [echo]
        args: ["hello world"]
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


#: creating a file here when nothing was deleted nearby lately (measured: 0.009-0.012 ms;
#: 0.018 ms right after an invocation removed its scratch dir, whose runs then gave 1.70)
QUIET_MS = 0.013
#: ext4 without a journal skips inodes freed in the last 60 s, or 360 s while the block of
#: the inode table that holds them is not yet written back (``recently_deleted`` in
#: fs/ext4/ialloc.c): the longest a disk can take to settle
SETTLE_LIMIT_S = 400
SETTLE_STEP_S = 20


def settle(directory: Path, limit_s: float) -> tuple[float, float]:
    """Wait (at most ``limit_s``) until a new file costs what it costs on a quiet disk.

    Deleting files — the previous invocation's scratch dir, a test run's — makes new
    files slow for minutes afterwards, for kawa (a few per step) and not for the pool
    (none).  Returns (the last cost measured in ms, seconds waited).
    """
    started = time.monotonic()
    probe = 0
    cost = inode_cost_ms(directory, f"inode-probe-{probe}")
    while cost > QUIET_MS and time.monotonic() - started + SETTLE_STEP_S <= limit_s:
        time.sleep(SETTLE_STEP_S)
        probe += 1
        cost = inode_cost_ms(directory, f"inode-probe-{probe}")
    return cost, time.monotonic() - started


def inode_cost_ms(directory: Path, name: str = "inode-probe", count: int = 400) -> float:
    """Median time to create an empty file in ``directory``, in ms.

    kawa creates a handful of files per step; the pool creates none.  On an ext4 file
    system without a journal (this benchmark's VM) a new inode costs up to ~0.8 ms
    instead of ~0.01 ms for minutes after many files were deleted nearby (the kernel
    skips recently freed inodes one by one), which slows kawa and not the pool; this
    figure tells such a run apart (measured with the code of 2026-11-22: 0.009 ms,
    ratio 1.30; 0.018 ms right after the previous invocation removed its scratch dir,
    ratio 1.70).  The files are left for the scratch dir's removal.
    """
    probe = directory / name
    probe.mkdir()
    times = []
    for i in range(count):
        start = time.perf_counter()
        os.close(os.open(probe / str(i), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--settle",
        type=float,
        default=SETTLE_LIMIT_S,
        metavar="SECONDS",
        help="wait at most this long for a quiet disk before measuring (0: do not wait)",
    )
    args = parser.parse_args()
    kawa = str(Path(sys.executable).with_name("kawa"))
    scratch = scratch_dir()
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        inode_ms, waited = settle(Path(tmp), args.settle)
        spec = Path(tmp) / "overhead.yaml"
        spec.write_text(workflow())
        pool_times, kawa_times = [], []
        for run in range(args.runs):
            env = {**os.environ, "KAWA_HOME": str(Path(tmp) / f"home{run}")}
            pool_times.append(
                timed(
                    [
                        sys.executable,
                        str(HERE / "_pool.py"),
                        str(INDEPENDENT),
                        str(CHAIN),
                        str(SLOTS),
                    ],
                    env,
                )
            )
            kawa_times.append(timed([kawa, "run", str(spec)], env))
        hello = Path(tmp) / "hello.yaml"
        hello.write_text(HELLO)
        hello_times = []
        for run in range(max(5, args.runs)):
            env = {**os.environ, "KAWA_HOME": str(Path(tmp) / f"hello{run}")}
            hello_times.append(timed([kawa, "run", str(hello)], env))
    pool, kawa_wall = statistics.median(pool_times), statistics.median(kawa_times)
    steps = INDEPENDENT + CHAIN
    print(f"workload: {INDEPENDENT} independent no-op steps + a {CHAIN}-step chain, {SLOTS} slots")
    runs = args.runs
    print(f"plain 2-slot pool : {pool:.3f} s  (median of {runs}: {_list(pool_times)})")
    print(f"kawa run          : {kawa_wall:.3f} s  (median of {runs}: {_list(kawa_times)})")
    print(f"ratio kawa/pool   : {kawa_wall / pool:.2f}  (goal <= 1.5)")
    hello_median = statistics.median(hello_times)
    print(f"kawa run hello    : {hello_median:.3f} s  (median of {len(hello_times)}; goal <= 0.5)")
    per_step = (kawa_wall - pool) / steps * 1000
    print(f"kawa overhead     : {per_step:.2f} ms per step (wall, {SLOTS} slots)")
    quiet = "quiet" if inode_ms <= QUIET_MS else f"NOT quiet (> {QUIET_MS} ms)"
    print(
        f"new file here     : {inode_ms:.3f} ms (median of 400 before the runs, {quiet}, "
        f"after waiting {waited:.0f} s: see settle)"
    )


def _list(times: list[float]) -> str:
    return ", ".join(f"{t:.3f}" for t in times)


if __name__ == "__main__":
    main()
