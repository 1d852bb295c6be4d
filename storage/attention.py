"""What needs someone's attention, for the weekly digest and the App Home: decisions due, tacit renewals
that happened, SLA breaches, open disputes and incidents, obligations and price revisions due — the whole
portfolio, or one owner's contracts.

Each read returns at most `limit` rows and the total (a COUNT), so a long list ends with "and N more".
Reads only; callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.deadlines import CLOSED_STATUSES, Status
from bot.obligations import OPEN
from storage.incidents import RESOLVED
from storage.indicators import DISPUTE_DONE
from storage.models import AuditEvent, Contract, Dispute, Incident, Obligation, RevisionClause
from storage.obligations import CLOSED_CONTRACTS
from storage.revisions import due_condition

Listing = tuple[Sequence[Any], int]


def _page(session: Session, stmt: Any, condition: Any, limit: int, count_from: Any) -> Listing:
    total = session.scalar(select(func.count()).select_from(count_from).where(condition)) or 0
    return session.scalars(stmt.where(condition).limit(limit)).all(), total


def decisions_due(session: Session, *, today: date, days: int = 30, owner: str | None = None,
                  limit: int = 10) -> Listing:
    """In force, act-by in the next `days` days or already passed while the end is still ahead;
    overdue first (the earliest act-by comes first)."""
    closed = [s.value for s in CLOSED_STATUSES] + [Status.DRAFT.value, Status.NOTICE_GIVEN.value]
    horizon = today + timedelta(days=days)
    condition = and_(Contract.act_by <= horizon, Contract.status.not_in(closed),
                     or_(Contract.act_by >= today, Contract.end_date >= today))
    if owner:
        condition = and_(condition, Contract.owner == owner)
    stmt = select(Contract).order_by(Contract.act_by, Contract.reference)
    return _page(session, stmt, condition, limit, Contract)


def tacit_renewals(session: Session, *, start: datetime, end: datetime, limit: int = 10) -> Listing:
    """(audit event, contract) of the tacit renewals recorded in [start, end)."""
    condition = and_(AuditEvent.entity_type == "contract", AuditEvent.action == "tacit_renewal",
                     AuditEvent.at >= start, AuditEvent.at < end)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(condition)) or 0
    rows = session.execute(select(AuditEvent, Contract).join(Contract, Contract.id == AuditEvent.entity_id)
                           .where(condition).order_by(AuditEvent.at, AuditEvent.id).limit(limit)).all()
    return rows, total


def _late(now: datetime) -> Any:
    responded = func.coalesce(Incident.acked_at, Incident.resolved_at)
    return or_(and_(Incident.response_due_at.is_not(None),
                    or_(responded > Incident.response_due_at,
                        and_(responded.is_(None), Incident.response_due_at < now))),
               and_(Incident.resolve_due_at.is_not(None),
                    or_(Incident.resolved_at > Incident.resolve_due_at,
                        and_(Incident.resolved_at.is_(None), Incident.resolve_due_at < now))))


def breaches(session: Session, *, start: datetime, end: datetime, now: datetime, limit: int = 10) -> Listing:
    """Incidents whose response or resolution due time fell in [start, end) and was missed."""
    due_in = or_(and_(Incident.response_due_at >= start, Incident.response_due_at < end),
                 and_(Incident.resolve_due_at >= start, Incident.resolve_due_at < end))
    stmt = select(Incident).order_by(Incident.opened_at, Incident.id)
    return _page(session, stmt, and_(due_in, _late(now)), limit, Incident)


def open_disputes(session: Session, *, owner: str | None = None, limit: int = 10) -> Listing:
    """Not settled or closed, oldest first (then the largest amount)."""
    condition: Any = Dispute.status.not_in(DISPUTE_DONE)
    if owner:
        condition = and_(condition, Dispute.contract_id.in_(select(Contract.id).where(Contract.owner == owner)))
    stmt = select(Dispute).order_by(Dispute.opened_at, Dispute.amount_claimed.desc(), Dispute.id)
    return _page(session, stmt, condition, limit, Dispute)


def open_incidents(session: Session, *, owner: str, limit: int = 10) -> Listing:
    condition = and_(Incident.status != RESOLVED,
                     Incident.contract_id.in_(select(Contract.id).where(Contract.owner == owner)))
    stmt = select(Incident).order_by(Incident.priority, Incident.opened_at)
    return _page(session, stmt, condition, limit, Incident)


def obligations_due(session: Session, *, today: date, days: int = 30, owner: str | None = None,
                    limit: int = 10) -> Listing:
    """Open obligations of contracts in force, overdue or due in the next `days` days, overdue first. With
    `owner`: the obligation's owner, or the contract's owner when the obligation has none."""
    condition: Any = and_(Obligation.state == OPEN, Obligation.due_on <= today + timedelta(days=days),
                          Contract.status.not_in(CLOSED_CONTRACTS))
    if owner:
        condition = and_(condition, or_(Obligation.owner == owner,
                                        and_(Obligation.owner.is_(None), Contract.owner == owner)))
    joined = select(Obligation).join(Contract, Contract.id == Obligation.contract_id)
    total = session.scalar(select(func.count()).select_from(Obligation)
                           .join(Contract, Contract.id == Obligation.contract_id).where(condition)) or 0
    rows = session.scalars(joined.where(condition).order_by(Obligation.due_on, Obligation.id).limit(limit)).all()
    return rows, total


def revisions_due(session: Session, *, today: date, days: int = 30, limit: int = 10) -> Listing:
    """Revision clauses of contracts in force whose next revision is in the next `days` days or passed
    without being applied, soonest first."""
    condition = due_condition(today + timedelta(days=days))
    total = session.scalar(select(func.count()).select_from(RevisionClause)
                           .join(Contract, Contract.id == RevisionClause.contract_id).where(condition)) or 0
    rows = session.scalars(select(RevisionClause).join(Contract, Contract.id == RevisionClause.contract_id)
                           .where(condition).order_by(RevisionClause.next_revision_on, RevisionClause.contract_id)
                           .limit(limit)).all()
    return rows, total
