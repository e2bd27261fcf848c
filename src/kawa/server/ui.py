"""The web UI: built assets packaged in ``kawa/server/ui_assets`` (see ``ui/``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter(tags=["UI"])
ASSETS = Path(__file__).with_name("ui_assets")
PLACEHOLDER = """<!doctype html><title>kawa</title>
<p>kawa server is running. The web UI is not built in this installation
(<code>make ui</code>); the API is at <a href="/docs">/docs</a>.</p>"""


@router.get("/", include_in_schema=False, response_model=None)
def index() -> HTMLResponse | FileResponse:
    page = ASSETS / "index.html"
    if page.is_file():
        return FileResponse(page)
    return HTMLResponse(PLACEHOLDER)
