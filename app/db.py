"""Engine construction, SQLite pragmas, the statement timeout, and cross-process locks."""

from __future__ import annotations

import contextlib
import fcntl
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlmodel import Session, create_engine

# How often (in SQLite virtual-machine steps) a running statement checks its deadline.
_PROGRESS_STEPS = 1000


def make_engine(
    database_url: str,
    *,
    serving: bool = False,
    statement_timeout: float | None = None,
    busy_timeout: float = 5.0,
    pool_size: int | None = None,
    max_overflow: int | None = None,
) -> Engine:
    """Build an engine; for SQLite, turn on foreign keys and WAL.

    `serving` engines open an existing SQLite file and never create one: a server pointed at
    a missing file must say so (/readyz), not serve an empty new database. Migrations and the
    seeder create the file (and its folder). `statement_timeout` (seconds) interrupts a
    statement that runs longer, so a slow query cannot hold a worker. `pool_size` should be
    at least the number of worker threads, so that no worker waits for a connection;
    `max_overflow` (half of it by default) opens more for a while, closed once returned.
    """
    url = make_url(database_url)
    is_sqlite = url.get_backend_name() == "sqlite"
    connect_args: dict[str, Any] = {}
    path = sqlite_file(url)
    if path is not None:
        if serving:
            url = url.set(database=f"file:{path.resolve()}?mode=rw", query={"uri": "true"})
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
    if is_sqlite:
        # The driver's own wait for a lock applies before any pragma runs; keep it the same.
        connect_args.update(check_same_thread=False, timeout=busy_timeout)
    pool: dict[str, Any] = {}
    if pool_size is not None:
        overflow = pool_size // 2 if max_overflow is None else max_overflow
        pool = {"pool_size": pool_size, "max_overflow": overflow}
    if url.get_backend_name() == "postgresql":
        # A server across a network: it stops long statements itself. A pooled connection
        # is checked before use only after a pause (_ping_after_idle).
        options = [f"-c lock_timeout={int(busy_timeout * 1000)}"]
        if statement_timeout is not None:
            options.append(f"-c statement_timeout={int(statement_timeout * 1000)}")
        connect_args["options"] = " ".join(options)
    engine = create_engine(url, connect_args=connect_args, **pool)
    if is_sqlite:
        _sqlite_setup(engine, statement_timeout, busy_timeout)
    else:
        _ping_after_idle(engine)
    return engine


def end_read(session: Session) -> None:
    """Close a session that has only read, ending its transaction with COMMIT rather than
    the ROLLBACK a plain close sends.

    psycopg forgets every statement it has prepared on a connection when that connection
    rolls back (and has the server DEALLOCATE ALL), so reads that ended in a rollback made
    PostgreSQL parse and plan each statement of every request anew, never running one the
    five times after which psycopg prepares it. A sweep request cost PostgreSQL 1.35 ms of
    CPU that way and 0.36 ms with its statements kept prepared. Committing a transaction
    that wrote nothing changes nothing; on SQLite, which opens no transaction to read, it is
    a no-op. What the session loaded stays readable, as after a plain close."""
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.close()


# A pooled connection unused for longer than this is checked before it is used again.
PING_AFTER_IDLE_S = 1.0


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use if it has been idle for PING_AFTER_IDLE_S.

    A server restart, or a proxy or firewall dropping quiet connections, leaves closed
    connections in the pool; a check finds them, and the pool opens another (up to three
    tries) before the request uses it. SQLAlchemy's `pool_pre_ping` checks every time: one
    more round trip for each request, about a sixth of a page of observations on
    PostgreSQL. A connection returned moments ago is used unchecked: should the server
    have gone in those moments, its statement fails (a 503 for that request, as for the
    requests then in flight) and SQLAlchemy replaces every connection of the pool."""

    @event.listens_for(engine, "checkin")
    def returned(dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_S:
            return  # new, or in use moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError from exc


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names (plain or URI form, file:/path?mode=rw), or None if the
    URL is not SQLite or names no file."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database.removeprefix("file:").split("?")[0])


def printable_url(url: str) -> str:
    """A database URL as it may be printed or logged: its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def postgres_unreachable(url: str) -> str | None:
    """Why no PostgreSQL answers at `url` (its password hidden), or None if one does: the
    bench and the test suite skip their PostgreSQL rows and runs with this reason."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means the same to both
        return f"no PostgreSQL answers at {printable_url(url)} ({type(exc).__name__})"
    return None


# Keys of the PostgreSQL advisory locks taken around schema and data changes.
_LOCK_KEYS = {"migrate": 0x6A7A_0001, "seed": 0x6A7A_0002}


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[None]:
    """Hold a lock named `name` across processes and machines sharing this database.

    Replicas starting together each run `jinzhong migrate` and `jinzhong seed`: the first
    does the work, the others wait for it and then find nothing left to do. PostgreSQL: a
    session advisory lock. SQLite (one machine): an exclusive lock on a file beside the
    database.
    """
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            # Wait as long as the other holder works: the connection's lock_timeout (meant
            # for requests) would otherwise give up after a few seconds. SET LOCAL, so the
            # commit (or the rollback of a failed wait) gives it back: the connection returns
            # to the pool, and a request that gets it later must still give up on a locked
            # table after BUSY_TIMEOUT. The advisory lock is the session's and stays.
            connection.execute(text("SET LOCAL lock_timeout = 0"))
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEYS[name]})
            connection.commit()
            try:
                yield
            finally:
                # If the connection died, the server has released the lock already; the
                # error worth seeing is the one that brought us here.
                with contextlib.suppress(DBAPIError):
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEYS[name]}
                    )
                    connection.commit()
        return
    path = sqlite_file(url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_setup(engine: Engine, statement_timeout: float | None, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # SQLite leaves foreign keys off unless asked on every connection; WAL lets readers
        # run while the seeder writes.
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        if statement_timeout is not None:
            info = record.info

            def past_deadline() -> int:
                started = info.get("statement_started")
                return int(started is not None and time.monotonic() - started > statement_timeout)

            dbapi_connection.set_progress_handler(past_deadline, _PROGRESS_STEPS)

    if statement_timeout is not None:

        @event.listens_for(engine, "before_cursor_execute")
        def _stamp(conn: Any, *_: Any) -> None:
            # Rows are stepped out while they are fetched, after execute returns, so the
            # clock runs from this statement's start until the next one begins.
            conn.info["statement_started"] = time.monotonic()


# A named placeholder (:name), not a PostgreSQL cast (::text).
_PLACEHOLDER = re.compile(r"(?<![:\w]):(\w+)")


@lru_cache(maxsize=512)
def _pyformat(sql: str) -> str:
    # psycopg's placeholders are %(name)s, and a literal % is written %%.
    return _PLACEHOLDER.sub(r"%(\1)s", sql.replace("%", "%%"))


def _column_names(cursor: Any) -> list[str]:
    """The names of the columns of a cursor's last result.

    psycopg's `description` makes a Column object (name, type, sizes) per column, which on a
    page of observations (33 columns) cost more than reading its one row; the result itself
    has the names. sqlite3's description is a tuple of tuples already."""
    result = getattr(cursor, "pgresult", None)
    if result is None:
        return [column[0] for column in cursor.description]
    encoding = cursor.connection.info.encoding
    return [result.fname(i).decode(encoding) for i in range(result.nfields)]


def driver_rows(
    connection: Connection, sql: str, params: Mapping[str, Any]
) -> tuple[list[str], Sequence[Sequence[Any]]]:
    """Run a read (`:name` placeholders, one per value) through the driver's own cursor, and
    return its column names and rows as the driver gives them.

    On the hottest reads, SQLAlchemy's work around a statement (compiling, the result's
    metadata, a Row per row) cost more than SQLite's. This keeps what matters of it: the
    connection and its transaction, the `before_cursor_execute` event (the statement
    timeout's clock, and tests that read the statements) and the wrapping of driver errors
    (a DBAPIError, which the API answers as a 503). Values come back as the driver reads
    them: the same as a text() statement without typed columns gives.
    """
    dialect = connection.dialect
    if dialect.driver == "pysqlite":
        statement = sql
        # As SQLAlchemy's Date type stores them on SQLite.
        params = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
    elif dialect.driver == "psycopg":
        statement = _pyformat(sql)
    else:  # another driver: SQLAlchemy's way, slower
        result = connection.exec_driver_sql(_pyformat(sql), dict(params))
        return list(result.keys()), [tuple(row) for row in result]
    cursor = connection.connection.cursor()
    try:
        if connection._has_events or connection.engine._has_events:
            connection.dispatch.before_cursor_execute(
                connection, cursor, statement, params, None, False
            )
        cursor.execute(statement, params)
        names = _column_names(cursor)
        return names, cursor.fetchall()
    except dialect.loaded_dbapi.Error as exc:
        connection._handle_dbapi_exception(exc, statement, params, cursor, None)
        raise  # not reached: the line above raises the wrapped error
    finally:
        cursor.close()
