"""The dashboard: one page at `/` that shows the record through the public /v1 API.

Its files (HTML, CSS, JavaScript, and the map's script, fetched only when the map is
opened) are our own and are served by the app; charts and the map are drawn as SVG by the
page's own code, so nothing is fetched from anywhere else and no third-party code is
shipped. A Content-Security-Policy holds the page to this server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
ASSETS = "/static/dashboard"
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class _Revalidated(StaticFiles):
    """Static files a browser must revalidate (by ETag) before each use: after a deploy the
    page never runs yesterday's script."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install_dashboard(app: FastAPI) -> None:
    """Serve the page at `/` and its files under /static/dashboard."""
    app.mount(ASSETS, _Revalidated(directory=STATIC), name="dashboard-assets")

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        # no-cache: revalidated by ETag on every visit, so a deploy shows at once.
        return FileResponse(
            STATIC / "index.html",
            headers={
                "Content-Security-Policy": POLICY,
                "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff",
            },
        )
