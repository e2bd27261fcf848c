"""Lint rules for a workflow as a whole, after Argo's ``validate.Workflow``.

The entrypoint and exit handler name templates that exist (in the spec, or in the
WorkflowTemplate a ``workflowTemplateRef`` names) and get their inputs from the
workflow's arguments; names fit Kubernetes' limits; workflow hooks name templates; then
every template is checked (``_lint_templates``) and a CronWorkflow's schedule
(``_lint_cron``).
"""

from __future__ import annotations

from typing import Any

from kawa.spec import _lint_cron, _lint_nodes, _lint_templates
from kawa.spec._lint_context import Context, Site, Target, as_dict, as_list, as_str, named, suggest
from kawa.spec.loading import Document

_MAX_NAME = 63
_MAX_CRON_NAME = 52  # Argo appends "-<unix time>" to a CronWorkflow's name


def check(ctx: Context) -> None:
    """Run every structural rule over the document."""
    check_names(ctx)
    arguments = ctx.spec.get("arguments")
    _lint_nodes.check_arguments(ctx, arguments, ctx.spec_at("arguments"), allow_empty=True)
    check_entrypoint(ctx)
    _lint_nodes.check_hooks(ctx, ctx.spec.get("hooks"), ctx.spec_at("hooks"), "hooks")
    check_limits(ctx)
    for site in ctx.all_templates():
        _lint_templates.check_template(ctx, site)
    if ctx.document.kind == "CronWorkflow":
        _lint_cron.check(ctx)


def check_names(ctx: Context) -> None:
    """Object name length; template names present, valid and unique."""
    name = as_str(as_dict(ctx.document.raw.get("metadata")).get("name"))
    limit = _MAX_CRON_NAME if ctx.document.kind == "CronWorkflow" else _MAX_NAME
    if len(name) > limit:
        message = f"name {name!r} must not be more than {limit} characters long"
        ctx.error(("metadata", "name"), f"{message} (currently {len(name)})")
    templates = ctx.spec.get("templates")
    _lint_nodes.check_field_names(ctx, templates, ctx.spec_at("templates"), "templates")


def check_entrypoint(ctx: Context) -> None:
    """The entrypoint (and exit handler) name templates that exist and get their inputs.

    WorkflowTemplates need no entrypoint, and their inputs may come from the Workflow
    that uses them, so only Workflows and CronWorkflows are checked for supplied inputs.
    """
    owner, has_ref = ctx.workflow_template_ref()
    spec = ctx.spec
    if has_ref:
        if as_list(spec.get("templates")):
            message = "Templates is invalid field in spec if workflow referred WorkflowTemplate"
            ctx.error(ctx.spec_at("templates"), message + " reference")
        if owner is not None:
            _check_referenced_entry(ctx, owner)
        return
    entrypoint, on_exit = as_str(spec.get("entrypoint")), as_str(spec.get("onExit"))
    if not entrypoint and not ctx.is_template:
        where = ctx.spec_at("entrypoint") if "entrypoint" in spec else ctx.spec_at()
        ctx.error(where, "spec.entrypoint is required")
    arguments = as_dict(spec.get("arguments"))
    for key, name in (("entrypoint", entrypoint), ("onExit", on_exit)):
        target = ctx.local(name, ctx.spec_at(key)) if name else None
        if target is not None and target.site is not None and not ctx.is_template:
            prefix = f"templates.{target.site.name}"
            where = ctx.spec_at(key)
            _lint_nodes.check_supplied(ctx, target, arguments, where, prefix, True)


def _check_referenced_entry(ctx: Context, owner: Document) -> None:
    owner_spec = as_dict(owner.raw.get("spec"))
    templates = {name: body for _, body, name in named(owner_spec.get("templates"))}
    entrypoint = as_str(ctx.spec.get("entrypoint")) or as_str(owner_spec.get("entrypoint"))
    on_exit = as_str(ctx.spec.get("onExit")) or as_str(owner_spec.get("onExit"))
    own: dict[str, Any] = as_dict(ctx.spec.get("arguments"))
    arguments = _lint_nodes.merge_arguments(own, as_dict(owner_spec.get("arguments")))
    path = ctx.spec_at("workflowTemplateRef")
    where = ctx.spec_at("arguments") if own else path
    if not entrypoint:
        message = "spec.entrypoint is required (neither the workflow nor its template sets one)"
        ctx.error(path, message)
    for what, name in (("entrypoint", entrypoint), ("onExit", on_exit)):
        if not name:
            continue
        body = templates.get(name)
        if body is None:
            message = f"{what} template '{name}' not found in WorkflowTemplate '{owner.name}'"
            ctx.error(path, message + suggest(name, templates))
            continue
        target = Target("found", Site(name, body, (), owner))
        _lint_nodes.check_supplied(ctx, target, arguments, where, f"templates.{name}", True)


def check_limits(ctx: Context) -> None:
    """Workflow-wide numbers that cannot be negative."""
    for key in ("parallelism", "activeDeadlineSeconds"):
        value = ctx.spec.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            ctx.error(ctx.spec_at(key), f"spec.{key} must not be negative (got {value})")
