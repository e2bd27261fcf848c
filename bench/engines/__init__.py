"""The engines bench/peers.py compares, and how each is invoked cold on a workload.

Every engine runs the same three workloads with its own idiomatic API, started from the
command line in a fresh directory (its state there too), with at most ``SLOTS`` tasks
running at a time.  The files beside this one are what each engine runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import kawa_workflow

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
SLOTS = 2  # the machine's cores; every engine gets 2 workers/slots/cores


@dataclass(frozen=True)
class Workload:
    key: str  # "independent" | "chain" | "fan"
    size: int  # independent tasks, chain length, or fan-out width

    @property
    def tasks(self) -> int:
        return self.size + 1 if self.key == "fan" else self.size

    @property
    def title(self) -> str:
        return {
            "independent": f"{self.size:,} independent no-op tasks",
            "chain": f"a {self.size:,}-task linear chain",
            "fan": f"a {self.size:,}-item fan-out + fan-in",
        }[self.key]


@dataclass(frozen=True)
class Tools:
    python: str  # the peers' interpreter (Prefect, Luigi, Snakemake, Dask in its venv)
    kawa: str  # kawa's command, from kawa's own venv
    airflow: str | None  # Airflow's command (its own venv), or None when not installed


@dataclass(frozen=True)
class Invocation:
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)  # added to os.environ
    setup: list[list[str]] = field(default_factory=list)  # run first, not timed


@dataclass(frozen=True)
class Engine:
    key: str  # as given to --only
    name: str
    runs_as: str  # how a task runs: a process each, or not
    invoke: Callable[[Workload, Path, Tools], Invocation]


def pool(work: Workload, _dir: Path, tools: Tools) -> Invocation:
    counts = {
        "independent": (work.size, 0, 0),
        "chain": (0, work.size, 0),
        "fan": (work.size, 0, 1),
    }
    independent, chain, after = counts[work.key]
    script = str(BENCH / "_pool.py")
    return Invocation([tools.python, script, str(independent), str(chain), str(SLOTS), str(after)])


def kawa(work: Workload, workdir: Path, tools: Tools) -> Invocation:
    spec = workdir / "workflow.yaml"
    spec.write_text(kawa_workflow.workflow(work.key, work.size, SLOTS))
    return Invocation([tools.kawa, "run", str(spec)], {"KAWA_HOME": str(workdir / "home")})


def prefect(work: Workload, workdir: Path, tools: Tools) -> Invocation:
    env = {
        "PREFECT_HOME": str(workdir / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    script = str(HERE / "prefect_run.py")
    # creating its database is installing Prefect (as `airflow db migrate` is for Airflow);
    # the temporary API server it starts for the flow run is part of the run
    upgrade = [str(Path(tools.python).with_name("prefect")), "server", "database", "upgrade", "-y"]
    return Invocation([tools.python, script, work.key, str(work.size)], env, [upgrade])


def luigi(work: Workload, _dir: Path, tools: Tools) -> Invocation:
    return Invocation([tools.python, str(HERE / "luigi_run.py"), work.key, str(work.size)])


def snakemake(work: Workload, workdir: Path, tools: Tools) -> Invocation:
    command = [
        str(Path(tools.python).with_name("snakemake")),
        "--snakefile",
        str(HERE / "Snakefile"),
    ]
    command += ["--directory", str(workdir), "--cores", str(SLOTS), "--quiet"]
    command += ["--config", f"workload={work.key}", f"size={work.size}"]
    return Invocation(command)


def dask_processes(work: Workload, _dir: Path, tools: Tools) -> Invocation:
    script = str(HERE / "dask_run.py")
    return Invocation([tools.python, script, work.key, str(work.size), "processes"])


def dask_cluster(work: Workload, _dir: Path, tools: Tools) -> Invocation:
    script = str(HERE / "dask_run.py")
    return Invocation([tools.python, script, work.key, str(work.size), "cluster"])


def airflow(work: Workload, workdir: Path, tools: Tools) -> Invocation:
    if tools.airflow is None or not os.access(tools.airflow, os.X_OK):
        raise FileNotFoundError(f"Airflow is not installed ({tools.airflow}): run make bench-env")
    dags = workdir / "dags"
    dags.mkdir()
    (dags / "bench.py").write_text((HERE / "airflow_dag.py").read_text())
    env = {
        "AIRFLOW_HOME": str(workdir),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "BENCH_WORKLOAD": work.key,
        "BENCH_SIZE": str(work.size),
    }
    # creating the metadata database is installing Airflow, not running the workflow
    return Invocation(
        [tools.airflow, "dags", "test", "bench"], env, [[tools.airflow, "db", "migrate"]]
    )


BASELINE = Engine("pool", "plain 2-slot pool", "a process each (asyncio exec of `true`)", pool)
ENGINES = [
    Engine("kawa", "kawa", "a process each (host process via its fork server)", kawa),
    Engine("prefect", "Prefect 3", "threads in one process (+ its temporary API server)", prefect),
    Engine("luigi", "Luigi", "a forked process each (workers=2)", luigi),
    Engine("snakemake", "Snakemake", "a shell process each (`--cores 2`)", snakemake),
    Engine("dask", "Dask, processes", "2 long-lived worker processes", dask_processes),
    Engine("dask-cluster", "Dask, LocalCluster", "2 worker processes + a scheduler", dask_cluster),
    Engine("airflow", "Airflow 3", "in the CLI process, one at a time (`dags test`)", airflow),
]
