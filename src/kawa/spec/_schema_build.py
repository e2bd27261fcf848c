"""Derive kawa's compact Argo schema from Hera's generated pydantic models.

Hera's models (``hera.workflows.models``) are generated from Argo's OpenAPI spec, so they
are the source of truth for which fields exist and what type each has.  Importing them
costs ~0.6 s, so this module runs once (``schema.warm_cache``) and ``schema`` reads the
JSON it produces.  Only this module imports hera or pydantic.

The compact form is a JSON object ``{"format", "hera", "roots", "defs"}``.  A schema node
is one of:

* a string: ``"str" "int" "num" "bool" "any" "obj"`` (any mapping), ``"anystr"`` (Argo's
  ``AnyString``: a string, number or boolean), ``"intstr"`` (Kubernetes ``IntOrString``),
  ``"qty"`` (Kubernetes ``Quantity``: a string or a number), or ``"#Name"`` (a definition);
* ``{"p": {field: node}, "r": [required fields]}``: an object with known fields only;
* ``{"m": node}``: a mapping of any keys to ``node``; ``{"a": node}``: a list of ``node``;
* ``{"u": [node, ...]}``: any one of the nodes.

JSON ``null`` is accepted for every field (Go's decoder leaves the field unset), so
``Optional`` is dropped.

Where Hera's models and Argo's Go decoding disagree, ``_QUIRKS`` says so, one line each.
"""

from __future__ import annotations

from typing import Any

FORMAT = 1
ROOTS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")

#: Definitions Hera models more narrowly than Argo's Go types decode them.
_REPLACED_DEFS: dict[str, Any] = {
    "IntOrString": "intstr",  # k8s IntOrString: a JSON string or integer
    "Quantity": "qty",  # k8s Quantity unmarshals numbers too (`cpu: 1`)
    "Item": "any",  # withItems entries are any JSON value
    "Plugin": "obj",  # plugin templates: `{<plugin name>: <free-form config>}`
    "FieldsV1": "obj",  # managedFields payload: free-form JSON
}

#: Fields whose Go type is ``AnyString`` (string, number or boolean; Hera says ``str``).
_ANY_STRING_FIELDS = {
    "Parameter": ("value", "default", "description"),
    "ValueFrom": ("default",),
}

#: Fields Argo v4 decodes that Hera 7.1's models do not have yet (Go types in
#: pkg/apis/workflow/v1alpha1 at v4.1.2).
_ARGO_ADDITIONS: dict[str, dict[str, Any]] = {
    "Template": {
        "pendingTimeout": "str",
        "podResources": "#ResourceRequirements",
        "resourceClaims": {"a": "obj"},
    },
    "WorkflowSpec": {
        "executorPlugins": {"a": "obj"},
        "podResources": "#ResourceRequirements",
        "resourceClaims": {"a": "obj"},
    },
    "HTTPArtifact": {"saveStreamViaFile": "bool"},
}


def build(hera_version: str) -> dict[str, Any]:
    """The compact schema for the installed Hera (imports hera: ~0.6 s)."""
    from hera.workflows import models
    from pydantic.json_schema import models_json_schema

    roots = [getattr(models, name) for name in ROOTS]
    _, full = models_json_schema([(model, "validation") for model in roots], by_alias=True)
    defs = {name: _compact(node) for name, node in full["$defs"].items()}
    _apply_quirks(defs)
    return {
        "format": FORMAT,
        "hera": hera_version,
        "roots": {name: f"#{name}" for name in ROOTS},
        "defs": defs,
    }


def _apply_quirks(defs: dict[str, Any]) -> None:
    defs.update(_REPLACED_DEFS)
    for name, names in _ANY_STRING_FIELDS.items():
        for field in names:
            defs[name]["p"][field] = "anystr"
    defs["Parameter"]["p"]["enum"] = {"a": "anystr"}
    for name, additions in _ARGO_ADDITIONS.items():
        for field, node in additions.items():
            defs[name]["p"].setdefault(field, node)


_PRIMITIVES = {"string": "str", "integer": "int", "number": "num", "boolean": "bool"}


def _compact(node: dict[str, Any]) -> Any:
    if "$ref" in node:
        return "#" + node["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in node or "oneOf" in node:
        options = [
            _compact(option)
            for option in node.get("anyOf", node.get("oneOf", []))
            if option.get("type") != "null"
        ]
        return options[0] if len(options) == 1 else {"u": options}
    kind = node.get("type")
    if kind == "array":
        return {"a": _compact(node["items"]) if "items" in node else "any"}
    if kind == "object":
        return _compact_object(node)
    if kind in _PRIMITIVES:
        return _PRIMITIVES[kind]
    return "any"


def _compact_object(node: dict[str, Any]) -> Any:
    extra = node.get("additionalProperties")
    if "properties" in node:
        properties = {name: _compact(sub) for name, sub in node["properties"].items()}
        return {"p": properties, "r": sorted(node.get("required", []))}
    if isinstance(extra, dict) and extra:
        return {"m": _compact(extra)}
    return "obj"
