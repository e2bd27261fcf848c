"""The server hands out the built UI: the page for every client route, the bundle with a
long cache when versioned, nothing outside the bundle; the API keeps its JSON errors."""

from __future__ import annotations

import re

import httpx

from tests.server.conftest import Server


def test_client_routes_get_the_page_and_the_bundle_is_served(server: Server) -> None:
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    bundle = re.search(r'src="(/ui/app\.js\?v=[0-9a-f]+)"', page.text)
    assert bundle, "index.html does not load the bundle; is the UI built (make ui)?"
    for route in ("/workflows/default/some-run", "/workflow-templates", "/cron-workflows?ns=x"):
        routed = httpx.get(f"{server.url}{route}")
        assert routed.status_code == 200 and routed.text == page.text, route
    script = httpx.get(f"{server.url}{bundle.group(1)}")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "immutable" in script.headers["cache-control"]
    assert httpx.get(f"{server.url}/ui/app.css").headers["cache-control"] == "no-cache"


def test_nothing_outside_the_bundle_and_api_errors_stay_json(server: Server) -> None:
    for path in ("/ui/../ui.py", "/ui/%2e%2e/ui.py", "/ui/nope.js", "/ui/"):
        response = httpx.get(f"{server.url}{path}")
        assert response.status_code == 404, path
    missing = httpx.get(f"{server.url}/api/v1/workflows/default/nope")
    assert missing.status_code == 404 and missing.json()["message"]
