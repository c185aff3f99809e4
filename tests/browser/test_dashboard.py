"""The dashboard in a real browser: the figures and what the checks say of them, the
timeline, the counties, search, the language switch; below the first screen the official
statistics, the railway from every source and the sources, with the API's numbers in both
languages; the map (fetched only once opened). Every request stays on 127.0.0.1 and the
console stays clean. Screenshots at desktop and phone widths, and of the map, are saved under
the test artifacts (var/test-artifacts/)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

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
        self.sizes: dict[str, int] = {}
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "requestfinished",
            lambda request: self.sizes.__setitem__(
                request.url,
                request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"],
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


def open_dashboard(page: playwright.Page, base: str, path: str = "/") -> Watched:
    watched = Watched(page)
    page.goto(f"{base}{path}")
    expect(page.locator("#figures article").first).to_be_visible(timeout=15_000)
    expect(page.locator("#status")).to_be_empty()
    return watched


def open_depth(page: playwright.Page, base: str, lang: str) -> Watched:
    """The page in `lang` with the sections below the first screen drawn."""
    watched = open_dashboard(page, base, f"/?lang={lang}")
    expect(page.locator("#depth")).to_be_visible(timeout=15_000)
    expect(page.locator("#status")).to_be_empty()
    return watched


def items(base: str, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of an API list (a list value repeats its parameter)."""
    query = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])]
    page = httpx.get(f"{base}{path}", params=[*query, ("all", "true")])
    assert page.status_code == 200, page.text
    return list(page.json()["items"])


def say(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def test_dashboard_shows_the_record(
    page: playwright.Page, live_server: str, artifacts: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    watched = open_dashboard(page, live_server)
    expect(page.locator("#depth")).to_be_visible(timeout=15_000)
    page.screenshot(path=artifacts / "desktop.png")
    page.locator("section[aria-labelledby=official-heading]").screenshot(
        path=artifacts / "official-desktop.png"
    )

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
    # The quote and its source are one tap away (the card's other summaries are its checks).
    gdp.locator("summary", has_text="出处").click()
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
    href = hits.first.get_by_role("link", name="JSON").get_attribute("href")
    assert href is not None
    assert href.startswith(f"{live_server}/v1/")

    page.screenshot(path=artifacts / "dashboard-desktop.png", full_page=True)
    assert outside(watched.requests) == []
    assert watched.errors == []
    assert any("/v1/observations" in u for u in watched.requests)
    assert_small(watched)
    # The cards take their topic from the figures: no request for every indicator.
    assert not [u for u in watched.requests if "/v1/indicators" in u]
    assert len(watched.requests) <= 27, watched.requests  # 21 + depth.js's 5 + 1 search


def assert_small(watched: Watched) -> None:
    """Everything over the wire (the page, its code, the API's answers), as sent, is small:
    the first screen (what was asked before depth.js: 3 files and 18 answers) and the whole
    page."""
    depth = next(i for i, u in enumerate(watched.requests) if u.endswith("/depth.js"))
    first = sum(watched.sizes.get(u, 0) for u in watched.requests[:depth])
    assert first < 64 * 1024, [(u, watched.sizes.get(u, 0)) for u in watched.requests[:depth]]
    assert sum(watched.sizes.values()) < 96 * 1024, sum(watched.sizes.values())


def test_english_page_is_as_small(page: playwright.Page, live_server: str) -> None:
    # The English page names units in English from the figures themselves (unit_name_en):
    # no request of its own, and the same budgets as the Chinese page.
    watched = open_depth(page, live_server, "en")
    assert_small(watched)
    assert not [u for u in watched.requests if "/v1/units" in u or "/v1/indicators" in u]
    assert len(watched.requests) <= 26, watched.requests  # 21 + depth.js's 5


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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard_fits_a_phone(
    page: playwright.Page, live_server: str, artifacts: Path, lang: str
) -> None:
    page.set_viewport_size(PHONE)
    watched = open_depth(page, live_server, lang)
    expect(page.locator("#timeline")).to_contain_text("2025-01-27")
    if lang == "en":
        page.screenshot(path=artifacts / "phone-en.png")
    # Nothing is wider than the screen, with every table and note open: no sideways scrolling.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    page.screenshot(path=artifacts / f"dashboard-phone-{lang}.png", full_page=True)
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


def test_report_figures_say_what_the_checks_found(page: playwright.Page, live_server: str) -> None:
    open_dashboard(page, live_server)
    gdp = page.locator("#obs-gdp-2024")
    readings = httpx.get(f"{live_server}/v1/checks", params={"observation": "gdp-2024"}).json()
    expect(gdp.locator("details.check")).to_have_count(readings["total"])
    # First the plainest corroboration: the bulletin prints the same figure.
    agree = httpx.get(f"{live_server}/v1/checks/sources-agree-gdp-2024").json()
    assert agree["verdict"] == "equal"
    mark = gdp.locator("details.check").first
    expect(mark.locator("summary")).to_contain_text("核对: 相等")
    expect(mark.locator("summary")).to_contain_text("《晋中市2024年国民经济和社会发展统计公报》")
    mark.locator("summary").click()
    expect(mark).to_contain_text(agree["sentence_zh"])
    expect(mark).to_contain_text("对照值 2458.8亿元 · 实际值 2458.8亿元 · 容差 0.05亿元")
    expect(mark.get_by_role("link", name="核对记录")).to_have_attribute("href", agree["url"])
    # A figure no check reads claims nothing.
    expect(page.locator("#obs-foreign-trade-enterprises-2021-2025 .check")).to_have_text(
        "无从核对:记录中没有其他来源给出可对照的数字。"
    )
    page.get_by_role("button", name="English").click()
    mark = page.locator("#obs-gdp-2024 details.check").first
    expect(mark.locator("summary")).to_contain_text("Check: equal", timeout=10_000)
    expect(mark.locator("summary")).to_contain_text("Statistical Communiqué on the 2024")
    mark.locator("summary").click()
    expect(mark).to_contain_text(agree["sentence_en"])
    expect(page.locator("#obs-foreign-trade-enterprises-2021-2025 .check")).to_contain_text(
        "Not checked: no other source"
    )


# The 2024 bulletin's three sectors as printed: value added (亿元), share (%), growth (%).
SECTORS_2024 = {
    "primary": ["153.8", "6.2", "3.8"],
    "secondary": ["1051.7", "42.8", "2.0"],
    "tertiary": ["1253.2", "51.0", "2.2"],
}
# English groups thousands and keeps the printed decimals.
GROUPED = {"1051.7": "1,051.7", "1253.2": "1,253.2", "1843.4": "1,843.4", "2458.8": "2,458.8"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_official_statistics_show_the_records_figures(
    page: playwright.Page, live_server: str, lang: str
) -> None:
    watched = open_depth(page, live_server, lang)

    def shown(printed: str) -> str:
        return GROUPED.get(printed, printed) if lang == "en" else printed

    # The three sectors of 2024, as the bulletin prints them, in the table and in the bar.
    printed = {
        o["indicator"]: o["value_as_published"]
        for o in items(live_server, "/v1/observations", region="140700", start="2024", end="2024")
    }
    for sector, numbers in SECTORS_2024.items():
        codes = [f"value_added_{sector}", f"share_{sector}", f"value_added_{sector}_growth"]
        assert [printed[c] for c in codes] == numbers
        expect(page.locator(f"#sector-{sector} td")).to_have_text([shown(n) for n in numbers])
    expect(page.locator("#official-sectors .stack")).to_have_attribute(
        "aria-label",
        say(
            lang,
            "第一产业 6.2%, 第二产业 42.8%, 第三产业 51.0%",
            "Primary 6.2 %, Secondary 42.8 %, Tertiary 51.0 %",
        ),
    )
    expect(page.locator("#official-sectors tbody tr").last).to_contain_text(shown("2458.8"))

    # GDP over time: a point for each figure the record has, and no row (no 0) for a year
    # it lacks.
    levels = items(
        live_server, "/v1/observations", region="140700", indicator=["gdp", "value_added_secondary"]
    )
    gdp_years = [o["period"] for o in levels if o["indicator"] == "gdp"]
    assert gdp_years == ["2020", "2021", "2024"]
    chart = page.locator("#official-levels")
    expect(chart.locator("circle")).to_have_count(len(levels))
    expect(chart.locator("circle.derived")).to_have_count(sum(o["derived"] for o in levels))
    expect(chart.locator(".legend li").first).to_contain_text(say(lang, "(3个年份)", "(3 years)"))
    expect(chart.locator("tbody tr")).to_have_count(len({o["period"] for o in levels}))
    expect(chart.locator("tbody")).not_to_contain_text("2022")
    expect(chart.locator("tbody tr", has_text="2024")).to_contain_text(shown("2458.8"))
    growth = items(
        live_server,
        "/v1/observations",
        region="140700",
        indicator=["gdp_growth", "gdp_growth_basis_unstated"],
    )
    expect(page.locator("#official-growth rect")).to_have_count(len(growth))

    people = page.locator("#official-people")
    for zh, en in [
        ("3338533人", "3,338,533 persons"),
        ("63.96%", "63.96 %"),
        ("-2.06‰", "-2.06 ‰"),
    ]:
        expect(people).to_contain_text(say(lang, zh, en))

    # Jinzhong among Shanxi's cities in 2021, at the rank the source gives it.
    ranks = items(
        live_server,
        "/v1/observations",
        source="shanxi-cities-gdp-2021",
        indicator="gdp_rank_province",
    )
    rank = int(next(o["value"] for o in ranks if o["region"] == "140700"))
    assert rank == 7
    rows = page.locator("#official-cities tbody tr")
    expect(rows).to_have_count(len(ranks))
    expect(rows.nth(rank - 1)).to_have_id("city-140700")
    home = page.locator("#city-140700")
    expect(home).to_have_class("home")
    expect(home.locator("td").first).to_have_text(str(rank))
    expect(home).to_contain_text(shown("1843.4"))
    expect(page.locator("#official-cities")).to_contain_text(
        say(
            lang,
            f"晋中市在{len(ranks)}个市中居第{rank}位",
            f"Jinzhong is No. {rank} of {len(ranks)}",
        )
    )

    # Taigu district's 2023 figures, every one of them a tap away.
    taigu = items(live_server, "/v1/observations", region="140703", start="2023", end="2023")
    district = page.locator("#district-140703")
    expect(district.locator("h3")).to_have_text(say(lang, "太谷区2023年", "Taigu District, 2023"))
    expect(district).to_contain_text(say(lang, "124亿元", "124 × 100 million yuan"))
    expect(district.locator(".stack")).to_contain_text(say(lang, "53.6%", "53.6 %"))
    district.locator("summary").click()
    expect(district.locator("summary")).to_have_text(
        say(lang, f"全部{len(taigu)}项数字", f"All {len(taigu)} figures")
    )
    expect(district.locator("tbody tr")).to_have_count(len(taigu))
    assert watched.errors == []
    assert outside(watched.requests) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_railway_timeline_tells_every_source_and_marks_the_announcement(
    page: playwright.Page, live_server: str, lang: str
) -> None:
    watched = open_depth(page, live_server, lang)
    events = [
        e
        for e in items(live_server, "/v1/events", entity="yangshe-railway")
        if "2022-07-06" <= e["period_end"] <= "2025-01-28"
    ]
    assert len({e["source"] for e in events}) == 4
    timeline = page.locator("#railway > li")
    expect(timeline).to_have_count(len(events))
    expect(timeline.first.locator("time")).to_have_text("2022-07-06")
    expect(timeline.last.locator("time")).to_have_text("2025-01-28")
    # Each moment says where it is told.
    expect(page.locator("#railway > li > p.meta")).to_have_count(len(events))
    expect(page.locator("#railway > li > p.meta").first).to_contain_text(
        say(
            lang, "来源: 《左权 和顺 昔阳 正式开通客运列车》", "Source: “Zuoquan, Heshun and Xiyang"
        )
    )
    opening = page.locator("#rail-yangshe-railway-opens > p.meta")
    expect(opening).to_contain_text(
        say(lang, "晋中日报 · 2025-10-24", "Jinzhong Daily · 2025-10-24")
    )
    # The announced opening of 20 January is shown as a claim that did not come true.
    announced = [e for e in events if e["status"] == "announced"]
    assert [e["code"] for e in announced] == ["yangshe-pre-opening-announcement-announced-opening"]
    claim = page.locator("#rail-yangshe-pre-opening-announcement-announced-opening")
    expect(claim).to_have_class("announced")
    expect(claim.locator(".badge")).to_have_text(
        say(lang, "宣布过,未按期实现", "Announced; did not happen as announced")
    )
    expect(claim.locator("p.meta").first).to_contain_text(say(lang, "未经核实", "unverified"))
    expect(page.locator("#railway .badge.announced")).to_have_count(1)
    assert watched.errors == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sources_panel_lists_every_source_with_its_reliability(
    page: playwright.Page, live_server: str, lang: str
) -> None:
    watched = open_depth(page, live_server, lang)
    sources = items(live_server, "/v1/sources", lang=lang)
    assert len(sources) == 11  # ten documents and the map's outlines (a dataset)
    expect(page.locator("#sources-heading")).to_have_text(say(lang, "来源", "Sources"))
    expect(page.locator("#source-list > li")).to_have_count(len(sources))
    bulletin = page.locator("#source-jinzhong-bulletin-2024")
    expect(bulletin.locator("h3")).to_have_text(
        next(s["title"] for s in sources if s["code"] == "jinzhong-bulletin-2024")
    )
    expect(bulletin.locator(".badge").first).to_have_text(
        say(lang, "统计公报", "statistical bulletin")
    )
    expect(bulletin.locator(".badge").nth(1)).to_have_text(
        say(lang, "可靠性:一手", "Reliability: primary")
    )
    expect(bulletin).to_contain_text(say(lang, "28个数字", "28 figures"))
    # The reliability note on demand.
    note = next(s["reliability_note"] for s in sources if s["code"] == "jinzhong-bulletin-2024")
    expect(bulletin.locator("details p")).not_to_be_visible()
    bulletin.locator("summary").click()
    expect(bulletin.locator("details p")).to_have_text(note)
    expect(page.locator("#source-yangshe-pre-opening-announcement .badge").nth(1)).to_have_text(
        say(lang, "可靠性:未经核实", "Reliability: unverified")
    )
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


# Chinese characters (CJK Unified Ideographs and Extension A).
HAN = re.compile(r"[\u3400-\u9fff]")


def unit_names(base: str) -> dict[str, str]:
    """Each unit's English name (without the curators' gloss in brackets), by code."""
    return {u["code"]: u["name_en"].split(" (")[0] for u in items(base, "/v1/units")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_units_and_lists_read_in_the_pages_language(
    page: playwright.Page, live_server: str, lang: str
) -> None:
    watched = open_depth(page, live_server, lang)
    names = unit_names(live_server)
    # English names a unit printed in Chinese (亿元 → 100 million yuan; a unit that is itself
    # a number multiplies); the unit as printed stays on hand, on the unit.
    gdp = page.locator("#obs-gdp-2024")
    expect(gdp.locator(".figure")).to_have_text(
        say(lang, "2458.8亿元", f"2,458.8 × {names['cny_100m']}")
    )
    if lang == "en":
        expect(gdp.locator(".unit")).to_have_attribute("title", "As printed: 亿元")
    expect(page.locator("#obs-clean-heating-households-2021-2025 .figure")).to_have_text(
        say(lang, "20万户", f"20 × {names['household_10k']}")
    )
    depth = page.locator("#obs-coalbed-methane-depth-yushe-wuxiang .figure")
    expect(depth).to_have_text(say(lang, "1200米", f"1,200 {names['metre']}"))
    expect(page.locator("#obs-advanced-coal-capacity-share-2021-2025 .figure")).to_have_text(
        say(lang, "97%", "97 %")  # a sign is the same in both languages
    )
    expect(page.locator("#county-140721")).to_contain_text(
        say(lang, "1200米", f"1,200 {names['metre']}")
    )
    expect(page.locator("#official-people")).to_contain_text(
        say(lang, "3338533人", f"3,338,533 {names['person']}")
    )
    expect(page.locator("#official-cities th").nth(2)).to_have_text(
        say(lang, "地区生产总值 (亿元)", f"Gross regional product ({names['cny_100m']})")
    )
    if lang == "en":
        # No figure, chart or check on the English page shows a unit in Chinese.
        shown_units = page.locator(".figure, #charts td, #official td, #official dd")
        assert shown_units.count() > 0
        for shown in shown_units.all():
            assert not HAN.search(shown.text_content() or ""), shown.text_content()
        check = gdp.locator("details.check").first
        check.locator("summary").click()
        expect(check).to_contain_text(f"Expected 2458.8 × {names['cny_100m']}")

    # A list of places is joined as the language joins it.
    regions = {r["code"]: r["name"] for r in items(live_server, "/v1/regions", lang=lang)}
    joiner = say(lang, "、", ", ")
    rail = httpx.get(f"{live_server}/v1/observations/passenger-rail-wait-2025-01-27").json()
    card = page.locator("#obs-passenger-rail-wait-2025-01-27 p.meta").first
    expect(card).to_contain_text(joiner.join(regions[c] for c in rail["regions"]))
    opening = httpx.get(f"{live_server}/v1/events/yangshe-railway-opens").json()
    about = page.locator("#event-yangshe-railway-opens > p.meta")
    expect(about).to_contain_text(joiner.join(regions[c] for c in opening["regions"]))
    others = [regions[c] for c in rail["regions"] if c != "140722"]
    expect(page.locator("#county-140722")).to_contain_text(joiner.join(others))
    if lang == "en":
        expect(card).not_to_contain_text("、")
        expect(about).not_to_contain_text("、")
    assert watched.errors == []


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# Two searches in each language, both with hits.
SEARCHES = {"zh": ["煤层气", "阳涉铁路"], "en": ["coalbed methane", "Yangshe"]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_is_kept_in_the_address(page: playwright.Page, live_server: str, lang: str) -> None:
    first, second = SEARCHES[lang]

    def shows(query: str) -> None:
        total = httpx.get(f"{live_server}/v1/search", params={"q": query, "lang": lang})
        expected = total.json()["total"]
        assert expected > 0
        expect(page.locator("#q")).to_have_value(query)
        expect(page.locator("#search-status")).to_have_text(
            say(lang, f"“{query}”:{expected} 条结果", f"“{query}”: {expected} results")
        )
        expect(page.locator("#search-results .hits li")).to_have_count(min(expected, 20))

    # A shared link reopens the search, in its language.
    watched = open_dashboard(page, live_server, f"/?{urlencode({'lang': lang, 'q': first})}")
    shows(first)
    page.locator("#q").fill(second)
    page.locator("#q").press("Enter")
    shows(second)
    assert query_of(page.url) == {"lang": [lang], "q": [second]}
    # Back and forward walk the searches.
    page.go_back()
    shows(first)
    assert query_of(page.url)["q"] == [first]
    page.go_forward()
    shows(second)
    page.reload()
    shows(second)
    # The language switch keeps the search.
    page.locator("#lang-switch").click()
    other = say(lang, "en", "zh")
    expect(page.locator("html")).to_have_attribute("lang", say(other, "zh-Hans", "en"))
    assert query_of(page.url) == {"lang": [other], "q": [second]}
    expect(page.locator("#q")).to_have_value(second)
    # The address says the language too: back is the first search in its language.
    page.go_back()
    expect(page.locator("#q")).to_have_value(first)
    expect(page.locator("html")).to_have_attribute("lang", say(lang, "zh-Hans", "en"))
    shows(first)
    assert outside(watched.requests) == []
    assert watched.errors == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_search_result_opens_in_the_page(
    page: playwright.Page, live_server: str, lang: str
) -> None:
    watched = open_dashboard(page, live_server, f"/?lang={lang}&q=2458.8")
    names = unit_names(live_server)
    gdp = httpx.get(f"{live_server}/v1/observations/gdp-2024", params={"lang": lang}).json()
    source = httpx.get(f"{live_server}/v1/sources/{gdp['source']}", params={"lang": lang}).json()
    hit = page.locator("#search-results .hits li").first
    # The JSON stays a secondary link beside the result.
    expect(hit.get_by_role("link", name="JSON")).to_have_attribute("href", gdp["url"])
    hit.locator("a").first.click()
    panel = page.locator("#result")
    expect(panel).to_be_visible()
    assert urlsplit(page.url).path == "/"  # no navigation to the JSON
    assert query_of(page.url)["show"] == ["/v1/observations/gdp-2024"]
    expect(panel.locator("h3")).to_have_text(gdp["indicator_name"])
    expect(panel.locator(".figure")).to_have_text(
        say(lang, "2458.8亿元", f"2,458.8 × {names['cny_100m']}")
    )
    expect(panel).to_contain_text(f"{gdp['period']} · {gdp['region_name']}")
    expect(panel.locator("blockquote")).to_contain_text(gdp["quote"])
    expect(panel.locator("blockquote")).to_contain_text(source["publication"])
    expect(panel.get_by_role("link", name=source["title"])).to_have_attribute("href", source["url"])
    expect(panel.get_by_role("link", name="JSON")).to_have_attribute("href", gdp["url"])
    # A shared link reopens the result; back closes it, forward opens it again.
    page.reload()
    expect(page.locator("#result .figure")).to_contain_text("2")
    expect(page.locator("#result h3")).to_have_text(gdp["indicator_name"])
    page.go_back()
    expect(panel).to_be_hidden()
    expect(page.locator("#search-results .hits li").first).to_be_visible()
    page.go_forward()
    expect(panel.locator("h3")).to_have_text(gdp["indicator_name"])
    panel.get_by_role("button", name=say(lang, "关闭", "Close")).click()
    expect(panel).to_be_hidden()
    assert "show" not in query_of(page.url)

    # Every kind of result has its panel, in the page's language.
    kinds = {
        "/v1/events/yangshe-railway-opens": ("title", "description"),
        "/v1/entities/zuoquan-walnut": ("name", "description"),
        "/v1/quotes/business-bureau-principle": ("speaker", "text"),
        "/v1/indicators/gdp": ("name", "definition"),
        "/v1/regions/140722": ("name", "name_zh"),
    }
    for path, (heading, body) in kinds.items():
        record = httpx.get(f"{live_server}{path}", params={"lang": lang}).json()
        page.goto(f"{live_server}/?{urlencode({'lang': lang, 'show': path})}")
        expect(panel.locator("h3")).to_have_text(record[heading], timeout=10_000)
        expect(panel).to_contain_text(record[body])
        expect(panel.get_by_role("link", name="JSON")).to_have_attribute("href", record["url"])
    # Only this server's records open: another address in the link is ignored.
    page.goto(f"{live_server}/?show=//example.org/v1/x")
    expect(page.locator("#figures article").first).to_be_visible(timeout=15_000)
    expect(panel).to_be_hidden()
    assert outside(watched.requests) == []
    assert watched.errors == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_counties_the_report_does_not_mention_are_collapsed(
    page: playwright.Page, live_server: str, lang: str
) -> None:
    watched = open_dashboard(page, live_server, f"/?lang={lang}")
    report = "jzrb-2025-10-24-p03"
    counties = [r["code"] for r in items(live_server, "/v1/regions") if r["parent"] == "140700"]
    named = {
        code
        for path in ["/v1/observations", "/v1/events", "/v1/quotes"]
        for item in items(live_server, path)
        if item["source"] == report
        for code in item["regions"]
    }
    named |= {
        code
        for code in counties
        if any(e["source"] == report for e in items(live_server, "/v1/entities", region=code))
    }
    mentioned = [c for c in counties if c in named]
    silent = [c for c in counties if c not in named]
    assert mentioned
    assert silent
    shown = page.locator("#counties > article.county")
    expect(shown).to_have_count(len(mentioned))
    assert [a.get_attribute("id") for a in shown.all()] == [f"county-{c}" for c in mentioned]
    more = page.locator("#counties details.more")
    expect(more.locator("summary")).to_have_text(
        say(
            lang,
            f"另外{len(silent)}个县(市、区)报道未提及",
            f"{len(silent)} more counties and districts the report does not mention",
        )
    )
    for code in silent:
        expect(page.locator(f"#county-{code}")).to_be_hidden()
    more.locator("summary").click()
    for code in silent:
        expect(page.locator(f"#county-{code}")).to_be_visible()
        expect(page.locator(f"#county-{code}")).to_contain_text(
            say(lang, "报道未提及。", "Not mentioned in the report.")
        )
    assert watched.errors == []
