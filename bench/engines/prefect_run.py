"""Prefect 3: a workload as a flow of tasks on a 2-thread task runner.

    python prefect_run.py WORKLOAD SIZE

Run cold: with no ``PREFECT_API_URL``, Prefect starts its temporary API server for the
flow run and stops it afterwards.
"""

from __future__ import annotations

import sys

from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner


@task
def noop(i: int) -> None:
    return None


@task
def step(previous: None) -> None:
    return None


@task
def emit(i: int) -> int:
    return i


@task
def gather(items: list[int]) -> int:
    return len(items)


@flow(task_runner=ThreadPoolTaskRunner(max_workers=2))
def independent(size: int) -> None:
    noop.map(range(size)).wait()


@flow(task_runner=ThreadPoolTaskRunner(max_workers=2))
def chain(size: int) -> None:
    previous = None
    for _ in range(size):
        previous = step(previous)


@flow(task_runner=ThreadPoolTaskRunner(max_workers=2))
def fan(size: int) -> None:
    gather(emit.map(range(size)))


if __name__ == "__main__":
    {"independent": independent, "chain": chain, "fan": fan}[sys.argv[1]](int(sys.argv[2]))
