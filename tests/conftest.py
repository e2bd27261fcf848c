"""Suite-wide rules.

Tests that need the conformance corpus (``../shared/conformance/argo``) skip when it is
absent, as in a user's clone.  CI sets ``KAWA_REQUIRE_CORPUS=1``: there a missing corpus
fails the run instead of quietly skipping those tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: the conformance corpus lives in ``../shared`` beside the repository (absent in a user's clone)
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "argo"
HAVE_CORPUS = (CORPUS / "EXPECTED.yaml").exists()
#: for tests that read the corpus: they skip only where it is absent (never in CI, see above)
needs_corpus = pytest.mark.skipif(
    not HAVE_CORPUS,
    reason="the conformance corpus ../shared/conformance/argo is not present (a user's clone)",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("KAWA_REQUIRE_CORPUS") == "1" and not HAVE_CORPUS:
        raise pytest.UsageError(f"KAWA_REQUIRE_CORPUS=1 but the corpus is missing: {CORPUS}")
