"""Who may write: `Authorization: Bearer <key>`, checked against the stored hashes.

Reads stay open. A missing, malformed, unknown or revoked key is a 401 with
`WWW-Authenticate`; a key without the scope a route needs, 403. A client that keeps failing
(AUTH_FAILURE_LIMIT per minute) is answered 429 instead of 401 for every further bad key,
while a good key keeps working, so no one can lock a curator out from the same address.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.errors import ForbiddenError, TooManyRequestsError, UnauthorizedError
from app.models import ApiKey
from app.services.keys import Scope, authenticate

WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000


class FailedAuthentications:
    """Recent failed authentications per client address, in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.failures: defaultdict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str) -> deque[float]:
        times = self.failures[client]
        while times and time.monotonic() - times[0] > WINDOW_SECONDS:
            times.popleft()
        if not times:
            del self.failures[client]
        return times

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None if it may now."""
        times = self._recent(client)
        if len(times) < self.limit:
            return None
        return max(1, int(WINDOW_SECONDS - (time.monotonic() - times[0])) + 1)

    def record(self, client: str) -> None:
        """Count one failure of `client`."""
        if len(self.failures) >= MAX_CLIENTS and client not in self.failures:
            # Bounded memory: forget the client whose last failure is oldest.
            oldest = min(self.failures, key=lambda c: self.failures[c][-1])
            del self.failures[oldest]
        self.failures[client].append(time.monotonic())


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def current_key(request: Request) -> ApiKey:
    """The live key the request carries; 401 (or 429 after too many failures) otherwise."""
    failures: FailedAuthentications = request.app.state.failed_authentications
    client = _client(request)
    header = request.headers.get("authorization")
    if header is None:
        raise UnauthorizedError("Writes need an API key: send Authorization: Bearer <key>.")
    scheme, _, token = header.partition(" ")

    def look_up() -> ApiKey | None:
        with Session(request.app.state.engine) as session:
            key = authenticate(session, token.strip())
            if key is not None:
                session.expunge(key)
            return key

    key = await run_in_threadpool(look_up) if scheme.lower() == "bearer" else None
    if key is not None:
        # A good key always works: someone failing from the same address cannot lock out
        # a curator.
        return key
    wait = failures.retry_after(client)
    if wait is not None:
        raise TooManyRequestsError(
            "Too many failed authentications from this address; try again later.", wait
        )
    failures.record(client)
    raise UnauthorizedError("The API key is invalid or revoked.")


def require(scope: Scope) -> object:
    """A dependency: the request's key, which must have `scope` (admin has every scope)."""

    async def check(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
        if key.scope != Scope.admin and key.scope != scope:
            raise ForbiddenError(f"This needs a key with the {scope.value!r} scope.")
        return key

    return Depends(check)
