"""A process killed in the middle of a store transaction corrupts nothing.

SQLite (WAL) rolls an uncommitted transaction back; the next kawa command sees the state
before it, and retry/rerun work on it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import Cli

WORKFLOW = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: small}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: one, template: echo}
    - name: echo
      container: {image: busybox, command: [echo, hi]}
"""

HALF_WRITTEN = """
import os, signal, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE workflows SET phase='Running', status='{not json'")
db.execute("DELETE FROM nodes")
db.execute("INSERT INTO history (workflow_uid, seq, kind, at, data) VALUES ('x', 1, 'x', 'x', 'x')")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_transaction_cut_short_by_kill_9_leaves_the_store_as_it_was(
    cli: Cli, tmp_path: Path
) -> None:
    spec = tmp_path / "small.yaml"
    spec.write_text(WORKFLOW)
    cli.run("run", str(spec), check=True)
    before = cli.workflow("small")
    killed = subprocess.run([sys.executable, "-c", HALF_WRITTEN, str(cli.home / "kawa.db")])
    assert killed.returncode == -9
    after = cli.workflow("small")
    assert after == before
    result = cli.run("rerun", "small", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"]["phase"] == "Succeeded"
