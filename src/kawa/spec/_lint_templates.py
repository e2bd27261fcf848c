"""Lint rules for one template, after Argo's ``validateTemplate`` and friends.

A template has exactly one type; its outputs say where their values come from; retry
policy, parallelism, deadlines and timeouts are valid for its type; a steps template's
steps and a DAG's tasks are named once and run templates that exist; DAG dependencies
exist, parse and have no cycle.  Messages follow Argo's wording.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kawa.spec import _lint_nodes
from kawa.spec._lint_context import (
    LEAF_TYPES,
    TEMPLATE_TYPES,
    Context,
    Site,
    as_dict,
    as_list,
    as_str,
    dag_graph,
    named,
    suggest,
    task_dependencies,
)
from kawa.spec.loading import Path

_VARIABLE = re.compile(r"\{\{[-a-zA-Z0-9]+(\.[-a-zA-Z0-9_]+)*\}\}")
_TASK_RESULT = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?)\.([A-Z][a-zA-Z]+)")
_TASK_RESULTS = frozenset(
    ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded")
) | {"AllFailed"}
_RETRY_POLICIES = ("Always", "OnError", "OnFailure", "OnTransientError")
_RESOURCE_ACTIONS = ("get", "create", "apply", "delete", "replace", "patch")
_OUTPUT_SOURCES = ("path", "jqFilter", "jsonPath", "parameter", "expression")
_LOOPS = ("withItems", "withParam", "withSequence")


def check_template(ctx: Context, site: Site) -> None:
    """Every rule about one template."""
    body, path, name = site.body, site.path, site.name
    kind = check_type(ctx, body, path, name)
    inputs = as_dict(body.get("inputs"))
    for part in ("parameters", "artifacts"):
        where, what = (*path, "inputs", part), f"templates.{name}.inputs.{part}"
        _lint_nodes.check_field_names(ctx, inputs.get(part), where, what, params=True)
    check_outputs(ctx, body, path, name, kind)
    check_retry_policy(ctx, body, path)
    check_limits(ctx, body, path, name, kind)
    if kind == "steps":
        check_steps(ctx, site)
    elif kind == "dag":
        check_dag(ctx, site)
    elif kind in ("container", "script"):
        check_image(ctx, body, path, name, kind)
    elif kind == "resource":
        check_resource(ctx, as_dict(body.get("resource")), (*path, "resource"), name)


def check_type(ctx: Context, body: Mapping[str, Any], path: Path, name: str) -> str | None:
    """Exactly one of container, script, steps, dag, suspend, resource, containerSet, ..."""
    kinds = [kind for kind in TEMPLATE_TYPES if body.get(kind) is not None]
    choose = f"choose one of: {', '.join(TEMPLATE_TYPES)}"
    if not kinds:
        ctx.error(path, f"templates.{name} template type unspecified. {choose}")
        return None
    if len(kinds) > 1:
        message = f"templates.{name} multiple template types specified ({', '.join(kinds)})."
        ctx.error((*path, kinds[1]), f"{message} {choose}")
        return None
    return kinds[0]


def check_outputs(
    ctx: Context, body: Mapping[str, Any], path: Path, name: str, kind: str | None
) -> None:
    """Argo's ``validateOutputs``: every output parameter says where its value comes from."""
    outputs = as_dict(body.get("outputs"))
    for part in ("parameters", "artifacts"):
        where, what = (*path, "outputs", part), f"templates.{name}.outputs.{part}"
        _lint_nodes.check_field_names(ctx, outputs.get(part), where, what, params=True)
    for index, param, param_name in named(outputs.get("parameters")):
        here = (*path, "outputs", "parameters", index)
        ref = f"templates.{name}.outputs.parameters.{param_name}"
        value, value_from = param.get("value"), param.get("valueFrom")
        if value is not None and value_from is not None:
            ctx.error(here, f"{ref} has both valueFrom and value specified, choose one")
        elif value is None and not isinstance(value_from, dict):
            ctx.error(here, f"{ref} does not have valueFrom or value specified")
        elif value is None and isinstance(value_from, dict):
            _check_value_from(ctx, value_from, (*here, "valueFrom"), ref, kind)


def _check_value_from(
    ctx: Context, value_from: Mapping[str, Any], path: Path, ref: str, kind: str | None
) -> None:
    sources = {key for key in _OUTPUT_SOURCES if as_str(value_from.get(key))}
    if value_from.get("supplied") is not None:
        sources.add("supplied")
    either = {"parameter", "expression"}
    if not sources:
        choose = "choose one of: path, jqFilter, jsonPath, parameter, raw, expression"
        ctx.error(path, f"{ref}: valueFrom type unspecified. {choose}")
    elif len(sources) > 1 and not (kind in ("steps", "dag") and sources == either):
        listed = ", ".join(sorted(sources))
        ctx.error(path, f"{ref}: multiple valueFrom types specified ({listed})")
    elif kind in ("container", "containerSet", "script") and "path" not in sources:
        ctx.error(path, f"{ref}.path must be specified for {kind} templates")
    elif kind == "resource" and not {"jqFilter", "jsonPath"} & sources:
        ctx.error(path, f"{ref} .jqFilter or jsonPath must be specified for resource templates")
    elif kind in ("steps", "dag") and not either & sources:
        ctx.error(path, f"{ref}.parameter or expression must be specified for {kind} templates")
    elif kind in ("steps", "dag") and either <= sources:
        message = f"{ref} shouldn't have both `from` and `expression` specified in `ValueFrom`"
        ctx.error(path, f"{message} for {kind} templates")


def check_retry_policy(ctx: Context, body: Mapping[str, Any], path: Path) -> None:
    """``retryStrategy.retryPolicy`` is one Argo knows."""
    policy = as_dict(body.get("retryStrategy")).get("retryPolicy")
    if isinstance(policy, str) and policy and policy not in _RETRY_POLICIES:
        known = ", ".join(_RETRY_POLICIES)
        message = f"{policy} is not a valid RetryPolicy (one of {known})"
        ctx.error(
            (*path, "retryStrategy", "retryPolicy"), message + suggest(policy, _RETRY_POLICIES)
        )


def check_limits(
    ctx: Context, body: Mapping[str, Any], path: Path, name: str, kind: str | None
) -> None:
    """parallelism (steps/dag only, not negative), activeDeadlineSeconds, timeout."""
    parallelism, deadline = body.get("parallelism"), body.get("activeDeadlineSeconds")
    this = f"templates.{name}"
    if parallelism is not None and kind in LEAF_TYPES:
        message = f"{this}.parallelism is only valid for steps and dag templates"
        ctx.error((*path, "parallelism"), message)
    elif _negative(parallelism):
        message = f"{this}.parallelism must not be negative (got {parallelism})"
        ctx.error((*path, "parallelism"), message)
    if deadline is not None and kind in ("steps", "dag"):
        message = f"{this}.activeDeadlineSeconds is only valid for leaf templates"
        ctx.error((*path, "activeDeadlineSeconds"), message)
    elif deadline is not None and not _positive_or_variable(deadline):
        message = f"{this}.activeDeadlineSeconds must be a positive integer > 0 or an argo variable"
        ctx.error((*path, "activeDeadlineSeconds"), message)
    for key in ("timeout", "pendingTimeout"):
        value = body.get(key)
        if isinstance(value, str) and value and kind in ("steps", "dag"):
            ctx.error((*path, key), f"{kind} template doesn't support {key} field")
        elif key == "timeout" and isinstance(value, str) and value.strip().isdigit():
            message = f"{name} has invalid duration format in timeout"
            ctx.error((*path, key), f"{message} (a number needs a unit, e.g. '{value}s')")


def _negative(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value < 0


def _positive_or_variable(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value >= 0
    if isinstance(value, str):
        text = value.strip()
        return bool(_VARIABLE.fullmatch(text)) or "{{" in text or text.isdigit()
    return False


def check_image(ctx: Context, body: Mapping[str, Any], path: Path, name: str, kind: str) -> None:
    """A container/script template names an image (itself or through templateDefaults)."""
    if as_str(as_dict(body.get(kind)).get("image")):
        return
    defaults = as_dict(as_dict(ctx.spec.get("templateDefaults")).get(kind))
    if not as_str(defaults.get("image")):
        ctx.error((*path, kind), f"templates.{name}.{kind}.image may not be empty")


def check_resource(ctx: Context, resource: Mapping[str, Any], path: Path, name: str) -> None:
    """A resource template's action, and its manifest when the action needs one."""
    action = as_str(resource.get("action"))
    if action not in _RESOURCE_ACTIONS and "{{" not in action:
        actions = ", ".join(_RESOURCE_ACTIONS)
        ctx.error((*path, "action"), f"templates.{name}.resource.action must be one of: {actions}")
    if action in ("get", "delete"):
        return
    manifest, manifest_from = resource.get("manifest"), resource.get("manifestFrom")
    where = f"templates.{name}.resource"
    if not manifest and manifest_from is None:
        message = f"either {where}.manifest or {where}.manifestFrom must be specified"
        ctx.error(path, message)
    elif manifest and manifest_from is not None:
        ctx.error(path, f"{where}: shouldn't have both `manifest` and `manifestFrom` specified")


# --- steps and tasks ------------------------------------------------------------------------


def check_steps(ctx: Context, site: Site) -> None:
    """Each step: named once, validly; runs a template that exists and gets its inputs."""
    seen: set[str] = set()
    for group_index, group in enumerate(as_list(site.body.get("steps"))):
        owner = f"templates.{site.name}.steps[{group_index}]"
        for step_index, step in enumerate(as_list(group)):
            if not isinstance(step, dict):
                continue
            path = (*site.path, "steps", group_index, step_index)
            name = step.get("name")
            if not isinstance(name, str) or not name:
                ctx.error(path, f"{owner}.name is required")
                name = ""
            elif name in seen:
                ctx.error((*path, "name"), f"{owner}.name '{name}' is not unique")
            elif not _lint_nodes.is_field_name(name) and "{{" not in name:
                message = f"{owner}.name '{name}' is invalid: a name must consist of "
                message += "alpha-numeric characters or '-', starting alpha-numeric"
                ctx.error((*path, "name"), message)
            seen.add(name)
            check_node(ctx, step, path, f"{owner}.{name}")


def check_dag(ctx: Context, site: Site) -> None:
    """Tasks: named once; dependencies exist, parse and form no cycle; target exists."""
    dag = as_dict(site.body.get("dag"))
    dag_path = (*site.path, "dag")
    owner = f"templates.{site.name}"
    if not as_list(dag.get("tasks")):
        where = (*dag_path, "tasks") if "tasks" in dag else dag_path
        ctx.error(where, f"{owner} must have at least one task")
        return
    _lint_nodes.check_field_names(ctx, dag.get("tasks"), (*dag_path, "tasks"), f"{owner}.tasks")
    graph = dag_graph(dag)
    tasks = list(named(dag.get("tasks")))
    uses_depends = any(as_str(task.get("depends")).strip() for _, task, _ in tasks)
    for index, task, name in tasks:
        path = (*dag_path, "tasks", index)
        check_dependencies(ctx, task, path, f"{owner}.tasks.{name}", graph, uses_depends)
        check_node(ctx, task, path, f"{owner}.tasks.{name}")
    cycle = find_cycle(graph)
    if cycle:
        ctx.error((*dag_path, "tasks"), f"{owner}.tasks dependency cycle detected: {cycle}")
    for word in as_str(dag.get("target")).split():
        if "{{" not in word and word not in graph:
            message = f"{owner}.targets: target '{word}' is not defined"
            ctx.error((*dag_path, "target"), message + suggest(word, graph))


def check_dependencies(
    ctx: Context,
    task: Mapping[str, Any],
    path: Path,
    owner: str,
    graph: Mapping[str, set[str]],
    uses_depends: bool,
) -> None:
    """A task's ``dependencies``/``depends``: known tasks, known results, parseable."""
    name, depends = as_str(task.get("name")), as_str(task.get("depends"))
    listed = as_list(task.get("dependencies"))
    if uses_depends and listed:
        message = f"{owner}: cannot use both 'depends' and 'dependencies' in the same DAG template"
        ctx.error((*path, "dependencies"), message)
    if (uses_depends or listed) and name[:1].isdigit():
        message = f"{owner} name cannot begin with a digit when using either 'depends' or "
        ctx.error((*path, "name"), message + "'dependencies'")
    if uses_depends and task.get("continueOn") is not None:
        message = f"{owner}: cannot use 'continueOn' when using 'depends'. Instead use "
        ctx.error((*path, "continueOn"), message + "'dep-task.Failed'/'dep-task.Errored'")
    names, error = task_dependencies(task)
    where = (*path, "depends") if depends.strip() else (*path, "dependencies")
    for match in _TASK_RESULT.finditer(depends):
        if match.group(2) not in _TASK_RESULTS:
            message = f"task result '{match.group(2)}' for task '{match.group(1)}' is invalid"
            ctx.error(where, f"{owner} {message}")
            error = None  # the parser says the same, less precisely
    if error:
        ctx.error(where, f"{owner}: cannot parse depends {depends!r}: {error}")
    for dependency in sorted(names - set(graph)):
        message = f"{owner} dependency '{dependency}' not defined"
        ctx.error(where, message + suggest(dependency, graph))


def find_cycle(graph: Mapping[str, set[str]]) -> str | None:
    """A dependency cycle as ``a->b->a``, or None (depth first, without recursion)."""
    done: set[str] = set()
    for start in graph:
        if start in done:
            continue
        trail = [start]
        pending = [sorted(graph.get(start, ()))]
        while pending:
            if not pending[-1]:
                pending.pop()
                done.add(trail.pop())
                continue
            following = pending[-1].pop()
            if following in trail:
                return "->".join([*trail[trail.index(following) :], following])
            if following in done or following not in graph:
                continue
            trail.append(following)
            pending.append(sorted(graph.get(following, ())))
    return None


def check_node(ctx: Context, node: dict[str, Any], path: Path, owner: str) -> None:
    """A step or task: what it runs, its arguments, loops, exit handler and hooks."""
    _lint_nodes.check_holder(ctx, node, path, owner)
    inline = node.get("inline")
    if isinstance(inline, dict):
        site = Site(as_str(inline.get("name")), inline, (*path, "inline"), ctx.document)
        check_template(ctx, site)
    loops = [key for key in _LOOPS if node.get(key) not in (None, [], "")]
    if len(loops) > 1:
        message = f"{owner} only one of withItems, withParam, withSequence can be specified"
        ctx.error((*path, loops[1]), message)
    sequence = as_dict(node.get("withSequence"))
    if sequence.get("count") is not None and sequence.get("end") is not None:
        message = f"{owner} only one of count or end can be defined in withSequence"
        ctx.error((*path, "withSequence"), message)
    on_exit = node.get("onExit")
    if isinstance(on_exit, str) and on_exit:
        ctx.local(on_exit, (*path, "onExit"))
    _lint_nodes.check_hooks(ctx, node.get("hooks"), (*path, "hooks"), owner)
