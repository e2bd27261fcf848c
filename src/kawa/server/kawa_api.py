"""kawa's own endpoints, under ``/api/kawa/v1``: re-run from a node, provenance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from kawa.controller import restarts
from kawa.controller.provenance import provenance
from kawa.server.requests import STRINGS, documented, field, json_body, parameters
from kawa.server.workflows import service, shown

router = APIRouter(tags=["KawaService"])


@router.post(
    "/api/kawa/v1/workflows/{namespace}/{name}/rerun",
    openapi_extra=documented({"from": STRINGS, "parameters": STRINGS}),
)
async def rerun(request: Request, namespace: str, name: str) -> dict[str, Any]:
    """Body: ``{"from": ["NODE", ...], "parameters": ["name=value", ...]}``."""
    body = await json_body(request)
    starts = field(body, "from", list) or []
    if not all(isinstance(s, str) for s in starts):
        from kawa.server.errors import BadRequest

        raise BadRequest("from: expected a list of node names")
    new = restarts.rerun(
        service(request),
        name,
        namespace,
        from_nodes=starts,
        parameters=parameters(body.get("parameters")),
    )
    return shown(new)


@router.get("/api/kawa/v1/workflows/{namespace}/{name}/provenance")
def get_provenance(request: Request, namespace: str, name: str) -> dict[str, Any]:
    kawa = service(request)
    return provenance(kawa, kawa.find(name, namespace))
