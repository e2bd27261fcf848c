"""Fixtures for the local executor's tests: real fork servers, real processes."""

from __future__ import annotations

import select
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kawa.executors.base import StepEvent
from kawa.executors.local import LocalExecutor
from kawa.spec.actions import Container, StartStep
from kawa.spec.events import StepEnded

UID = "wf-uid-1"


def step(
    node_id: str,
    *command: str,
    image: str = "busybox",
    args: tuple[str, ...] = (),
    env: tuple[tuple[str, str], ...] = (),
    working_dir: str = "",
    source: str | None = None,
    secret_env: tuple[str, ...] = (),
    **fields: Any,
) -> StartStep:
    """A StartStep whose main container runs ``command``; ``fields`` go to StartStep."""
    main = Container(
        "main",
        image,
        command=command,
        args=args,
        env=env,
        working_dir=working_dir,
        source=source,
        secret_env=secret_env,
    )
    return StartStep(UID, "wf", node_id, f"wf.{node_id}", main, **fields)


def collect(
    executor: LocalExecutor,
    until: Callable[[list[StepEvent]], bool],
    timeout: float = 20.0,
) -> list[StepEvent]:
    """poll() (sleeping in select on fileno()) until ``until(events)`` holds."""
    events: list[StepEvent] = []
    deadline = time.monotonic() + timeout
    while not until(events):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out; events so far: {events}")
        select.select([executor.fileno()], [], [], left)
        events.extend(executor.poll())
    return events


def ended(events: list[StepEvent]) -> dict[str, StepEnded]:
    return {e.node_id: e for e in events if isinstance(e, StepEnded)}


def run(executor: LocalExecutor, *steps: StartStep, timeout: float = 20.0) -> dict[str, StepEnded]:
    """Start ``steps`` and wait until all of them ended."""
    for s in steps:
        executor.start(s)
    wanted = {s.node_id for s in steps}
    events = collect(executor, lambda ev: wanted <= ended(ev).keys(), timeout)
    return ended(events)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "kawa-home"


@pytest.fixture
def executor(home: Path) -> Iterator[LocalExecutor]:
    ex = LocalExecutor(home)
    yield ex
    ex.close()
