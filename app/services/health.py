"""Readiness: is the database there, at the newest schema, and seeded?"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.db import sqlite_file
from app.migrate import current_revision, head_revision
from app.store.dataset import UNSEEDED, read_data_version

logger = logging.getLogger("jinzhong.health")


@dataclass
class Readiness:
    """The outcome of each check, and what is wrong if anything is."""

    checks: dict[str, str] = field(default_factory=dict)
    problem: str | None = None

    @property
    def ready(self) -> bool:
        """True when every check passed."""
        return self.problem is None


def check_readiness(engine: Engine) -> Readiness:
    """Check the database step by step; stop at the first failure and say what it was."""
    result = Readiness()
    path = sqlite_file(engine.url)
    if path is not None and not path.is_file():
        result.problem = f"the database file {path.name} is missing or not a file"
        return result
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar()
            result.checks["database"] = "reachable"
            revision = current_revision(engine)
        head = head_revision()
        if revision != head:
            result.problem = f"the schema is at {revision or 'nothing'}, not {head}: run migrations"
            return result
        result.checks["schema"] = str(revision)
        with Session(engine) as session:
            version = read_data_version(session).version
    except DBAPIError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        logger.warning("not ready: %s", reason)
        if path is None:
            # A database server's message names its host, user and database: for the log,
            # not for anyone who can reach /readyz.
            reason = type(exc.orig or exc).__name__
        result.problem = f"the database cannot be read ({reason})"
        return result
    if version == UNSEEDED:
        result.problem = "the database holds no data yet: run the seed"
        return result
    result.checks["data_version"] = version
    return result
