"""The audit trail: every change, who, when, before and after. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.durations import Duration
from storage.models import AuditEvent


def jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Duration):
        return value.written()
    return value


def record(
    session: Session,
    *,
    actor: str,
    entity_type: str,
    entity_id: int,
    action: str,
    changes: dict[str, tuple[Any, Any]] | None = None,
    note: str | None = None,
    now: datetime,
) -> AuditEvent:
    event = AuditEvent(
        at=now,
        actor=actor,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        changes={k: [jsonable(before), jsonable(after)] for k, (before, after) in (changes or {}).items()},
        note=note,
    )
    session.add(event)
    return event


def get_all(session: Session, *, entity_type: str, entity_id: int, limit: int = 200) -> Sequence[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.at, AuditEvent.id)
        .limit(limit)
    )
    return session.scalars(stmt).all()
