"""Lint rules for ``{{...}}`` references and expressions, after Argo's validator.

Argo checks a simple tag only when it starts with ``item.``, ``steps.``, ``inputs.``,
``outputs.``, ``pod.``, ``workflow.`` or ``tasks.`` (anything else may be a custom string),
against the variables in scope where the tag is (``resolveAllVariables``):

* everywhere: ``workflow.name``/``namespace``/``uid``/``status``/..., the workflow's
  ``parameters.X`` (from ``spec.arguments``), ``labels.X``/``annotations.X`` (from its
  metadata), ``outputs.parameters.X`` exported by some ``globalName``; ``outputs.*`` and
  ``workflow.creationTimestamp``/``scheduledTime``/``duration`` are never rejected;
* in a template: its declared ``inputs.parameters.X``/``inputs.artifacts.X``, and
  ``pod.name`` when it runs a pod;
* in a step: ``steps.X.*`` of steps in earlier groups (outputs the template declares,
  ``id``, ``startedAt``, ..., ``status`` of steps seen so far), ``item`` in a loop;
* in a DAG task: ``tasks.X.*`` of tasks it depends on, directly or not.

Where kawa is stricter than Argo, and why:

* ``{{item}}`` outside a looping step/task is an error (Argo never checks bare ``item``;
  the text is left as is at run time);
* a step reading a sibling of its own step group is an error (Argo lets it through lint,
  then fails at run time: the sibling has not run yet);
* a DAG task reading outputs of a task it does not depend on is a warning (Argo accepts it;
  at run time it works only if the other task happens to have finished), and an error in
  the task's ``arguments`` (Argo's "missing dependency" rule);
* in a WorkflowTemplate, ``workflow.parameters.X`` not declared in ``spec.arguments`` is a
  warning (Argo accepts any: the Workflow using the template may supply it);
* ``{{= }}``, ``when`` and the other expression fields are parsed, and a syntax error is
  reported (Argo only finds it when the step runs).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kawa.spec import _expressions
from kawa.spec._lint_context import (
    LEAF_TYPES,
    POD_TYPES,
    Context,
    Site,
    Target,
    ancestors,
    as_dict,
    as_list,
    as_str,
    dag_graph,
    named,
    suggest,
    template_type,
)
from kawa.spec.errors import Severity
from kawa.spec.loading import Path

_CHECKED = ("item.", "steps.", "inputs.", "outputs.", "pod.", "workflow.", "tasks.")
_NEVER_REJECTED = (
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
#: keys whose string value is an expr-lang expression, by the key of the mapping holding it
_EXPR_FIELDS = {"retryStrategy", "valueFrom", "stopStrategy"}
_LOOP_KEYS = ("withItems", "withParam", "withSequence")


class Scope:
    """The variables a string may use where it is, and why others are missing."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.prefixes: list[str] = []
        self.soft: dict[str, str] = {}
        self.soft_prefixes: list[tuple[str, str]] = []
        self.template = ""
        self.inputs: dict[str, list[str]] = {"parameters": [], "artifacts": []}
        self.workflow_parameters: list[str] = []
        self.node_kind = ""
        self.nodes: dict[str, str] = {}
        self.looping = False

    def copy(self) -> Scope:
        """An independent copy to extend."""
        other = Scope()
        other.names = set(self.names)
        other.prefixes = list(self.prefixes)
        other.soft = dict(self.soft)
        other.soft_prefixes = list(self.soft_prefixes)
        other.template = self.template
        other.inputs = {key: list(value) for key, value in self.inputs.items()}
        other.workflow_parameters = list(self.workflow_parameters)
        other.node_kind = self.node_kind
        other.nodes = dict(self.nodes)
        other.looping = self.looping
        return other

    def judge(self, tag: str) -> tuple[Severity, str] | None:
        """None if ``tag`` resolves here, else the severity and the reason it does not."""
        if tag == "item":
            if self.looping:
                return None
            reason = "{{item}} is only set in a step or task that loops (withItems, "
            return "error", reason + "withParam or withSequence)"
        if not tag.startswith(_CHECKED) or tag in self.names or tag.startswith(_NEVER_REJECTED):
            return None
        if any(tag.startswith(prefix) for prefix in self.prefixes):
            return None
        if tag in self.soft:
            return "warning", self.soft[tag]
        for prefix, reason in self.soft_prefixes:
            if tag.startswith(prefix):
                return "warning", reason
        return "error", f"failed to resolve {{{{{tag}}}}}: {self.explain(tag)}"

    def explain(self, tag: str) -> str:
        """Why ``tag`` is not in scope, in the user's words."""
        parts = tag.split(".")
        head = parts[0]
        if head == "inputs" and len(parts) > 2 and parts[1] in self.inputs:
            kind = parts[1][:-1]
            known = self.inputs[parts[1]]
            return f"template '{self.template}' has no input {kind} '{parts[2]}'" + suggest(
                parts[2], known
            )
        if tag.startswith("workflow.parameters."):
            name = tag[len("workflow.parameters.") :]
            known = self.workflow_parameters
            return f"spec.arguments has no parameter '{name}'{suggest(name, known)}"
        if head in ("steps", "tasks") and len(parts) > 1:
            return self._explain_node(tag, head, parts[1])
        if head == "item":
            if not self.looping:
                return "{{item.*}} is only set in a step or task that loops"
            keys = sorted(name[len("item.") :] for name in self.names if name.startswith("item."))
            listed = f" (their keys: {', '.join(keys)})" if keys else ""
            return f"the loop's items have no key '{tag[len('item.') :]}'{listed}"
        if head == "pod":
            return "pod.name is only set in templates that run a pod"
        return "no such variable" + self._close(tag, f"{head}.")

    def _explain_node(self, tag: str, head: str, node: str) -> str:
        kind = head[:-1]
        if self.node_kind != head:
            where = "steps" if head == "steps" else "dag"
            return f"{{{{{head}.*}}}} is only set inside a {where} template"
        reason = self.nodes.get(node)
        if reason is None:
            return f"template '{self.template}' has no {kind} named '{node}'" + suggest(
                node, list(self.nodes)
            )
        return reason or f"{kind} '{node}' has no such output" + self._close(tag, f"{head}.{node}.")

    def _close(self, tag: str, prefix: str) -> str:
        return suggest(tag, sorted(name for name in self.names if name.startswith(prefix)))


def check(ctx: Context) -> None:
    """Check every reference and expression of the document."""
    scope = workflow_scope(ctx)
    for site in ctx.all_templates():
        check_template(ctx, site, scope)
    hooks = ctx.spec.get("hooks")
    if isinstance(hooks, dict):
        check_value(ctx, hooks, ctx.spec_at("hooks"), scope)
    check_expressions(ctx)


# --- scopes ---------------------------------------------------------------------------------


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
        scope.soft_prefixes.append(("workflow.parameters.", reason))
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
                    scope.prefixes.append(f"workflow.outputs.{kind}.")
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


def node_outputs(
    kind: str, name: str, target: Target, aggregate: bool
) -> tuple[set[str], list[str]]:
    """The ``steps.X.*``/``tasks.X.*`` names a finished step/task gives (not ``status``)."""
    base = f"{kind}.{name}"
    names = {f"{base}.id", f"{base}.startedAt", f"{base}.finishedAt", f"{base}.hostNodeName"}
    if target.site is None:
        return names, [f"{base}."]  # unknown or missing template: do not guess
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
    return names, []


def _has_main(body: Mapping[str, Any]) -> bool:
    containers = as_dict(body.get("containerSet")).get("containers")
    return any(name == "main" for _, _, name in named(containers))


def _loops(node: Mapping[str, Any]) -> bool:
    return any(node.get(key) not in (None, [], "") for key in _LOOP_KEYS)


def _add_loop(scope: Scope, node: Mapping[str, Any]) -> None:
    items = node.get("withItems")
    if isinstance(items, list) and items:
        scope.looping = True
        for item in items:
            if isinstance(item, dict):
                scope.names.update(f"item.{key}" for key in item)
            elif isinstance(item, list):
                scope.names.update(f"item.[{index}]" for index in range(len(item)))
    elif node.get("withParam") not in (None, ""):
        scope.looping = True
        scope.prefixes.append("item.")
    elif node.get("withSequence") is not None:
        scope.looping = True


def _add_inline_inputs(scope: Scope, node: Mapping[str, Any]) -> None:
    inline = as_dict(node.get("inline"))
    parameters = as_dict(inline.get("inputs")).get("parameters")
    scope.names.update(f"inputs.parameters.{name}" for _, _, name in named(parameters))


def _has_exit_hook(node: Mapping[str, Any]) -> bool:
    return bool(node.get("onExit")) or "exit" in as_dict(node.get("hooks"))


# --- templates ------------------------------------------------------------------------------


def check_template(ctx: Context, site: Site, base: Scope) -> None:
    """Every string of one template, each against the scope where it is."""
    scope = template_scope(base, site)
    kind = template_type(site.body)
    if kind == "steps":
        final = _check_steps(ctx, site, scope)
    elif kind == "dag":
        final = _check_dag(ctx, site, scope)
    else:
        check_value(ctx, site.body, site.path, scope)
        return
    for key, value in site.body.items():
        if key == "outputs":
            check_value(ctx, value, (*site.path, key), final)
        elif key != kind:
            check_value(ctx, value, (*site.path, key), scope)


def _check_steps(ctx: Context, site: Site, scope: Scope) -> Scope:
    groups = [as_list(group) for group in as_list(site.body.get("steps"))]
    where = {
        as_str(step.get("name")): index
        for index, group in enumerate(groups)
        for step in group
        if isinstance(step, dict)
    }
    done = scope.copy()
    done.node_kind = "steps"
    seen: set[str] = set()
    for group_index, group in enumerate(groups):
        finished: list[tuple[set[str], list[str]]] = []
        for step_index, step in enumerate(group):
            if not isinstance(step, dict):
                continue
            name = as_str(step.get("name"))
            path = (*site.path, "steps", group_index, step_index)
            target = ctx.resolve(step, path, report=False)
            outputs = node_outputs("steps", name, target, _loops(step))
            seen.add(name)
            here = done.copy()
            here.names.update(f"steps.{other}.status" for other in seen)
            here.nodes = {
                other: _step_reason(other, at, group_index) for other, at in where.items()
            }
            _add_loop(here, step)
            _add_inline_inputs(here, step)
            if _has_exit_hook(step):
                here.names.update(outputs[0])
                here.prefixes.extend(outputs[1])
            check_value(ctx, step, path, here)
            finished.append(outputs)
        for names, prefixes in finished:
            done.names.update(names)
            done.prefixes.extend(prefixes)
    done.names.update(f"steps.{name}.status" for name in seen)
    done.nodes = dict.fromkeys(where, "")
    return done


def _step_reason(name: str, group: int, current: int) -> str:
    if group < current:
        return ""
    if group == current:
        return f"step '{name}' is in the same step group: it runs in parallel with this one"
    return f"step '{name}' runs in a later step group"


def _check_dag(ctx: Context, site: Site, scope: Scope) -> Scope:
    dag = as_dict(site.body.get("dag"))
    graph = dag_graph(dag)
    tasks = list(named(dag.get("tasks")))
    outputs: dict[str, tuple[set[str], list[str]]] = {}
    for index, task, name in tasks:
        path = (*site.path, "dag", "tasks", index)
        target = ctx.resolve(task, path, report=False)
        outputs.setdefault(name, node_outputs("tasks", name, target, _loops(task)))
    done = scope.copy()
    done.node_kind = "tasks"
    done.nodes = dict.fromkeys(graph, "")
    for names, prefixes in outputs.values():
        done.names.update(names)
        done.prefixes.extend(prefixes)
    done.names.update(f"tasks.{name}.status" for name in graph)
    for index, task, name in tasks:
        path = (*site.path, "dag", "tasks", index)
        here = _task_scope(scope, task, name, graph, outputs)
        for key, value in task.items():
            strict = key == "arguments"
            check_value(ctx, value, (*path, key), here, strict_soft=strict)
    for key, value in dag.items():
        if key != "tasks":
            check_value(ctx, value, (*site.path, "dag", key), done)
    return done


def _task_scope(
    scope: Scope,
    task: Mapping[str, Any],
    name: str,
    graph: Mapping[str, set[str]],
    outputs: Mapping[str, tuple[set[str], list[str]]],
) -> Scope:
    here = scope.copy()
    here.node_kind = "tasks"
    before = ancestors(graph, name)
    for other in graph:
        names, prefixes = outputs.get(other, (set(), []))
        if other in before:
            here.names.update(names)
            here.names.add(f"tasks.{other}.status")
            here.prefixes.extend(prefixes)
            here.nodes[other] = ""
            continue
        reason = f"task '{other}' is not a dependency of task '{name}' (add it to 'depends')"
        here.nodes[other] = reason
        if other == name:
            here.nodes[other] = ""
            if task.get("hooks"):
                here.names.add(f"tasks.{name}.status")
            if _has_exit_hook(task):
                here.names.update(names)
                here.prefixes.extend(prefixes)
            continue
        for output in names:
            here.soft[output] = f"{{{{{output}}}}}: {reason}: its outputs may not exist yet"
        for prefix in prefixes:
            here.soft_prefixes.append((prefix, f"{prefix}*: {reason}"))
    _add_loop(here, task)
    _add_inline_inputs(here, task)
    return here


# --- strings --------------------------------------------------------------------------------


def check_value(
    ctx: Context, value: Any, path: Path, scope: Scope, strict_soft: bool = False
) -> None:
    """Check the simple tags of every string in ``value`` against ``scope``."""
    for text, where in strings(value, path):
        for tag in _expressions.find_tags(text):
            if tag.kind != "simple":
                continue
            verdict = scope.judge(tag.inner)
            if verdict is None:
                continue
            severity, reason = verdict
            if severity == "warning" and strict_soft:
                severity = "error"
            ctx.report(where, reason, severity)


def strings(value: Any, path: Path) -> Iterator[tuple[str, Path]]:
    """Every string holding ``{{`` in a JSON value, with its path."""
    pending: list[tuple[Any, Path]] = [(value, path)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            if "{{" in item:
                yield item, where
        elif isinstance(item, dict):
            pending.extend((child, (*where, key)) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            pending.extend(
                (child, (*where, index)) for index, child in reversed(list(enumerate(item)))
            )


# --- expressions ----------------------------------------------------------------------------


def check_expressions(ctx: Context) -> None:
    """``{{= }}`` tags, ``when`` conditions and expression fields parse."""
    spec = ctx.document.raw.get("spec")
    pending: list[tuple[Any, Path]] = [(spec, ("spec",))]
    while pending:
        item, path = pending.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                pending.append((child, (*path, key)))
        elif isinstance(item, list):
            pending.extend((child, (*path, index)) for index, child in enumerate(item))
        elif isinstance(item, str):
            _check_expression_string(ctx, item, path)


def _check_expression_string(ctx: Context, text: str, path: Path) -> None:
    for tag in _expressions.find_tags(text) if "{{" in text else ():
        if tag.kind == "expression":
            error = _expressions.expression_error(tag.inner)
            if error:
                ctx.error(path, f"cannot parse expression {{{{={tag.inner}}}}}: {error}")
    key = path[-1]
    parent = path[-2] if len(path) > 1 else None
    if key == "when" and path == ("spec", "when"):
        _expr_field(ctx, text, path, "when")
    elif key == "when":
        error = _expressions.when_error(_placeholders(text))
        if error:
            ctx.error(path, f"cannot parse when {text!r}: {error}")
    elif key == "expression" and (parent in _EXPR_FIELDS or "hooks" in path[-3:-1]):
        _expr_field(ctx, text, path, "expression")
    elif key == "fromExpression":
        _expr_field(ctx, text, path, "fromExpression")


def _expr_field(ctx: Context, text: str, path: Path, what: str) -> None:
    if "{{" in text:
        return  # substituted before it is evaluated: the result is not known here
    error = _expressions.expression_error(text)
    if error:
        ctx.error(path, f"cannot parse {what} {text!r}: {error}")


def _placeholders(text: str) -> str:
    """``text`` with each ``{{...}}`` tag replaced by a value that parses anywhere."""
    out: list[str] = []
    position = 0
    for tag in _expressions.find_tags(text):
        out.append(text[position : tag.start])
        out.append("0")
        position = tag.end
    out.append(text[position:])
    return "".join(out)
