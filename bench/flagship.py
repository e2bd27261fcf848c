"""The flagship at scale: kawa vs a hand-written ``multiprocessing.Pool``, same work.

Both process the two samples of ``examples/higgs4l`` in N chunks each (default 1,000, so
2,000 chunk steps), merge exactly and check the checksum:

* baseline: a 2-process ``multiprocessing.Pool`` (imports paid once per worker) mapping
  ``h4l.partials.process`` over the chunks, then ``partials.merge``;
* kawa: ``kawa run examples/higgs4l/higgs4l.yaml`` (parallelism 2), a process per step,
  partials passed as artifacts — cold, from the command line, fresh ``$KAWA_HOME``.

Prints both wall times and the ratio (goal <= 1.2) and checks both got the same checksum.

    .venv/bin/python bench/flagship.py [--chunks 1000] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _scratch import scratch_dir

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "higgs4l"
SLOTS = 2


def _process(job: tuple[str, int, int, str]) -> dict[str, Any]:
    from h4l import partials

    name, chunk, of, data = job
    return json.loads(json.dumps(partials.process(name, chunk, of, Path(data))))


def pool_run(chunks: int, data: Path) -> tuple[float, str]:
    sys.path.insert(0, str(EXAMPLE))
    from h4l import partials, samples

    start = time.perf_counter()
    jobs = [(name, c, chunks, str(data)) for name in samples.SAMPLES for c in range(chunks)]
    with multiprocessing.get_context("fork").Pool(SLOTS) as pool:
        parts = pool.map(_process, jobs, chunksize=1)
    merged = partials.merge(parts)
    return time.perf_counter() - start, str(merged["checksum"])


def kawa_run(chunks: int, data: Path, home: Path) -> tuple[float, str]:
    spec = home.parent / "higgs4l.yaml"
    text = (EXAMPLE / "higgs4l.yaml").read_text()
    spec.write_text(text.replace("  parallelism: 4\n", f"  parallelism: {SLOTS}\n"))
    kawa = str(Path(sys.executable).with_name("kawa"))
    env = {**os.environ, "KAWA_HOME": str(home)}
    command = [
        kawa, "run", str(spec), "--name", "flagship", "-o", "name",
        "-p", f"chunks={chunks}", "-p", f"code-dir={EXAMPLE}", "-p", f"data-dir={data}",
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    out = home.parent / "out"
    subprocess.run(
        [kawa, "cp", "flagship", str(out), "--node", "plot"],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    summary = (out / "plot" / "summary.txt").read_text()
    checksum = next(line.split(": ", 1)[1] for line in summary.splitlines() if "checksum" in line)
    return wall, checksum.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    data = EXAMPLE / "data"
    subprocess.run([sys.executable, str(EXAMPLE / "fetch_data.py"), str(data)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    scratch = scratch_dir()
    pools, kawas, sums = [], [], set()
    for run in range(args.runs):
        wall, checksum = pool_run(args.chunks, data)
        pools.append(wall)
        sums.add(checksum)
        with tempfile.TemporaryDirectory(dir=scratch) as tmp:
            wall, checksum = kawa_run(args.chunks, data, Path(tmp) / f"home{run}")
        kawas.append(wall)
        sums.add(checksum)
    pool, kawa = statistics.median(pools), statistics.median(kawas)
    steps = 2 * args.chunks
    print(
        f"workload: higgs4l, {args.chunks} chunks per sample ({steps} chunk steps), {SLOTS} slots"
    )
    print(f"multiprocessing.Pool : {pool:.2f} s  (median of {args.runs})")
    print(f"kawa run             : {kawa:.2f} s  (median of {args.runs})")
    print(f"ratio kawa/pool      : {kawa / pool:.2f}  (goal <= 1.2)")
    print(f"kawa per chunk step  : {(kawa - pool) / steps * 1000:.1f} ms over the pool")
    print(f"checksums agree      : {len(sums) == 1} ({sums.pop() if len(sums) == 1 else sums})")


if __name__ == "__main__":
    main()
