"""The web UI: the assets ``make ui`` builds from ``ui/`` into ``kawa/server/ui_assets``
(packaged in the wheel, never committed).

``/`` and the UI's own pages (``/workflows/...``, ``/workflow-templates``,
``/cron-workflows``) all get ``index.html``; the page routes itself in the browser.
``/ui/...`` serves the bundle, cached for a year when asked for with its ``?v=`` digest.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from kawa.spec.errors import NotFoundError

router = APIRouter(tags=["UI"])
ASSETS = Path(__file__).with_name("ui_assets")
BUNDLE = ASSETS / "ui"
PLACEHOLDER = """<!doctype html><title>kawa</title>
<p>kawa server is running. The web UI is not built in this installation
(<code>make ui</code>); the API is at <a href="/docs">/docs</a>.</p>"""
PAGES = ("workflows", "workflow-templates", "cron-workflows")


def _index() -> HTMLResponse | FileResponse:
    page = ASSETS / "index.html"
    if page.is_file():
        return FileResponse(page, headers={"Cache-Control": "no-cache"})
    return HTMLResponse(PLACEHOLDER)


@router.get("/", include_in_schema=False, response_model=None)
def index() -> HTMLResponse | FileResponse:
    return _index()


@router.get("/ui/{path:path}", include_in_schema=False)
def asset(request: Request, path: str) -> FileResponse:
    root = BUNDLE.resolve()
    wanted = (root / path).resolve()
    if not wanted.is_relative_to(root) or not wanted.is_file():
        raise NotFoundError(f"no UI asset {path!r}")
    versioned = "v" in request.query_params
    cache = "public, max-age=31536000, immutable" if versioned else "no-cache"
    return FileResponse(wanted, headers={"Cache-Control": cache})


for _page in PAGES:
    router.add_api_route(
        f"/{_page}", _index, methods=["GET"], include_in_schema=False, response_model=None
    )
    router.add_api_route(
        f"/{_page}/{{rest:path}}",
        _index,
        methods=["GET"],
        include_in_schema=False,
        response_model=None,
    )
