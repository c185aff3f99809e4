"""The docs in a real browser (Debian's chromium, driven by Playwright): "Try it out" on
GET /v1/indicators gets a 200 with data, and no request leaves 127.0.0.1.

Needs the system package `chromium` (.ci/run installs it); without it these tests skip
locally, and fail in CI (CI=true), where every test must run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does it)",
)
# Flags that keep a headless Chromium quiet: no background calls to outside services.
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]  # fmt: skip


@pytest.fixture
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[playwright.Page]:
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        yield context.new_page()
        browser.close()


def outside(urls: list[str]) -> list[str]:
    return [
        u
        for u in urls
        if not u.startswith(("data:", "blob:")) and urlparse(u).hostname != "127.0.0.1"
    ]


def test_docs_try_it_out_lists_indicators(page: playwright.Page, live_server: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server}/docs")
    operation = page.locator("#operations-indicators-listIndicators")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    playwright.expect(status).to_have_text("200", timeout=15_000)
    body = operation.locator(
        ".live-responses-table tbody .response-col_description pre"
    ).first.inner_text()
    assert '"code": "gdp"' in body
    assert any(u.startswith(f"{live_server}/v1/indicators") for u in requested)
    assert outside(requested) == []


def test_redoc_renders_offline(page: playwright.Page, live_server: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server}/redoc")
    heading = page.locator("h1").first
    playwright.expect(heading).to_contain_text("Jinzhong Indicators", timeout=15_000)
    playwright.expect(page.get_by_role("menuitem", name="observations")).to_be_visible()
    assert outside(requested) == []
