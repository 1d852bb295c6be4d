"""Signed requests already seen (replay refusal): one row per accepted signature, purged after the window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import SeenRequest


def remember(session: Session, *, signature: str, now: datetime) -> bool:
    """True the first time a signature is seen, False when it was already seen (a replay)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SeenRequest)
    stmt = (insert.values(signature=signature, seen_at=now)
            .on_conflict_do_nothing(index_elements=["signature"]).returning(SeenRequest.signature))
    # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT DO NOTHING.
    return session.execute(stmt).first() is not None


def delete_older_than(session: Session, *, before: datetime) -> int:
    """Forget signatures seen before `before` (they are refused as stale by their timestamp anyway)."""
    result = session.execute(delete(SeenRequest).where(SeenRequest.seen_at < before))
    return int(result.rowcount or 0)
