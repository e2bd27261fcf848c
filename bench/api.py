"""How fast `kawa server` finds runs among many: the list endpoint over N stored workflows.

Stores N finished workflows (default 100,000) with labels, parameters, phases and times
spread out, starts a real `kawa server`, and times the list endpoint with each filter the
UI offers (phase, label selector, name substring, parameter value, time range, template,
page 2), through HTTP.  Prints the median of R requests for each, and the baseline: a
request that returns nothing.  Goal: every filter ≤ 100 ms median at 100k.

    .venv/bin/python bench/api.py [--workflows 100000] [--requests 20]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from _scratch import scratch_dir

from kawa.controller import codec
from kawa.spec.status import WorkflowPhase, WorkflowStatus
from kawa.spec.workflow import Workflow
from kawa.store.sqlite import SqliteStore

PHASES = ["Succeeded"] * 7 + ["Failed"] * 2 + ["Error"]
TEAMS = ["ml", "etl", "physics", "platform"]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def fill(store: SqliteStore, count: int) -> None:
    spec = {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "x"}}]}

    def records():  # type: ignore[no-untyped-def]
        for i in range(count):
            created = T0 + timedelta(seconds=30 * i)
            params = {"parameters": [{"name": "lr", "value": f"0.{i % 97}"}]}
            status = WorkflowStatus(
                phase=WorkflowPhase(PHASES[i % len(PHASES)]),
                started_at=created,
                finished_at=created + timedelta(seconds=42),
                progress="3/3",
            )
            labels = {"team": TEAMS[i % len(TEAMS)], "example": "bench"}
            if i % 10 == 0:
                labels["workflows.argoproj.io/workflow-template"] = f"template-{i % 7}"
            workflow = Workflow(
                name=f"run-{i:06d}-{uuid.UUID(int=i).hex[-5:]}",
                namespace="default" if i % 5 else "science",
                uid=str(uuid.UUID(int=i)),
                created_at=created,
                spec={**spec, "arguments": params},
                status=status,
                labels=labels,
            )
            yield codec.to_record(workflow)

    store.insert_many(records())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workflows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    scratch = scratch_dir()
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        home = Path(tmp) / "home"
        store = SqliteStore(home / "kawa.db")
        began = time.perf_counter()
        fill(store, args.workflows)
        store.close()
        print(f"stored {args.workflows} workflows in {time.perf_counter() - began:.1f} s")
        port = free_port()
        env = {**os.environ, "KAWA_HOME": str(home)}
        server = subprocess.Popen(
            [sys.executable, "-m", "kawa.cli.main", "server", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}/api/v1/workflows"
        try:
            _await(base)
            mid = (T0 + timedelta(seconds=30 * args.workflows // 2)).isoformat()
            later = (T0 + timedelta(seconds=30 * args.workflows // 2 + 3600)).isoformat()
            cases = {
                "nothing matches (baseline)": ("default", {"namePattern": "no-such-run"}),
                "newest page (50)": ("default", {"listOptions.limit": 50}),
                "phase=Failed": ("default", {"phase": "Failed", "listOptions.limit": 50}),
                "label team=physics": (
                    "default",
                    {"listOptions.labelSelector": "team=physics", "listOptions.limit": 50},
                ),
                "name contains": ("default", {"namePattern": "-0421", "listOptions.limit": 50}),
                "parameter lr=0.42": ("default", {"parameter": "lr=0.42", "listOptions.limit": 50}),
                "time range (1 h)": (
                    "default",
                    {"createdAfter": mid, "createdBefore": later, "listOptions.limit": 50},
                ),
                "template + phase": (
                    "science",
                    {"template": "template-3", "phase": "Succeeded", "listOptions.limit": 50},
                ),
                "namespace science": ("science", {"listOptions.limit": 50}),
            }
            with httpx.Client(timeout=60) as client:
                page = client.get(f"{base}/default", params={"listOptions.limit": 50}).json()
                cases["page 2"] = (
                    "default",
                    {"listOptions.limit": 50, "listOptions.continue": page["metadata"]["continue"]},
                )
                print(f"{'filter':<30} {'median':>9} {'items':>6}")
                worst = 0.0
                for label, (namespace, params) in cases.items():
                    times, items = [], 0
                    for _ in range(args.requests):
                        start = time.perf_counter()
                        response = client.get(f"{base}/{namespace}", params=params)
                        times.append(time.perf_counter() - start)
                        response.raise_for_status()
                        items = len(response.json()["items"])
                    median = statistics.median(times) * 1000
                    worst = max(worst, median)
                    print(f"{label:<30} {median:8.1f}ms {items:>6}")
                print(f"slowest median: {worst:.1f} ms (goal <= 100 ms at 100k workflows)")
        finally:
            server.terminate()
            server.wait(timeout=10)


def _await(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/default", params={"listOptions.limit": 1}, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("kawa server did not start")


if __name__ == "__main__":
    main()
