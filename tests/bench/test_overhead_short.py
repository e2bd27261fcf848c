"""The short version of bench/overhead.py: one run of each, every figure printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "overhead.py"


def test_bench_overhead_prints_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1", "--settle", "0"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    figures = dict(line.split(" : ", 1) for line in done.stdout.splitlines() if " : " in line)
    figures = {key.strip(): value for key, value in figures.items()}
    number = r"(-?\d+\.\d+)"
    for key in ("plain 2-slot pool", "kawa run", "kawa run hello"):
        assert re.match(number + " s", figures[key]), figures
    for key, unit in (("kawa overhead", "ms per step"), ("new file here", "ms")):
        assert re.match(f"{number} {unit}", figures[key]), figures
    pool = float(figures["plain 2-slot pool"].split()[0])
    kawa = float(figures["kawa run"].split()[0])
    ratio = float(figures["ratio kawa/pool"].split()[0])
    assert abs(ratio - kawa / pool) < 0.02  # from the printed (rounded) seconds
