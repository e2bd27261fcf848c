"""bench/peers.py in a tiny mode, kawa only: the output a reader gets, not how fast it is.

These need neither the peers' environment nor psutil: the benchmark measures memory from
/proc with the standard library.  No timing is asserted (DESIGN.md: performance is
measured by bench/ scripts, never by a timed test).
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
KAWA = str(Path(sys.executable).with_name("kawa"))
NUMBER = r"-?\d+\.\d+"


def peers(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(BENCH / "peers.py"), "--runs", "1", "--kawa", KAWA, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_kawa_only_run_prints_a_table_per_workload_with_the_pool_and_kawa() -> None:
    done = peers("--only", "kawa", "--scale", "0.02")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("# kawa and its peers — median of 1 run(s), 2 slots each")
    titles = re.findall(r"^## (.+)$", out, re.MULTILINE)
    assert titles == [
        "20 independent no-op tasks (20 tasks)",
        "a 2-task linear chain (2 tasks)",
        "a 20-item fan-out + fan-in (21 tasks)",
    ]
    header = "| engine | tasks run as | wall s | overhead/task ms | peak MB | kawa ÷ engine |"
    assert out.count(header) == 3
    row = rf"^\| {{}} \| [^|]+ \| {NUMBER} \| {NUMBER} \| \d+ \| {NUMBER} \|$"
    assert len(re.findall(row.format("plain 2-slot pool"), out, re.MULTILINE)) == 3
    kawa_rows = re.findall(row.format("kawa"), out, re.MULTILINE)
    assert len(kawa_rows) == 3
    assert all(line.endswith("| 1.00 |") for line in kawa_rows)  # kawa against itself
    assert "Prefect" not in out


def test_an_engine_that_cannot_run_is_reported_and_the_others_carry_on() -> None:
    done = peers("--only", "kawa,airflow", "--workloads", "chain", "--scale", "0.02",
                 "--airflow", "/nonexistent/airflow")  # fmt: skip
    assert done.returncode == 0, done.stderr
    airflow = [line for line in done.stdout.splitlines() if line.startswith("| Airflow 3 |")]
    assert len(airflow) == 1
    assert "| — | — | — | did not install/run: Airflow is not installed" in airflow[0]
    assert re.search(rf"^\| kawa \| .+ \| {NUMBER} \|", done.stdout, re.MULTILINE)


def test_peak_memory_counts_a_daemon_that_detached_from_the_command(tmp_path: Path) -> None:
    # the command double-forks a daemon (as kawa's fork server and Prefect's server do)
    # that holds 64 MiB while the command still runs; the tree's peak must include it
    daemon = textwrap.dedent(
        """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                held = bytearray(64 * 2**20)
                time.sleep(1.0)
                os._exit(0)
            os._exit(0)
        time.sleep(0.6)
        """
    )
    measure = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(BENCH)!r})
        import _tree
        _tree.become_subreaper()
        out = _tree.run([sys.executable, "-c", {daemon!r}], env={{}}, cwd=Path({str(tmp_path)!r}),
                        log=Path({str(tmp_path / "log")!r}), timeout=30)
        print(out.returncode, out.peak, len(_tree.descendants(__import__("os").getpid(),
              _tree.parents())))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", measure], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    code, peak, left = (int(field) for field in done.stdout.split())
    assert code == 0
    assert peak >= 64 * 2**20
    assert left == 0  # the daemon did not outlive the measurement
