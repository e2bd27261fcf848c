"""Steps as host processes, each with its own view of the files (see ``executor``)."""

from kawa.executors.local.executor import LocalExecutor

__all__ = ["LocalExecutor"]
