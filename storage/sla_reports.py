"""SLA compliance of a contract over a period: per priority, availability, and credits due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.dates import month_period
from bot.sla import (
    PRIORITIES,
    CreditStatement,
    PriorityLine,
    availability_pct,
    credit_statement,
    merged_downtime_minutes,
)
from storage import incidents, sla_terms
from storage.models import Contract


@dataclass(slots=True)
class Compliance:
    contract: Contract
    start: datetime
    end: datetime
    has_sla: bool
    statement: CreditStatement
    downtime_minutes: Decimal
    period_minutes: Decimal
    incident_count: int


def compliance(session: Session, *, contract: Contract, start: datetime, end: datetime, now: datetime,
               any_incident: bool = True) -> Compliance:
    """Incidents opened in [start, end); downtime = P1 outages clipped to the period (to `now` while open).
    `any_incident=False` (the caller knows the contract has none) skips the incident queries."""
    terms = {t.priority: t for t in sla_terms.get_terms(session, contract_id=contract.id)}
    policy = sla_terms.get_policy(session, contract_id=contract.id)
    lines = {p: PriorityLine(p, credit_pct=terms[p].credit_pct if p in terms else None) for p in PRIORITIES}
    incident_count = 0
    counted = (incidents.sla_counts_between(session, contract_id=contract.id, start=start, end=end, now=now)
               if any_incident else ())
    for row in counted:
        line = lines[row.priority]
        if line.credit_pct is None:
            line.credit_pct = row.credit_pct  # terms removed since: the ones copied onto the incidents
        line.incidents, line.breached_incidents = int(row.incidents), int(row.breached_incidents)
        line.response_met, line.response_breached = int(row.response_met), int(row.response_breached)
        line.resolution_met, line.resolution_breached = int(row.resolution_met), int(row.resolution_breached)
        incident_count += line.incidents
    horizon = min(end, now) if now > start else end
    p1 = incidents.p1_outages(session, contract_id=contract.id, start=start, end=end) if any_incident else ()
    outages = [(opened, resolved or horizon) for opened, resolved in p1]
    period_minutes = Decimal(int((end - start).total_seconds())) / Decimal(60)
    downtime = merged_downtime_minutes(outages, start, end)
    availability = availability_pct(downtime, period_minutes)
    statement = credit_statement(
        annual_value=contract.annual_value,
        lines=[lines[p] for p in PRIORITIES],
        availability=availability,
        availability_target=policy.availability_target if policy else None,
        availability_credit_pct=policy.availability_credit_pct if policy else None,
        cap_pct=policy.cap_pct if policy else None,
    )
    has_sla = bool(terms) or (policy is not None and policy.availability_target is not None)
    return Compliance(contract, start, end, has_sla, statement, downtime, period_minutes, incident_count)


@dataclass(slots=True)
class CardSummary:
    open_incidents: int
    month: Compliance


def card_summary(session: Session, *, contract: Contract, now: datetime, tz: ZoneInfo) -> CardSummary:
    """What the contract card shows of incidents and SLAs: open incidents and this month's figures."""
    today = now.astimezone(tz).date()
    period = month_period(today.year, today.month, tz)
    any_incident = incidents.any_for(session, contract_id=contract.id)
    return CardSummary(incidents.count_open(session, contract_id=contract.id) if any_incident else 0,
                       compliance(session, contract=contract, start=period.start, end=period.end, now=now,
                                  any_incident=any_incident))
