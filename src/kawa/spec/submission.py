"""Turning a submitted document into the spec that runs (pure; no I/O).

* ``workflowTemplateRef``: the template's spec is the base; the workflow's own fields
  override it, and ``arguments.parameters`` merge by name (the workflow's win), as Argo
  merges them.
* ``-p name=value`` overrides must name a declared parameter (Argo silently adds unknown
  ones; kawa refuses, naming what is declared) and respect its ``enum``.
* Every (Cluster)WorkflowTemplate reachable through ``templateRef`` is snapshotted, so
  the run never depends on what the template store holds later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kawa.spec.errors import SpecError, SpecIssue

#: (kind, name) -> spec of a WorkflowTemplate ("namespaced") or ClusterWorkflowTemplate
#: ("cluster"), or None when unknown
TemplateLookup = Callable[[str, str], Mapping[str, Any] | None]


def _issue(file: str, field: str, message: str) -> SpecError:
    return SpecError([SpecIssue(file, 1, 1, field, message)])


#: where a field of the submitted document is: path -> (line, column)
PositionOf = Callable[[tuple[str | int, ...]], tuple[int, int]]


def effective_spec(
    spec: Mapping[str, Any],
    lookup: TemplateLookup,
    parameters: Mapping[str, str] | None = None,
    *,
    file: str = "<workflow>",
    position_of: PositionOf | None = None,
) -> tuple[dict[str, Any], dict[str, Mapping[str, Any]]]:
    """(the spec to run, referenced templates by ``namespaced/<n>`` / ``cluster/<n>``)."""
    merged = dict(spec)
    ref = spec.get("workflowTemplateRef")
    if ref:
        kind = "cluster" if ref.get("clusterScope") else "namespaced"
        base = lookup(kind, str(ref.get("name")))
        if base is None:
            raise _issue(
                file,
                "spec.workflowTemplateRef.name",
                f"{_kind_text(kind)} {ref.get('name')!r} not found",
            )
        merged = _merge_spec(base, spec)
    if parameters:
        merged = with_parameters(merged, parameters, file=file)
    _require_values(merged, file, position_of)
    referenced: dict[str, Mapping[str, Any]] = {}
    _collect(merged.get("templates") or [], lookup, referenced, file)
    return merged, referenced


def _require_values(spec: Mapping[str, Any], file: str, position_of: PositionOf | None) -> None:
    """Every workflow argument needs a value by now (Argo: "...value is required")."""
    issues = []
    for index, param in enumerate((spec.get("arguments") or {}).get("parameters") or []):
        if param.get("value") is None and param.get("valueFrom") is None:
            path: tuple[str | int, ...] = ("spec", "arguments", "parameters", index)
            line, column = position_of(path) if position_of else (1, 1)
            issues.append(
                SpecIssue(
                    file,
                    line,
                    column,
                    f"spec.arguments.parameters[{index}]",
                    f"spec.arguments.{param.get('name')}.value is required "
                    f"(give it a value in the file or with -p {param.get('name')}=...)",
                )
            )
    if issues:
        raise SpecError(issues)


def _kind_text(kind: str) -> str:
    return "ClusterWorkflowTemplate" if kind == "cluster" else "WorkflowTemplate"


def _merge_spec(base: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    merged = {k: v for k, v in base.items()}
    for key, value in own.items():
        if key == "workflowTemplateRef":
            continue
        if key == "arguments":
            merged["arguments"] = _merge_arguments(base.get("arguments") or {}, value or {})
        else:
            merged[key] = value
    return merged


def _merge_arguments(base: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    params = {p["name"]: p for p in base.get("parameters") or []}
    for p in own.get("parameters") or []:
        params[p["name"]] = {**params.get(p["name"], {}), **p}
    if params:
        result["parameters"] = list(params.values())
    if own.get("artifacts"):
        result["artifacts"] = own["artifacts"]
    return result


def with_parameters(
    spec: Mapping[str, Any], values: Mapping[str, str], *, file: str = "<workflow>"
) -> dict[str, Any]:
    declared = list((spec.get("arguments") or {}).get("parameters") or [])
    names = [p.get("name") for p in declared]
    issues: list[SpecIssue] = []
    updated = [dict(p) for p in declared]
    for name, value in values.items():
        if name not in names:
            from difflib import get_close_matches  # only for this hint

            hint = get_close_matches(name, [str(n) for n in names], n=1)
            known = ", ".join(str(n) for n in names) or "none"
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            issues.append(
                SpecIssue(
                    file,
                    1,
                    1,
                    f"-p {name}",
                    f"the workflow declares no parameter {name!r}{suggestion} (declared: {known})",
                )
            )
            continue
        entry = updated[names.index(name)]
        enum = entry.get("enum")
        if enum and value not in [str(e) for e in enum]:
            issues.append(
                SpecIssue(
                    file,
                    1,
                    1,
                    f"-p {name}",
                    f"value {value!r} is not one of {', '.join(str(e) for e in enum)}",
                )
            )
            continue
        entry["value"] = value
    if issues:
        raise SpecError(issues)
    result = dict(spec)
    result["arguments"] = {**(spec.get("arguments") or {}), "parameters": updated}
    return result


def _collect(
    templates: list[Mapping[str, Any]],
    lookup: TemplateLookup,
    found: dict[str, Mapping[str, Any]],
    file: str,
) -> None:
    for ref in _template_refs(templates):
        kind = "cluster" if ref.get("clusterScope") else "namespaced"
        key = f"{kind}/{ref.get('name')}"
        if key in found:
            continue
        spec = lookup(kind, str(ref.get("name")))
        if spec is None:
            raise _issue(
                file, "templateRef.name", f"{_kind_text(kind)} {ref.get('name')!r} not found"
            )
        found[key] = spec
        _collect(spec.get("templates") or [], lookup, found, file)


def _template_refs(value: Any) -> list[Mapping[str, Any]]:
    refs: list[Mapping[str, Any]] = []
    if isinstance(value, Mapping):
        ref = value.get("templateRef")
        if isinstance(ref, Mapping):
            refs.append(ref)
        for child in value.values():
            refs.extend(_template_refs(child))
    elif isinstance(value, list):
        for child in value:
            refs.extend(_template_refs(child))
    return refs
