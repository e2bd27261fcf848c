"""Browser tests: a real ``kawa server`` and Debian's Chromium driven by Playwright.

The browser is the system's ``chromium`` (``scripts/setup-system.sh`` installs it), given
to Playwright as ``executable_path``; Playwright never downloads one.  Screenshots go to
``$KAWA_TEST_ARTIFACTS/ui`` (default ``test-artifacts/ui`` in the repository) and their
paths are listed at the end of the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kawa.server import ui
from tests.server.conftest import Server, serving

REPO = Path(__file__).resolve().parents[2]
SHOTS: list[Path] = []


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def artifacts() -> Path:
    base = Path(os.environ.get("KAWA_TEST_ARTIFACTS") or REPO / "test-artifacts")
    folder = base / "ui"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(tmp_path_factory.mktemp("ui") / "home") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium()
    if executable is None:  # a missing dependency fails the suite, it is not skipped
        pytest.fail("no chromium on this machine: run scripts/setup-system.sh as root")
    from playwright import sync_api  # the dev extra installs it

    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    from playwright.sync_api import expect

    if not (ui.ASSETS / "index.html").is_file():
        pytest.fail("the web UI is not built: run `make ui` (make test does)")

    expect.set_options(timeout=20_000)
    context = browser.new_context(base_url=server.url, viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert errors == [], f"the page raised: {errors}"


def screenshot(page: Any, name: str) -> Path:
    path = artifacts() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SHOTS.append(path)
    print(f"screenshot: {path}")
    return path


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SHOTS:
        terminalreporter.write_sep("-", "web UI screenshots")
        for path in SHOTS:
            terminalreporter.write_line(str(path))
