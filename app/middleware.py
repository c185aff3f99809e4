"""ASGI middleware of our own."""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


# Bodies larger than this are not kept: rare, and they would crowd out the many small ones.
MAX_KEPT_BODY = 2 * 1024 * 1024
# Request headers that can change a response's bytes (content, language, encoding, CORS).
_KEYED = (b"host", b"accept", b"accept-language", b"accept-encoding", b"origin")


@dataclass
class _Kept:
    version: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


class FastPathMiddleware:
    """Answer a repeated data GET from its finished bytes, before routing, validation, the
    queries, serialization or compression: a dashboard refreshing the same view costs a
    dictionary lookup.

    An entry is keyed by the exact request (path, query string and the headers that can
    change the bytes) and belongs to a data version: once the data changes (as the app reads
    it, every DATA_VERSION_TTL seconds), old entries are never served and age out. Only 200s
    that carry an ETag are kept, so errors always go through the app. A matching
    If-None-Match gets a 304 from the same entry.
    """

    def __init__(self, app: ASGIApp, budget_bytes: int, version: Callable[[Any], Any]) -> None:
        self.app = app
        self.budget = budget_bytes
        self.used = 0
        self.entries: OrderedDict[tuple[bytes, ...], _Kept] = OrderedDict()
        self.version = version
        # Requests being computed: identical ones arriving meanwhile wait for the first.
        self.pending: dict[tuple[bytes, ...], asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or self.budget == 0
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith("/v1/")
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = (
            scope["path"].encode(),
            scope["query_string"],
            *(headers.get(h, b"") for h in _KEYED),
        )
        try:
            version = (await self.version(scope["app"].state)).version
        except Exception:  # the database is unwell: let the app answer (503, /readyz)
            await self.app(scope, receive, send)
            return
        kept = self.entries.get(key)
        if kept is not None and kept.version == version and self._replayable(kept, headers):
            self.entries.move_to_end(key)
            await self._replay(kept, scope, headers, send)
            return
        if scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        waiting = self.pending.get(key)
        if waiting is not None:  # the same request is being computed: wait, then replay
            await waiting.wait()
            kept = self.entries.get(key)
            if kept is not None and kept.version == version and self._replayable(kept, headers):
                await self._replay(kept, scope, headers, send)
                return
        done = self.pending.setdefault(key, asyncio.Event())
        try:
            await self._compute(key, version, scope, receive, send)
        finally:
            if self.pending.get(key) is done:
                del self.pending[key]
            done.set()

    async def _compute(
        self, key: tuple[bytes, ...], version: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._keep(key, version, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    def _keep(self, key: tuple[bytes, ...], version: str, start: Message, body: bytes) -> None:
        headers = list(start.get("headers", []))
        etag = next((v for k, v in headers if k.lower() == b"etag"), None)
        if (
            start.get("status") != 200
            or etag is None
            or len(body) > min(MAX_KEPT_BODY, self.budget)
        ):
            return
        self.entries[key] = _Kept(version, 200, headers, body, etag)
        self.used += len(body)
        while self.used > self.budget:
            _, old = self.entries.popitem(last=False)
            self.used -= len(old.body)

    @staticmethod
    def _matches(kept: _Kept, if_none_match: bytes) -> bool:
        opaque = kept.etag.removeprefix(b"W/")
        return any(t.strip().removeprefix(b"W/") == opaque for t in if_none_match.split(b","))

    def _replayable(self, kept: _Kept, headers: dict[bytes, bytes]) -> bool:
        # Other conditions (If-None-Match: *, If-Modified-Since) are the app's to judge.
        if_none_match = headers.get(b"if-none-match")
        if if_none_match is not None:
            return self._matches(kept, if_none_match)
        return b"if-modified-since" not in headers

    @staticmethod
    async def _replay(kept: _Kept, scope: Scope, headers: dict[bytes, bytes], send: Send) -> None:
        if_none_match = headers.get(b"if-none-match")
        opaque = kept.etag.removeprefix(b"W/")
        if if_none_match and any(
            t.strip().removeprefix(b"W/") == opaque for t in if_none_match.split(b",")
        ):
            validators = {b"etag", b"last-modified", b"cache-control", b"vary", b"content-language"}
            kept_headers = [(k, v) for k, v in kept.headers if k.lower() in validators]
            await send({"type": "http.response.start", "status": 304, "headers": kept_headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": kept.status, "headers": kept.headers})
        body = b"" if scope["method"] == "HEAD" else kept.body
        await send({"type": "http.response.body", "body": body})
