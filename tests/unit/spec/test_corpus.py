"""Every workflow of Argo's own corpus loads, validates and lints as Argo says it should."""

from __future__ import annotations

from pathlib import Path

import pytest

from kawa.spec import lint, loading, schema

from .conftest import CORPUS, corpus_files, errors, needs_corpus

EMPTY_PARAMETER = "test/e2e/expectedfailures/empty-parameter-dag.yaml"


def _name(path: Path) -> str:
    assert CORPUS is not None
    return path.relative_to(CORPUS).as_posix()


def _templates() -> dict[str, loading.Document]:
    assert CORPUS is not None
    documents = loading.load_file(CORPUS / "examples/workflow-template/templates.yaml")
    return {document.name: document for document in documents}


@needs_corpus
def test_the_corpus_has_all_its_files() -> None:
    assert len(corpus_files()) == 48  # 47 workflows and templates.yaml


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=_name)
def test_every_corpus_file_validates_against_the_schema(path: Path) -> None:
    documents = loading.load_file(path)
    assert documents
    for document in documents:
        assert schema.validate(document) == []


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=_name)
def test_every_corpus_workflow_lints_without_errors_except_the_expected_failure(path: Path) -> None:
    lookup = _templates() if "workflow-template" in _name(path) else None
    issues = [issue for doc in loading.load_file(path) for issue in lint.lint(doc, lookup)]
    if _name(path) == EMPTY_PARAMETER:
        (message,) = errors(issues)
        assert (
            "templates.abc.tasks.a templates.whalesay inputs.parameters.message was not supplied"
            in message
        )
    else:
        assert errors(issues) == []


@needs_corpus
def test_the_empty_parameter_error_points_at_the_task_arguments() -> None:
    assert CORPUS is not None
    (document,) = loading.load_file(CORPUS / EMPTY_PARAMETER)
    (issue,) = lint.lint(document)
    assert (issue.line, issue.field) == (14, "spec.templates[0].dag.tasks[0].arguments")
