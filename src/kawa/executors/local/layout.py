"""Where a node's files live under ``$KAWA_HOME`` (see ``_forkserver/records.py``)."""

from __future__ import annotations

import os
from pathlib import Path

from kawa.executors.local._forkserver import records


def _checked(kind: str, value: str) -> str:
    if not value or value in (".", "..") or "/" in value or "\0" in value:
        raise ValueError(f"{kind} {value!r} cannot name a directory")
    return value


class NodePaths:
    """``$KAWA_HOME/runs/<workflow_uid>/nodes/<node_id>/`` and the files in it.

    Paths are kept as strings too (``path``): launching a step builds a dozen of them,
    and pathlib costs several microseconds per join.
    """

    __slots__ = ("dir", "node_id", "path", "run", "workflow_uid")

    def __init__(self, home: Path, workflow_uid: str, node_id: str) -> None:
        self.workflow_uid = workflow_uid
        self.node_id = node_id
        self.run = os.path.join(home, "runs", _checked("workflow uid", workflow_uid))
        self.path = os.path.join(self.run, "nodes", _checked("node id", node_id))
        self.dir = Path(self.path)

    def file(self, name: str) -> str:
        return os.path.join(self.path, name)

    def volume(self, name: str) -> str:
        return os.path.join(self.run, "volumes", _checked("volume name", name))

    def container(self, name: str) -> str:
        return os.path.join(self.path, records.CONTAINERS, _checked("container name", name))

    def script(self, container: str, main: bool) -> str:
        if main:
            return self.file(records.SCRIPT)
        return os.path.join(self.container(container), records.SCRIPT)

    @property
    def launched(self) -> Path:
        return self.dir / records.LAUNCHED

    @property
    def exit(self) -> Path:
        return self.dir / records.EXIT

    @property
    def stdout(self) -> Path:
        return self.dir / records.STDOUT

    @property
    def stderr(self) -> Path:
        return self.dir / records.STDERR

    @property
    def tmp(self) -> str:
        return self.file(records.TMP)

    def cwd(self, working_dir: str, isolation: str) -> str:
        """A container's working directory: its ``workingDir``, else its private /tmp."""
        if working_dir:
            return working_dir
        return self.tmp if isolation == "none" else "/tmp"
