"""Where a node's files live under ``$KAWA_HOME`` (see ``_forkserver/records.py``)."""

from __future__ import annotations

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

    __slots__ = ("node_id", "path", "run", "workflow_uid")

    def __init__(self, home: Path | str, workflow_uid: str, node_id: str) -> None:
        self.workflow_uid = workflow_uid
        self.node_id = node_id
        self.run = f"{home}/runs/{_checked('workflow uid', workflow_uid)}"
        self.path = f"{self.run}/nodes/{_checked('node id', node_id)}"

    @property
    def dir(self) -> Path:
        return Path(self.path)

    def file(self, name: str) -> str:
        return f"{self.path}/{name}"

    def volume(self, name: str) -> str:
        return f"{self.run}/volumes/{_checked('volume name', name)}"

    def container(self, name: str) -> str:
        return f"{self.path}/{records.CONTAINERS}/{_checked('container name', name)}"

    def script(self, container: str, main: bool) -> str:
        if main:
            return self.file(records.SCRIPT)
        return f"{self.container(container)}/{records.SCRIPT}"

    @property
    def launched(self) -> str:
        return self.file(records.LAUNCHED)

    @property
    def exit(self) -> str:
        return self.file(records.EXIT)

    @property
    def stdout(self) -> str:
        return self.file(records.STDOUT)

    @property
    def stderr(self) -> str:
        return self.file(records.STDERR)

    @property
    def tmp(self) -> str:
        return self.file(records.TMP)

    def cwd(self, working_dir: str, isolation: str) -> str:
        """A container's working directory: its ``workingDir``, else its private /tmp."""
        if working_dir:
            return working_dir
        return self.tmp if isolation == "none" else "/tmp"
