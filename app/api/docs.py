"""The docs pages, with every asset served from this app (no CDN): Swagger UI and ReDoc come
from the installed fastapi-offline package."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from app.api.contract import state_the_contract
from app.api.deps import MAX_LATEST
from app.api.formats import JSONSTAT_SCHEMA
from app.api.routing import CSV_SUFFIX

ASSETS = "/static/docs"
REDOC_JS = "/static/redoc/redoc.standalone.js"
# ReDoc's bundle shows its vendor's logo from a CDN, with no option to turn it off; the app
# serves the installed bundle with that one address pointed at a local image instead.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
_DOCS_ASSETS = files("fastapi_offline") / "static"
# Both pages may load only from this server, so the docs work offline and leak nothing. Of
# inline scripts, only the page's own bootstrap runs (named by its hash, see docs_policy); the
# two bundles write inline styles at run time, which styles must allow. No page may frame them.
DOCS_POLICY = (
    "default-src 'self'; script-src {scripts}; worker-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_policy(page: bytes) -> str:
    """The docs' Content-Security-Policy for `page`, allowing each of its inline scripts by
    its SHA-256 hash (CSP level 2) and no other inline script."""
    digests = (hashlib.sha256(s.encode()).digest() for s in _INLINE_SCRIPT.findall(page.decode()))
    hashes = [f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests]
    return DOCS_POLICY.format(scripts=" ".join(["'self'", "blob:", *hashes]))


@functools.cache
def redoc_script() -> bytes:
    """ReDoc's bundle, its logo taken from this server: read at its first request (a
    megabyte, a sixtieth of a start when every app read it as it was made), then kept."""
    bundle = (_DOCS_ASSETS / "redoc.standalone.js").read_text(encoding="utf-8")
    return bundle.replace(REDOC_LOGO, f"{ASSETS}/favicon.png").encode()


def install_docs(app: FastAPI) -> None:
    """Serve /docs (Swagger UI) and /redoc (ReDoc) with local assets."""
    app.mount(ASSETS, StaticFiles(directory=str(_DOCS_ASSETS)), name="docs-assets")
    title = app.title
    openapi_url = app.openapi_url or "/openapi.json"

    # Both pages are the same bytes on every visit: rendered, and their policies hashed, once.
    swagger_page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{title} — API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon.png",
        # No badge from the public validator: nothing leaves this server.
        swagger_ui_parameters={"validatorUrl": None},
    ).body
    redoc_page = get_redoc_html(
        openapi_url=openapi_url,
        title=f"{title} — ReDoc",
        redoc_js_url=REDOC_JS,
        redoc_favicon_url=f"{ASSETS}/favicon.png",
        with_google_fonts=False,
    ).body
    swagger_policy = docs_policy(bytes(swagger_page))
    redoc_policy = docs_policy(bytes(redoc_page))

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger_page, headers={"Content-Security-Policy": swagger_policy})

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(redoc_page, headers={"Content-Security-Policy": redoc_policy})

    @app.get(REDOC_JS, include_in_schema=False)
    def redoc_bundle() -> Response:
        return Response(
            redoc_script(),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=86400"},
        )


# What `latest` takes: true or false, or a number of periods (the route reads it as text, to
# tell latest=0, a mistake, from latest=false).
LATEST_SCHEMA = {
    "anyOf": [{"type": "boolean"}, {"type": "integer", "minimum": 1, "maximum": MAX_LATEST}]
}


JSONSTAT_NAME = "JsonStatDataset"
JSONSTAT_REF = f"#/components/schemas/{JSONSTAT_NAME}"


def extend_openapi(app: FastAPI, *, max_query_bytes: int) -> None:
    """Document what the models cannot say: an observation list's JSON may be JSON-stat,
    a list's `.csv` twin answers only CSV, `latest` is a boolean or a number, and what every
    operation shares (app.api.contract)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            for path, operation in schema["paths"].items():
                get = operation.get("get", {})
                if path.endswith(CSV_SUFFIX) and "200" in get.get("responses", {}):
                    # A list's CSV twin answers only CSV; FastAPI also lists its model's JSON.
                    get["responses"]["200"]["content"] = {
                        "text/csv": {"schema": {"type": "string"}}
                    }
                if get.get("operationId") in {"listObservations", "listIndicatorObservations"}:
                    content = get["responses"]["200"]["content"]["application/json"]
                    shapes = content["schema"].get("anyOf", [content["schema"]])
                    content["schema"] = {"anyOf": [*shapes, {"$ref": JSONSTAT_REF}]}
                for parameter in get.get("parameters", []):
                    if parameter["name"] == "latest":
                        described = parameter["schema"].get("description")
                        parameter["schema"] = {**LATEST_SCHEMA, "description": described}
            # One named schema, not a copy per operation: a generated client has one class.
            schema["components"]["schemas"][JSONSTAT_NAME] = JSONSTAT_SCHEMA
            state_the_contract(schema, max_query_bytes=max_query_bytes)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
