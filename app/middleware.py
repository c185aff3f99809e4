"""ASGI middleware of our own."""

from __future__ import annotations

import json

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Longer query strings are refused (414) before any parsing: no filter needs more.
MAX_QUERY_BYTES = 8192


class HttpTidyMiddleware:
    """Three things HTTP expects that the framework leaves to us.

    - An absurdly long query string is a 414, not work.
    - HEAD is answered wherever GET is: same status and headers, no body (RFC 9110 9.3.2).
      FastAPI routes declare GET only; without this, `curl -I` would get a 405.
    - Vary names each header once: the routes, the language dependency and gzip each add
      theirs, and a cache should not have to read the same name twice.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            await _too_long(scope, send)
            return
        head = scope["method"] == "HEAD"

        async def tidy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "vary" in headers:
                    names = [v.strip() for v in headers["vary"].split(",") if v.strip()]
                    headers["vary"] = ", ".join(dict.fromkeys(n.title() for n in names))
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"} if head else scope, receive, tidy)


async def _too_long(scope: Scope, send: Send) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "URI Too Long",
            "status": 414,
            "detail": f"The query string is longer than {MAX_QUERY_BYTES} bytes.",
            "instance": scope.get("path", ""),
        }
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 414, "headers": headers})
    await send({"type": "http.response.body", "body": body})
