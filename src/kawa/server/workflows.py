"""``/api/v1/workflows``: Argo Server's workflow service, on kawa's store and controller.

Paths, request and response shapes are Argo's (``WorkflowCreateRequest``,
``WorkflowList``, ``WorkflowRetryRequest``...), so Hera's ``WorkflowsService`` works
unmodified.  Commands (suspend, resume, stop...) reach the controller through the store's
inbox, as from the CLI.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from kawa.controller import clock, documents, restarts
from kawa.controller.service import Kawa
from kawa.server import listing
from kawa.server.errors import BadRequest
from kawa.server.requests import OBJECT, STRINGS, documented, field, json_body, parameters
from kawa.spec.errors import NotFoundError
from kawa.spec.events import ResumeRequested, StopRequested, SuspendRequested
from kawa.spec.selectors import parse_node_selector
from kawa.spec.workflow import Workflow

router = APIRouter(tags=["WorkflowService"])


def shown(workflow: Workflow) -> dict[str, Any]:
    data = workflow.to_json()
    data["status"].setdefault("phase", "Pending")  # Argo's clients expect a phase at once
    return data


def service(request: Request) -> Kawa:
    kawa: Kawa = request.app.state.kawa
    return kawa


@router.get("/api/v1/workflows/{namespace}")
def list_workflows(
    request: Request,
    namespace: str,
    label_selector: str = Query("", alias="listOptions.labelSelector"),
    field_selector: str = Query("", alias="listOptions.fieldSelector"),
    limit: int = Query(0, alias="listOptions.limit", ge=0, le=100_000),
    continue_: str = Query("", alias="listOptions.continue"),
    name_pattern: str = Query("", alias="namePattern"),
    phase: list[str] = Query([]),  # noqa: B008 (FastAPI declares repeated parameters so)
    created_after: str = Query("", alias="createdAfter"),
    created_before: str = Query("", alias="createdBefore"),
    parameter: list[str] = Query([]),  # noqa: B008
    template: str = Query(""),
) -> dict[str, Any]:
    query = listing.query(
        namespace=namespace,
        label_selector=label_selector,
        field_selector=field_selector,
        limit=limit,
        continue_token=continue_,
        name_pattern=name_pattern,
        phases=phase,
        created_after=created_after,
        created_before=created_before,
        parameters=parameter,
        template=template,
    )
    found = service(request).list(query)
    more = len(found) > query.limit - 1 if limit else False
    items = found[: query.limit - 1] if more else found
    token = listing.next_token(query) if more else ""
    return {
        "metadata": {"continue": token, "resourceVersion": ""} if token else {},
        "items": [shown(w) for w in items],
    }


@router.post(
    "/api/v1/workflows/{namespace}",
    openapi_extra=documented(
        {"workflow": OBJECT, "serverDryRun": {"type": "boolean"}, "createOptions": OBJECT},
        ("workflow",),
    ),
)
async def create_workflow(request: Request, namespace: str) -> dict[str, Any]:
    body = await json_body(request)
    raw = field(body, "workflow", dict, required=True)
    kawa = service(request)
    raw = _in_namespace(raw, namespace)
    document = documents.from_object(raw, "Workflow", file="workflow")
    documents.validated(kawa, [document])
    options = field(body, "createOptions", dict) or {}
    overrides = parameters(options.get("parameters"), "createOptions.parameters")
    prepared = kawa.prepare(document.raw, overrides, file="workflow")
    if body.get("serverDryRun"):
        return shown(prepared)
    return shown(kawa.submit(prepared))


def _in_namespace(raw: dict[str, Any], namespace: str) -> dict[str, Any]:
    meta = dict(raw.get("metadata") or {})
    given = meta.get("namespace")
    if given and given != namespace:
        raise BadRequest(
            f"workflow.metadata.namespace: {given!r} does not match the path's {namespace!r}"
        )
    meta["namespace"] = namespace
    return {**raw, "metadata": meta}


@router.post(
    "/api/v1/workflows/{namespace}/lint",
    openapi_extra=documented({"workflow": OBJECT}, ("workflow",)),
)
async def lint_workflow(request: Request, namespace: str) -> dict[str, Any]:
    body = await json_body(request)
    raw = _in_namespace(field(body, "workflow", dict, required=True), namespace)
    document = documents.from_object(raw, "Workflow", file="workflow")
    documents.validated(service(request), [document])
    return document.raw


@router.get("/api/v1/workflows/{namespace}/{name}")
def get_workflow(request: Request, namespace: str, name: str) -> dict[str, Any]:
    return shown(service(request).find(name, namespace))


@router.delete("/api/v1/workflows/{namespace}/{name}")
def delete_workflow(request: Request, namespace: str, name: str) -> dict[str, Any]:
    service(request).delete(name, namespace)
    return {}


@router.put(
    "/api/v1/workflows/{namespace}/{name}/retry",
    openapi_extra=documented(
        {
            "restartSuccessful": {"type": "boolean"},
            "nodeFieldSelector": {"type": "string"},
            "parameters": STRINGS,
        }
    ),
)
async def retry_workflow(request: Request, namespace: str, name: str) -> dict[str, Any]:
    body = await json_body(request)
    retried = restarts.retry(
        service(request),
        name,
        namespace,
        restart_successful=bool(body.get("restartSuccessful")),
        selector=parse_node_selector(str(body.get("nodeFieldSelector") or "")),
        parameters=parameters(body.get("parameters")),
    )
    return shown(retried)


@router.put(
    "/api/v1/workflows/{namespace}/{name}/resubmit",
    openapi_extra=documented({"memoized": {"type": "boolean"}, "parameters": STRINGS}),
)
async def resubmit_workflow(request: Request, namespace: str, name: str) -> dict[str, Any]:
    body = await json_body(request)
    new = restarts.resubmit(
        service(request),
        name,
        namespace,
        memoized=bool(body.get("memoized")),
        parameters=parameters(body.get("parameters")),
    )
    return shown(new)


@router.put(
    "/api/v1/workflows/{namespace}/{name}/{verb}",
    openapi_extra=documented(
        {"nodeFieldSelector": {"type": "string"}, "message": {"type": "string"}}
    ),
)
async def control_workflow(
    request: Request, namespace: str, name: str, verb: str
) -> dict[str, Any]:
    """suspend, resume, stop, terminate (and set, which kawa does not support)."""
    body = await json_body(request)
    now = clock.now()
    selector = parse_node_selector(str(body.get("nodeFieldSelector") or ""))
    event: Any
    if verb == "suspend":
        event = SuspendRequested(now)
    elif verb == "resume":
        event = ResumeRequested(now, selector)
    elif verb in ("stop", "terminate"):
        message = str(body.get("message") or "")
        event = StopRequested(
            now, terminate=verb == "terminate", message=message, selector=selector
        )
    elif verb == "set":
        raise BadRequest("set: kawa does not support setting node fields; use resume")
    else:
        raise NotFoundError(f"no such workflow action {verb!r}")
    return shown(service(request).command(name, event, namespace))


@router.get("/api/v1/workflows/{namespace}/{name}/log")
async def workflow_logs(
    request: Request,
    namespace: str,
    name: str,
    pod_name: str = Query("", alias="podName"),
    follow: bool = Query(False, alias="logOptions.follow"),
    container: str = Query("main", alias="logOptions.container"),
) -> StreamingResponse:
    """Argo's log stream: one ``{"result": {"content", "podName"}}`` JSON per line."""
    kawa = service(request)
    workflow = kawa.find(name, namespace)
    pods = [
        n for n in workflow.status.nodes.values()
        if str(n.type) == "Pod" and (not pod_name or pod_name in (n.id, n.name, n.display_name))
    ]  # fmt: skip
    if pod_name and not pods:
        raise NotFoundError(f"workflow {name} has no pod {pod_name!r}")
    del container

    async def lines() -> AsyncIterator[bytes]:
        offsets: dict[str, int] = {}
        while True:
            for node in pods:
                stdout, _ = kawa.node_files(workflow, node.id)
                try:
                    with open(stdout, "rb") as f:
                        f.seek(offsets.get(node.id, 0))
                        data = f.read()
                except OSError:
                    continue
                complete = data[: data.rfind(b"\n") + 1] if b"\n" in data else b""
                offsets[node.id] = offsets.get(node.id, 0) + len(complete)
                for line in complete.decode(errors="replace").splitlines():
                    result = {"content": line, "podName": node.id}
                    yield (json.dumps({"result": result}) + "\n").encode()
            if not follow or kawa.find(name, namespace).status.phase.completed:
                return
            await asyncio.sleep(0.5)

    return StreamingResponse(lines(), media_type="application/json")
