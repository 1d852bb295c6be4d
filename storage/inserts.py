"""`INSERT … ON CONFLICT DO NOTHING` on SQLite and PostgreSQL: the one place that picks the dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.orm import Session


def dialect_insert(session: Session, target: Any) -> Any:
    """An insert of `target` (a mapped class or a table) that has `on_conflict_do_nothing`, for the
    session's database."""
    # The dialect modules are imported here, the one in use only: PostgreSQL's costs ~50 ms of start-up
    # CPU that a process on SQLite would pay for nothing (docs/performance.md, "The test suite").
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(target)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(target)


def insert_new(session: Session, model: Any, *, key: str, **values: Any) -> bool:
    """Insert one row unless its unique `key` column is taken: True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    shape = (dialect, model, key, tuple(values))
    stmt = _INSERT_NEW.get(shape)
    if stmt is None:  # built once per shape, values bound at each call (the replay ledger: every request)
        table = model.__table__
        stmt = (dialect_insert(session, table).values({name: bindparam(name) for name in values})
                .on_conflict_do_nothing(index_elements=[key]).returning(table.c[key]))
        _INSERT_NEW[shape] = stmt
    # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT DO NOTHING.
    return session.execute(stmt, values).first() is not None


_INSERT_NEW: dict[tuple[Any, ...], Any] = {}
