"""Readiness: is the database there, at the newest schema, and seeded?"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.db import sqlite_file
from app.migrate import head_revision, stored_revision
from app.store.dataset import SEED_HASH_KEY, UNSEEDED, read_data_version

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


# Everything a ready database shows, in one statement on one connection: a probe that runs
# every few seconds, also while the server is busiest, costs one round trip.
_AT_A_GLANCE = text(
    "SELECT (SELECT version_num FROM alembic_version) AS revision, "
    "(SELECT value FROM dataset_meta WHERE key = :key) AS data_version"
)


def check_readiness(engine: Engine) -> Readiness:
    """Ready when one statement shows the newest schema and seeded data; otherwise check
    the database step by step, stop at the first failure and say what it was."""
    path = sqlite_file(engine.url)
    if path is not None and not path.is_file():
        # An open connection would go on reading a file moved away: look for it first.
        return Readiness(problem=f"the database file {path.name} is missing or not a file")
    return _at_a_glance(engine) or _step_by_step(engine)


def _at_a_glance(engine: Engine) -> Readiness | None:
    try:
        with engine.connect() as connection:
            row = connection.execute(_AT_A_GLANCE, {"key": SEED_HASH_KEY}).one()
    except DBAPIError:
        return None  # the steps say what is wrong
    if row.revision is None or row.revision != head_revision() or not row.data_version:
        return None
    checks = {
        "database": "reachable",
        "schema": row.revision,
        "data_version": row.data_version[:16],
    }
    return Readiness(checks=checks)


def _step_by_step(engine: Engine) -> Readiness:
    result = Readiness()
    path = sqlite_file(engine.url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar()
            result.checks["database"] = "reachable"
            # One plain query, as `jinzhong migrate` reads it: a server never loads Alembic.
            revision = stored_revision(engine)
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
