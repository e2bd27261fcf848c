"""Luigi: a workload with the local scheduler and 2 workers (a forked process per task).

    python luigi_run.py WORKLOAD SIZE

Luigi decides what is done by a task's output target, so every task writes a small
file (without one, Luigi fails with "Unfulfilled dependency at run time").
"""

from __future__ import annotations

import sys

import luigi


class Noop(luigi.Task):
    i = luigi.IntParameter()

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(f"noop/{self.i}")

    def run(self) -> None:
        with self.output().open("w"):
            pass


class Step(luigi.Task):
    i = luigi.IntParameter()

    def requires(self) -> list[luigi.Task]:
        return [Step(i=self.i - 1)] if self.i > 1 else []

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(f"step/{self.i}")

    def run(self) -> None:
        with self.output().open("w"):
            pass


class Emit(luigi.Task):
    i = luigi.IntParameter()

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(f"emit/{self.i}")

    def run(self) -> None:
        with self.output().open("w") as f:
            f.write(str(self.i))


class Gather(luigi.Task):
    size = luigi.IntParameter()

    def requires(self) -> list[luigi.Task]:
        return [Emit(i=i) for i in range(self.size)]

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget("gathered")

    def run(self) -> None:
        items = [int(target.open().read()) for target in self.input()]
        with self.output().open("w") as f:
            f.write(str(len(items)))


def tasks(workload: str, size: int) -> list[luigi.Task]:
    if workload == "independent":
        return [Noop(i=i) for i in range(size)]
    if workload == "chain":
        return [Step(i=size)]
    return [Gather(size=size)]


if __name__ == "__main__":
    ok = luigi.build(
        tasks(sys.argv[1], int(sys.argv[2])), workers=2, local_scheduler=True, log_level="WARNING"
    )
    sys.exit(0 if ok else 1)
