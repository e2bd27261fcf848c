"""Suite-wide rules.

Tests that need the conformance corpus (``../shared/conformance/argo``) skip when it is
absent, as in a user's clone.  CI sets ``KAWA_REQUIRE_CORPUS=1``: there a missing corpus
fails the run instead of quietly skipping those tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "argo"


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("KAWA_REQUIRE_CORPUS") == "1" and not (CORPUS / "EXPECTED.yaml").exists():
        raise pytest.UsageError(f"KAWA_REQUIRE_CORPUS=1 but the corpus is missing: {CORPUS}")
