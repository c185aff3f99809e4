"""Reads end their transaction with COMMIT, not ROLLBACK (app.db.end_read,
app.services.common.ending_reads): on PostgreSQL a rollback makes psycopg forget every
statement it prepared on the connection, so a read path that rolled back would have its
statements parsed and planned again on every request. Failures the API did not mean still
roll back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from app.api.runtime import runtime_of
from tests.support.curation import Curated

GDP = "/v1/observations/gdp-2024"


@contextmanager
def rollbacks_on(engine: Engine) -> Iterator[list[Connection]]:
    """Every rollback the engine's connections make meanwhile (the pool's reset of a
    connection it takes back is not one: it sends nothing when no transaction is open)."""
    seen: list[Connection] = []

    def rolled_back(connection: Connection) -> None:
        seen.append(connection)

    event.listen(engine, "rollback", rolled_back)
    try:
        yield seen
    finally:
        event.remove(engine, "rollback", rolled_back)


def test_reads_and_the_errors_they_mean_end_without_a_rollback(curated: Curated) -> None:
    client = curated.client
    admin = curated.auth(curated.admin_key)
    with rollbacks_on(runtime_of(client.app).engine) as rollbacks:
        for path, status in [
            ("/v1/observations?indicator=gdp", 200),  # a compiled list
            (GDP, 200),  # an item
            ("/v1/observations/no-such-observation", 404),
            ("/v1/observations?region=999999", 422),  # refused after reading the codes
            (f"{GDP}/record", 200),
            (f"{GDP}/history", 200),
            ("/v1/observations/no-such-observation/record", 404),
            ("/v1/downloads/dataset.zip", 200),
        ]:
            assert client.get(path).status_code == status, path
        assert client.get("/v1/keys", headers=admin).status_code == 200  # the key looked up
    assert rollbacks == []


def test_a_read_that_fails_unexpectedly_rolls_back(curated: Curated) -> None:
    # A failure the API did not mean may leave the transaction unusable: never committed.
    client = curated.client
    engine = runtime_of(client.app).engine

    def broken(_: Connection, __: object, statement: str, *___: object) -> None:
        if "FROM observation o" in statement:  # the page's own statement, nothing before it
            raise RuntimeError("the driver failed")

    with rollbacks_on(engine) as rollbacks:
        event.listen(engine, "before_cursor_execute", broken)
        try:
            with pytest.raises(RuntimeError, match="the driver failed"):
                client.get("/v1/observations", params={"indicator": "gdp", "limit": 3})
        finally:
            event.remove(engine, "before_cursor_execute", broken)
    assert len(rollbacks) == 1
