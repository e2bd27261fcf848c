"""Dask: a workload with ``dask.delayed``, 2 worker processes.

    python dask_run.py WORKLOAD SIZE processes|cluster

``processes``: the local multiprocessing scheduler (``num_workers=2``); ``cluster``: a
``distributed.LocalCluster`` of 2 single-threaded worker processes and a scheduler.
"""

from __future__ import annotations

import sys

import dask


@dask.delayed(pure=False)
def noop(i: int) -> None:
    return None


@dask.delayed(pure=False)
def step(previous: None) -> None:
    return None


@dask.delayed(pure=False)
def emit(i: int) -> int:
    return i


@dask.delayed(pure=False)
def gather(items: list[int]) -> int:
    return len(items)


def graph(workload: str, size: int) -> list[object]:
    if workload == "independent":
        return [noop(i) for i in range(size)]
    if workload == "chain":
        previous = None
        for _ in range(size):
            previous = step(previous)
        return [previous]
    return [gather([emit(i) for i in range(size)])]


def main(workload: str, size: int, scheduler: str) -> None:
    tasks = graph(workload, size)
    if scheduler == "processes":
        dask.compute(*tasks, scheduler="processes", num_workers=2)
        return
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster),
    ):
        dask.compute(*tasks)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
