"""The dashboard's page and files as HTTP serves them: all from the app, held to this
server by a Content-Security-Policy, and small: the first screen's code within one budget,
the code of the sections below it (fetched once the first screen is drawn) within another."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.dashboard import STATIC

# The page's own code for its first screen over the wire, gzipped (HTML + CSS + JavaScript).
# Small on purpose: raise it only with a reason.
BUDGET_BYTES = 16 * 1024
# depth.js: the sections below the first screen (the official statistics, the railway from
# every source, the sources), which the page fetches only once its first screen is drawn.
# Together they would not fit the budget above (about 19 KB), so they have their own.
DEPTH_BUDGET_BYTES = 8 * 1024
# map.js: the map, fetched only when its section is opened (its data too: 30 KB at most per
# area, tests/api/test_boundaries.py).
MAP_BUDGET_BYTES = 6 * 1024
# result.js: a search result opened in the page, fetched the first time one is opened.
RESULT_BUDGET_BYTES = 3 * 1024
SCRIPTS = [
    "/static/dashboard/dashboard.js",
    "/static/dashboard/depth.js",
    "/static/dashboard/map.js",
    "/static/dashboard/result.js",
]


def test_root_serves_the_dashboard(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["etag"]


def test_every_asset_comes_from_the_app(client: TestClient) -> None:
    page = client.get("/").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls
    for url in urls:
        if url.startswith(("data:", "#")):  # inline, or a place on the page itself
            continue
        assert url.startswith("/"), url  # nothing from another host
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url
    for url in SCRIPTS:
        script = client.get(url)
        assert "javascript" in script.headers["content-type"], url
        # The scripts talk to this server's API only.
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", script.text), url
    # The map's and the result panel's scripts are not on the page: the dashboard adds each
    # when it is first needed.
    code = client.get("/static/dashboard/dashboard.js").text
    for lazy in ["map.js", "result.js"]:
        assert lazy not in page
        assert f'"/static/dashboard/{lazy}"' in code


def test_the_page_is_small(client: TestClient) -> None:
    files = sorted(p.name for p in STATIC.iterdir() if p.suffix in {".html", ".css", ".js"})
    assert files == [
        "dashboard.css",
        "dashboard.js",
        "depth.js",
        "index.html",
        "map.js",
        "result.js",
    ]
    sizes = {}
    for url in ["/", "/static/dashboard/dashboard.css", *SCRIPTS]:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip", url  # as a browser gets it
        sizes[url] = int(response.headers["content-length"])
    depth, lazy_map, result = (sizes.pop(url) for url in SCRIPTS[1:])
    assert sum(sizes.values()) < BUDGET_BYTES, sizes
    assert depth < DEPTH_BUDGET_BYTES, depth
    assert lazy_map < MAP_BUDGET_BYTES, lazy_map
    assert result < RESULT_BUDGET_BYTES, result


def test_assets_are_revalidated_and_typed(client: TestClient) -> None:
    for url in SCRIPTS:
        script = client.get(url)
        assert script.headers["cache-control"] == "no-cache", url
        assert script.headers["x-content-type-options"] == "nosniff", url
        assert script.headers["etag"], url
