"""Workflow list queries: Argo's ``listOptions`` and kawa's filters, on indexed columns."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from kawa.server.errors import BadRequest
from kawa.spec.errors import KawaError
from kawa.spec.selectors import parse_label_selector
from kawa.store.records import ListQuery

DEFAULT_LIMIT = 500
TEMPLATE_LABEL = "workflows.argoproj.io/workflow-template"
PHASES = ("Pending", "Running", "Succeeded", "Failed", "Error")


def query(
    *,
    namespace: str,
    label_selector: str = "",
    field_selector: str = "",
    limit: int = 0,
    continue_token: str = "",
    name_pattern: str = "",
    phases: list[str] | None = None,
    created_after: str = "",
    created_before: str = "",
    parameters: list[str] | None = None,
    template: str = "",
) -> ListQuery:
    """A store query; ``limit`` is one more than asked, to know if a next page exists.

    ``template`` finds the runs of a WorkflowTemplate (Argo's label
    ``workflows.argoproj.io/workflow-template``)."""
    try:
        labels = parse_label_selector(label_selector, option="listOptions.labelSelector")
    except KawaError as error:
        raise BadRequest(str(error)) from None
    if template:
        labels = (*labels, (TEMPLATE_LABEL, "=", (template,)))
    name_prefix = ""
    chosen = [p for value in phases or [] for p in value.split(",") if p]
    for term in [t for t in field_selector.split(",") if t.strip()]:
        key, sep, value = term.partition("=")
        key = key.strip().rstrip("!")
        if not sep:
            raise BadRequest(f"listOptions.fieldSelector: expected FIELD=VALUE, got {term!r}")
        if key == "metadata.name":
            name_prefix = value
        elif key == "metadata.namespace":
            if value != namespace and namespace:
                raise BadRequest(
                    "listOptions.fieldSelector: metadata.namespace contradicts the path"
                )
        elif key == "status.phase":
            chosen.append(value)
        else:
            raise BadRequest(f"listOptions.fieldSelector: cannot select on {key!r}")
    for phase in chosen:
        if phase not in PHASES:
            raise BadRequest(f"phase: {phase!r} is not one of {', '.join(PHASES)}")
    offset = _offset(continue_token)
    return ListQuery(
        namespace=namespace or None,
        phases=tuple(dict.fromkeys(chosen)),
        name_prefix=name_prefix,
        name_contains=name_pattern,
        since=_time("createdAfter", created_after),
        until=_time("createdBefore", created_before),
        labels=labels,
        parameters=tuple(_pairs(parameters or [])),
        limit=(limit or DEFAULT_LIMIT) + 1,
        offset=offset,
    )


def next_token(query: ListQuery) -> str:
    state = {"offset": query.offset + query.limit - 1}
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = int(state["offset"])
    except (ValueError, KeyError, TypeError) as error:
        raise BadRequest("listOptions.continue: not a token this server gave") from error
    if offset < 0:
        raise BadRequest("listOptions.continue: not a token this server gave")
    return offset


def _time(name: str, text: str) -> str | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        raise BadRequest(f"{name}: expected an ISO 8601 time, got {text!r}") from None


def _pairs(values: list[str]) -> list[tuple[str, str]]:
    found = []
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise BadRequest(f"parameter: expected NAME=VALUE, got {item!r}")
        found.append((name, value))
    return found
