"""Lint rules about a workflow's structure, after Argo's ``workflow/validate/validate.go``.

Each rule is a function named for what it checks.  Messages quote Argo's where a user may
search for them (``templates.abc.tasks.a templates.whalesay inputs.parameters.message was
not supplied``); unlike Argo, which stops at the first problem, every problem is reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kawa.spec._lint_context import (
    LEAF_TYPES,
    REFERENCE_KEYS,
    TEMPLATE_TYPES,
    Context,
    Site,
    Target,
    as_dict,
    as_list,
    as_str,
    dag_graph,
    named,
    suggest,
    task_dependencies,
    template_type,
)
from kawa.spec.loading import Path

_FIELD_NAME = re.compile(r"[a-zA-Z0-9][-a-zA-Z0-9]*\Z")
_PARAM_NAME = re.compile(r"[-a-zA-Z0-9_]+\Z")
_VARIABLE = re.compile(r"\{\{[-a-zA-Z0-9]+(\.[-a-zA-Z0-9_]+)*\}\}")
_TASK_RESULT = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?)\.([A-Z][a-zA-Z]+)")
_TASK_RESULTS = frozenset(
    ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned")
    + ("AnySucceeded", "AllFailed")
)
_RETRY_POLICIES = frozenset(("Always", "OnError", "OnFailure", "OnTransientError", ""))
_RESOURCE_ACTIONS = frozenset(("get", "create", "apply", "delete", "replace", "patch"))
_LOCATIONS = ("s3", "git", "http", "artifactory", "hdfs", "raw", "oss", "gcs", "azure", "plugin")
_MAX_NAME = 63


def check(ctx: Context) -> None:
    """Run every structural rule over the document."""
    check_names(ctx)
    check_arguments(ctx, ctx.spec.get("arguments"), ctx.spec_at("arguments"), allow_empty=True)
    check_entrypoint(ctx)
    check_workflow_hooks(ctx)
    check_workflow_limits(ctx)
    for site in ctx.all_templates():
        check_template(ctx, site)
    if ctx.document.kind == "CronWorkflow":
        from kawa.spec import _lint_cron

        _lint_cron.check(ctx)


# --- the workflow as a whole --------------------------------------------------------------


def check_names(ctx: Context) -> None:
    """Object name length; template names present, valid and unique."""
    name = as_str(as_dict(ctx.document.raw.get("metadata")).get("name"))
    limit = 52 if ctx.document.kind == "CronWorkflow" else _MAX_NAME
    if len(name) > limit:
        message = f"name {name!r} must not be more than {limit} characters long"
        ctx.error(("metadata", "name"), f"{message} (currently {len(name)})")
    check_field_names(ctx, ctx.spec.get("templates"), ctx.spec_at("templates"), "templates")


def check_field_names(
    ctx: Context, items: Any, path: Path, what: str, params: bool = False
) -> None:
    """Argo's ``validateWorkflowFieldNames``: each item named, validly, and only once."""
    seen: set[str] = set()
    pattern, rule = (
        (_PARAM_NAME, "consist of alpha-numeric characters, '_' or '-'")
        if params
        else (_FIELD_NAME, "consist of alpha-numeric characters or '-', starting alpha-numeric")
    )
    for index, item in enumerate(as_list(items)):
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        here = (*path, index, "name")
        if not isinstance(name, str) or not name:
            ctx.error((*path, index), f"{what}[{index}].name is required")
        elif not pattern.match(name) and "{{" not in name:
            ctx.error(here, f"{what}[{index}].name '{name}' is invalid: a name must {rule}")
        elif name in seen:
            ctx.error(here, f"{what}[{index}].name '{name}' is not unique")
        if isinstance(name, str):
            seen.add(name)


def check_arguments(ctx: Context, arguments: Any, path: Path, allow_empty: bool) -> None:
    """Argo's ``validateArguments``: parameters with values, artifacts with a source."""
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
            _check_argument_value_from(ctx, value_from, (*here, "valueFrom"), name)
        _check_enum(ctx, param, here, name, allow_empty)
    for index, artifact, name in named(arguments.get("artifacts")):
        has_from = artifact.get("from") is not None or artifact.get("fromExpression") is not None
        if not has_from and not has_location(artifact) and not allow_empty:
            message = f"arguments.{name}.from, artifact location, or key is required"
            ctx.error((*artifacts_path, index), message)


def _check_argument_value_from(
    ctx: Context, value_from: dict[str, Any], path: Path, name: str
) -> None:
    allowed = ("configMapKeyRef", "event", "supplied", "default")
    extra = [key for key in value_from if key not in allowed and value_from[key] is not None]
    useful = [
        key for key in ("configMapKeyRef", "event", "supplied") if value_from.get(key) is not None
    ]
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


def check_entrypoint(ctx: Context) -> None:
    """The entrypoint (and exit handler) name templates that exist and get their inputs."""
    owner, has_ref = ctx.workflow_template_ref()
    spec = ctx.spec
    if has_ref and as_list(spec.get("templates")):
        message = (
            "Templates is invalid field in spec if workflow referred WorkflowTemplate reference"
        )
        ctx.error(ctx.spec_at("templates"), message)
    arguments = as_dict(spec.get("arguments"))
    entrypoint = as_str(spec.get("entrypoint"))
    on_exit = as_str(spec.get("onExit"))
    if has_ref:
        if owner is not None:
            owner_spec = as_dict(owner.raw.get("spec"))
            entrypoint = entrypoint or as_str(owner_spec.get("entrypoint"))
            on_exit = on_exit or as_str(owner_spec.get("onExit"))
            arguments = _merge_arguments(arguments, as_dict(owner_spec.get("arguments")))
            _check_remote_entry(ctx, owner, entrypoint, on_exit, arguments)
        return
    if not entrypoint and not ctx.is_template:
        ctx.error(
            ctx.spec_at() if "entrypoint" not in spec else ctx.spec_at("entrypoint"),
            "spec.entrypoint is required",
        )
    for key, name in (("entrypoint", entrypoint), ("onExit", on_exit)):
        if not name:
            continue
        target = ctx.local(name, ctx.spec_at(key))
        if target.site is not None and not ctx.is_template:
            prefix = f"templates.{target.site.name}"
            _check_supplied(ctx, target, arguments, ctx.spec_at(key), prefix, bare=True)


def _check_remote_entry(
    ctx: Context, owner: Any, entrypoint: str, on_exit: str, arguments: dict[str, Any]
) -> None:
    owner_templates = {
        name: body for _, body, name in named(as_dict(owner.raw.get("spec")).get("templates"))
    }
    path = ctx.spec_at("workflowTemplateRef")
    for what, name in (("entrypoint", entrypoint), ("onExit", on_exit)):
        if not name:
            if what == "entrypoint":
                ctx.error(
                    path,
                    "spec.entrypoint is required (neither the workflow nor its WorkflowTemplate sets one)",
                )
            continue
        body = owner_templates.get(name)
        if body is None:
            ctx.error(
                path,
                f"{what} template '{name}' not found in WorkflowTemplate '{owner.name}'{suggest(name, owner_templates)}",
            )
            continue
        site = Site(name, body, (), owner)
        _check_supplied(
            ctx,
            Target("found", site),
            arguments,
            ctx.spec_at("arguments") if ctx.spec.get("arguments") else path,
            f"templates.{name}",
            bare=True,
        )


def _merge_arguments(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Argo's ``MergeParameters``: the workflow's own arguments win over its template's."""
    merged: dict[str, Any] = {}
    for key in ("parameters", "artifacts"):
        own = [item for item in as_list(first.get(key)) if isinstance(item, dict)]
        names = {item.get("name") for item in own}
        rest = [
            item
            for item in as_list(second.get(key))
            if isinstance(item, dict) and item.get("name") not in names
        ]
        merged[key] = own + rest
    return merged


def check_workflow_hooks(ctx: Context) -> None:
    """``spec.hooks``: each names a template; hooks other than ``exit`` need an expression."""
    hooks = ctx.spec.get("hooks")
    check_hooks(ctx, hooks, ctx.spec_at("hooks"), "hooks")


def check_hooks(ctx: Context, hooks: Any, path: Path, owner: str) -> None:
    """Lifecycle hooks of a workflow, step or task."""
    for name, hook in as_dict(hooks).items():
        if not isinstance(hook, dict):
            continue
        here = (*path, name)
        if name != "exit" and not as_str(hook.get("expression")):
            ctx.error(here, f"{owner}.{name} Expression required")
        check_holder(ctx, hook, here, f"{owner}.{name}")


def check_workflow_limits(ctx: Context) -> None:
    """Workflow-wide numbers that cannot be negative."""
    for key in ("parallelism", "activeDeadlineSeconds"):
        value = ctx.spec.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            ctx.error(ctx.spec_at(key), f"spec.{key} must not be negative (got {value})")


# --- templates ------------------------------------------------------------------------------


def check_template(ctx: Context, site: Site) -> None:
    """Every rule about one template of the document's own spec."""
    body, path, name = site.body, site.path, site.name
    kind = check_template_type(ctx, body, path, name)
    inputs = as_dict(body.get("inputs"))
    check_field_names(
        ctx,
        inputs.get("parameters"),
        (*path, "inputs", "parameters"),
        f"templates.{name}.inputs.parameters",
        params=True,
    )
    check_field_names(
        ctx,
        inputs.get("artifacts"),
        (*path, "inputs", "artifacts"),
        f"templates.{name}.inputs.artifacts",
        params=True,
    )
    check_outputs(ctx, body, path, name, kind)
    check_retry_strategy(ctx, body, path)
    check_limits(ctx, body, path, name, kind)
    if kind == "steps":
        check_steps(ctx, site)
    elif kind == "dag":
        check_dag(ctx, site)
    elif kind in ("container", "script"):
        check_image(ctx, body, path, name, kind)
    elif kind == "resource":
        check_resource(ctx, as_dict(body.get("resource")), (*path, "resource"), name)


def check_template_type(ctx: Context, body: dict[str, Any], path: Path, name: str) -> str | None:
    """Exactly one of container, script, steps, dag, suspend, resource, containerSet, ..."""
    kinds = [kind for kind in TEMPLATE_TYPES if body.get(kind) is not None]
    choices = ", ".join(TEMPLATE_TYPES)
    if not kinds:
        ctx.error(path, f"templates.{name} template type unspecified. choose one of: {choices}")
        return None
    if len(kinds) > 1:
        message = f"templates.{name} multiple template types specified ({', '.join(kinds)}). choose one of: {choices}"
        ctx.error((*path, kinds[1]), message)
        return None
    return kinds[0]


def check_outputs(
    ctx: Context, body: dict[str, Any], path: Path, name: str, kind: str | None
) -> None:
    """Argo's ``validateOutputs``: every output parameter says where its value comes from."""
    outputs = as_dict(body.get("outputs"))
    params_path = (*path, "outputs", "parameters")
    check_field_names(
        ctx,
        outputs.get("parameters"),
        params_path,
        f"templates.{name}.outputs.parameters",
        params=True,
    )
    check_field_names(
        ctx,
        outputs.get("artifacts"),
        (*path, "outputs", "artifacts"),
        f"templates.{name}.outputs.artifacts",
        params=True,
    )
    for index, param, param_name in named(outputs.get("parameters")):
        here = (*params_path, index)
        ref = f"templates.{name}.outputs.parameters.{param_name}"
        value, value_from = param.get("value"), param.get("valueFrom")
        if value is not None and value_from is not None:
            ctx.error(here, f"{ref} has both valueFrom and value specified, choose one")
            continue
        if value is not None:
            continue
        if not isinstance(value_from, dict):
            ctx.error(here, f"{ref} does not have valueFrom or value specified")
            continue
        _check_output_value_from(ctx, value_from, (*here, "valueFrom"), ref, kind)


def _check_output_value_from(
    ctx: Context, value_from: dict[str, Any], path: Path, ref: str, kind: str | None
) -> None:
    sources = [
        key
        for key in ("path", "jqFilter", "jsonPath", "parameter", "expression")
        if as_str(value_from.get(key))
    ]
    if value_from.get("supplied") is not None:
        sources.append("supplied")
    if not sources:
        ctx.error(
            path,
            f"{ref}: valueFrom type unspecified. choose one of: path, jqFilter, jsonPath, parameter, raw, expression",
        )
        return
    if len(sources) > 1 and not (
        kind in ("steps", "dag") and set(sources) == {"parameter", "expression"}
    ):
        ctx.error(
            path,
            f"{ref}: multiple valueFrom types specified ({', '.join(sources)}). choose one of: path, jqFilter, jsonPath, parameter, raw",
        )
        return
    if kind in ("container", "containerSet", "script") and "path" not in sources:
        ctx.error(path, f"{ref}.path must be specified for {kind} templates")
    elif kind == "resource" and not {"jqFilter", "jsonPath"} & set(sources):
        ctx.error(path, f"{ref} .jqFilter or jsonPath must be specified for resource templates")
    elif kind in ("steps", "dag"):
        if not {"parameter", "expression"} & set(sources):
            ctx.error(path, f"{ref}.parameter or expression must be specified for {kind} templates")
        elif {"parameter", "expression"} <= set(sources):
            ctx.error(
                path,
                f"{ref} shouldn't have both `from` and `expression` specified in `ValueFrom` for {kind} templates",
            )


def check_retry_strategy(ctx: Context, body: dict[str, Any], path: Path) -> None:
    """``retryStrategy.retryPolicy`` is one Argo knows."""
    policy = as_dict(body.get("retryStrategy")).get("retryPolicy")
    if isinstance(policy, str) and policy not in _RETRY_POLICIES:
        known = ", ".join(sorted(_RETRY_POLICIES - {""}))
        message = f"{policy} is not a valid RetryPolicy (one of {known}){suggest(policy, sorted(_RETRY_POLICIES))}"
        ctx.error((*path, "retryStrategy", "retryPolicy"), message)


def check_limits(
    ctx: Context, body: dict[str, Any], path: Path, name: str, kind: str | None
) -> None:
    """parallelism (steps/dag only, not negative), activeDeadlineSeconds, timeout."""
    parallelism = body.get("parallelism")
    if parallelism is not None:
        if kind in LEAF_TYPES:
            ctx.error(
                (*path, "parallelism"),
                f"templates.{name}.parallelism is only valid for steps and dag templates",
            )
        elif isinstance(parallelism, int) and not isinstance(parallelism, bool) and parallelism < 0:
            ctx.error(
                (*path, "parallelism"),
                f"templates.{name}.parallelism must not be negative (got {parallelism})",
            )
    deadline = body.get("activeDeadlineSeconds")
    if deadline is not None:
        here = (*path, "activeDeadlineSeconds")
        if kind in ("steps", "dag"):
            ctx.error(
                here, f"templates.{name}.activeDeadlineSeconds is only valid for leaf templates"
            )
        elif not _positive_or_variable(deadline):
            ctx.error(
                here,
                f"templates.{name}.activeDeadlineSeconds must be a positive integer > 0 or an argo variable",
            )
    for key in ("timeout", "pendingTimeout"):
        value = body.get(key)
        if isinstance(value, str) and value and kind in ("steps", "dag"):
            ctx.error((*path, key), f"{kind} template doesn't support {key} field")
        elif key == "timeout" and isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            ctx.error(
                (*path, key),
                f"{name} has invalid duration format in timeout (a whole number needs a unit, e.g. '{value}s')",
            )


def _positive_or_variable(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value >= 0
    if isinstance(value, str):
        text = value.strip()
        return (
            bool(_VARIABLE.fullmatch(text)) or "{{" in text or (text.isdigit() and int(text) >= 0)
        )
    return False


def check_image(ctx: Context, body: dict[str, Any], path: Path, name: str, kind: str) -> None:
    """A container/script template names an image (itself or through templateDefaults)."""
    if as_str(as_dict(body.get(kind)).get("image")):
        return
    defaults = as_dict(as_dict(ctx.spec.get("templateDefaults")).get(kind))
    if not as_str(defaults.get("image")):
        ctx.error((*path, kind), f"templates.{name}.{kind}.image may not be empty")


def check_resource(ctx: Context, resource: dict[str, Any], path: Path, name: str) -> None:
    """A resource template's action, and its manifest when the action needs one."""
    action = as_str(resource.get("action"))
    if action not in _RESOURCE_ACTIONS and "{{" not in action:
        ctx.error(
            (*path, "action"),
            f"templates.{name}.resource.action must be one of: get, create, apply, delete, replace, patch",
        )
    if action in ("get", "delete"):
        return
    manifest, manifest_from = resource.get("manifest"), resource.get("manifestFrom")
    if not manifest and manifest_from is None:
        ctx.error(
            path,
            f"either templates.{name}.resource.manifest or templates.{name}.resource.manifestFrom must be specified",
        )
    elif manifest and manifest_from is not None:
        ctx.error(
            path,
            "shouldn't have both `manifest` and `manifestFrom` specified in `Manifest` for resource template",
        )


# --- steps and tasks ------------------------------------------------------------------------


def check_steps(ctx: Context, site: Site) -> None:
    """Each step: named once, validly; runs a template that exists and gets its inputs."""
    seen: set[str] = set()
    groups = as_list(site.body.get("steps"))
    for group_index, group in enumerate(groups):
        for step_index, step in enumerate(as_list(group)):
            if not isinstance(step, dict):
                continue
            path = (*site.path, "steps", group_index, step_index)
            name = step.get("name")
            owner = f"templates.{site.name}.steps[{group_index}]"
            if not isinstance(name, str) or not name:
                ctx.error(path, f"{owner}.name is required")
                name = ""
            elif name in seen:
                ctx.error((*path, "name"), f"{owner}.name '{name}' is not unique")
            elif not _FIELD_NAME.match(name) and "{{" not in name:
                ctx.error(
                    (*path, "name"),
                    f"{owner}.name '{name}' is invalid: a name must consist of alpha-numeric characters or '-', starting alpha-numeric",
                )
            seen.add(name)
            check_node(ctx, step, path, f"{owner}.{name}")


def check_dag(ctx: Context, site: Site) -> None:
    """Tasks: named once; dependencies exist, parse and form no cycle; target exists."""
    dag = as_dict(site.body.get("dag"))
    dag_path = (*site.path, "dag")
    tasks = list(named(dag.get("tasks")))
    owner = f"templates.{site.name}"
    if not as_list(dag.get("tasks")):
        ctx.error(
            (*dag_path, "tasks") if "tasks" in dag else dag_path,
            f"{owner} must have at least one task",
        )
        return
    check_field_names(ctx, dag.get("tasks"), (*dag_path, "tasks"), f"{owner}.tasks")
    graph = dag_graph(dag)
    using_depends = any(as_str(task.get("depends")).strip() for _, task, _ in tasks)
    for index, task, name in tasks:
        path = (*dag_path, "tasks", index)
        _check_task_dependencies(ctx, task, path, f"{owner}.tasks.{name}", graph, using_depends)
        check_node(ctx, task, path, f"{owner}.tasks.{name}")
    _check_cycles(ctx, graph, dag_path, owner)
    target = as_str(dag.get("target"))
    for word in target.split():
        if "{{" not in word and word not in graph:
            ctx.error(
                (*dag_path, "target"),
                f"{owner}.targets: target '{word}' is not defined{suggest(word, graph)}",
            )


def _check_task_dependencies(
    ctx: Context,
    task: dict[str, Any],
    path: Path,
    owner: str,
    graph: Mapping[str, set[str]],
    using_depends: bool,
) -> None:
    name = as_str(task.get("name"))
    depends = as_str(task.get("depends"))
    if using_depends and as_list(task.get("dependencies")):
        ctx.error(
            (*path, "dependencies"),
            f"{owner}: cannot use both 'depends' and 'dependencies' in the same DAG template",
        )
    if (using_depends or as_list(task.get("dependencies"))) and name[:1].isdigit():
        ctx.error(
            (*path, "name"),
            f"{owner} name cannot begin with a digit when using either 'depends' or 'dependencies'",
        )
    if using_depends and task.get("continueOn") is not None:
        ctx.error(
            (*path, "continueOn"),
            f"{owner}: cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'",
        )
    names, error = task_dependencies(task)
    where = (*path, "depends") if depends.strip() else (*path, "dependencies")
    for match in _TASK_RESULT.finditer(depends):
        dependency, result = match.group(1), match.group(2)
        if result not in _TASK_RESULTS:
            ctx.error(where, f"{owner} task result '{result}' for task '{dependency}' is invalid")
            error = None  # the parser says the same, less precisely
    if error:
        ctx.error(where, f"{owner}: cannot parse depends {depends!r}: {error}")
    for dependency in sorted(names):
        if dependency not in graph:
            ctx.error(
                where, f"{owner} dependency '{dependency}' not defined{suggest(dependency, graph)}"
            )


def _check_cycles(ctx: Context, graph: Mapping[str, set[str]], path: Path, owner: str) -> None:
    done: set[str] = set()
    for start in graph:
        cycle = _find_cycle(graph, start, done)
        if cycle:
            ctx.error(
                (*path, "tasks"), f"{owner}.tasks dependency cycle detected: {'->'.join(cycle)}"
            )
            return


def _find_cycle(graph: Mapping[str, set[str]], start: str, done: set[str]) -> list[str] | None:
    """A dependency cycle reachable from ``start`` as a list of names, or None."""
    trail: list[str] = []
    on_trail: set[str] = set()
    stack: list[tuple[str, list[str]]] = [(start, sorted(graph.get(start, ())))]
    trail.append(start)
    on_trail.add(start)
    while stack:
        node, pending = stack[-1]
        if not pending:
            stack.pop()
            trail.pop()
            on_trail.discard(node)
            done.add(node)
            continue
        nxt = pending.pop()
        if nxt in on_trail:
            return [*trail[trail.index(nxt) :], nxt]
        if nxt in done or nxt not in graph:
            continue
        trail.append(nxt)
        on_trail.add(nxt)
        stack.append((nxt, sorted(graph.get(nxt, ()))))
    return None


def check_node(ctx: Context, node: dict[str, Any], path: Path, owner: str) -> None:
    """A step or task: what it runs, its arguments, loops, exit handler and hooks."""
    target = check_holder(ctx, node, path, owner)
    loops = [
        key
        for key in ("withItems", "withParam", "withSequence")
        if node.get(key) not in (None, [], "")
    ]
    if len(loops) > 1:
        ctx.error(
            (*path, loops[1]),
            f"{owner} only one of withItems, withParam, withSequence can be specified",
        )
    sequence = as_dict(node.get("withSequence"))
    if sequence.get("count") is not None and sequence.get("end") is not None:
        ctx.error(
            (*path, "withSequence"),
            f"{owner} only one of count or end can be defined in withSequence",
        )
    on_exit = node.get("onExit")
    if isinstance(on_exit, str) and on_exit:
        ctx.local(on_exit, (*path, "onExit"))
    check_hooks(ctx, node.get("hooks"), (*path, "hooks"), owner)
    del target


def check_holder(ctx: Context, holder: dict[str, Any], path: Path, owner: str) -> Target:
    """What a step/task/hook runs, and that its arguments supply the template's inputs."""
    given = [key for key in REFERENCE_KEYS if holder.get(key) is not None]
    if len(given) > 1:
        ctx.error(
            (*path, given[1]),
            f"{owner}: only one of template, templateRef or inline may be set (got {', '.join(given)})",
        )
    if not given:
        ctx.error(path, f"{owner}: names no template (set template, templateRef or inline)")
    target = ctx.resolve(holder, path)
    arguments = holder.get("arguments")
    check_arguments(ctx, arguments, (*path, "arguments"), allow_empty=False)
    if target.site is not None:
        where = (*path, "arguments") if "arguments" in holder else path
        prefix = f"templates.{target.site.name or '(inline)'}"
        _check_supplied(ctx, target, as_dict(arguments), where, f"{owner} {prefix}")
    return target


def _check_supplied(
    ctx: Context,
    target: Target,
    arguments: dict[str, Any],
    path: Path,
    prefix: str,
    bare: bool = False,
) -> None:
    """Argo's ``ProcessArgs``: each input parameter/artifact gets a value from somewhere."""
    assert target.site is not None
    inputs = as_dict(target.site.body.get("inputs"))
    given = {name: param for _, param, name in named(arguments.get("parameters"))}
    for _, param, name in named(inputs.get("parameters")):
        value = param.get("value")
        if value is None:
            value = param.get("default")
        value_from = param.get("valueFrom")
        argument = given.get(name)
        if argument is not None:
            if argument.get("value") is None and argument.get("valueFrom") is None and not bare:
                continue  # reported by check_arguments
            if argument.get("value") is not None:
                value, value_from = argument.get("value"), None
            else:
                value, value_from = None, argument.get("valueFrom")
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
