"""`INSERT … ON CONFLICT DO NOTHING` on SQLite and PostgreSQL: the one place that picks the dialect."""

from __future__ import annotations

from typing import Any

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
    stmt = (dialect_insert(session, model).values(**values)
            .on_conflict_do_nothing(index_elements=[key]).returning(getattr(model, key)))
    # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT DO NOTHING.
    return session.execute(stmt).first() is not None
