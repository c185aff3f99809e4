"""Curators' API keys: made once, shown once, stored as a hash.

A key reads `jzk_<prefix>_<secret>`. The prefix finds the key's row; the secret, 32 random
bytes, is stored only as its SHA-256 (a fast hash is enough for a secret this long: there is
nothing to guess) and compared in constant time. Keys are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.errors import ConflictError, NotFoundError
from app.models import ApiKey
from app.rules.scopes import Scope

KEY_PREFIX = "jzk"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat()


def create_key(session: Session, name: str, scope: Scope) -> str:
    """Store a new key named `name` and return it: the only time it is ever shown."""
    if session.get(ApiKey, name) is not None:
        raise ConflictError(f"A key named {name!r} exists already.")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            name=name,
            prefix=prefix,
            secret_hash=_hash(secret),
            scope=scope.value,
            created_at=_now(),
        )
    )
    return f"{KEY_PREFIX}_{prefix}_{secret}"


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, revoked ones included, by name."""
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.name))))


def revoke_key(session: Session, name: str) -> ApiKey:
    """Revoke the key named `name` (it stays listed, as revoked)."""
    key = session.get(ApiKey, name)
    if key is None:
        raise NotFoundError(f"No key named {name!r}.")
    if key.revoked_at is None:
        key.revoked_at = _now()
    return key


def authenticate(session: Session, token: str) -> ApiKey | None:
    """The live key `token` is, or None (malformed, unknown, wrong secret or revoked)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    _, prefix, secret = parts
    key = session.exec(select(ApiKey).where(col(ApiKey.prefix) == prefix)).first()
    if key is None or key.revoked_at is not None:
        return None
    return key if hmac.compare_digest(key.secret_hash, _hash(secret)) else None
