"""Which ``{{...}}`` variables are in scope where, as Argo's validator decides it.

Argo checks a simple tag only when it starts with ``item.``, ``steps.``, ``inputs.``,
``outputs.``, ``pod.``, ``workflow.`` or ``tasks.`` (anything else may be a custom string),
against the variables in scope where the tag is (``resolveAllVariables`` in
``workflow/validate/validate.go``):

* everywhere: ``workflow.name``/``namespace``/``uid``/``status``/..., the workflow's
  ``parameters.X`` (from ``spec.arguments``), ``labels.X``/``annotations.X`` (from its
  metadata), ``outputs.parameters.X`` exported by some ``globalName``; ``outputs.*`` and
  ``workflow.creationTimestamp``/``scheduledTime``/``duration`` are never rejected;
* in a template: its declared ``inputs.parameters.X``/``inputs.artifacts.X``, and
  ``pod.name`` when it runs a pod;
* in a step or task: what ``Nodes`` says of ``steps.X.*``/``tasks.X.*``, and ``item`` in
  a loop.

A ``Scope`` is built once per template and copied (cheaply) per step or task; what a step
may read of other steps is decided on demand by ``Nodes``, so a template of a thousand
steps is checked in linear time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kawa.spec._lint_context import (
    LEAF_TYPES,
    POD_TYPES,
    Context,
    Site,
    Target,
    as_dict,
    as_str,
    named,
    suggest,
    template_type,
)
from kawa.spec.errors import Severity

CHECKED = ("item.", "steps.", "inputs.", "outputs.", "pod.", "workflow.", "tasks.")
NEVER_REJECTED = (
    "outputs.",
    "workflow.creationTimestamp",
    "workflow.scheduledTime",
    "workflow.duration",
    "tasks.name",
    "steps.name",
    "node.name",
)
_WORKFLOW = (
    "workflow.name",
    "workflow.namespace",
    "workflow.uid",
    "workflow.mainEntrypoint",
    "workflow.serviceAccountName",
    "workflow.status",
    "workflow.annotations",
    "workflow.annotations.json",
    "workflow.labels",
    "workflow.labels.json",
)
_LOOP_KEYS = ("withItems", "withParam", "withSequence")

#: the ``steps.X.*``/``tasks.X.*`` names a step or task provides (without ``status``), and
#: prefixes under which anything goes (its template could not be read)
Outputs = tuple[frozenset[str], tuple[str, ...]]


def _no_reason(name: str) -> str | None:
    return None


class Nodes:
    """What a string may read of the steps (or tasks) of its template.

    ``sees(X)``: X's outputs are in scope; ``sees_status(X)``: ``X.status`` is;
    ``soft(X)``: reading X's outputs is only a warning, for this reason; ``why(X)``: why X
    cannot be read here.
    """

    def __init__(
        self,
        kind: str,
        outputs: Mapping[str, Outputs],
        sees: Callable[[str], bool],
        sees_status: Callable[[str], bool],
        why: Callable[[str], str],
        soft: Callable[[str], str | None] = _no_reason,
    ) -> None:
        self.kind = kind
        self.prefix = f"{kind}."
        self.outputs = outputs
        self.sees = sees
        self.sees_status = sees_status
        self.why = why
        self.soft = soft

    def judge(self, tag: str, template: str) -> tuple[Severity, str] | None:
        """None if ``tag`` (which starts with this kind) may be read here."""
        name, _, attribute = tag[len(self.prefix) :].partition(".")
        noun = self.kind[:-1]
        if name not in self.outputs:
            known = suggest(name, list(self.outputs))
            return "error", f"template '{template}' has no {noun} named '{name}'{known}"
        if attribute == "status":
            return None if self.sees_status(name) else ("error", self.why(name))
        names, prefixes = self.outputs[name]
        if tag not in names and not tag.startswith(prefixes):
            return "error", f"{noun} '{name}' has no such output" + suggest(tag, sorted(names))
        if self.sees(name):
            return None
        reason = self.soft(name)
        if reason is not None:
            return "warning", f"{{{{{tag}}}}}: {reason}: its outputs may not exist yet"
        return "error", self.why(name)


class Scope:
    """The variables a string may use where it is, and why others are missing."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.prefixes: tuple[str, ...] = ()
        self.soft_prefixes: tuple[tuple[str, str], ...] = ()
        self.template = ""
        self.inputs: dict[str, list[str]] = {"parameters": [], "artifacts": []}
        self.workflow_parameters: list[str] = []
        self.nodes: Nodes | None = None
        self.looping = False

    def copy(self) -> Scope:
        """A copy whose ``names`` can be extended without changing this scope."""
        other = Scope()
        other.__dict__.update(self.__dict__)
        other.names = set(self.names)
        return other

    def judge(self, tag: str) -> tuple[Severity, str] | None:
        """None if ``tag`` resolves here, else the severity and the reason it does not."""
        if tag == "item":
            if self.looping:
                return None
            reason = "{{item}} is only set in a step or task that loops (withItems, "
            return "error", reason + "withParam or withSequence)"
        if not tag.startswith(CHECKED) or tag in self.names or tag.startswith(NEVER_REJECTED):
            return None
        if tag.startswith(self.prefixes):
            return None
        if self.nodes is not None and tag.startswith(self.nodes.prefix):
            verdict = self.nodes.judge(tag, self.template)
            if verdict is None or verdict[0] == "warning":
                return verdict
            return "error", f"failed to resolve {{{{{tag}}}}}: {verdict[1]}"
        for prefix, reason in self.soft_prefixes:
            if tag.startswith(prefix):
                return "warning", f"{{{{{tag}}}}}: {reason}"
        return "error", f"failed to resolve {{{{{tag}}}}}: {self.explain(tag)}"

    def explain(self, tag: str) -> str:
        """Why ``tag`` is not in scope, in the user's words."""
        parts = tag.split(".")
        head = parts[0]
        if head == "inputs" and len(parts) > 2 and parts[1] in self.inputs:
            known = suggest(parts[2], self.inputs[parts[1]])
            return f"template '{self.template}' has no input {parts[1][:-1]} '{parts[2]}'{known}"
        if tag.startswith("workflow.parameters."):
            name = tag[len("workflow.parameters.") :]
            known = suggest(name, self.workflow_parameters)
            return f"spec.arguments has no parameter '{name}'{known}"
        if head in ("steps", "tasks"):
            where = "steps" if head == "steps" else "dag"
            return f"{{{{{head}.*}}}} is only set inside a {where} template"
        if head == "item" and self.looping:
            keys = sorted(name[len("item.") :] for name in self.names if name.startswith("item."))
            listed = f" (their keys: {', '.join(keys)})" if keys else ""
            return f"the loop's items have no key '{tag[len('item.') :]}'{listed}"
        if head == "item":
            return "{{item.*}} is only set in a step or task that loops"
        if head == "pod":
            return "pod.name is only set in templates that run a pod"
        close = sorted(name for name in self.names if name.startswith(f"{head}."))
        return "no such variable" + suggest(tag, close)


# --- building scopes ------------------------------------------------------------------------


def workflow_scope(ctx: Context) -> Scope:
    """What every template may use: the workflow's globals."""
    scope = Scope()
    scope.names.update(_WORKFLOW)
    spec = ctx.spec
    parameters = [name for _, _, name in named(as_dict(spec.get("arguments")).get("parameters"))]
    owner, _ = ctx.workflow_template_ref() if "workflowTemplateRef" in spec else (None, False)
    if owner is not None:
        owner_args = as_dict(as_dict(owner.raw.get("spec")).get("arguments"))
        parameters += [name for _, _, name in named(owner_args.get("parameters"))]
    scope.workflow_parameters = parameters
    if parameters:
        scope.names.update(("workflow.parameters", "workflow.parameters.json"))
    scope.names.update(f"workflow.parameters.{name}" for name in parameters)
    if ctx.is_template:
        reason = "not declared in spec.arguments: a Workflow using this template must supply it"
        scope.soft_prefixes = (("workflow.parameters.", reason),)
    for kind in ("labels", "annotations"):
        scope.names.update(f"workflow.{kind}.{key}" for key in _metadata_keys(ctx, kind))
    if spec.get("priority") is not None:
        scope.names.add("workflow.priority")
    if spec.get("onExit") or spec.get("hooks") or owner is not None:
        scope.names.add("workflow.failures")
    _add_global_outputs(ctx, scope)
    return scope


def _metadata_keys(ctx: Context, kind: str) -> set[str]:
    raw = ctx.document.raw
    sources = [
        as_dict(raw.get("metadata")),
        as_dict(ctx.spec.get("workflowMetadata")),
        as_dict(as_dict(raw.get("spec")).get("workflowMetadata")),
    ]
    keys: set[str] = set()
    for source in sources:
        keys.update(as_dict(source.get(kind)))
        if kind == "labels":
            keys.update(as_dict(source.get("labelsFrom")))
    return keys


def _add_global_outputs(ctx: Context, scope: Scope) -> None:
    for site in ctx.all_templates():
        outputs = as_dict(site.body.get("outputs"))
        for kind in ("parameters", "artifacts"):
            for _, item, _ in named(outputs.get(kind)):
                global_name = as_str(item.get("globalName"))
                if "{{" in global_name:
                    scope.prefixes += (f"workflow.outputs.{kind}.",)
                elif global_name:
                    scope.names.add(f"workflow.outputs.{kind}.{global_name}")


def template_scope(base: Scope, site: Site) -> Scope:
    """What a template's own fields may use: the globals and its declared inputs."""
    scope = base.copy()
    scope.template = site.name
    inputs = as_dict(site.body.get("inputs"))
    kind = template_type(site.body)
    parameters = [name for _, _, name in named(inputs.get("parameters"))]
    artifacts = [name for _, _, name in named(inputs.get("artifacts"))]
    scope.inputs = {"parameters": parameters, "artifacts": artifacts}
    scope.names.update(f"inputs.parameters.{name}" for name in parameters)
    if parameters:
        scope.names.add("inputs.parameters")
    for name in artifacts:
        scope.names.add(f"inputs.artifacts.{name}")
        if kind in LEAF_TYPES:
            scope.names.add(f"inputs.artifacts.{name}.path")
    if kind in POD_TYPES:
        scope.names.add("pod.name")
    return scope


def node_scope(scope: Scope, node: Mapping[str, Any], nodes: Nodes) -> Scope:
    """The scope of one step or task: its template's, plus other nodes and its loop."""
    here = scope.copy()
    here.nodes = nodes
    items = node.get("withItems")
    if isinstance(items, list) and items:
        here.looping = True
        for item in items:
            if isinstance(item, dict):
                here.names.update(f"item.{key}" for key in item)
            elif isinstance(item, list):
                here.names.update(f"item.[{index}]" for index in range(len(item)))
    elif node.get("withParam") not in (None, ""):
        here.looping = True
        here.prefixes += ("item.",)
    elif node.get("withSequence") is not None:
        here.looping = True
    inline = as_dict(node.get("inline"))
    parameters = as_dict(inline.get("inputs")).get("parameters")
    here.names.update(f"inputs.parameters.{name}" for _, _, name in named(parameters))
    return here


def node_outputs(kind: str, name: str, target: Target, aggregate: bool) -> Outputs:
    """The ``steps.X.*``/``tasks.X.*`` names a finished step/task gives (not ``status``)."""
    base = f"{kind}.{name}"
    names = {f"{base}.id", f"{base}.startedAt", f"{base}.finishedAt", f"{base}.hostNodeName"}
    if target.site is None:
        return frozenset(names), (f"{base}.",)  # unknown or missing template: do not guess
    body = target.site.body
    template = template_type(body)
    if body.get("daemon") is True:
        names.add(f"{base}.ip")
    if template in ("container", "script", "data", "http", "plugin") or _has_main(body):
        names.update((f"{base}.outputs.result", f"{base}.exitCode"))
    outputs = as_dict(body.get("outputs"))
    for _, _, output in named(outputs.get("parameters")):
        names.add(f"{base}.outputs.parameters.{output}")
    for _, _, output in named(outputs.get("artifacts")):
        names.add(f"{base}.outputs.artifacts.{output}")
    if aggregate:
        names.add(f"{base}.outputs.parameters")
        if template in ("script", "containerSet"):
            names.update((f"{base}.outputs.result", f"{base}.exitCode"))
    return frozenset(names), ()


def _has_main(body: Mapping[str, Any]) -> bool:
    containers = as_dict(body.get("containerSet")).get("containers")
    return any(name == "main" for _, _, name in named(containers))


def loops(node: Mapping[str, Any]) -> bool:
    """Does the step or task run once per item?"""
    return any(node.get(key) not in (None, [], "") for key in _LOOP_KEYS)


def has_exit_hook(node: Mapping[str, Any]) -> bool:
    """Does the step or task have an exit handler (which may read its own outputs)?"""
    return bool(node.get("onExit")) or "exit" in as_dict(node.get("hooks"))


def everything(kind: str, outputs: Mapping[str, Outputs]) -> Nodes:
    """A view that sees every step/task (a template's outputs, a DAG's target)."""
    return Nodes(kind, outputs, _always, _always, _no_why)


def _always(name: str) -> bool:
    return True


def _no_why(name: str) -> str:
    return ""  # pragma: no cover - never asked: everything is visible
