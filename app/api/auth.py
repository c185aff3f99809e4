"""Who may write: `Authorization: Bearer <key>`, checked against the stored hashes.

Reads stay open. A missing, malformed, unknown or revoked key is a 401 with
`WWW-Authenticate`; a key without the scope a route needs, 403. A client that keeps failing
(AUTH_FAILURE_LIMIT per minute) is answered 429 instead of 401 for every further bad key,
while a good key keeps working, so no one can lock a curator out from the same address.

The OpenAPI document declares the one scheme, `bearerAuth`, on exactly the routes that
`require` a scope (FastAPI's HTTPBearer, only for that: it never answers on its own).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from app.api.runtime import runtime
from app.errors import ForbiddenError, TooManyRequestsError, UnauthorizedError
from app.models import ApiKey
from app.services.common import read_session
from app.services.keys import Scope, authenticate

# Declared, not enforced: with auto_error=False it never refuses, and current_key below reads
# the header itself, so its 401, 429 and messages are the only answers a bad key gets.
bearer = HTTPBearer(
    scheme_name="bearerAuth",
    bearerFormat="API key",
    description=(
        "An API key, sent as `Authorization: Bearer <key>`. A key with the write scope may "
        "create, patch and retire records; a key with the admin scope may do that too and "
        "list the keys (`GET /v1/keys`). Operators issue keys with `jinzhong keys create`. "
        "Reads need no key."
    ),
    auto_error=False,
)
Declared = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _client(request: Request) -> str:
    # The connection's address, or the one a proxy named in FORWARDED_ALLOW_IPS forwarded
    # (the server rewrites it only for those): never a header any client may set.
    return request.client.host if request.client else "unknown"


async def current_key(request: Request, _declared: Declared) -> ApiKey:
    """The live key the request carries; 401 (or 429 after too many failures) otherwise."""
    held = runtime(request)
    failures = held.failed_authentications
    client = _client(request)
    header = request.headers.get("authorization")
    if header is None:
        raise UnauthorizedError("Writes need an API key: send Authorization: Bearer <key>.")
    scheme, _, token = header.partition(" ")

    def look_up() -> ApiKey | None:
        with read_session(held.engine) as session:
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
