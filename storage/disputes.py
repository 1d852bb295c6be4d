"""Disputes (DSP-<n>) against contracts: open, update, close, reopen, snooze the stale reminder.

Every change is in the audit trail with entity_type "dispute" (the dispute's timeline, also shown in
`/contract history`). `last_activity_at` moves with every change except a snooze; the stale reminder
reads it. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot import disputes as rules
from bot.errors import DomainError
from storage import audit
from storage.models import AuditEvent, Contract, Dispute, DisputeIncident, Incident
from storage.sla_reports import compliance

ENTITY = "dispute"


def parse_number(text: str | None) -> int | None:
    raw = (text or "").strip().upper()
    raw = raw[4:] if raw.startswith("DSP-") else raw
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def get_by_number(session: Session, *, number: str | None) -> Dispute | None:
    dispute_id = parse_number(number)
    return session.get(Dispute, dispute_id) if dispute_id is not None else None


def get_by_id(session: Session, *, dispute_id: int) -> Dispute | None:
    return session.get(Dispute, dispute_id)


@dataclass(slots=True)
class SlaClaim:
    """The service credits a dispute is opened from: their total, explanation and period."""

    amount: Decimal
    detail: list[dict[str, Any]]
    period_start: date
    period_end: date  # exclusive


def sla_claim(session: Session, *, contract: Contract, start: datetime, end: datetime, first_day: date,
              last_day: date, now: datetime) -> SlaClaim:
    """The service credits `/sla` computes for the contract and period, as a claim (refused when none is due)."""
    report = compliance(session, contract=contract, start=start, end=end, now=now)
    if report.statement.monthly_fee is None:
        raise DomainError("err_dispute_sla_no_value", ref=contract.reference)
    if not report.statement.total_due:
        raise DomainError("err_dispute_sla_nothing_due", ref=contract.reference, start=first_day.isoformat(),
                          end=last_day.isoformat())
    return SlaClaim(report.statement.total_due, rules.credit_detail(report.statement), first_day,
                    last_day + timedelta(days=1))


def _record(session: Session, dispute: Dispute, *, action: str, actor: str, now: datetime,
            changes: dict[str, tuple[Any, Any]] | None = None, note: str | None = None) -> None:
    audit.record(session, actor=actor, entity_type=ENTITY, entity_id=dispute.id, action=action, changes=changes,
                 note=note, now=now)


def create(session: Session, *, contract: Contract, summary: str, amount_claimed: Decimal | None,
           incident_numbers: Sequence[int] = (), sla: SlaClaim | None = None, actor: str, now: datetime) -> Dispute:
    linked = []
    for incident_id in incident_numbers:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise DomainError("err_unknown_incident", number=f"INC-{incident_id}")
        if incident.contract_id != contract.id:
            raise DomainError("err_dispute_incident_elsewhere", number=incident.number, ref=contract.reference)
        linked.append(incident)
    dispute = Dispute(contract_id=contract.id, summary=summary, status=rules.OPEN, amount_claimed=amount_claimed,
                      currency=contract.currency, from_sla=sla is not None, opened_at=now, opened_by=actor,
                      updated_at=now, last_activity_at=now, channel=contract.channel)
    if sla is not None:
        dispute.amount_claimed = sla.amount
        dispute.credit_detail = sla.detail
        dispute.sla_period_start, dispute.sla_period_end = sla.period_start, sla.period_end
    session.add(dispute)
    session.flush()
    for incident in linked:
        session.add(DisputeIncident(dispute_id=dispute.id, incident_id=incident.id))
    changes: dict[str, tuple[Any, Any]] = {"status": (None, rules.OPEN), "summary": (None, summary),
                                           "amount_claimed": (None, dispute.amount_claimed)}
    if linked:
        changes["incidents"] = (None, ", ".join(i.number for i in linked))
    if sla is not None:
        last_day = sla.period_end - timedelta(days=1)
        changes["from_sla"] = (None, f"{sla.period_start.isoformat()} – {last_day.isoformat()}")
    _record(session, dispute, action="dispute_open", actor=actor, now=now, changes=changes)
    return dispute


def update(session: Session, *, dispute: Dispute, status: str | None, note: str | None, actor: str,
           now: datetime) -> rules.Move:
    """A status move (or, with no status or the same one, a note). Closing through here records no
    outcome; `close` does."""
    if status is None:
        if not note:
            raise DomainError("err_dispute_update_nothing")
        status = dispute.status
    move = rules.check_move(dispute.status, status, note=note)
    changes: dict[str, tuple[Any, Any]] = {}
    if move.kind != "note":
        changes["status"] = (move.before, move.after)
        dispute.status = move.after
    if move.kind == "reopen":
        changes["outcome"] = (dispute.outcome, None)
        dispute.closed_at, dispute.outcome = None, None
    elif move.after == rules.CLOSED:
        dispute.closed_at = now
        if dispute.amount_claimed is not None and dispute.amount_recovered is None:
            changes["amount_recovered"] = (None, Decimal(0))
            dispute.amount_recovered = Decimal("0.00")
    dispute.updated_at = dispute.last_activity_at = now
    session.flush()
    action = {"note": "dispute_note", "reopen": "dispute_reopen"}.get(move.kind, "dispute_update")
    if move.after == rules.CLOSED and move.kind == "move":
        action = "dispute_close"
    _record(session, dispute, action=action, actor=actor, now=now, changes=changes, note=note)
    return move


def close(session: Session, *, dispute: Dispute, outcome: str | None, recovered: Decimal | None, force: bool,
          note: str | None = None, actor: str, now: datetime) -> None:
    """Close with the outcome and the amount recovered; written off = claimed − recovered."""
    move = rules.check_move(dispute.status, rules.CLOSED, note=None)
    if recovered is not None:
        rules.check_recovered(dispute.amount_claimed, recovered, force=force)
    elif dispute.amount_claimed is not None:
        recovered = dispute.amount_recovered if dispute.amount_recovered is not None else Decimal("0.00")
    changes: dict[str, tuple[Any, Any]] = {"status": (move.before, move.after)}
    if recovered != dispute.amount_recovered:
        changes["amount_recovered"] = (dispute.amount_recovered, recovered)
    if outcome:
        changes["outcome"] = (dispute.outcome, outcome)
    written_off = rules.written_off(dispute.amount_claimed, recovered)
    if written_off is not None:
        changes["amount_written_off"] = (None, written_off)
    dispute.status, dispute.outcome, dispute.amount_recovered = rules.CLOSED, outcome, recovered
    dispute.closed_at = dispute.updated_at = dispute.last_activity_at = now
    session.flush()
    _record(session, dispute, action="dispute_close", actor=actor, now=now, changes=changes, note=note)


def snooze(session: Session, *, dispute: Dispute, until: datetime, actor: str, now: datetime) -> None:
    before = dispute.reminder_snoozed_until
    dispute.reminder_snoozed_until = until
    dispute.updated_at = now
    session.flush()
    _record(session, dispute, action="dispute_snooze", actor=actor, now=now,
            changes={"reminder_snoozed_until": (before, until)})


# ---- reading ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Listing:
    rows: Sequence[Dispute]
    total: int
    claimed: dict[str, Decimal] = field(default_factory=dict)  # per currency
    recovered: dict[str, Decimal] = field(default_factory=dict)


def _conditions(contract_ids: Sequence[int] | None, open_only: bool) -> list[Any]:
    conditions: list[Any] = []
    if contract_ids is not None:
        conditions.append(Dispute.contract_id.in_(list(contract_ids)))
    if open_only:
        conditions.append(Dispute.status.in_(rules.ACTIVE))
    return conditions


def get_all(session: Session, *, contract_ids: Sequence[int] | None = None, open_only: bool = True,
            limit: int = 100) -> Listing:
    """Disputes (open by default), newest first, with the totals claimed and recovered of all of them."""
    conditions = _conditions(contract_ids, open_only)
    total = session.scalar(select(func.count()).select_from(Dispute).where(*conditions)) or 0
    rows = session.scalars(select(Dispute).where(*conditions).order_by(Dispute.opened_at.desc(), Dispute.id.desc())
                           .limit(limit)).all()
    listing = Listing(rows, total)
    sums = session.execute(select(Dispute.currency, func.sum(Dispute.amount_claimed), func.sum(Dispute.amount_recovered))
                           .where(*conditions).group_by(Dispute.currency).order_by(Dispute.currency))
    for currency, claimed, recovered in sums:
        listing.claimed[currency] = Decimal(claimed or 0).quantize(Decimal("0.01"))
        listing.recovered[currency] = Decimal(recovered or 0).quantize(Decimal("0.01"))
    return listing


@dataclass(slots=True)
class OpenSummary:
    count: int
    at_stake: Decimal


def open_summary(session: Session, *, contract_id: int) -> OpenSummary:
    """What the contract card shows: open disputes and the amount at stake (claimed)."""
    count, amount = session.execute(
        select(func.count(), func.sum(Dispute.amount_claimed))
        .where(Dispute.contract_id == contract_id, Dispute.status.in_(rules.ACTIVE))).one()
    return OpenSummary(int(count or 0), Decimal(amount or 0).quantize(Decimal("0.01")))


def contracts_with_open_disputes() -> Select[Any]:
    """A subquery of the ids of contracts with at least one open dispute (for `/contract list disputes:open`)."""
    return select(Dispute.contract_id).where(Dispute.status.in_(rules.ACTIVE)).distinct()


def linked_incidents(session: Session, *, dispute_id: int) -> Sequence[Incident]:
    stmt = (select(Incident).join(DisputeIncident, DisputeIncident.incident_id == Incident.id)
            .where(DisputeIncident.dispute_id == dispute_id).order_by(Incident.id))
    return session.scalars(stmt).all()


def timeline(session: Session, *, dispute_id: int) -> Sequence[AuditEvent]:
    return audit.get_all(session, entity_type=ENTITY, entity_id=dispute_id)


def contract_timeline(session: Session, *, contract_id: int, limit: int = 200) -> Sequence[AuditEvent]:
    """The timeline events of every dispute of a contract (for `/contract history`)."""
    stmt = (select(AuditEvent)
            .where(AuditEvent.entity_type == ENTITY,
                   AuditEvent.entity_id.in_(select(Dispute.id).where(Dispute.contract_id == contract_id)))
            .order_by(AuditEvent.at, AuditEvent.id).limit(limit))
    return session.scalars(stmt).all()


def stale_candidates(session: Session, *, now: datetime) -> Sequence[Dispute]:
    """Open disputes with no change for 14 days (the snooze is applied by the caller)."""
    stmt = (select(Dispute).where(Dispute.status.in_(rules.ACTIVE),
                                  Dispute.last_activity_at <= now - rules.STALE_AFTER)
            .order_by(Dispute.id))
    return session.scalars(stmt).all()


def get_all_for_export(session: Session) -> Sequence[Dispute]:
    return session.scalars(select(Dispute).order_by(Dispute.id)).all()
