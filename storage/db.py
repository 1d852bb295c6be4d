"""Engine and session factory. Callers own the transaction (`with factory.begin() as session`)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, exc, inspect, text
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration's revision id (storage/migrations/versions): a database whose `alembic_version` says
#: this is at head, and `upgrade` returns without loading Alembic. A new migration changes it too;
#: tests/test_schema_head.py checks that it is Alembic's own head.
SCHEMA_HEAD = "0011"


def make_engine(url: str, **kwargs: object) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if url.startswith("postgresql") and "connect_timeout" not in url:
        # An unreachable host must fail in seconds (health checks, "temporarily unavailable"), not hang.
        kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # Alembic only when migrating: start-up cost (see `upgrade`)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN (primary result codes)
_SQLITE_UNAVAILABLE = frozenset({5, 6, 10, 13, 14})

MIGRATION_LOCK = 7_211_004  # pg_advisory_xact_lock key: one process migrates at a time


def upgrade(engine: Engine) -> None:
    """Apply every migration (`contractbot db upgrade`; every process also does it on start).

    On PostgreSQL an advisory lock serialises processes started at once (replicas, several
    `jobs run`): the first migrates, the others then find the schema at head.

    A database already at SCHEMA_HEAD (every start but the first) is recognised by one read of
    `alembic_version`, without importing Alembic: its import alone is ~0.13 s of CPU, paid by every
    `contractbot` process (the test suite starts hundreds; docs/performance.md, "The test suite").
    Anything else — no table yet, an older or an unknown revision — goes through Alembic as before.
    """
    with engine.connect() as connection:
        if schema_version(connection) == SCHEMA_HEAD:
            return
    # Imported here, not at the top, for the start-up cost above (Alembic then loads storage/migrations itself).
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_version(connection: Connection) -> str | None:
    """The revision `alembic_version` records; None without that table or with other than one row."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def open_database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory for `url`, with the schema brought up to date."""
    engine = make_engine(url)
    upgrade(engine)
    return engine, make_session_factory(engine)


class SchemaNotReady(Exception):
    """A session began before the start-up upgrade brought the schema to head (`refuse_sessions_until`)."""


def refuse_sessions_until(factory: sessionmaker[Session], ready: threading.Event) -> None:
    """Until `ready` is set, each session of `factory` fails with SchemaNotReady as it begins, before any
    statement: `serve` and Socket Mode answer while their start-up upgrade runs (bot.lifecycle), and a
    write landing between two migrations would be written to a schema half-way to head (and could make
    the next migration fail). The upgrade itself uses the engine, not these sessions."""

    def refuse(_session: Session, _transaction: object, _connection: Connection) -> None:
        if not ready.is_set():
            raise SchemaNotReady("the database schema is not at head yet")

    event.listen(factory, "after_begin", refuse)


def database_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot be reached (down, restarting, network) or cannot serve
    yet (SchemaNotReady), as opposed to a bug or a refused statement: the caller then says "temporarily
    unavailable" and retries later."""
    if isinstance(error, SchemaNotReady):
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, exc.OperationalError) and isinstance(error.orig, sqlite3.Error):
        # SQLite says "operational" of a missing table too (a bug or a schema behind, not an outage):
        # only a file it cannot open, read or lock, or a full disk, is the database being unavailable.
        return (getattr(error.orig, "sqlite_errorcode", 0) & 0xFF) in _SQLITE_UNAVAILABLE
    if isinstance(error, (exc.OperationalError, exc.InterfaceError)):
        return True
    return isinstance(error, exc.TimeoutError)  # the pool waited for a connection in vain
