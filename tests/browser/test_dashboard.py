"""The dashboard in a real browser: the figures, the timeline, the counties, search, the
language switch, the map (fetched only once opened); every request stays on 127.0.0.1 and the
console stays clean. Screenshots at desktop and phone widths, and of the map, are saved under
the test artifacts (var/test-artifacts/)."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest

from tests.support.browser import outside

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class Watched:
    """What a page asked for and what it complained about."""

    def __init__(self, page: playwright.Page) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.sizes: list[int] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "requestfinished",
            lambda request: self.sizes.append(
                request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
            ),
        )
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "response",
            lambda response: (
                self.errors.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )


def open_dashboard(page: playwright.Page, base: str) -> Watched:
    watched = Watched(page)
    page.goto(f"{base}/")
    expect(page.locator("#figures article").first).to_be_visible(timeout=15_000)
    expect(page.locator("#status")).to_be_empty()
    return watched


def test_dashboard_shows_the_record(
    page: playwright.Page, live_server: str, artifacts: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    watched = open_dashboard(page, live_server)

    gdp = page.locator("#obs-gdp-2024")
    expect(gdp.locator(".figure")).to_have_text("2458.8亿元")
    expect(gdp).to_contain_text("地区生产总值")
    # Qualifiers read as printed: 近千亿元 (not a bare 千), 突破200户; a narrowing keeps its
    # sign though the paper prints 缩小0.17; a curator's note travels with the quote.
    expect(page.locator("#obs-gdp-increase-2020-2024 .figure")).to_have_text("近千亿元")
    expect(page.locator("#obs-foreign-trade-enterprises-2021-2025 .figure")).to_have_text(
        "突破200户"
    )
    expect(page.locator("#obs-urban-rural-income-ratio-change-2020-2024 .figure")).to_contain_text(
        "-0.17"
    )
    loan = page.locator("#obs-loan-waiting-time-before-platform")
    expect(loan.locator(".figure")).to_have_text("两三个月")
    loan.locator("summary").click()
    expect(loan).to_contain_text("at least that long")
    # The quote and its source are one tap away.
    gdp.locator("summary").click()
    expect(gdp.locator("blockquote")).to_contain_text("2024年,全市完成地区生产总值2458.8亿元")
    expect(gdp.locator("blockquote")).to_contain_text("晋中日报")

    # The income ratio over time, the derived 2020 point drawn hollow.
    chart = page.locator("#chart-urban_rural_income_ratio-140700")
    expect(chart).to_contain_text("城乡居民人均可支配收入比值")
    expect(chart.locator('circle[data-derived="true"]')).to_have_count(1)
    expect(chart.locator('circle[data-derived="false"]')).to_have_count(1)
    expect(chart.locator("table")).to_contain_text("推算值")
    expect(chart.locator("table")).to_contain_text("约2.32")  # derived and approximate

    opening = page.locator("#event-yangshe-railway-opens time")
    expect(opening).to_have_text("2025-01-27")
    expect(opening).to_have_attribute("datetime", "2025-01-27")
    expect(page.locator("#timeline")).to_contain_text("2025-01-27 之前")
    expect(page.locator("#county-140722")).to_contain_text("左权核桃")
    expect(page.locator("#county-140727")).to_contain_text("报道未提及")

    page.get_by_label("搜索数字、事件、项目、引语").fill("煤层气")
    page.get_by_role("button", name="搜索", exact=True).click()
    total = httpx.get(f"{live_server}/v1/search", params={"q": "煤层气"}).json()["total"]
    assert total > 0
    expect(page.locator("#search-status")).to_have_text(f"“煤层气”:{total} 条结果")
    hits = page.locator("#search-results .hits li")
    expect(hits).to_have_count(min(total, 20))
    expect(hits.first.locator("mark").first).to_have_text("煤层气")
    href = hits.first.locator("a").get_attribute("href")
    assert href is not None
    assert href.startswith(f"{live_server}/v1/")

    page.screenshot(path=artifacts / "dashboard-desktop.png", full_page=True)
    assert outside(watched.requests) == []
    assert watched.errors == []
    assert any("/v1/observations" in u for u in watched.requests)
    # Everything over the wire (the page, its code, the API's answers), as sent: small.
    assert sum(watched.sizes) < 64 * 1024, sum(watched.sizes)


def test_language_switch_changes_labels_and_data(page: playwright.Page, live_server: str) -> None:
    watched = open_dashboard(page, live_server)
    expect(page.locator("h1")).to_have_text("晋中指标")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Jinzhong Indicators")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#figures-heading")).to_have_text("Headline figures")
    expect(page.locator("#obs-gdp-2024 h4")).to_have_text("Gross regional product", timeout=10_000)
    increase = page.locator("#obs-gdp-increase-2020-2024")
    expect(increase.locator(".figure")).to_contain_text("≈ 1,000")
    expect(increase.locator(".normalized")).to_have_text("= ≈ 100,000,000,000 CNY")
    expect(page.locator("#timeline")).to_contain_text("before 2025-10-24")
    expect(page.get_by_role("button", name="中文")).to_be_visible()
    # The choice is in the address, so a shared link opens in the same language.
    assert "lang=en" in page.url
    page.reload()
    expect(page.locator("h1")).to_have_text("Jinzhong Indicators")
    assert outside(watched.requests) == []
    assert watched.errors == []


def test_dashboard_works_from_the_keyboard(page: playwright.Page, live_server: str) -> None:
    open_dashboard(page, live_server)
    # Tab reaches the language switch; Enter works it.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "lang-switch":
            break
    else:
        pytest.fail("the language switch cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The search box has a label and submits with Enter.
    search = page.get_by_label("Search figures, events, projects and quotes")
    search.fill("Yangshe")
    search.press("Enter")
    expect(page.locator("#search-results .hits li").first).to_be_visible(timeout=10_000)


def test_dashboard_fits_a_phone(page: playwright.Page, live_server: str, artifacts: Path) -> None:
    page.set_viewport_size(PHONE)
    watched = open_dashboard(page, live_server)
    expect(page.locator("#timeline")).to_contain_text("2025-01-27")
    # Nothing is wider than the screen: no sideways scrolling on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    page.screenshot(path=artifacts / "dashboard-phone.png", full_page=True)
    assert watched.errors == []


def test_a_slow_answer_in_the_old_language_never_overwrites_the_new(
    page: playwright.Page, live_server: str
) -> None:
    # Hold the Chinese observations until the English page has been drawn, then let them
    # through: the page must stay English.
    held: list[playwright.Route] = []

    def hold_chinese(route: playwright.Route) -> None:
        if "lang=zh" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route("**/v1/observations?*", hold_chinese)
    watched = Watched(page)
    page.goto(f"{live_server}/")
    expect(page.locator("#status")).to_have_text("正在加载…")
    page.get_by_role("button", name="English").click()
    expect(page.locator("#obs-gdp-2024 h4")).to_have_text("Gross regional product", timeout=15_000)
    assert held
    for route in held:
        route.continue_()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#obs-gdp-2024 h4")).to_have_text("Gross regional product")
    expect(page.locator("#status")).to_be_empty()
    assert watched.errors == []


def test_map_draws_the_outlines_once_opened_in_both_languages(
    page: playwright.Page, live_server: str, artifacts: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    watched = open_dashboard(page, live_server)
    # Nothing of the map (its code, its outlines) is fetched before its section is opened.
    assert [u for u in watched.requests if "map.js" in u or "/boundaries" in u] == []
    page.locator("#map summary").click()
    counties = page.locator("#map-figure path.region")
    expect(counties).to_have_count(11)  # Jinzhong's counties, under the city's outline
    expect(page.locator("#map-figure path.outline")).to_have_count(1)
    expect(page.locator("#map-figure svg")).to_have_attribute(
        "aria-label", "晋中市地图,按记录提及的条数着色"
    )
    expect(page.locator('#map-figure path[data-code="140722"] title')).to_contain_text("左权县")
    expect(page.locator("#map-figure table")).to_contain_text("太谷区")
    assert any(
        u.startswith(f"{live_server}/v1/regions/140700/boundaries") for u in watched.requests
    )
    # Shanxi's cities, shaded by their 2021 GDP: every city has the figure.
    page.locator("#map-scope").select_option("140000")
    expect(page.locator('#map-figure path[data-code="140100"]')).to_have_count(1)
    page.locator("#map-measure").select_option("gdp|2021")
    expect(page.locator('#map-figure path.region[data-shade="figure"]')).to_have_count(11)
    expect(page.locator("#map-figure .legend").first).to_contain_text("地区生产总值, 2021")
    expect(page.locator("#map-figure table")).to_contain_text("5121.61亿元")  # 太原
    page.locator("#map").screenshot(path=artifacts / "dashboard-map.png")
    # The same map in English: names, legend and table change, the choices stay.
    page.get_by_role("button", name="English").click()
    expect(page.locator("#map summary")).to_have_text("Show the map")
    expect(page.locator("#map-figure table")).to_contain_text("Taiyuan", timeout=10_000)
    expect(page.locator("#map-figure .legend").first).to_contain_text(
        "Gross regional product, 2021"
    )
    expect(page.locator('#map-figure path.region[data-shade="figure"]')).to_have_count(11)
    expect(page.locator("#map-figure svg")).to_have_attribute(
        "aria-label", "Map of Shanxi Province, shaded by Gross regional product"
    )
    page.locator("#map").screenshot(path=artifacts / "dashboard-map-en.png")
    assert outside(watched.requests) == []
    assert watched.errors == []


def test_map_fits_a_phone(page: playwright.Page, live_server: str) -> None:
    page.set_viewport_size(PHONE)
    watched = open_dashboard(page, live_server)
    page.locator("#map summary").click()
    expect(page.locator("#map-figure path.region")).to_have_count(11)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    assert watched.errors == []
