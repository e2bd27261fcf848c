"""Finding the template a step/task/entrypoint names, and binding its inputs.

Reproduces Argo's template resolution: ``template: name`` resolves in the template set
the caller belongs to (the workflow's own, or the WorkflowTemplate a ``templateRef`` led
into), ``templateRef`` jumps to a (Cluster)WorkflowTemplate, ``inline`` carries the
template itself; ``spec.templateDefaults`` fill unset fields.  Inputs follow Argo's
``ProcessArgs``: an input's own ``value`` wins, then the caller's argument, then
``default``; anything else is "was not supplied".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kawa.engine.run import Run
from kawa.engine.scope import Scope, render, substitute
from kawa.spec.errors import KawaError
from kawa.spec.expressions import govalues
from kawa.spec.frozen import frozen
from kawa.spec.status import Parameter

TEMPLATE_KINDS = (
    "container",
    "script",
    "steps",
    "dag",
    "suspend",
    "containerSet",
    "resource",
    "http",
    "plugin",
    "data",
)


class TemplateError(KawaError):
    """A template cannot be found or its inputs cannot be bound; the node becomes Error."""


@frozen
class TemplateScope:
    """Where bare ``template:`` names resolve: the workflow, or a referenced template."""

    key: str = ""  # "" for the workflow itself, else "namespaced/<name>" / "cluster/<name>"


@frozen
class Resolved:
    template: Mapping[str, Any]
    scope: TemplateScope
    ref: Mapping[str, Any] | None

    @property
    def name(self) -> str:
        return str(self.template.get("name", ""))

    @property
    def kind(self) -> str:
        return kind_of(self.template)


def kind_of(template: Mapping[str, Any]) -> str:
    for kind in TEMPLATE_KINDS:
        if template.get(kind) is not None:
            return kind
    return ""


def _templates(run: Run, scope: TemplateScope) -> list[Mapping[str, Any]]:
    if not scope.key:
        return list(run.spec.get("templates") or [])
    spec = run.workflow.referenced_templates.get(scope.key)
    if spec is None:
        raise TemplateError(f"{scope.key.replace('/', ' ')} not found")
    return list(spec.get("templates") or [])


def by_name(run: Run, name: str, scope: TemplateScope) -> Mapping[str, Any]:
    for template in _templates(run, scope):
        if template.get("name") == name:
            return template
    where = f" in {scope.key}" if scope.key else ""
    raise TemplateError(f"template {name!r} not found{where}")


def resolve(run: Run, holder: Mapping[str, Any], scope: TemplateScope) -> Resolved:
    """The template named by a step, task, hook or entrypoint holder."""
    ref = holder.get("templateRef")
    if ref:
        key = ("cluster/" if ref.get("clusterScope") else "namespaced/") + str(ref.get("name"))
        target = TemplateScope(key)
        template = by_name(run, str(ref.get("template")), target)
        return Resolved(with_defaults(run, template), target, ref)
    inline = holder.get("inline")
    if inline:
        return Resolved(with_defaults(run, inline), scope, None)
    name = holder.get("template")
    if not name:
        raise TemplateError("neither template, templateRef nor inline is set")
    return Resolved(with_defaults(run, by_name(run, str(name), scope)), scope, None)


def with_defaults(run: Run, template: Mapping[str, Any]) -> Mapping[str, Any]:
    defaults = run.spec.get("templateDefaults")
    if not defaults:
        return template
    return _merge(defaults, template)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def argument_parameters(arguments: Mapping[str, Any] | None) -> dict[str, Any]:
    """``arguments.parameters`` as name -> the whole parameter entry."""
    return {p.get("name"): p for p in ((arguments or {}).get("parameters") or []) if p}


def bind_inputs(
    template: Mapping[str, Any],
    arguments: Mapping[str, Any] | None,
    scope: Scope,
    *,
    caller: str = "",
) -> tuple[Parameter, ...]:
    """Input parameter values for one execution of ``template`` (Argo's ProcessArgs)."""
    supplied = argument_parameters(arguments)
    bound: list[Parameter] = []
    local: dict[str, Any] = {}
    for param in (template.get("inputs") or {}).get("parameters") or []:
        name = param["name"]
        value: Any
        if param.get("value") is not None:
            value = param["value"]
        elif name in supplied and supplied[name].get("value") is not None:
            value = supplied[name]["value"]
        elif param.get("default") is not None:
            value = param["default"]
        else:
            who = f"{caller} " if caller else ""
            raise TemplateError(
                f"{who}templates.{template.get('name')} inputs.parameters.{name} was not supplied"
            )
        text = value if isinstance(value, str) else _scalar_text(value)
        text = render(text, scope.with_values(local), strict=False)
        enum = param.get("enum")
        if enum and text not in [_scalar_text(e) for e in enum]:
            raise TemplateError(
                f"inputs.parameters.{name}: value {text!r} is not one of "
                + ", ".join(map(str, enum))
            )
        local[f"inputs.parameters.{name}"] = text
        bound.append(Parameter(name=name, value=text))
    return tuple(bound)


def _scalar_text(value: Any) -> str:
    """A YAML scalar as Argo sees it (Go formatting: ``1.0`` is ``1``)."""
    return govalues.sprint(value)


def input_values(parameters: tuple[Parameter, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {f"inputs.parameters.{p.name}": p.value for p in parameters}
    return values


def substitute_template(
    template: Mapping[str, Any], scope: Scope, *, strict: bool
) -> dict[str, Any]:
    """The template with inputs and globals substituted (nested steps/tasks left lazy)."""
    lazy = ("steps", "dag", "inputs", "outputs") if not strict else ("inputs", "outputs")
    result: dict[str, Any] = substitute(dict(template), scope, strict=strict, skip=lazy)
    return result
