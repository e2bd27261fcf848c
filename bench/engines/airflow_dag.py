"""Airflow 3: a workload as a DAG of TaskFlow tasks, run by ``airflow dags test bench``.

The workload and its size come from ``BENCH_WORKLOAD`` and ``BENCH_SIZE``.  ``dags test``
runs the task instances one at a time inside the CLI process.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import dag, task

WORKLOAD, SIZE = os.environ["BENCH_WORKLOAD"], int(os.environ["BENCH_SIZE"])


@task
def noop(i: int) -> None:
    return None


@task
def step() -> None:
    return None


@task
def emit(i: int) -> int:
    return i


@task
def gather(items: list[int]) -> int:
    return len(list(items))


@dag(dag_id="bench", schedule=None, start_date=pendulum.datetime(2024, 1, 1), catchup=False)
def bench() -> None:
    if WORKLOAD == "independent":
        noop.expand(i=list(range(SIZE)))
    elif WORKLOAD == "chain":
        previous = None
        for k in range(SIZE):
            current = step.override(task_id=f"step_{k + 1}")()
            if previous is not None:
                previous >> current
            previous = current
    else:
        gather(emit.expand(i=list(range(SIZE))))


bench()
