"""Lint rules for what a step, task, hook or entrypoint runs, and with which arguments.

After Argo's ``validateTemplateHolder``, ``validateArguments`` and ``ProcessArgs``
(``workflow/validate/validate.go``, ``workflow/common/util.go``): the reference names a
template, and every input parameter of that template gets a value -- from the arguments,
its own ``value``/``default``, or a ConfigMap -- else Argo's "was not supplied" error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kawa.spec._lint_context import (
    REFERENCE_KEYS,
    Context,
    Target,
    as_dict,
    as_list,
    as_str,
    named,
)
from kawa.spec.loading import Path

_FIELD_NAME = re.compile(r"[a-zA-Z0-9][-a-zA-Z0-9]*\Z")
_PARAM_NAME = re.compile(r"[-a-zA-Z0-9_]+\Z")
_FIELD_RULE = "consist of alpha-numeric characters or '-', starting alpha-numeric"
_PARAM_RULE = "consist of alpha-numeric characters, '_' or '-'"
_LOCATIONS = ("s3", "git", "http", "artifactory", "hdfs", "raw", "oss", "gcs", "azure", "plugin")
_VALUE_FROM_SOURCES = ("configMapKeyRef", "event", "supplied")


def is_field_name(name: str) -> bool:
    """Argo's rule for template, step and task names."""
    return bool(_FIELD_NAME.match(name))


def check_field_names(
    ctx: Context, items: Any, path: Path, what: str, params: bool = False
) -> None:
    """Argo's ``validateWorkflowFieldNames``: each item named, validly, and only once."""
    pattern, rule = (_PARAM_NAME, _PARAM_RULE) if params else (_FIELD_NAME, _FIELD_RULE)
    seen: set[str] = set()
    for index, item in enumerate(as_list(items)):
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        here = (*path, index, "name")
        if not isinstance(name, str) or not name:
            ctx.error((*path, index), f"{what}[{index}].name is required")
            continue
        if not pattern.match(name) and "{{" not in name:
            ctx.error(here, f"{what}[{index}].name '{name}' is invalid: a name must {rule}")
        elif name in seen:
            ctx.error(here, f"{what}[{index}].name '{name}' is not unique")
        seen.add(name)


def check_arguments(ctx: Context, arguments: Any, path: Path, allow_empty: bool) -> None:
    """Argo's ``validateArguments``: parameters with values, artifacts with a source.

    ``allow_empty`` is True for the workflow's own arguments, which may be given at
    submission; a step's or task's arguments must carry their values.
    """
    arguments = as_dict(arguments)
    params_path, artifacts_path = (*path, "parameters"), (*path, "artifacts")
    check_field_names(ctx, arguments.get("parameters"), params_path, "parameters", params=True)
    check_field_names(ctx, arguments.get("artifacts"), artifacts_path, "artifacts", params=True)
    for index, param, name in named(arguments.get("parameters")):
        here = (*params_path, index)
        value, value_from = param.get("value"), param.get("valueFrom")
        if value is None and value_from is None and not allow_empty:
            ctx.error(here, f"arguments.{name}.value or arguments.{name}.valueFrom is required")
        if isinstance(value_from, dict):
            _check_value_from(ctx, value_from, (*here, "valueFrom"), name)
        _check_enum(ctx, param, here, name, allow_empty)
    for index, artifact, name in named(arguments.get("artifacts")):
        has_from = artifact.get("from") is not None or artifact.get("fromExpression") is not None
        if not has_from and not has_location(artifact) and not allow_empty:
            message = f"arguments.{name}.from, artifact location, or key is required"
            ctx.error((*artifacts_path, index), message)


def _check_value_from(ctx: Context, value_from: dict[str, Any], path: Path, name: str) -> None:
    allowed = (*_VALUE_FROM_SOURCES, "default")
    extra = [key for key, value in value_from.items() if key not in allowed and value is not None]
    useful = [key for key in _VALUE_FROM_SOURCES if value_from.get(key) is not None]
    if extra or not useful:
        message = f"arguments.{name}.valueFrom only allows: default, configMapKeyRef and supplied"
        ctx.error(path, message)


def _check_enum(
    ctx: Context, param: dict[str, Any], path: Path, name: str, allow_empty: bool
) -> None:
    enum = param.get("enum")
    if not isinstance(enum, list):
        return
    if not enum:
        ctx.error((*path, "enum"), f"arguments.{name}.enum should contain at least one value")
        return
    value = param.get("value")
    if value is None:
        if not allow_empty:
            ctx.error(path, f"arguments.{name}.value is required")
        return
    if str(value) not in [str(choice) for choice in enum] and "{{" not in str(value):
        message = f"arguments.{name}.value should be present in arguments.{name}.enum list"
        ctx.error((*path, "value"), message)


def check_hooks(ctx: Context, hooks: Any, path: Path, owner: str) -> None:
    """Lifecycle hooks of a workflow, step or task: a template, and an expression unless
    the hook is ``exit``."""
    for name, hook in as_dict(hooks).items():
        if not isinstance(hook, dict):
            continue
        here = (*path, name)
        if name != "exit" and not as_str(hook.get("expression")):
            ctx.error(here, f"{owner}.{name} Expression required")
        check_holder(ctx, hook, here, f"{owner}.{name}")


def check_holder(ctx: Context, holder: dict[str, Any], path: Path, owner: str) -> Target:
    """What a step/task/hook runs, and that its arguments supply the template's inputs."""
    given = [key for key in REFERENCE_KEYS if holder.get(key) is not None]
    if len(given) > 1:
        message = f"{owner}: only one of template, templateRef or inline may be set"
        ctx.error((*path, given[1]), f"{message} (got {', '.join(given)})")
    if not given:
        ctx.error(path, f"{owner}: names no template (set template, templateRef or inline)")
    target = ctx.resolve(holder, path)
    arguments = holder.get("arguments")
    check_arguments(ctx, arguments, (*path, "arguments"), allow_empty=False)
    if target.site is not None:
        where = (*path, "arguments") if "arguments" in holder else path
        prefix = f"{owner} templates.{target.site.name or '(inline)'}"
        check_supplied(ctx, target, as_dict(arguments), where, prefix)
    return target


def check_supplied(
    ctx: Context,
    target: Target,
    arguments: Mapping[str, Any],
    path: Path,
    prefix: str,
    workflow_arguments: bool = False,
) -> None:
    """Argo's ``ProcessArgs``: each input parameter and artifact gets a value.

    An argument without a value makes the input unsupplied, even if it has a default
    (Argo replaces the input's value by the argument's).  A step's or task's argument
    without a value is reported by ``check_arguments`` instead, so it is skipped here;
    ``workflow_arguments`` says the arguments are the workflow's, where it is not.
    """
    if target.site is None:
        return
    inputs = as_dict(target.site.body.get("inputs"))
    given = {name: param for _, param, name in named(arguments.get("parameters"))}
    for _, param, name in named(inputs.get("parameters")):
        value = param.get("value")
        if value is None:
            value = param.get("default")
        value_from = param.get("valueFrom")
        argument = given.get(name)
        if argument is not None:
            empty = argument.get("value") is None and argument.get("valueFrom") is None
            if empty and not workflow_arguments:
                continue
            value, value_from = argument.get("value"), argument.get("valueFrom")
        if value is None and not as_dict(value_from).get("configMapKeyRef"):
            ctx.error(path, f"{prefix} inputs.parameters.{name} was not supplied")
    artifacts = {name for _, _, name in named(arguments.get("artifacts"))}
    for _, artifact, name in named(inputs.get("artifacts")):
        if artifact.get("optional") is True or has_location(artifact) or name in artifacts:
            continue
        ctx.error(path, f"{prefix} inputs.artifacts.{name} was not supplied")


def has_location(artifact: Mapping[str, Any]) -> bool:
    """Does an artifact say where it is stored (s3, git, http, raw, ...)?"""
    return any(artifact.get(key) is not None for key in _LOCATIONS)


def merge_arguments(own: Mapping[str, Any], inherited: Mapping[str, Any]) -> dict[str, Any]:
    """Argo's ``MergeParameters``: a workflow's own arguments win over its template's."""
    merged: dict[str, Any] = {}
    for key in ("parameters", "artifacts"):
        first = [item for item in as_list(own.get(key)) if isinstance(item, dict)]
        names = {item.get("name") for item in first}
        rest = [
            item
            for item in as_list(inherited.get(key))
            if isinstance(item, dict) and item.get("name") not in names
        ]
        merged[key] = first + rest
    return merged
