"""Slack event ids already handled (Slack re-delivers an event that was not acked in time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import SlackEvent


def remember(session: Session, *, event_id: str, now: datetime) -> bool:
    """True the first time an event id is seen, False for a re-delivery."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SlackEvent)
    stmt = (insert.values(event_id=event_id, received_at=now)
            .on_conflict_do_nothing(index_elements=["event_id"]).returning(SlackEvent.event_id))
    # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT DO NOTHING.
    return session.execute(stmt).first() is not None
