"""A real ``kawa server`` process on a free port, in a private ``$KAWA_HOME``."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


@dataclass
class Server:
    url: str
    home: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    def kawa(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kawa.cli.main", *args],
            env=self.env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(home: Path, *extra: str) -> Server:
    port = free_port()
    env = {**os.environ, "KAWA_HOME": str(home)}
    log = open(home.parent / f"server-{port}.log", "wb")  # noqa: SIM115 (lives with the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "kawa.cli.main", "server", "--port", str(port), *extra],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/version", timeout=1).status_code in (200, 401):
                return Server(url, home, env, process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"kawa server did not start; see {log.name}")


@contextlib.contextmanager
def serving(home: Path, *extra: str) -> Iterator[Server]:
    """A ``kawa server`` on ``home`` (made here) for the ``with`` block, stopped after it."""
    home.mkdir(parents=True)
    running = start(home, *extra)
    try:
        yield running
    finally:
        running.process.terminate()
        running.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with serving(tmp_path / "home") as running:
        yield running
