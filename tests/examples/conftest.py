"""The flagship's data, fetched once per session by the example's own script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "higgs4l"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """``examples/higgs4l/data`` (or ``$HIGGS4L_DATA``), as ``make flagship-data`` fills it."""
    target = Path(os.environ.get("HIGGS4L_DATA", EXAMPLE / "data"))
    fetch = [sys.executable, str(EXAMPLE / "fetch_data.py"), str(target)]
    done = subprocess.run(fetch, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"fetching the flagship data failed:\n{done.stderr}"
    return target
