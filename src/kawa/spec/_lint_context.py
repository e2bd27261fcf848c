"""What every lint rule needs: the workflow spec, its templates, and how to find them.

A rule reads the document through a ``Context``: the spec (``spec``, or
``spec.workflowSpec`` of a CronWorkflow), the templates by name, and ``resolve`` to follow
a step's or task's ``template``/``templateRef``/``inline`` to the template it runs.
Rules report through ``error``/``warn`` with a path into the document; the context turns
that into a positioned ``SpecIssue``.  Everything here tolerates malformed input: a value
of the wrong type is treated as absent, never trusted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from kawa.spec.errors import Severity, SpecIssue
from kawa.spec.frozen import frozen
from kawa.spec.loading import Document, Path

TEMPLATE_TYPES = (
    "container",
    "script",
    "steps",
    "dag",
    "suspend",
    "resource",
    "containerSet",
    "http",
    "plugin",
    "data",
)
LEAF_TYPES = frozenset(
    ("container", "script", "resource", "containerSet", "http", "plugin", "data")
)
POD_TYPES = frozenset(("container", "script", "resource", "containerSet", "data"))
#: where a step/task/hook names the template it runs
REFERENCE_KEYS = ("template", "templateRef", "inline")


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (malformed input reads as absent)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    """``value`` if it is a string, else ``""``."""
    return value if isinstance(value, str) else ""


def named(items: Any) -> Iterator[tuple[int, dict[str, Any], str]]:
    """``(index, item, name)`` for the mappings of a list that have a string name."""
    for index, item in enumerate(as_list(items)):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            yield index, item, item["name"]


def template_type(template: Mapping[str, Any]) -> str | None:
    """The template's kind when exactly one is set, else None."""
    kinds = [kind for kind in TEMPLATE_TYPES if template.get(kind) is not None]
    return kinds[0] if len(kinds) == 1 else None


@frozen
class Site:
    """A template as written: its name, body, and where it is (document and path)."""

    name: str
    body: dict[str, Any]
    path: Path
    document: Document


@frozen
class Target:
    """What a step, task, hook or entrypoint runs.

    ``state`` is ``found`` (``site`` is the template), ``unknown`` (a templateRef that
    cannot be checked: no lookup given, or its name is a ``{{...}}`` variable), or
    ``missing`` (already reported as an error).
    """

    state: Literal["found", "unknown", "missing"]
    site: Site | None = None


UNKNOWN = Target("unknown")
MISSING = Target("missing")


class Context:
    """One document being linted, with the WorkflowTemplates it may refer to."""

    def __init__(
        self,
        document: Document,
        templates: Mapping[str, Document] | None,
        cluster_templates: Mapping[str, Document] | None,
    ) -> None:
        self.document = document
        self.lookups = {False: templates, True: cluster_templates}
        cron = document.kind == "CronWorkflow"
        self.spec_path: Path = ("spec", "workflowSpec") if cron else ("spec",)
        spec = as_dict(document.raw.get("spec"))
        self.spec = as_dict(spec.get("workflowSpec")) if cron else spec
        self.is_template = document.kind in ("WorkflowTemplate", "ClusterWorkflowTemplate")
        self.templates = _sites(document, self.spec, self.spec_path)
        self.issues: list[SpecIssue] = []
        self._owner: tuple[Document | None, bool] | None = None

    # -- reporting --

    def error(self, path: Path, message: str) -> None:
        """Report an error at ``path``."""
        self.report(path, message, "error")

    def warn(self, path: Path, message: str) -> None:
        """Report a warning at ``path``."""
        self.report(path, message, "warning")

    def report(self, path: Path, message: str, severity: Severity) -> None:
        """Report a problem at ``path`` of the linted document."""
        self.issues.append(self.document.issue(path, message, severity))

    # -- finding templates --

    def spec_at(self, *keys: str | int) -> Path:
        """The path of ``keys`` under the workflow spec."""
        return (*self.spec_path, *keys)

    def all_templates(self) -> list[Site]:
        """Every template of the document's own spec, in order."""
        return list(self.templates.values())

    def resolve(self, holder: Mapping[str, Any], path: Path, report: bool = True) -> Target:
        """The template a step/task/hook runs; reports references that go nowhere
        (unless ``report`` is False: rules that only read the result pass that)."""
        inline = holder.get("inline")
        if isinstance(inline, dict):
            title = as_str(inline.get("name"))
            return Target("found", Site(title, inline, (*path, "inline"), self.document))
        ref = holder.get("templateRef")
        if isinstance(ref, dict):
            return self._resolve_ref(ref, (*path, "templateRef"), report)
        name = holder.get("template")
        if isinstance(name, str) and name:
            return self.local(name, (*path, "template"), report)
        return MISSING

    def local(self, name: str, path: Path, report: bool = True) -> Target:
        """The template ``name`` of this document; an error at ``path`` if there is none."""
        site = self.templates.get(name)
        if site is not None:
            return Target("found", site)
        if "{{" in name:
            return UNKNOWN
        if report:
            self.error(path, f"template name '{name}' undefined{_suggest(name, self.templates)}")
        return MISSING

    def _resolve_ref(self, ref: Mapping[str, Any], path: Path, report: bool) -> Target:
        name, template = as_str(ref.get("name")), as_str(ref.get("template"))
        cluster = ref.get("clusterScope") is True
        what = "ClusterWorkflowTemplate" if cluster else "WorkflowTemplate"
        problem: tuple[Path, str] | None = None
        target = MISSING
        lookup = self.lookups[cluster]
        if not name:
            problem = ((*path, "name"), "templateRef: resource name is required")
        elif not template:
            problem = ((*path, "template"), "templateRef: template name is required")
        elif "{{" in name or "{{" in template:
            target = UNKNOWN
        elif lookup is None:
            target = UNKNOWN
            if report:
                self._warn_no_lookup(path, what, name)
        elif name not in lookup:
            problem = ((*path, "name"), f"{what} '{name}' not found{_suggest(name, lookup)}")
        else:
            owner = lookup[name]
            sites = _sites(owner, as_dict(owner.raw.get("spec")), ("spec",))
            site = sites.get(template)
            if site is not None:
                target = Target("found", site)
            else:
                message = f"template reference {name}.{template} not found"
                problem = ((*path, "template"), message + _suggest(template, sites))
        if problem is not None and report:
            self.error(*problem)
        return target

    def _warn_no_lookup(self, path: Path, what: str, name: str) -> None:
        message = f"templateRef to {what} '{name}' not checked: no {what}s were given to lint"
        self.warn(path, message)

    def workflow_template_ref(self) -> tuple[Document | None, bool]:
        """The WorkflowTemplate named by ``spec.workflowTemplateRef`` (None if unresolved),
        and whether the spec has such a reference at all.  Problems are reported once."""
        if self._owner is None:
            self._owner = self._workflow_template_ref()
        return self._owner

    def _workflow_template_ref(self) -> tuple[Document | None, bool]:
        ref = self.spec.get("workflowTemplateRef")
        if not isinstance(ref, dict):
            return None, False
        name = as_str(ref.get("name"))
        cluster = ref.get("clusterScope") is True
        lookup = self.lookups[cluster]
        what = "ClusterWorkflowTemplate" if cluster else "WorkflowTemplate"
        path = self.spec_at("workflowTemplateRef")
        if not name:
            self.error((*path, "name"), "workflowTemplateRef: name is required")
            return None, True
        if lookup is None:
            self._warn_no_lookup(path, what, name)
            return None, True
        owner = lookup.get(name)
        if owner is None:
            self.error((*path, "name"), f"{what} '{name}' not found{_suggest(name, lookup)}")
        return owner, True


def _sites(document: Document, spec: Mapping[str, Any], spec_path: Path) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for index, body, name in named(spec.get("templates")):
        sites.setdefault(name, Site(name, body, (*spec_path, "templates", index), document))
    return sites


def suggest(name: str, choices: Mapping[str, Any] | Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, or ``""``."""
    return _suggest(name, choices)


def _suggest(name: str, choices: Mapping[str, Any] | Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def task_dependencies(task: Mapping[str, Any]) -> tuple[set[str], str | None]:
    """The tasks a DAG task waits for (``dependencies`` and ``depends``), and why its
    ``depends`` does not parse (or None)."""
    from kawa.spec import _expressions

    names = {name for name in as_list(task.get("dependencies")) if isinstance(name, str)}
    depends = task.get("depends")
    if isinstance(depends, str) and depends.strip():
        found, error = _expressions.depends_tasks(depends)
        return names | found, error
    return names, None


def dag_graph(dag: Mapping[str, Any]) -> dict[str, set[str]]:
    """Each named task of a DAG and the tasks it depends on."""
    graph: dict[str, set[str]] = {}
    for _, task, name in named(dag.get("tasks")):
        graph.setdefault(name, task_dependencies(task)[0])
    return graph


def ancestors(graph: Mapping[str, set[str]], name: str) -> set[str]:
    """Every task ``name`` waits for, directly or through others."""
    seen: set[str] = set()
    pending = list(graph.get(name, ()))
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending.extend(graph.get(current, ()))
    seen.discard(name)
    return seen
