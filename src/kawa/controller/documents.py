"""Checking Argo documents before anything is stored: schema, then semantic lint.

WorkflowTemplates named by a document are looked up among the documents given together,
then in the store, as ``argo lint`` and ``argo submit`` do.  Used by the CLI (files) and
the server (request bodies) alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from kawa.spec import lint, loading
from kawa.spec.errors import SpecError, SpecIssue
from kawa.spec.loading import Document


def lint_documents(service: Any, documents: Sequence[Document]) -> list[SpecIssue]:
    """Schema + semantic lint; templates come from the documents themselves and the store."""
    templates = {d.name: d for d in documents if d.kind == "WorkflowTemplate"}
    cluster = {d.name: d for d in documents if d.kind == "ClusterWorkflowTemplate"}
    stored = stored_templates(service)
    for name, doc in stored.get("WorkflowTemplate", {}).items():
        templates.setdefault(name, doc)
    for name, doc in stored.get("ClusterWorkflowTemplate", {}).items():
        cluster.setdefault(name, doc)
    issues: list[SpecIssue] = []
    for document in documents:
        issues.extend(lint.lint(document, templates=templates, cluster_templates=cluster))
    return issues


def stored_templates(service: Any) -> dict[str, dict[str, Document]]:
    found: dict[str, dict[str, Document]] = {}
    for kind, label in (("namespaced", "WorkflowTemplate"), ("cluster", "ClusterWorkflowTemplate")):
        for _, name, data in service.store.list_objects(kind):
            docs = loading.load_text(data, file=f"<stored {label} {name}>")
            found.setdefault(label, {})[name] = docs[0]
    return found


def validated(
    service: Any, documents: Sequence[Document]
) -> tuple[list[Document], list[SpecIssue]]:
    """The documents and their warnings; raises SpecError listing every error."""
    issues = lint_documents(service, documents)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise SpecError(errors)
    return list(documents), [i for i in issues if i.severity != "error"]


def from_object(raw: Mapping[str, Any], kind: str, file: str = "<request>") -> Document:
    """One document from a JSON object (a request body), checked like a file."""
    if not isinstance(raw, Mapping):
        raise SpecError([SpecIssue(file, 1, 1, kind, "expected an object")])
    body = dict(raw)
    body.setdefault("apiVersion", "argoproj.io/v1alpha1")
    body.setdefault("kind", kind)
    if body.get("kind") != kind:
        raise SpecError([SpecIssue(file, 1, 1, "kind", f"expected {kind}, got {body['kind']!r}")])
    text = json.dumps(body, indent=1)
    [document] = loading.load_text(text, file=file)
    return document
