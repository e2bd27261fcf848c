"""Steps as host processes, each with its own view of the files (see ``executor``).

``LocalExecutor`` is imported on first use, so that ``kawa run`` can start the fork
server (``server_process``, standard library only) before it loads anything else.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: that import costs ``kawa run`` ~2 ms before it starts
if TYPE_CHECKING:
    from typing import Any

    from kawa.executors.local.executor import LocalExecutor

__all__ = ["LocalExecutor"]


def __getattr__(name: str) -> Any:
    if name == "LocalExecutor":
        from kawa.executors.local.executor import LocalExecutor

        return LocalExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
