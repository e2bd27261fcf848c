"""Lint rules for ``{{...}}`` references and expressions, after Argo's validator.

Scopes (what may be read where) are built by ``_lint_scopes``; this module walks each
template and checks every string against the scope where it is.  Where kawa is stricter
than Argo, and why:

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
    Context,
    Site,
    ancestors,
    as_dict,
    as_list,
    as_str,
    dag_graph,
    named,
    template_type,
)
from kawa.spec._lint_scopes import (
    Nodes,
    Outputs,
    Scope,
    everything,
    has_exit_hook,
    loops,
    node_outputs,
    node_scope,
    template_scope,
    workflow_scope,
)
from kawa.spec.loading import Path

#: keys whose string value is an expr-lang expression, by the key of the mapping holding it
_EXPR_FIELDS = {"retryStrategy", "valueFrom", "stopStrategy"}


def check(ctx: Context) -> None:
    """Check every reference and expression of the document."""
    scope = workflow_scope(ctx)
    for site in ctx.all_templates():
        check_template(ctx, site, scope)
    hooks = ctx.spec.get("hooks")
    if isinstance(hooks, dict):
        check_value(ctx, hooks, ctx.spec_at("hooks"), scope)
    check_expressions(ctx)


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
    places: dict[str, tuple[int, int]] = {}
    outputs: dict[str, Outputs] = {}
    for group_index, group in enumerate(groups):
        for step_index, step in enumerate(group):
            if isinstance(step, dict):
                name = as_str(step.get("name"))
                path = (*site.path, "steps", group_index, step_index)
                target = ctx.resolve(step, path, report=False)
                places.setdefault(name, (group_index, step_index))
                outputs.setdefault(name, node_outputs("steps", name, target, loops(step)))
    for group_index, group in enumerate(groups):
        for step_index, step in enumerate(group):
            if isinstance(step, dict):
                here = (group_index, step_index)
                view = _step_view(as_str(step.get("name")), step, here, places, outputs)
                path = (*site.path, "steps", group_index, step_index)
                check_value(ctx, step, path, node_scope(scope, step, view))
    final = scope.copy()
    final.nodes = everything("steps", outputs)
    return final


def _step_view(
    name: str,
    step: Mapping[str, Any],
    here: tuple[int, int],
    places: Mapping[str, tuple[int, int]],
    outputs: Mapping[str, Outputs],
) -> Nodes:
    own_outputs = has_exit_hook(step)

    def sees(other: str) -> bool:
        return places[other][0] < here[0] or (own_outputs and other == name)

    def sees_status(other: str) -> bool:
        return places[other] <= here  # Argo: every step seen so far, itself included

    def why(other: str) -> str:
        if places[other][0] > here[0]:
            return f"step '{other}' runs in a later step group"
        return f"step '{other}' is in the same step group: it runs in parallel with this one"

    return Nodes("steps", outputs, sees, sees_status, why)


def _check_dag(ctx: Context, site: Site, scope: Scope) -> Scope:
    dag = as_dict(site.body.get("dag"))
    graph = dag_graph(dag)
    tasks = list(named(dag.get("tasks")))
    outputs: dict[str, Outputs] = {}
    for index, task, name in tasks:
        target = ctx.resolve(task, (*site.path, "dag", "tasks", index), report=False)
        outputs.setdefault(name, node_outputs("tasks", name, target, loops(task)))
    for index, task, name in tasks:
        path = (*site.path, "dag", "tasks", index)
        here = node_scope(scope, task, _task_view(name, task, ancestors(graph, name), outputs))
        for key, value in task.items():
            check_value(ctx, value, (*path, key), here, strict_soft=key == "arguments")
    final = scope.copy()
    final.nodes = everything("tasks", outputs)
    for key, value in dag.items():
        if key != "tasks":
            check_value(ctx, value, (*site.path, "dag", key), final)
    return final


def _task_view(
    name: str, task: Mapping[str, Any], before: set[str], outputs: Mapping[str, Outputs]
) -> Nodes:
    own_outputs, own_status = has_exit_hook(task), bool(task.get("hooks"))

    def sees(other: str) -> bool:
        return other in before or (own_outputs and other == name)

    def sees_status(other: str) -> bool:
        return other in before or (own_status and other == name)

    def why(other: str) -> str:
        return f"task '{other}' is not a dependency of task '{name}' (add it to 'depends')"

    def soft(other: str) -> str | None:
        return None if other in before or other == name else why(other)

    return Nodes("tasks", outputs, sees, sees_status, why, soft)


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
