"""kawa against its peers on the same workloads, measured in the same invocation.

Workloads: 1,000 independent no-op tasks; a 100-task linear chain; a 1,000-item fan-out
whose results one fan-in task takes (1,001 tasks).  Engines: kawa, Prefect 3, Luigi,
Snakemake, Dask (processes scheduler and LocalCluster), Airflow 3, and a plain 2-slot
asyncio pool exec'ing ``true`` as the baseline of running a process per task.  Each
engine runs each workload cold from the command line, in a fresh directory, with 2
workers/slots (the machine's 2 cores); see bench/engines/ for exactly what each runs.

Per run: wall time (start to exit of the command), and peak memory: the largest sum of
the PSS of the command's whole process tree, daemons included, sampled every 20 ms.
Reported: the median wall of N runs, the per-task overhead ``(wall - pool wall) / tasks``
(what the engine adds per task over just starting its processes; negative when an engine
that runs no process per task beats the pool), the largest peak, and kawa's wall divided
by the engine's.  An engine that fails prints its error and the rest carry on.

    bench/.venv-peers/bin/python bench/peers.py [--runs 3] [--only kawa,dask]
        [--workloads independent,chain,fan] [--scale 1.0] [--kawa .venv/bin/kawa]
        [--airflow bench/.venv-airflow/bin/airflow]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import _tree
import engines
from _scratch import scratch_dir

ROOT = engines.BENCH.parent
SIZES = {"independent": 1000, "chain": 100, "fan": 1000}


@dataclass
class Result:
    engine: engines.Engine
    walls: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    error: str | None = None


def main() -> None:
    args = parse_args()
    tools = engines.Tools(python=sys.executable, kawa=args.kawa, airflow=args.airflow)
    chosen = [engines.BASELINE, *select(args.only)]
    workloads = [
        engines.Workload(key, max(1, round(SIZES[key] * args.scale))) for key in args.workloads
    ]
    _tree.become_subreaper()
    scratch = scratch_dir()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="peers-", dir=scratch) as tmp:
        tables = [measure(work, chosen, tools, Path(tmp), args) for work in workloads]
    print_header(args, time.monotonic() - started)
    for work, results in zip(workloads, tables, strict=True):
        print_table(work, results)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per engine and workload")
    parser.add_argument(
        "--only", type=names, default=None, help="e.g. kawa,dask (pool always runs)"
    )
    parser.add_argument(
        "--workloads", type=names, default=list(SIZES), help="independent,chain,fan"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the workload sizes")
    parser.add_argument("--kawa", default=str(ROOT / ".venv" / "bin" / "kawa"))
    parser.add_argument(
        "--airflow", default=str(engines.BENCH / ".venv-airflow" / "bin" / "airflow")
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    args = parser.parse_args()
    unknown = set(args.workloads) - set(SIZES)
    if unknown:
        parser.error(f"unknown workloads {sorted(unknown)}; choose from {', '.join(SIZES)}")
    return args


def names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def select(only: list[str] | None) -> list[engines.Engine]:
    if only is None:
        return engines.ENGINES
    # "dask" picks both Dask schedulers
    return [e for e in engines.ENGINES if any(e.key.startswith(key) for key in only)]


def measure(
    work: engines.Workload,
    chosen: list[engines.Engine],
    tools: engines.Tools,
    tmp: Path,
    args: argparse.Namespace,
) -> list[Result]:
    results = [Result(engine) for engine in chosen]
    for run in range(args.runs):  # engines interleaved, so a slow minute hits all of them
        for result in results:
            if result.error is None:
                once(work, result, tools, tmp / f"{work.key}-{result.engine.key}-{run}", args)
    return results


def once(
    work: engines.Workload,
    result: Result,
    tools: engines.Tools,
    workdir: Path,
    args: argparse.Namespace,
) -> None:
    workdir.mkdir(parents=True)
    log = workdir / "output.log"
    try:
        invocation = result.engine.invoke(work, workdir, tools)
        env = {**os.environ, **invocation.env}
        for command in invocation.setup:
            with open(workdir / "setup.log", "ab") as out:
                subprocess.run(command, env=env, cwd=workdir, stdout=out, stderr=out, check=True)
        outcome = _tree.run(invocation.command, env=env, cwd=workdir, log=log, timeout=args.timeout)
    except (OSError, subprocess.CalledProcessError) as e:
        result.error = f"did not install/run: {e}"
    else:
        if outcome.timed_out:
            result.error = f"timed out after {args.timeout:.0f} s"
        elif outcome.returncode != 0:
            result.error = f"exit {outcome.returncode}: {_tail(log)}"
        else:
            result.walls.append(outcome.wall)
            result.peaks.append(outcome.peak)
    status = result.error or f"{result.walls[-1]:.2f} s, {result.peaks[-1] / 2**20:.0f} MB"
    print(f"[{work.key}] {result.engine.name}: {status}", file=sys.stderr, flush=True)


def _tail(log: Path, lines: int = 6) -> str:
    text = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
    return " / ".join(line.strip() for line in text[-lines:]) or "(no output)"


def print_header(args: argparse.Namespace, elapsed: float) -> None:
    print(f"# kawa and its peers — median of {args.runs} run(s), {engines.SLOTS} slots each")
    print()
    print("wall: start to exit of a cold command-line run.  overhead/task: (wall - pool wall)")
    print("/ tasks.  peak MB: largest sum of PSS over the process tree (sampled every 20 ms).")
    print("kawa ÷ engine: kawa's wall over the engine's (below 1: kawa is faster).")
    print(f"whole benchmark: {elapsed:.0f} s")


def print_table(work: engines.Workload, results: list[Result]) -> None:
    pool = _median(results[0])
    kawa = next((_median(r) for r in results if r.engine.key == "kawa"), None)
    print()
    print(f"## {work.title} ({work.tasks:,} tasks)")
    print()
    print("| engine | tasks run as | wall s | overhead/task ms | peak MB | kawa ÷ engine |")
    print("|---|---|---:|---:|---:|---:|")
    for result in results:
        engine, wall = result.engine, _median(result)
        if wall is None:
            error = (result.error or "").replace("|", "/")
            print(f"| {engine.name} | {engine.runs_as} | — | — | — | {error} |")
            continue
        overhead = f"{(wall - pool) / work.tasks * 1000:.2f}" if pool is not None else "—"
        ratio = f"{kawa / wall:.2f}" if kawa is not None else "—"
        peak = max(result.peaks) / 2**20
        print(
            f"| {engine.name} | {engine.runs_as} | {wall:.2f} | {overhead} | {peak:.0f} | {ratio} |"
        )


def _median(result: Result) -> float | None:
    return statistics.median(result.walls) if result.walls and result.error is None else None


if __name__ == "__main__":
    main()
