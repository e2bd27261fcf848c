"""The flagship workflow's steps: ``python examples/higgs4l/higgs4l.py STEP ...``.

Steps: ``chunks``, ``process``, ``merge``, ``plot`` (and ``run``, all of them at once); see
``h4l/cli.py`` or ``--help``. The analysis lives in the ``h4l`` package beside this file.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from h4l.cli import main

if __name__ == "__main__":
    sys.exit(main())
