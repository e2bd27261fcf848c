"""Argo's ``--node-field-selector``: which nodes a resume/stop applies to."""

from __future__ import annotations

from kawa.spec.events import NodeSelector
from kawa.spec.status import NodeStatus


def field_value(node: NodeStatus, field: str) -> str | None:
    simple = {
        "displayName": node.display_name,
        "name": node.name,
        "id": node.id,
        "templateName": node.template_name or "",
        "phase": str(node.phase),
        "type": str(node.type),
    }
    if field in simple:
        return simple[field]
    prefix = "inputs.parameters."
    if field.startswith(prefix) and field.endswith(".value") and node.inputs is not None:
        name = field[len(prefix) : -len(".value")]
        for param in node.inputs.parameters:
            if param.name == name:
                return param.value
    return None


def matches(node: NodeStatus, selector: NodeSelector) -> bool:
    for field, value, negated in selector.terms:
        equal = field_value(node, field) == value
        if equal == negated:
            return False
    return True
