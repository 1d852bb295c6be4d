"""Index values (Syntec, …): the service module of the index aggregate. Callers own the transaction.

A month has one value (a unique constraint). Setting it again is a correction: the audit trail keeps
who, when, and the value before and after. Import is all-or-nothing, every bad row with its line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.revision import IndexPoint
from storage import audit
from storage.models import AuditEvent, IndexValue

ENTITY = "index_value"


@dataclass(frozen=True, slots=True)
class SetResult:
    row: IndexValue
    before: Decimal | None  # None: a new month; else the value it had (a correction)
    changed: bool


def get(session: Session, *, name: str, month: date) -> IndexValue | None:
    return session.scalar(select(IndexValue).where(IndexValue.index_name == name, IndexValue.month == month))


def set_value(session: Session, *, name: str, month: date, value: Decimal, published_on: date | None, actor: str,
              now: datetime) -> SetResult:
    if published_on is not None and published_on < month:
        raise DomainError("err_index_published_before", month=month.strftime("%Y-%m"),
                          published=published_on.isoformat())
    row = get(session, name=name, month=month)
    if row is None:
        row = IndexValue(index_name=name, month=month, value=value, published_on=published_on, recorded_at=now,
                         recorded_by=actor)
        session.add(row)
        session.flush()
        audit.record(session, actor=actor, entity_type=ENTITY, entity_id=row.id, action="index_set",
                     changes={"index": (None, name), "month": (None, month.strftime("%Y-%m")), "value": (None, value),
                              "published_on": (None, published_on)}, now=now)
        return SetResult(row, None, True)
    before_value, before_published = row.value, row.published_on
    changes: dict[str, tuple[object, object]] = {}
    if before_value != value:
        changes["value"] = (before_value, value)
    if published_on is not None and before_published != published_on:
        changes["published_on"] = (before_published, published_on)
    if not changes:
        return SetResult(row, before_value, False)
    row.value = value
    if published_on is not None:
        row.published_on = published_on
    row.recorded_at, row.recorded_by = now, actor
    session.flush()
    audit.record(session, actor=actor, entity_type=ENTITY, entity_id=row.id, action="index_correct",
                 changes={"index": (name, name), "month": (month.strftime("%Y-%m"),) * 2, **changes}, now=now)
    return SetResult(row, before_value, True)


def get_recent(session: Session, *, name: str, limit: int = 12) -> Sequence[IndexValue]:
    stmt = select(IndexValue).where(IndexValue.index_name == name).order_by(IndexValue.month.desc()).limit(limit)
    return session.scalars(stmt).all()


@dataclass(frozen=True, slots=True)
class IndexSummary:
    name: str
    count: int
    first: date
    last: date


def get_names(session: Session) -> list[IndexSummary]:
    stmt = (select(IndexValue.index_name, func.count(), func.min(IndexValue.month), func.max(IndexValue.month))
            .group_by(IndexValue.index_name).order_by(IndexValue.index_name))
    return [IndexSummary(name, count, first, last) for name, count, first, last in session.execute(stmt)]


def corrections(session: Session, *, row_ids: Iterable[int]) -> dict[int, int]:
    """How many times each value was corrected (from the audit trail)."""
    ids = list(row_ids)
    if not ids:
        return {}
    stmt = (select(AuditEvent.entity_id, func.count()).where(AuditEvent.entity_type == ENTITY,
                                                             AuditEvent.action == "index_correct",
                                                             AuditEvent.entity_id.in_(ids))
            .group_by(AuditEvent.entity_id))
    return {entity_id: count for entity_id, count in session.execute(stmt)}


def get_points(session: Session, *, names: Iterable[str]) -> dict[str, dict[date, IndexPoint]]:
    """Every value of these indices, by name then month (what the revision formula reads)."""
    wanted = sorted(set(names))
    points: dict[str, dict[date, IndexPoint]] = defaultdict(dict)
    if not wanted:
        return points
    stmt = select(IndexValue.index_name, IndexValue.month, IndexValue.value, IndexValue.published_on).where(
        IndexValue.index_name.in_(wanted))
    for name, month, value, published in session.execute(stmt):
        points[name][month] = IndexPoint(month, Decimal(value), published)
    return points


def set_values(session: Session, *, name: str, rows: Iterable[tuple[date, Decimal, date | None]], actor: str,
               now: datetime) -> tuple[int, int, int]:
    """(month, value, published) rows, already read and checked (`bot.index_csv`). Returns (added,
    corrected, unchanged)."""
    added = corrected = unchanged = 0
    for month, value, published in rows:
        result = set_value(session, name=name, month=month, value=value, published_on=published, actor=actor, now=now)
        if result.before is None:
            added += 1
        elif result.changed:
            corrected += 1
        else:
            unchanged += 1
    return added, corrected, unchanged
