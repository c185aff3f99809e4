"""ASGI middleware of our own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import (
    REQUEST_ID_HEADER_RAW,
    REQUEST_ID_KEY,
    ROUTE_KEY,
    SECURITY_HEADERS,
    AccessLog,
    Metrics,
    new_request_id,
    request_id_var,
    route_of,
)
from app.store.dataset import DataVersion

# Longer query strings are refused (414) before any parsing: no filter needs more.
MAX_QUERY_BYTES = 8192


class HttpTidyMiddleware:
    """Three things HTTP expects that the framework leaves to us.

    - An absurdly long query string is a 414, not work; a NUL in the path, a 404.
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
            await _problem(scope, send, 414, "URI Too Long", _TOO_LONG)
            return
        if "\x00" in scope["path"]:
            # No resource has one in its name, and databases refuse it in text.
            await _problem(scope, send, 404, "Not Found", "No resource has this path.")
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

        if not head:
            await self.app(scope, receive, tidy)
            return
        # The app sees a GET in a copy of the scope. The server keeps the scope it passed
        # and reads its method when the answer goes out: told GET, it would wait for the
        # Content-Length bytes of a body that never comes, then fail and reset the
        # connection. What routing records on the copy (the route) is brought back for
        # the middleware outside, which logs and counts the request.
        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, tidy)
        finally:
            scope.update((k, v) for k, v in as_get.items() if k != "method")


_TOO_LONG = f"The query string is longer than {MAX_QUERY_BYTES} bytes."


async def _problem(scope: Scope, send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", "").replace("\x00", "\ufffd"),
        }
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# How the response memory sends a kept answer: status, every header but the request's id,
# body (the front door adds the id, and counts and logs the answer).
Replay = Callable[[int, tuple[tuple[bytes, bytes], ...], bytes], Awaitable[None]]


def with_security_headers(
    headers: Iterable[tuple[bytes, bytes]],
) -> tuple[tuple[bytes, bytes], ...]:
    """`headers`, and SECURITY_HEADERS after them where they do not say them already."""
    said = tuple(headers)
    names = {name.lower() for name, _ in said}
    return said + tuple(pair for pair in SECURITY_HEADERS if pair[0] not in names)


# Bodies larger than this are not kept: rare, and they would crowd out the many small ones.
MAX_KEPT_BODY = 2 * 1024 * 1024
# What an entry costs beyond its bytes (objects, dictionary slots), for the budget.
ENTRY_OVERHEAD = 1024
# Request headers that can change a response's bytes (content, language, encoding, CORS).
_KEYED = (b"host", b"accept", b"accept-language", b"accept-encoding", b"origin")
_UNSAID = (b"",) * len(_KEYED)  # the key's value of each when the request does not say it
_CONDITIONAL = (b"if-none-match", b"if-modified-since")
_WATCHED = frozenset((*_KEYED, *_CONDITIONAL))
# Requests that carry credentials are answered by the app alone: an answer to them is not
# the public one a key of the headers above names (RFC 9111 3.5).
_PRIVATE = frozenset((b"authorization", b"cookie"))
# Every header name the key looks at: one lookup for the many it does not.
_NOTED = _WATCHED | _PRIVATE
# Headers a 304 repeats from its 200 (RFC 9110 15.4.5), CORS included for browsers.
_VALIDATORS = {
    b"etag",
    b"last-modified",
    b"cache-control",
    b"vary",
    b"content-language",
    b"access-control-allow-origin",
    b"access-control-expose-headers",
    b"access-control-allow-credentials",
}
# Requests remembered as seen once (their hashes: about 2.5 MB), for keeping an answer the
# second time its request comes.
SEEN_REQUESTS = 32_768
# How long an identical request waits for the first before computing its own answer.
_WAIT_SECONDS = 10.0


@dataclass(slots=True)
class _Pending:
    """A request being computed: identical ones wait for `done`; its answer is kept if
    `wanted` (its request was seen before, or came again meanwhile)."""

    wanted: bool
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True, slots=True)
class _Kept:
    # Immutable and of tuples of bytes: the garbage collector stops tracking such tuples, so
    # thousands of entries add almost nothing to a full collection's walk.
    version: str
    body: bytes
    etag: bytes
    cost: int
    route: str  # the route template that computed it, for logs and metrics of replays
    # A 304 kept for the revalidation that got it (its If-None-Match is in its key): it
    # answers that revalidation only, never a request for the 200.
    not_modified_only: bool
    # The headers of a replayed 200 and 304 (the validators a 304 repeats, RFC 9110
    # 15.4.5) as the front door sends them, but for the request's id: worked out once, not
    # at each replay.
    said: tuple[tuple[bytes, bytes], ...]
    said_not_modified: tuple[tuple[bytes, bytes], ...]


class ResponseMemory:
    """Finished answers of repeated data GETs, replayed before routing, validation, the
    queries, serialization or compression: a dashboard refreshing the same view costs a
    dictionary lookup. Used by the FrontDoor, which asks it first.

    An entry is keyed by the exact request (scheme, root path, path, query string and every
    value of the headers that can change the bytes) and belongs to the data version named in
    its ETag: once the data changes (as the app reads it, every DATA_VERSION_TTL seconds),
    old entries are never served and age out. Only 200s whose ETag names that version are
    kept, and 304s to a revalidation naming it (kept for that If-None-Match alone), so errors
    always go through the app; requests with credentials (Authorization, Cookie) always do
    too. A matching If-None-Match gets a 304 from the entry. Requests with a repeated key
    or conditional header, or an If-Modified-Since, go through the app, which decides.
    """

    def __init__(
        self,
        budget_bytes: int,
        version: Callable[[], Awaitable[DataVersion]],
        fresh_version: Callable[[], DataVersion | None],
    ) -> None:
        self.budget = budget_bytes
        self.used = 0
        self.entries: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
        # The data version, read again when it is older than DATA_VERSION_TTL; and the same
        # without waiting, None when it would have to be read.
        self.version = version
        self.fresh_version = fresh_version
        # Answers sent from memory so far (by `at_once` and by `answer`).
        self.replays = 0
        # Requests being computed: identical ones arriving meanwhile wait for the first.
        self.pending: dict[tuple[Any, ...], _Pending] = {}
        # Hashes of requests seen once and not kept (yet), oldest first.
        self.seen: OrderedDict[int, None] = OrderedDict()

    def key(self, scope: Scope) -> tuple[tuple[Any, ...], dict[bytes, bytes]] | None:
        """The request's identity and the headers that matter to it, or None when it must
        go through the app."""
        if (
            self.budget == 0
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith("/v1/")
            or len(scope.get("query_string", b"")) > MAX_QUERY_BYTES
        ):
            return None
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in _NOTED:
                if name in _PRIVATE:
                    return None
                if name in headers:  # given twice: the app decides what that means
                    return None
                headers[name] = value
        key = (
            scope["scheme"],
            scope.get("root_path", ""),
            tuple(scope.get("server") or ()),
            scope["path"],
            scope["query_string"],
            *map(headers.get, _KEYED, _UNSAID),
        )
        return key, headers

    def at_once(
        self, identity: tuple[tuple[Any, ...], dict[bytes, bytes]], scope: Scope
    ) -> tuple[int, tuple[tuple[bytes, bytes], ...], bytes] | None:
        """The kept answer to this request (status, headers but the request's id, body) if
        it can be sent without waiting for anything; else None, and `answer` decides.

        Most replays go this way: no coroutine of the memory's own, no await before the
        answer's first byte."""
        version = self.fresh_version()
        return None if version is None else self._replay_of(identity, scope, version.version)

    def _replay_of(
        self, identity: tuple[tuple[Any, ...], dict[bytes, bytes]], scope: Scope, version: str
    ) -> tuple[int, tuple[tuple[bytes, bytes], ...], bytes] | None:
        """What the memory sends this request (see `_said`) from an entry of this data
        version, the kept 200 or else a kept 304 to this very revalidation; None if none
        answers it."""
        key, headers = identity
        kept = self.entries.get(key)
        if kept is None or kept.version != version:
            if_none_match = headers.get(b"if-none-match")
            if if_none_match is None:
                return None
            key = (*key, if_none_match)
            kept = self.entries.get(key)
            if kept is None or kept.version != version:
                return None
        said = self._said(kept, scope, headers)
        if said is not None:
            self.entries.move_to_end(key)
        return said

    async def answer(
        self,
        identity: tuple[tuple[Any, ...], dict[bytes, bytes]],
        scope: Scope,
        receive: Receive,
        send: Send,
        app: ASGIApp,
        replay: Replay,
    ) -> int | None:
        """Replay the kept answer to this request through `replay` and return its status;
        or let `app` compute it through `send` (and keep it) and return None."""
        key, headers = identity
        # A revalidation is its own request: the app may answer it 304, kept for it alone.
        if_none_match = headers.get(b"if-none-match")
        asked = key if if_none_match is None else (*key, if_none_match)
        try:
            version = (await self.version()).version
        except Exception:  # the database is unwell: let the app answer (503, /readyz)
            await app(scope, receive, send)
            return None
        waited = 0.0
        while True:
            said = self._replay_of(identity, scope, version)
            if said is not None:
                await replay(*said)
                return said[0]
            waiting = self.pending.get(asked)
            # Nobody computing, or the one computing has finished without an answer the
            # memory kept (an error, a large body): compute this one.
            if (
                scope["method"] == "HEAD"
                or waiting is None
                or waiting.done.is_set()
                or waited >= _WAIT_SECONDS
            ):
                break
            waiting.wanted = True  # asked for again: the one computing keeps its answer
            started = asyncio.get_running_loop().time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiting.done.wait(), _WAIT_SECONDS - waited)
            waited += asyncio.get_running_loop().time() - started
        if scope["method"] == "HEAD":
            await app(scope, receive, send)
            return None
        computing = _Pending(wanted=not self._first_sight(asked))
        self.pending[asked] = computing
        try:
            await self._compute(key, headers, version, scope, receive, send, computing, app)
        finally:
            if self.pending.get(asked) is computing:
                del self.pending[asked]
            computing.done.set()
        return None

    async def _compute(
        self,
        key: tuple[Any, ...],
        headers: dict[bytes, bytes],
        version: str,
        scope: Scope,
        receive: Receive,
        send: Send,
        computing: _Pending,
        app: ASGIApp,
    ) -> None:
        # The status and headers as the app said them, before the front door adds its own.
        start: tuple[int, list[tuple[bytes, bytes]]] = (0, [])
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = (message["status"], list(message.get("headers", [])))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    if computing.wanted:
                        # A copy sized to its content: a body straight from a serializer may
                        # sit in a much larger allocation (orjson's are 16 KiB whatever their
                        # length), which the memory would keep alive and miscount.
                        body = bytes(memoryview(b"".join(chunks)))
                        self._keep(key, headers, version, scope, start, body)
                    computing.done.set()  # waiters need not wait for this client's reading
            await send(message)

        await app(scope, receive, capture)

    def _first_sight(self, key: tuple[Any, ...]) -> bool:
        """Whether this is the first time the request is seen (lately): then its answer is
        kept only if the request comes again while it is computed.

        Distinct queries (a sweep, a crawler) would otherwise fill the memory with answers
        asked for once, evicting the ones asked for again, and cost each a copy; a
        dashboard's requests come back, and are kept from their second time. Only hashes
        of the requests seen are remembered, a bounded number, oldest forgotten first."""
        mark = hash(key)
        if mark in self.seen:
            del self.seen[mark]
            return False
        self.seen[mark] = None
        if len(self.seen) > SEEN_REQUESTS:
            self.seen.popitem(last=False)
        return True

    def _keep(
        self,
        key: tuple[Any, ...],
        asked: dict[bytes, bytes],
        version: str,
        scope: Scope,
        start: tuple[int, list[tuple[bytes, bytes]]],
        body: bytes,
    ) -> None:
        status, said = start
        headers = tuple((bytes(k), bytes(v)) for k, v in said)
        etag = next((v for k, v in headers if k.lower() == b"etag"), None)
        if_none_match = asked.get(b"if-none-match")
        if etag is None or len(body) > MAX_KEPT_BODY:
            return
        if status == 304 and if_none_match is not None:
            if not self._matches(etag, if_none_match):
                return  # If-None-Match: * is the app's to judge, each time
            # Kept for this revalidation only, as the app said it: a client that only ever
            # revalidates (a dashboard's browser) is answered from memory too.
            key = (*key, if_none_match)
        elif status != 200:
            return
        # Kept only if its ETag (W/"<version>-<digest>") names the data version it was asked
        # under: an ETag of another kind (a curated record's own) or a version that changed
        # meanwhile would make an entry never replayed, only taking room.
        named = etag.removeprefix(b"W/").strip(b'"').rsplit(b"-", 1)[0]
        if named != version.encode():
            return
        cost = (
            len(body)
            + sum(len(k) + len(v) for k, v in headers)
            + sum(len(p) if isinstance(p, bytes | str) else 16 for p in key)
            + ENTRY_OVERHEAD
        )
        if cost > self.budget:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.used -= old.cost
        not_modified_only = status == 304
        said_all = with_security_headers(headers)
        # A kept 304 repeats itself; a 200's 304 repeats its validators.
        said_validators = (
            said_all
            if not_modified_only
            else with_security_headers((k, v) for k, v in headers if k.lower() in _VALIDATORS)
        )
        self.entries[key] = _Kept(
            version,
            body,
            etag,
            cost,
            route_of(scope),
            not_modified_only,
            said=said_all,
            said_not_modified=said_validators,
        )
        self.used += cost
        while self.used > self.budget:
            _, evicted = self.entries.popitem(last=False)
            self.used -= evicted.cost

    @staticmethod
    def _matches(etag: bytes, if_none_match: bytes) -> bool:
        if if_none_match == etag:  # what a client sends back most: the ETag it was given
            return True
        opaque = etag.removeprefix(b"W/")
        return any(t.strip().removeprefix(b"W/") == opaque for t in if_none_match.split(b","))

    def _said(
        self, kept: _Kept, scope: Scope, headers: dict[bytes, bytes]
    ) -> tuple[int, tuple[tuple[bytes, bytes], ...], bytes] | None:
        """What a replay of `kept` sends this request (status, headers, body), or None when
        the app must answer: a condition the memory does not judge (If-None-Match: * or
        another ETag, If-Modified-Since). Counted, and its route noted for logs and metrics."""
        if_none_match = headers.get(b"if-none-match")
        if if_none_match is not None:
            if not self._matches(kept.etag, if_none_match):
                return None
            said: tuple[int, tuple[tuple[bytes, bytes], ...], bytes] = (
                304,
                kept.said_not_modified,
                b"",
            )
        elif b"if-modified-since" in headers or kept.not_modified_only:
            return None
        else:
            said = (200, kept.said, b"" if scope["method"] == "HEAD" else kept.body)
        scope[ROUTE_KEY] = kept.route
        self.replays += 1
        return said


# What health checks call (app/api/health.py): they answer whatever Host they are sent.
PROBES = frozenset(("/healthz", "/readyz", "/metrics"))


# A Host header's value: a name or an IPv6 literal in brackets, then perhaps a port of digits.
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^\[\]:/@?#\s]+)(?::([0-9]+))?")


def split_host(value: str) -> tuple[str, str | None] | None:
    """A Host value (or an ALLOWED_HOSTS entry) as its lower-case name and its port, if it
    gives one; None for anything else (`localhost:1@evil.example`, `localhost:`)."""
    match = _HOST.fullmatch(value.strip())
    return (match.group(1).lower(), match.group(2)) if match else None


class HostAllowList:
    """Which Host header values name this service (ALLOWED_HOSTS).

    The API writes absolute URLs (`url` fields, `links`, `Link`) from the Host it is sent
    unless PUBLIC_BASE_URL is set, and a forged Host would otherwise be echoed back to
    clients and caches. Starlette's TrustedHostMiddleware does the same but answers in plain
    text and cannot read an IPv6 Host ([::1]:8000); the front door answers with a problem
    like every other error. `*` allows any host; `*.example.org` any subdomain of
    example.org.
    """

    # Answers kept for Host values seen: a handful in practice. Refusals are not kept, so
    # a client sending a new Host each time cannot grow it.
    KEPT = 64

    def __init__(self, allowed: list[str]) -> None:
        self.any = "*" in allowed
        entries = [entry for host in allowed if host != "*" and (entry := split_host(host))]
        self.exact = {(name, port) for name, port in entries if not name.startswith("*.")}
        self.suffixes = [(name[1:], port) for name, port in entries if name.startswith("*.")]
        self.seen: dict[bytes, bool] = {}

    def allows(self, host: str) -> bool:
        """Whether a Host header value names an allowed host: by name on any port, or by name
        and port where the entry gives one. A value that is not a host and port is not."""
        split = split_host(host)
        if split is None:
            return False
        name, port = split
        if (name, None) in self.exact or (name, port) in self.exact:
            return True
        return any(name.endswith(suffix) and want in (None, port) for suffix, want in self.suffixes)

    def admits(self, hosts: list[bytes]) -> bool:
        """Whether a request with these Host headers is served: exactly one, allowed."""
        if self.any:
            return True
        if len(hosts) != 1:
            return False
        host = hosts[0]
        known = self.seen.get(host)
        if known is None:
            known = self.allows(host.decode("latin-1"))
            if known and len(self.seen) < self.KEPT:
                self.seen[host] = True
        return known


_WRONG_HOST = "The Host header does not name this service."


class FrontDoor:
    """What every HTTP request meets first, in one layer rather than four: each layer of
    ASGI middleware costs a call and a wrapped `send`, and on a replayed answer those were
    most of its cost. In order:

    - a request id: the client's `X-Request-ID` when it is a sane token, else a new one;
      returned in `X-Request-ID`, on the request's log line and on any error logged while
      it runs;
    - the Host: a request whose Host is not in ALLOWED_HOSTS is refused (400, a problem)
      before anything reads it; the probes (PROBES) answer any Host, as orchestrators and
      load balancers call them by addresses not known in advance, and they write no URL;
    - the response memory (ResponseMemory): a repeated data GET is answered from its kept
      bytes;
    - SECURITY_HEADERS on every answer, whichever layer wrote it (a route, the memory, the
      handler of unexpected errors), unless it says them itself;
    - one access log line and the request metrics, replayed answers included.

    It wraps the whole app, the framework's handler of unexpected errors included
    (app.main builds it around the middleware stack), so a 500 carries the id and headers
    too.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        hosts: HostAllowList,
        memory: ResponseMemory,
        metrics: Metrics,
        access_log: AccessLog,
    ) -> None:
        self.app = app
        self.hosts = hosts
        self.memory = memory
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = b""
        hosts: list[bytes] = []
        for name, value in scope["headers"]:
            if name == b"host":
                hosts.append(value)
            elif name == b"x-request-id":
                given = value
        request_id = new_request_id(given)
        token = request_id_var.set(request_id)
        # Also on the scope, for code that runs outside this context (and for tests).
        scope[REQUEST_ID_KEY] = request_id
        said = (REQUEST_ID_HEADER_RAW, request_id.encode())
        status = 500  # what the client gets if the app fails before it starts answering

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*with_security_headers(message.get("headers", ())), said]
                message = {**message, "headers": headers}
            await send(message)

        async def replay(code: int, headers: tuple[tuple[bytes, bytes], ...], body: bytes) -> None:
            # A kept answer's headers already say what the door adds, but for the id.
            await send({"type": "http.response.start", "status": code, "headers": [*headers, said]})
            await send({"type": "http.response.body", "body": body})

        try:
            if not self.hosts.admits(hosts) and scope["path"] not in PROBES:
                # The host is not repeated back: that is what this refuses to do.
                await _problem(scope, answer, 400, "Bad Request", _WRONG_HOST)
                return
            identity = self.memory.key(scope)
            if identity is None:
                await self.app(scope, receive, answer)
            elif (kept := self.memory.at_once(identity, scope)) is not None:
                await replay(*kept)
                status = kept[0]
            else:
                replayed = await self.memory.answer(
                    identity, scope, receive, answer, self.app, replay
                )
                if replayed is not None:
                    status = replayed
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            self.metrics.observe(scope["method"], route, status, seconds)
            if self.access_log.enabled:
                self.access_log.add(
                    scope["method"], route, scope["path"], status, seconds, request_id
                )
            request_id_var.reset(token)
