"""Reading request bodies and query parameters, with errors that name the field."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from kawa.server.errors import BadRequest

MAX_BODY = 4 * 1024 * 1024


async def json_body(request: Request) -> dict[str, Any]:
    """The JSON object of the body (4 MiB at most)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise BadRequest(f"request body too large ({declared} bytes, at most {MAX_BODY})")
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise BadRequest(f"request body too large (at most {MAX_BODY} bytes)")
    if not data.strip():
        return {}
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"body: not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise BadRequest("body: expected a JSON object")
    return value


def field(body: dict[str, Any], name: str, kind: type, required: bool = False) -> Any:
    value = body.get(name)
    if value is None:
        if required:
            raise BadRequest(f"{name}: required")
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadRequest(f"{name}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def parameters(values: list[Any] | None, where: str = "parameters") -> dict[str, str]:
    """Argo's ``["name=value", ...]`` parameter overrides."""
    found: dict[str, str] = {}
    if values is not None and not isinstance(values, list):
        raise BadRequest(f"{where}: expected a list of NAME=VALUE strings")
    for item in values or []:
        if not isinstance(item, str) or "=" not in item or item.startswith("="):
            raise BadRequest(f"{where}: expected NAME=VALUE strings, got {item!r}")
        name, _, value = item.partition("=")
        found[name] = value
    return found


def documented(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """``openapi_extra`` describing a JSON request body (the handler reads it itself)."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return {
        "requestBody": {
            "required": bool(required),
            "content": {"application/json": {"schema": schema}},
        }
    }


OBJECT: dict[str, Any] = {"type": "object"}
STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
