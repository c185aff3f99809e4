"""The docs in a real browser (Debian's chromium, driven by Playwright): "Try it out" on
GET /v1/indicators gets a 200 with data, and no request leaves 127.0.0.1.

Needs the system package `chromium` (see tests/browser/conftest.py).
"""

from __future__ import annotations

import pytest

from tests.support.browser import outside

playwright = pytest.importorskip("playwright.sync_api")


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
