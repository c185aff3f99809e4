"""The dashboard's page and files as HTTP serves them: all from the app, held to this
server by a Content-Security-Policy, and small."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.dashboard import STATIC

# The page's own code over the wire, gzipped (HTML + CSS + JavaScript). Small on purpose:
# raise it only with a reason.
BUDGET_BYTES = 16 * 1024
# The map's script, fetched only when its section is opened (its data too: 30 KB at most per
# area, tests/api/test_boundaries.py).
MAP_BUDGET_BYTES = 6 * 1024


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
    for name in ["dashboard.js", "map.js"]:
        script = client.get(f"/static/dashboard/{name}")
        assert "javascript" in script.headers["content-type"]
        # The scripts talk to this server's API only.
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", script.text), name
    # The map's script is not on the page: the dashboard adds it when the map is opened.
    assert "map.js" not in page
    assert '"/static/dashboard/map.js"' in client.get("/static/dashboard/dashboard.js").text


def test_the_page_is_small(client: TestClient) -> None:
    files = sorted(p.name for p in STATIC.iterdir() if p.suffix in {".html", ".css", ".js"})
    assert files == ["dashboard.css", "dashboard.js", "index.html", "map.js"]
    sizes = {}
    for url in ["/", "/static/dashboard/dashboard.css", "/static/dashboard/dashboard.js"]:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip", url  # as a browser gets it
        sizes[url] = int(response.headers["content-length"])
    assert sum(sizes.values()) < BUDGET_BYTES, sizes
    lazy = client.get("/static/dashboard/map.js", headers={"Accept-Encoding": "gzip"})
    assert lazy.headers["content-encoding"] == "gzip"
    assert int(lazy.headers["content-length"]) < MAP_BUDGET_BYTES


def test_assets_are_revalidated_and_typed(client: TestClient) -> None:
    script = client.get("/static/dashboard/dashboard.js")
    assert script.headers["cache-control"] == "no-cache"
    assert script.headers["x-content-type-options"] == "nosniff"
    assert script.headers["etag"]
