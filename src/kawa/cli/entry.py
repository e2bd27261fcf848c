"""The ``kawa`` command's entry point: standard library only until the fork server starts.

``kawa run`` starts its fork server (:mod:`kawa.executors.local.server_process`) before it
imports the rest of kawa, so that the server's ~40 ms of coming up overlap this process's
imports, loading and validation instead of following them.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn


def entry() -> NoReturn:
    """The ``kawa`` command: :func:`kawa.cli.main.main`, then exit without tearing down.

    Freeing every object of a finished run and closing the store (a WAL checkpoint) cost
    ``kawa run`` 15-30 ms after the workflow had ended; the process exits with what is
    committed (SQLite's WAL keeps it, as after any killed kawa) and its output flushed.
    """
    if sys.argv[1:2] == ["run"] and len(sys.argv) > 2 and not {"-h", "--help"} & set(sys.argv):
        from kawa.executors.local import server_process

        server_process.start_early(server_process.default_home())
    from kawa.cli.main import main

    code = main()
    if "logging" in sys.modules:
        import logging

        logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        code = code or 1
    os._exit(code)
