"""Shared helpers for the spec tests: small documents from text, and the Argo corpus."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from kawa.spec import lint, loading
from kawa.spec.errors import SpecIssue
from tests.conftest import CORPUS as _CORPUS_PLACE
from tests.conftest import HAVE_CORPUS, needs_corpus

CORPUS = _CORPUS_PLACE if HAVE_CORPUS else None
HEADER = "apiVersion: argoproj.io/v1alpha1\n"


def document(text: str, file: str = "wf.yaml") -> loading.Document:
    """The one document in ``text`` (dedented)."""
    (only,) = loading.load_text(textwrap.dedent(text), file=file)
    return only


def workflow(body: str, kind: str = "Workflow") -> loading.Document:
    """A document of ``kind`` whose ``spec`` is ``body`` (YAML, dedented)."""
    spec = textwrap.indent(textwrap.dedent(body), "  ")
    text = f"{HEADER}kind: {kind}\nmetadata:\n  name: test\nspec:\n{spec}"
    (only,) = loading.load_text(text, file="wf.yaml")
    return only


def lint_spec(
    body: str, kind: str = "Workflow", templates: Mapping[str, loading.Document] | None = None
) -> list[SpecIssue]:
    """Lint a document of ``kind`` whose spec is ``body``."""
    return lint.lint(workflow(body, kind), templates)


def errors(issues: list[SpecIssue]) -> list[str]:
    """The messages of the errors."""
    return [issue.message for issue in issues if issue.severity == "error"]


def warnings(issues: list[SpecIssue]) -> list[str]:
    """The messages of the warnings."""
    return [issue.message for issue in issues if issue.severity == "warning"]


def corpus_files() -> list[Path]:
    """Every workflow file of the Argo corpus (none when it is not present)."""
    if CORPUS is None:
        return []
    return sorted(path for path in CORPUS.rglob("*.yaml") if path.name != "EXPECTED.yaml")


__all__ = ["CORPUS", "corpus_files", "needs_corpus"]
