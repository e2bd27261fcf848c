"""The short version of bench/api.py: a few thousand workflows, every filter answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "api.py"


def test_bench_api_runs_every_filter() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--workflows", "3000", "--requests", "2"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = {line.split("  ")[0].strip(): line for line in done.stdout.splitlines()}
    for case in ("phase=Failed", "label team=physics", "page 2"):
        assert case in lines, done.stdout
        assert lines[case].split()[-1] == "50", lines[case]
    for case in ("parameter lr=0.42", "template + phase", "time range (1 h)"):
        assert int(lines[case].split()[-1]) > 0, lines[case]
    assert "slowest median:" in done.stdout
