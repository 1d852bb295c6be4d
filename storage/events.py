"""Slack event ids already handled (Slack re-delivers an event that was not acked in time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.inserts import insert_new
from storage.models import SlackEvent


def remember(session: Session, *, event_id: str, now: datetime) -> bool:
    """True the first time an event id is seen, False for a re-delivery."""
    return insert_new(session, SlackEvent, key="event_id", event_id=event_id, received_at=now)
