"""``$KAWA_HOME`` (default ``~/.kawa``): the store, step directories, controller sockets."""

from __future__ import annotations

import os
from pathlib import Path

from kawa.spec.frozen import frozen


@frozen
class Home:
    path: Path

    @staticmethod
    def default() -> Home:
        return Home(Path(os.environ.get("KAWA_HOME") or Path.home() / ".kawa").absolute())

    @property
    def database(self) -> Path:
        return self.path / "kawa.db"

    @property
    def runs(self) -> Path:
        return self.path / "runs"

    @property
    def sockets(self) -> Path:
        return self.path / "controllers"

    def node_dir(self, workflow_uid: str, node_id: str) -> Path:
        return self.runs / workflow_uid / "nodes" / node_id
