"""Incidents against contracts, with the SLA clocks of the terms in force when they were opened.
Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, SQLColumnExpression, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from bot.business_clock import BusinessCalendar
from bot.sla import Clock, deadline
from storage import audit, sla_terms
from storage.models import Contract, Incident

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of people's machines disagree a little


class IncidentRuleError(ValueError):
    """A time that makes no sense for this incident; `problem` is a translation key."""

    def __init__(self, problem: str, **details: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.details = details


def parse_number(text: str) -> int | None:
    raw = (text or "").strip().upper()
    raw = raw[4:] if raw.startswith("INC-") else raw
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def get_by_number(session: Session, *, number: str) -> Incident | None:
    incident_id = parse_number(number)
    return session.get(Incident, incident_id) if incident_id is not None else None


def _check_time(at: datetime, *, now: datetime, not_before: datetime | None, what: str) -> None:
    if at > now + FUTURE_TOLERANCE:
        raise IncidentRuleError("err_time_in_future", what=what)
    if not_before is not None and at < not_before:
        raise IncidentRuleError("err_time_before", what=what, other=not_before)


def create(session: Session, *, contract: Contract, priority: str, summary: str, opened_at: datetime, actor: str,
           now: datetime, calendar: BusinessCalendar) -> Incident:
    _check_time(opened_at, now=now, not_before=None, what="since")
    incident = Incident(contract_id=contract.id, priority=priority, summary=summary, status=OPEN, opened_at=opened_at,
                        opened_by=actor, created_at=now, updated_at=now, channel=contract.channel)
    term = sla_terms.get_term(session, contract_id=contract.id, priority=priority)
    if term is not None:
        clock = Clock(term.clock)
        response = deadline(opened_at, term.response, clock, calendar)
        resolution = deadline(opened_at, term.resolution, clock, calendar)
        incident.clock, incident.credit_pct = term.clock, term.credit_pct
        incident.response_target, incident.resolution_target = term.response, term.resolution
        incident.response_due_at, incident.response_warn_at = response.due, response.warn
        incident.resolve_due_at, incident.resolve_warn_at = resolution.due, resolution.warn
    session.add(incident)
    session.flush()
    audit.record(session, actor=actor, entity_type="incident", entity_id=incident.id, action="incident_open",
                 changes={"priority": (None, priority), "summary": (None, summary), "opened_at": (None, opened_at)},
                 now=now)
    return incident


def acknowledge(session: Session, *, incident: Incident, at: datetime, actor: str, now: datetime) -> None:
    if incident.status == RESOLVED and incident.resolved_at is not None and at > incident.resolved_at:
        raise IncidentRuleError("err_ack_after_resolve", resolved=incident.resolved_at)
    if incident.acked_at is not None:
        raise IncidentRuleError("err_already_acked", at=incident.acked_at)
    _check_time(at, now=now, not_before=incident.opened_at, what="ack")
    incident.acked_at, incident.acked_by = at, actor
    if incident.status == OPEN:
        incident.status = ACKNOWLEDGED
    incident.updated_at = now
    session.flush()
    audit.record(session, actor=actor, entity_type="incident", entity_id=incident.id, action="incident_ack",
                 changes={"acked_at": (None, at)}, now=now)


def resolve(session: Session, *, incident: Incident, at: datetime, note: str | None, actor: str, now: datetime) -> None:
    if incident.status == RESOLVED:
        raise IncidentRuleError("err_already_resolved", at=incident.resolved_at)
    _check_time(at, now=now, not_before=incident.opened_at, what="resolve")
    if incident.acked_at is not None and at < incident.acked_at:
        raise IncidentRuleError("err_resolve_before_ack", acked=incident.acked_at)
    incident.resolved_at, incident.resolved_by, incident.resolution_note = at, actor, note
    incident.status = RESOLVED
    incident.updated_at = now
    session.flush()
    audit.record(session, actor=actor, entity_type="incident", entity_id=incident.id, action="incident_resolve",
                 changes={"resolved_at": (None, at)}, note=note, now=now)


def get_all(session: Session, *, contract_id: int | None = None, open_only: bool = True,
            limit: int = 100, contract_ids: Sequence[int] | None = None) -> tuple[Sequence[Incident], int]:
    conditions = []
    if contract_id is not None:
        conditions.append(Incident.contract_id == contract_id)
    if contract_ids is not None:
        conditions.append(Incident.contract_id.in_(list(contract_ids)))
    if open_only:
        conditions.append(Incident.status != RESOLVED)
    total = session.scalar(select(func.count()).select_from(Incident).where(*conditions)) or 0
    rows = session.scalars(select(Incident).where(*conditions).order_by(Incident.opened_at.desc()).limit(limit)).all()
    return rows, total


def any_for(session: Session, *, contract_id: int) -> bool:
    """Whether the contract has any incident at all (most have none: the card then skips their queries)."""
    return session.scalar(select(Incident.id).where(Incident.contract_id == contract_id).limit(1)) is not None


def count_open(session: Session, *, contract_id: int) -> int:
    stmt = select(func.count()).select_from(Incident).where(Incident.contract_id == contract_id,
                                                            Incident.status != RESOLVED)
    return session.scalar(stmt) or 0


def _met(done: SQLColumnExpression[Any], due: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    return and_(due.is_not(None), done.is_not(None), done <= due)


def _breached(done: SQLColumnExpression[Any], due: SQLColumnExpression[Any],
              now: datetime | ColumnElement[Any]) -> ColumnElement[bool]:
    """Done late, or not done and past due (the same rule as bot.sla.outcome, in SQL)."""
    return and_(due.is_not(None), or_(and_(done.is_not(None), done > due), and_(done.is_(None), due < now)))


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def sla_counts_between(session: Session, *, contract_id: int, start: datetime, end: datetime,
                       now: datetime) -> Sequence[Row[*tuple[Any, ...]]]:
    """Per priority, for the incidents opened in [start, end): how many, response and resolution met
    and breached, and breached incidents (either target) — counted by the database, because a
    contract may have thousands of incidents in a month. A response is the acknowledgement, or
    failing that the resolution."""
    values = {"contract_id": contract_id, "start": start, "end": end, "now": now}
    return session.execute(_sla_counts_stmt(), values).all()


@lru_cache(maxsize=1)
def _sla_counts_stmt() -> Select[Any]:
    """Built once, with bound parameters: building it cost ~1 ms of every contract card."""
    now = bindparam("now", type_=Incident.__table__.c.opened_at.type)
    responded = func.coalesce(Incident.acked_at, Incident.resolved_at)
    response_breached = _breached(responded, Incident.response_due_at, now)
    resolution_breached = _breached(Incident.resolved_at, Incident.resolve_due_at, now)
    return (select(Incident.priority, func.count().label("incidents"), func.max(Incident.credit_pct).label("credit_pct"),
                   _count(_met(responded, Incident.response_due_at)).label("response_met"),
                   _count(response_breached).label("response_breached"),
                   _count(_met(Incident.resolved_at, Incident.resolve_due_at)).label("resolution_met"),
                   _count(resolution_breached).label("resolution_breached"),
                   _count(or_(response_breached, resolution_breached)).label("breached_incidents"))
            .where(Incident.contract_id == bindparam("contract_id"), Incident.opened_at >= bindparam("start"),
                   Incident.opened_at < bindparam("end"))
            .group_by(Incident.priority))


def p1_outages(session: Session, *, contract_id: int, start: datetime, end: datetime) -> Sequence[Row[*tuple[Any, ...]]]:
    """(opened_at, resolved_at) of the P1 incidents whose outage overlaps [start, end)."""
    stmt = select(Incident.opened_at, Incident.resolved_at).where(
        Incident.contract_id == contract_id, Incident.priority == "P1", Incident.opened_at < end,
        or_(Incident.resolved_at.is_(None), Incident.resolved_at > start))
    return session.execute(stmt).all()


def at_risk_stmt(*, now: datetime) -> Select[Incident]:
    """Unresolved incidents past the warning point of a target still running."""
    return select(Incident).where(
        Incident.status != RESOLVED,
        or_(and_(Incident.acked_at.is_(None), Incident.response_warn_at <= now), Incident.resolve_warn_at <= now),
    ).order_by(Incident.id)


def at_risk_candidates(session: Session, *, now: datetime) -> Sequence[Incident]:
    return session.scalars(at_risk_stmt(now=now)).all()


def breached_between(session: Session, *, start: datetime, end: datetime, now: datetime,
                     contract_id: int | None = None) -> Sequence[Incident]:
    """Incidents whose response or resolution due time fell in [start, end) and was missed."""
    late_response = and_(Incident.response_due_at >= start, Incident.response_due_at < end,
                         or_(func.coalesce(Incident.acked_at, Incident.resolved_at).is_(None)
                             & (Incident.response_due_at < now),
                             func.coalesce(Incident.acked_at, Incident.resolved_at) > Incident.response_due_at))
    late_resolution = and_(Incident.resolve_due_at >= start, Incident.resolve_due_at < end,
                           or_(Incident.resolved_at.is_(None) & (Incident.resolve_due_at < now),
                               Incident.resolved_at > Incident.resolve_due_at))
    stmt = select(Incident).where(or_(late_response, late_resolution))
    if contract_id is not None:
        stmt = stmt.where(Incident.contract_id == contract_id)
    return session.scalars(stmt.order_by(Incident.opened_at)).all()
