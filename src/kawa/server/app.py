"""The ASGI application: Argo's API, kawa's API, events, metrics, the UI."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kawa._version import __version__
from kawa.controller.service import Kawa
from kawa.server import auth, errors, events, info, kawa_api, templates, ui, workflows
from kawa.spec.errors import KawaError


def create_app(service: Kawa, *, require_auth: bool = False) -> FastAPI:
    app = FastAPI(
        title="kawa",
        version=__version__,
        description="Argo Server's REST API (workflows, templates, cron workflows, info) "
        "and kawa's own (re-run from a node, provenance), served by kawa.",
    )
    app.state.kawa = service
    app.state.require_auth = require_auth
    app.state.loop_stats = {"count": 0.0, "sum": 0.0}
    app.add_exception_handler(KawaError, errors.kawa_error)
    app.add_exception_handler(StarletteHTTPException, errors.http_error)
    app.add_exception_handler(RequestValidationError, errors.validation_error)
    app.add_exception_handler(Exception, errors.unexpected)
    for module in (workflows, templates, info, events, kawa_api, ui):
        app.include_router(module.router)

    @app.middleware("http")
    async def authenticate(request: Request, call_next: Any) -> Response:
        if request.app.state.require_auth and request.url.path.startswith(("/api/", "/metrics")):
            token = auth.check(service.store, request.headers.get("authorization", ""))
            if token is None:
                return errors.body(401, "a bearer token is required (kawa auth token create)")
            if not auth.allowed(token, request.url.path):
                return errors.body(403, f"token {token.name!r} may not use this namespace")
            request.state.subject = token.name
        try:
            response: Response = await call_next(request)
        except KawaError as error:  # raised while streaming a body
            return JSONResponse({"message": str(error)}, status_code=errors.status_of(error))
        return response

    return app
