"""The dashboard's page and files as HTTP serves them: all from the app, held to this
server by a Content-Security-Policy, and small."""

from __future__ import annotations

import gzip
import re

from fastapi.testclient import TestClient

from app.dashboard import STATIC

# The page's own code over the wire, gzipped (HTML + CSS + JavaScript). Small on purpose:
# raise it only with a reason.
BUDGET_BYTES = 16 * 1024


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
    script = client.get("/static/dashboard/dashboard.js")
    assert "javascript" in script.headers["content-type"]
    # The script talks to this server's API only.
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", script.text)


def test_the_page_is_small() -> None:
    sizes = {
        path.name: len(gzip.compress(path.read_bytes()))
        for path in STATIC.iterdir()
        if path.suffix in {".html", ".css", ".js"}
    }
    assert set(sizes) == {"index.html", "dashboard.css", "dashboard.js"}
    assert sum(sizes.values()) < BUDGET_BYTES, sizes
