"""Schemathesis fuzzes every operation of the served OpenAPI spec: no 5xx, ever.

Streams that never end on their own (the watch, server-sent events, followed logs) are
left out; their parameters are checked by the other server tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.server.conftest import Server


def test_no_server_errors_under_fuzzing(server: Server, tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "run",
        f"{server.url}/openapi.json",
        "--checks", "not_a_server_error",
        "--max-examples", "15",
        "--exclude-path-regex", "workflow-events|/api/kawa/v1/events|/log$",
        "--workers", "1",
        "--phases", "examples,fuzzing",
        "--request-timeout", "20",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
