"""Live updates: Argo's ``/api/v1/workflow-events/{namespace}`` (newline-delimited JSON,
as Argo's watch) and kawa's ``/api/kawa/v1/events`` (server-sent events, for the UI).

Both poll the store (cheap indexed reads) and send a workflow whenever its phase,
progress, finish time or ``spec.suspend`` changed; a watch of one workflow by name also
sends it whenever one of its nodes appears or changes phase (the UI's live graph).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from kawa.server import listing
from kawa.spec.workflow import Workflow

router = APIRouter(tags=["EventService"])
POLL_SECONDS = 0.5


def _signature(workflow: Workflow) -> tuple[str, ...]:
    status = workflow.status
    suspended = str(bool(workflow.spec.get("suspend")))
    return (str(status.phase), status.progress, str(status.finished_at), suspended)


def _node_signature(workflow: Workflow) -> tuple[str, ...]:
    nodes = workflow.status.nodes.values()
    return (*_signature(workflow), *(f"{n.id}={n.phase}" for n in nodes))


async def _changes(
    request: Request, namespace: str, name: str, label_selector: str
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    kawa = request.app.state.kawa
    seen: dict[str, tuple[str, ...]] = {}
    field = f"metadata.name={name}" if name else ""
    query = listing.query(
        namespace=namespace, label_selector=label_selector, field_selector=field, limit=200
    )
    while not await request.is_disconnected():
        for workflow in kawa.list(query):
            if name and workflow.name != name:  # the query matches a name prefix
                continue
            if name:  # one workflow: send it whole, with its nodes
                workflow = kawa.load(workflow.uid)
                signature = _node_signature(workflow)
            else:
                signature = _signature(workflow)
            if seen.get(workflow.uid) != signature:
                kind = "ADDED" if workflow.uid not in seen else "MODIFIED"
                seen[workflow.uid] = signature
                yield kind, workflow.to_json()
        await asyncio.sleep(POLL_SECONDS)


@router.get("/api/v1/workflow-events/{namespace}")
async def watch_workflows(
    request: Request,
    namespace: str,
    field_selector: str = Query("", alias="listOptions.fieldSelector"),
    label_selector: str = Query("", alias="listOptions.labelSelector"),
) -> StreamingResponse:
    name = field_selector.partition("metadata.name=")[2].split(",")[0]
    listing.query(namespace=namespace, label_selector=label_selector)  # 400 on a bad selector

    async def stream() -> AsyncIterator[bytes]:
        async for kind, data in _changes(request, namespace, name, label_selector):
            yield (json.dumps({"result": {"type": kind, "object": data}}) + "\n").encode()

    return StreamingResponse(stream(), media_type="application/json")


@router.get("/api/kawa/v1/events")
async def server_sent_events(
    request: Request,
    namespace: str = Query("default"),
    name: str = Query(""),
    label_selector: str = Query("", alias="labelSelector"),
) -> StreamingResponse:
    listing.query(namespace=namespace, label_selector=label_selector)

    async def stream() -> AsyncIterator[bytes]:
        async for kind, data in _changes(request, namespace, name, label_selector):
            yield f"event: {kind.lower()}\ndata: {json.dumps(data)}\n\n".encode()

    return StreamingResponse(stream(), media_type="text/event-stream")
