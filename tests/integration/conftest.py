"""Helpers for tests that run the real ``kawa`` command in a private ``$KAWA_HOME``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

KAWA = [sys.executable, "-m", "kawa"]  # the `kawa` command's own entry point


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {**os.environ, "KAWA_HOME": str(home)}

    def run(
        self, *args: str, timeout: float = 120, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*KAWA, *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kawa {' '.join(args)} -> {result.returncode}\n{result.stderr}")
        return result

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*KAWA, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def workflow(self, name: str) -> dict[str, Any]:
        result = self.run("get", name, "-o", "json", check=True)
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    def names(self) -> list[str]:
        return self.run("list", "-o", "name", check=True).stdout.split()

    def wait_for(self, predicate: Any, timeout: float = 60.0, every: float = 0.1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(every)
        raise AssertionError("condition not reached in time")


@pytest.fixture
def marks() -> Iterator[Path]:
    """A host directory outside /tmp (each step's /tmp is its own) for side-effect files:
    steps append a line per execution, so executions are counted, not assumed."""
    directory = Path(tempfile.mkdtemp(prefix="kawa-marks-", dir="/var/tmp"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "home")
