"""``python -m h4l`` (with ``examples/higgs4l`` on ``PYTHONPATH``): the same as higgs4l.py."""

import sys

from .cli import main

sys.exit(main())
