"""Entry point of the fork server: ``python -I -S forkserver.py --home H ...``.

Kept apart from the ``kawa`` package on purpose: the server imports only the standard
library (``_forkserver`` is loaded as a top-level package from this directory), so it
starts in ~15 ms.  See ``_forkserver/loop.py``.
"""

import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _forkserver import loop

    sys.exit(loop.main(sys.argv[1:]))
