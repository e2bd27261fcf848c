"""``kawa lint``: what ``argo lint`` finds in a document, and a little more.

``lint`` first validates the document against Argo's schema (``schema.validate``); when
that finds errors they are returned alone, as Argo's strict decoding stops there too.
Otherwise it runs the semantic rules of Argo's ``workflow/validate`` package:

* structure (``_lint_workflow``, ``_lint_templates``, ``_lint_nodes``): the entrypoint
  and every ``template``/``templateRef``/exit handler name a template that exists; each
  template has exactly one type; DAG dependencies exist, parse and have no cycle; input
  parameters are supplied; output parameters say where their value comes from; retry
  policies, parallelism and deadlines are valid; CronWorkflow schedules parse
  (``_lint_cron``);
* references (``_lint_variables``): every ``{{...}}`` names a variable in scope, and
  ``when``/``depends``/``{{= }}`` expressions parse;
* shell safety (``_lint_shell``): a warning where a parameter is spliced unquoted into
  shell code.

Argo stops at the first problem; kawa reports them all, sorted by position.  A
``templateRef`` is checked against the WorkflowTemplates/ClusterWorkflowTemplates given;
when none are given, it is a warning, not an error.  See docs/lint.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kawa.spec import _lint_shell, _lint_variables, _lint_workflow, schema
from kawa.spec._lint_context import Context
from kawa.spec.errors import SpecIssue
from kawa.spec.loading import Document


def lint(
    document: Document,
    templates: Mapping[str, Document] | None = None,
    cluster_templates: Mapping[str, Document] | None = None,
) -> list[SpecIssue]:
    """Every problem in ``document``, errors and warnings, sorted by position.

    ``templates``/``cluster_templates`` map names to the WorkflowTemplate /
    ClusterWorkflowTemplate documents a ``templateRef`` or ``workflowTemplateRef`` may
    name; None means "not known", which turns such references into warnings.
    """
    issues = schema.validate(document)
    if any(issue.severity == "error" for issue in issues):
        return _ordered(issues)
    ctx = Context(document, templates, cluster_templates)
    _lint_workflow.check(ctx)
    _lint_variables.check(ctx)
    _lint_shell.check(ctx)
    return _ordered(issues + ctx.issues)


def lint_all(
    documents: Iterable[Document],
    templates: Mapping[str, Document] | None = None,
    cluster_templates: Mapping[str, Document] | None = None,
) -> list[SpecIssue]:
    """Lint several documents together: the WorkflowTemplates and
    ClusterWorkflowTemplates among them are known to the others' ``templateRef``s."""
    documents = list(documents)
    known = dict(templates or {})
    known_cluster = dict(cluster_templates or {})
    for document in documents:
        if document.kind == "WorkflowTemplate" and document.name:
            known.setdefault(document.name, document)
        elif document.kind == "ClusterWorkflowTemplate" and document.name:
            known_cluster.setdefault(document.name, document)
    issues: list[SpecIssue] = []
    for document in documents:
        issues.extend(lint(document, known, known_cluster))
    return _ordered(issues)


def _ordered(issues: Iterable[SpecIssue]) -> list[SpecIssue]:
    """Sorted by file and position, each distinct issue once."""
    unique = dict.fromkeys(issues)
    return sorted(unique, key=lambda issue: (issue.file, issue.line, issue.column))
