"""The portfolio's indicators (`/contract report`, the digest, App Home), counted by the database.

Every figure is one aggregate query (COUNT / SUM … GROUP BY), never a loop over contracts, so a
portfolio of 100,000 contracts answers in well under a second. Money is summed per currency.
Reads only; callers own the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, and_, case, cast, func, not_, or_, select
from sqlalchemy.orm import Session

from bot.dates import Period, month_period
from bot.deadlines import Renewal, Status
from bot.sla import PriorityLine, credit_statement
from bot.trajectory import Span, Step, Trajectory, ValueChange, add_months, correction, trajectory
from storage import obligations, revisions
from storage.incidents import RESOLVED
from storage.models import Amendment, AuditEvent, Contract, Dispute, Incident, SlaPolicy, SlaTerm, Vendor
from storage.sla_reports import compliance

IN_FORCE = (Status.ACTIVE, Status.NEGOTIATING, Status.NOTICE_GIVEN)
NOT_IN_FORCE = (Status.DRAFT, Status.EXPIRED, Status.TERMINATED)
DISPUTE_DONE = ("settled", "closed")
TOP_VENDORS = 5
Money = dict[str, Decimal]


@dataclass(slots=True)
class Indicators:
    period: Period
    contracts_in_force: int = 0
    vendors_in_force: int = 0
    amendments: int = 0
    disputes_opened: int = 0
    disputes_closed: int = 0
    disputes_open: int = 0
    at_stake: Money = field(default_factory=dict)  # claimed, disputes still open
    recovered: Money = field(default_factory=dict)  # disputes closed in the period
    written_off: Money = field(default_factory=dict)  # claimed − recovered, disputes closed in the period
    crises: int = 0  # P1 incidents opened in the period
    crises_resolved: int = 0
    breaches: int = 0  # incidents opened in the period with a response or resolution target missed
    credits_due: Money = field(default_factory=dict)
    credits_claimed: Money = field(default_factory=dict)
    trajectory: Trajectory = field(default_factory=Trajectory)
    top_vendors: dict[str, list[tuple[str, Decimal]]] = field(default_factory=dict)
    spend_in_force: Money = field(default_factory=dict)
    obligations_on_time: int = 0  # fulfilments done in the period by their due date
    obligations_late: int = 0  # fulfilments done in the period after their due date
    revisions_applied: int = 0  # price revisions effective in the period
    revisions_effect: Money = field(default_factory=dict)  # their total effect on the annual spend (after − before)


def _money(rows: Any) -> Money:
    out: Money = defaultdict(Decimal)
    for currency, amount in rows:
        if amount is not None:
            out[currency] += Decimal(str(amount))
    return {c: v.quantize(Decimal("0.01")) for c, v in out.items() if v}


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def portfolio(session: Session, *, period: Period, now: datetime, tz: ZoneInfo,
              with_credits: bool = True) -> Indicators:
    today = now.astimezone(tz).date()
    figures = Indicators(period)
    _under_management(session, figures)
    figures.amendments = session.scalar(select(func.count()).select_from(Amendment).where(
        Amendment.recorded_at >= period.start, Amendment.recorded_at < period.end)) or 0
    _disputes(session, figures, period)
    _incidents(session, figures, period, now)
    if with_credits:
        figures.credits_due = credits_due(session, period=period, now=now, tz=tz)
    figures.credits_claimed = _money(session.execute(
        select(Dispute.currency, func.sum(Dispute.amount_claimed))
        .where(Dispute.from_sla.is_(True), Dispute.opened_at >= period.start, Dispute.opened_at < period.end)
        .group_by(Dispute.currency)))
    figures.trajectory = trajectory(trajectory_steps(session, tz=tz), today=today)
    _obligations_and_revisions(session, figures, period)
    return figures


def _obligations_and_revisions(session: Session, figures: Indicators, period: Period) -> None:
    end = period.last_day + timedelta(days=1)
    met = obligations.met_on_time(session, start=period.first_day, end=end)
    figures.obligations_on_time, figures.obligations_late = met.on_time, met.late
    applied = revisions.applied_between(session, start=period.first_day, end=end)
    figures.revisions_applied = len(applied.revisions)
    figures.revisions_effect = {c: v.quantize(Decimal("0.01")) for c, v in sorted(applied.annual_delta.items())}


def _in_force() -> Any:
    """Active, negotiating or notice given — written as NOT IN the other statuses, so the database scans
    the table once instead of visiting most of it through the status index."""
    return Contract.status.not_in(NOT_IN_FORCE)


def _under_management(session: Session, figures: Indicators, *, limit: int = TOP_VENDORS) -> None:
    """Contracts, vendors, spend in force and the top vendors per currency, from one GROUP BY."""
    rows = session.execute(select(Contract.currency, Contract.vendor_id, func.count(), func.sum(Contract.annual_value))
                           .where(_in_force()).group_by(Contract.currency, Contract.vendor_id)).all()
    figures.contracts_in_force = sum(int(count) for _c, _v, count, _s in rows)
    figures.vendors_in_force = len({vendor for _c, vendor, _n, _s in rows})
    figures.spend_in_force = _money((currency, total) for currency, _v, _n, total in rows)
    ranked: dict[str, list[tuple[Decimal, int]]] = defaultdict(list)
    for currency, vendor, _n, total in rows:
        if total is not None:
            ranked[currency].append((Decimal(str(total)).quantize(Decimal("0.01")), vendor))
    top = {c: sorted(pairs, key=lambda p: (-p[0], p[1]))[:limit] for c, pairs in ranked.items()}
    ids = {vendor for pairs in top.values() for _t, vendor in pairs}
    names = {vid: name for vid, name in session.execute(select(Vendor.id, Vendor.name).where(Vendor.id.in_(ids)))}
    figures.top_vendors = {c: [(names.get(v, "?"), total) for total, v in pairs] for c, pairs in sorted(top.items())}


def _disputes(session: Session, figures: Indicators, period: Period) -> None:
    opened = and_(Dispute.opened_at >= period.start, Dispute.opened_at < period.end)
    closed = and_(Dispute.status == "closed", Dispute.closed_at >= period.start, Dispute.closed_at < period.end)
    still_open = Dispute.status.not_in(DISPUTE_DONE)
    figures.disputes_opened, figures.disputes_closed, figures.disputes_open = session.execute(
        select(_count(opened), _count(closed), _count(still_open))).one()
    figures.at_stake = at_stake(session)
    recovered = func.coalesce(Dispute.amount_recovered, 0)
    rows = session.execute(select(Dispute.currency, func.sum(recovered),
                                  func.sum(func.coalesce(Dispute.amount_claimed, 0) - recovered))
                           .where(closed).group_by(Dispute.currency)).all()
    figures.recovered = _money((c, r) for c, r, _ in rows)
    figures.written_off = _money((c, max(Decimal(str(w or 0)), Decimal(0))) for c, _, w in rows)


def at_stake(session: Session) -> Money:
    """Amount claimed in the disputes not settled or closed, per currency."""
    return _money(session.execute(select(Dispute.currency, func.sum(Dispute.amount_claimed))
                                  .where(Dispute.status.not_in(DISPUTE_DONE)).group_by(Dispute.currency)))


def _breached_condition(now: datetime) -> Any:
    responded = func.coalesce(Incident.acked_at, Incident.resolved_at)
    late_response = and_(Incident.response_due_at.is_not(None),
                         or_(responded > Incident.response_due_at,
                             and_(responded.is_(None), Incident.response_due_at < now)))
    late_resolution = and_(Incident.resolve_due_at.is_not(None),
                           or_(Incident.resolved_at > Incident.resolve_due_at,
                               and_(Incident.resolved_at.is_(None), Incident.resolve_due_at < now)))
    return or_(late_response, late_resolution)


def _incidents(session: Session, figures: Indicators, period: Period, now: datetime) -> None:
    p1 = Incident.priority == "P1"
    figures.crises, figures.crises_resolved, figures.breaches = session.execute(
        select(_count(p1), _count(and_(p1, Incident.status == RESOLVED)), _count(_breached_condition(now)))
        .where(Incident.opened_at >= period.start, Incident.opened_at < period.end)).one()


def _months(period: Period, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The local calendar months of the period, clipped to it, as [start, end) UTC instants."""
    spans = []
    month = period.first_day.replace(day=1)
    while month <= period.last_day:
        span = month_period(month.year, month.month, tz)
        spans.append((max(span.start, period.start), min(span.end, period.end)))
        month = add_months(month, 1)
    return spans


def credits_due(session: Session, *, period: Period, now: datetime, tz: ZoneInfo) -> Money:
    """Service credits due, month by month by the rule `/sla` applies (bot.sla.credit_statement): breached
    incidents are counted by the database per contract, month and priority (one GROUP BY); only a
    contract-month with an availability target and a P1 outage is computed in full (`compliance`)."""
    months = _months(period, tz)
    if not months:
        return {}
    bucket = case(*[(Incident.opened_at < end, index) for index, (_start, end) in enumerate(months)], else_=-1)
    with_policy = select(SlaPolicy.contract_id).where(SlaPolicy.availability_target.is_not(None))
    p1_with_policy = and_(Incident.priority == "P1", Incident.contract_id.in_(with_policy))
    breached = _breached_condition(now)
    rows = session.execute(
        select(Incident.contract_id, bucket, Incident.priority, _count(breached), func.max(Incident.credit_pct),
               _count(p1_with_policy))
        .where(Incident.opened_at >= period.start, Incident.opened_at < period.end, or_(breached, p1_with_policy))
        .group_by(Incident.contract_id, bucket, Incident.priority)).all()
    cells: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for contract_id, month, priority, breaches, pct, p1_outages in rows:
        cells[(contract_id, month)].append((priority, int(breaches), pct, int(p1_outages)))
    ids = sorted({cid for cid, _ in cells})
    values: dict[int, tuple[Decimal | None, str]] = {}
    term_pct: dict[tuple[int, str], Decimal | None] = {}
    policies: dict[int, SlaPolicy] = {}
    for chunk in range(0, len(ids), 500):
        some = ids[chunk:chunk + 500]
        values.update({cid: (value, currency) for cid, value, currency in session.execute(
            select(Contract.id, Contract.annual_value, Contract.currency).where(Contract.id.in_(some)))})
        term_pct.update({(cid, p): pct for cid, p, pct in session.execute(
            select(SlaTerm.contract_id, SlaTerm.priority, SlaTerm.credit_pct).where(SlaTerm.contract_id.in_(some)))})
        policies.update({p.contract_id: p for p in session.scalars(
            select(SlaPolicy).where(SlaPolicy.contract_id.in_(some)))})
    totals: Money = defaultdict(Decimal)
    for (contract_id, month), lines in cells.items():
        value, currency = values.get(contract_id, (None, ""))
        if value is None or month < 0:
            continue
        policy = policies.get(contract_id)
        if policy is not None and policy.availability_target is not None and any(line[3] for line in lines):
            start, end = months[month]
            contract = session.get_one(Contract, contract_id)
            statement = compliance(session, contract=contract, start=start, end=end, now=now).statement
        else:
            priority_lines = []
            for priority, breaches, incident_pct, _ in lines:
                pct = term_pct.get((contract_id, priority))
                priority_lines.append(PriorityLine(priority, breached_incidents=breaches,
                                                   credit_pct=pct if pct is not None else incident_pct))
            statement = credit_statement(annual_value=value, lines=priority_lines, availability=None,
                                         availability_target=None, availability_credit_pct=None,
                                         cap_pct=policy.cap_pct if policy else None)
        totals[currency] += statement.total_due
    return {c: v for c, v in totals.items() if v}


def _open_ended() -> Any:
    """Tacit renewal with no notice given: in force until someone stops it."""
    return and_(Contract.renewal == Renewal.AUTO, Contract.status.in_((Status.ACTIVE, Status.NEGOTIATING)))


def trajectory_steps(session: Session, *, tz: ZoneInfo) -> list[Step]:
    """Contracts at their current value summed per start day and per end day (two GROUP BY queries);
    then, for the few contracts whose value changed (the audit trail: amendments, imports, revisions),
    a correction so each month sees the value in force on its first day."""
    counted = and_(Contract.status != Status.DRAFT, Contract.annual_value.is_not(None))
    steps = [Step(start, Decimal(str(total)), currency) for start, currency, total in session.execute(
        select(Contract.start_date, Contract.currency, func.sum(Contract.annual_value)).where(counted)
        .group_by(Contract.start_date, Contract.currency))]
    steps += [Step(end + timedelta(days=1), -Decimal(str(total)), currency) for end, currency, total in session.execute(
        select(Contract.end_date, Contract.currency, func.sum(Contract.annual_value))
        .where(counted, not_(_open_ended())).group_by(Contract.end_date, Contract.currency))]
    changes: dict[int, list[ValueChange]] = defaultdict(list)
    stmt = (select(AuditEvent.entity_id, AuditEvent.at, AuditEvent.changes)
            .where(AuditEvent.entity_type == "contract", AuditEvent.action != "create",
                   cast(AuditEvent.changes, Text).like('%"annual_value"%'))
            .order_by(AuditEvent.at, AuditEvent.id))
    for contract_id, at, diff in session.execute(stmt):
        before, after = (diff or {}).get("annual_value") or (None, None)
        changes[contract_id].append(ValueChange(at.astimezone(tz).date(), _decimal(before), _decimal(after)))
    ids = list(changes)
    for chunk in range(0, len(ids), 500):
        rows = session.execute(select(Contract.id, Contract.start_date, Contract.end_date, Contract.annual_value,
                                      Contract.currency, Contract.status, Contract.renewal)
                               .where(Contract.id.in_(ids[chunk:chunk + 500]), counted))
        for cid, start, end, value, currency, status, renewal in rows:
            open_ended = renewal == Renewal.AUTO and status in (Status.ACTIVE, Status.NEGOTIATING)
            span = Span(start, None if open_ended else end, Decimal(str(value)), currency)
            steps += correction(span, changes[cid])
    return steps


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return None
