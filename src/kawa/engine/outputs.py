"""Outputs of steps and dag templates, and the outbound nodes a parent links from.

A steps/dag template's ``outputs.parameters`` come from ``valueFrom.parameter`` (a
reference such as ``{{steps.x.outputs.parameters.p}}``), ``valueFrom.expression``
(expr-lang over the same variables) or a literal ``value``; ``valueFrom.default`` is used
when the source cannot be resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kawa.engine import artifacts
from kawa.engine.run import Run
from kawa.engine.scope import Scope, UnresolvedReference, evaluate, render, to_text
from kawa.spec.errors import ExpressionError, KawaError
from kawa.spec.status import NodeStatus, NodeType, Outputs, Parameter


class OutputError(KawaError):
    pass


def template_outputs(template: Mapping[str, Any], scope: Scope) -> Outputs | None:
    declared = (template.get("outputs") or {}).get("parameters") or []
    produced = artifacts.template_outputs(template, scope)
    if not declared and not produced:
        return None
    params: list[Parameter] = []
    for spec in declared:
        value_from = spec.get("valueFrom") or {}
        try:
            if value_from.get("parameter") is not None:
                value: str | None = render(str(value_from["parameter"]), scope)
            elif value_from.get("expression") is not None:
                value = to_text(evaluate(str(value_from["expression"]), scope))
            elif spec.get("value") is not None:
                value = render(str(spec["value"]), scope)
            else:
                value = None
        except (UnresolvedReference, ExpressionError) as error:
            if value_from.get("default") is None:
                raise OutputError(
                    f"unable to resolve outputs.parameters.{spec['name']}: {error}"
                ) from error
            value = None
        if value is None and value_from.get("default") is not None:
            value = render(str(value_from["default"]), scope, strict=False)
        params.append(
            Parameter(
                name=spec["name"],
                value=value,
                value_from=value_from or None,
                global_name=spec.get("globalName"),
            )
        )
    return Outputs(parameters=tuple(params), artifacts=produced)


def outbound_of(run: Run, node: NodeStatus) -> list[str]:
    if node.type in (NodeType.STEPS, NodeType.DAG):
        return list(node.outbound_nodes) or [node.id]
    if node.type is NodeType.TASK_GROUP:
        found: list[str] = []
        for child in node.children:
            found.extend(outbound_of(run, run.get(child)))
        return found or [node.id]
    if node.type is NodeType.RETRY and node.children:
        last = run.nodes.get(node.children[-1])
        if last is not None:
            return outbound_of(run, last)
    return [node.id]


def output_defaults(template: Mapping[str, Any] | None) -> dict[str, str]:
    """``valueFrom.default`` of each output parameter (what a skipped node exposes)."""
    found: dict[str, str] = {}
    for spec in ((template or {}).get("outputs") or {}).get("parameters") or []:
        default = (spec.get("valueFrom") or {}).get("default")
        if default is not None:
            found[spec["name"]] = str(default)
    return found
