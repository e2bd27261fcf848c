"""Errors as Argo Server (grpc-gateway) returns them: ``{"code": N, "message": "..."}``.

Every kawa error has a 4xx status; anything else is a 500 with a generic message (the
details go to the server's log, never to the client).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kawa.spec.errors import ConflictError, KawaError, NotFoundError, SpecError

log = logging.getLogger("kawa.server")

#: HTTP status -> gRPC code, as grpc-gateway maps them
GRPC = {400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 409: 6, 413: 8, 415: 3, 422: 3, 500: 13}


class BadRequest(KawaError):
    """A request field is missing or wrong."""


def body(status: int, message: str, details: Any = None) -> JSONResponse:
    content: dict[str, Any] = {"code": GRPC.get(status, 2), "message": message}
    if details is not None:
        content["details"] = details
    return JSONResponse(content, status_code=status)


def status_of(error: KawaError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ConflictError):
        return 409
    return 400


async def kawa_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, KawaError)
    if isinstance(error, SpecError):
        issues = [
            {"field": i.field, "line": i.line, "column": i.column, "message": i.message}
            for i in error.issues
        ]
        return body(400, "; ".join(f"{i.field}: {i.message}" for i in error.issues), issues)
    return body(status_of(error), str(error))


async def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    return body(error.status_code, str(error.detail))


async def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = []
    for problem in error.errors():
        where = ".".join(str(p) for p in problem.get("loc", ()))
        problems.append(f"{where}: {problem.get('msg')}")
    return body(400, "; ".join(problems) or "bad request")


async def unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("internal error on %s %s", request.method, request.url.path)
    return body(500, "internal error (see the kawa server log)")
