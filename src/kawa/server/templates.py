"""WorkflowTemplates, ClusterWorkflowTemplates and CronWorkflows: Argo's CRUD and lint."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from kawa.controller import clock, documents
from kawa.controller.service import Kawa
from kawa.server.errors import BadRequest
from kawa.server.requests import OBJECT, documented, field, json_body
from kawa.spec.errors import ConflictError, NotFoundError

router = APIRouter(tags=["TemplateService"])

#: (URL part, Argo kind, store kind, request field, namespaced)
KINDS = {
    "workflow-templates": ("WorkflowTemplate", "namespaced", "template", True),
    "cluster-workflow-templates": ("ClusterWorkflowTemplate", "cluster", "template", False),
    "cron-workflows": ("CronWorkflow", "cron", "cronWorkflow", True),
}


def _service(request: Request) -> Kawa:
    kawa: Kawa = request.app.state.kawa
    return kawa


def _checked(request: Request, raw: Any, kind: str, namespace: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise BadRequest(f"{kind}: expected an object")
    meta = dict(raw.get("metadata") or {})
    if namespace:
        given = meta.get("namespace")
        if given and given != namespace:
            raise BadRequest(
                f"metadata.namespace: {given!r} does not match the path's {namespace!r}"
            )
        meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    if not meta.get("name"):
        raise BadRequest(f"{kind}.metadata.name: required")
    document = documents.from_object({**raw, "metadata": meta}, kind, file=kind)
    documents.validated(_service(request), [document])
    return document.raw


def _get(kawa: Kawa, store_kind: str, namespace: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(kawa.store.get_object(store_kind, namespace, name))
    data.setdefault("apiVersion", "argoproj.io/v1alpha1")
    return data


def _register(part: str) -> None:
    kind, store_kind, request_field, namespaced = KINDS[part]
    base = f"/api/v1/{part}/{{namespace}}" if namespaced else f"/api/v1/{part}"

    def ns(namespace: str | None) -> str:
        return namespace or "" if namespaced else ""

    @router.get(base, name=f"list {kind}")
    def list_objects(request: Request, namespace: str | None = None) -> dict[str, Any]:
        kawa = _service(request)
        items = [
            json.loads(data) for _, _, data in kawa.store.list_objects(store_kind, ns(namespace))
        ]
        return {"metadata": {}, "items": items}

    body_doc = documented({request_field: OBJECT}, (request_field,))

    @router.post(base, name=f"create {kind}", openapi_extra=body_doc)
    async def create(request: Request, namespace: str | None = None) -> dict[str, Any]:
        body = await json_body(request)
        raw = _checked(
            request, field(body, request_field, dict, required=True), kind, ns(namespace)
        )
        kawa = _service(request)
        name = raw["metadata"]["name"]
        try:
            kawa.store.get_object(store_kind, ns(namespace), name)
        except NotFoundError:
            raw["metadata"].setdefault("creationTimestamp", _stamp())  # as Argo's API server
            kawa.store.put_object(store_kind, ns(namespace), name, json.dumps(raw), _now())
            return raw
        raise ConflictError(f'{kind} "{name}" already exists')

    @router.post(f"{base}/lint", name=f"lint {kind}", openapi_extra=body_doc)
    async def lint(request: Request, namespace: str | None = None) -> dict[str, Any]:
        body = await json_body(request)
        return _checked(
            request, field(body, request_field, dict, required=True), kind, ns(namespace)
        )

    @router.get(f"{base}/{{name}}", name=f"get {kind}")
    def get(request: Request, name: str, namespace: str | None = None) -> dict[str, Any]:
        return _get(_service(request), store_kind, ns(namespace), name)

    @router.put(f"{base}/{{name}}", name=f"update {kind}", openapi_extra=body_doc)
    async def update(request: Request, name: str, namespace: str | None = None) -> dict[str, Any]:
        body = await json_body(request)
        raw = _checked(
            request, field(body, request_field, dict, required=True), kind, ns(namespace)
        )
        if raw["metadata"]["name"] != name:
            raise BadRequest(f"metadata.name: {raw['metadata']['name']!r} is not {name!r}")
        kawa = _service(request)
        stored = _get(kawa, store_kind, ns(namespace), name)  # 404 if absent
        created = (stored.get("metadata") or {}).get("creationTimestamp")
        if created:
            raw["metadata"]["creationTimestamp"] = created
        kawa.store.put_object(store_kind, ns(namespace), name, json.dumps(raw), _now())
        return raw

    @router.delete(f"{base}/{{name}}", name=f"delete {kind}")
    def delete(request: Request, name: str, namespace: str | None = None) -> dict[str, Any]:
        kawa = _service(request)
        kawa.store.get_object(store_kind, ns(namespace), name)
        kawa.store.delete_object(store_kind, ns(namespace), name)
        return {}

    if part == "cron-workflows":

        @router.put(f"{base}/{{name}}/{{verb}}", name="suspend or resume a CronWorkflow")
        def suspend(
            request: Request, name: str, verb: str, namespace: str | None = None
        ) -> dict[str, Any]:
            if verb not in ("suspend", "resume"):
                raise NotFoundError(f"no such CronWorkflow action {verb!r}")
            kawa = _service(request)
            raw = _get(kawa, store_kind, ns(namespace), name)
            raw["spec"] = {**(raw.get("spec") or {}), "suspend": verb == "suspend"}
            kawa.store.put_object(store_kind, ns(namespace), name, json.dumps(raw), _now())
            return raw


def _now() -> str:
    return clock.now().isoformat()


def _stamp() -> str:
    """Kubernetes' time format: seconds, UTC, ``Z``."""
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


for _part in KINDS:
    _register(_part)
