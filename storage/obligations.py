"""Obligations of contracts (OBL-<n>): add, done, waive, snooze, list, and the queries the sweep, the
contract card and (later) the digest and report read. Callers own the transaction.

Every change is recorded twice in the audit trail: on the obligation (its own history, `/obligation
show`) and on its contract (`/contract history`), with the OBL number in the note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from bot import obligations as rules
from bot.durations import Duration
from bot.errors import DomainError
from storage import audit
from storage.alerts import still_handled
from storage.models import Alert, AuditEvent, Contract, Obligation, ObligationFulfilment

KIND = "obligation"
CLOSED_CONTRACTS = ("expired", "terminated")
MAX_WHAT = 500
MAX_EVIDENCE = 1000


def parse_number(text: str | None) -> int | None:
    raw = (text or "").strip().upper()
    raw = raw[4:] if raw.startswith("OBL-") else raw
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def get_by_number(session: Session, *, number: str | None) -> Obligation | None:
    obligation_id = parse_number(number)
    return session.get(Obligation, obligation_id) if obligation_id is not None else None


def get_by_id(session: Session, *, obligation_id: int) -> Obligation | None:
    return session.get(Obligation, obligation_id)


def alert_key(obligation_id: int, due: date, level: int) -> str:
    return f"{KIND}:{obligation_id}:{due.isoformat()}:{level}"


def _record(session: Session, obligation: Obligation, *, action: str, actor: str, now: datetime,
            changes: dict[str, tuple[Any, Any]] | None = None, note: str | None = None) -> None:
    audit.record(session, actor=actor, entity_type=KIND, entity_id=obligation.id, action=f"obligation_{action}",
                 changes=changes,
                 note=note, now=now)
    label = f"{obligation.number} · {obligation.what[:200]}" + (f" — {note}" if note else "")
    audit.record(session, actor=actor, entity_type="contract", entity_id=obligation.contract_id,
                 action=f"obligation_{action}", changes=changes, note=label, now=now)


def _reschedule(obligation: Obligation, *, thresholds: Sequence[int], handled: set[int]) -> None:
    if obligation.state != rules.OPEN:
        obligation.next_alert_on = None
        return
    day = rules.next_alert_on(obligation.due_on, thresholds, handled)
    if obligation.snoozed_until is not None:
        day = max(day, obligation.snoozed_until.date())
    obligation.next_alert_on = day


def create(session: Session, *, contract: Contract, what: str, due: date, every: Duration | None,
           owner: str | None, party: str, evidence_required: bool, actor: str, now: datetime,
           thresholds: Sequence[int]) -> Obligation:
    if every is not None and (every.is_zero or not every.is_calendar):
        raise DomainError("err_obl_bad_every", value=every.written())
    obligation = Obligation(contract_id=contract.id, what=" ".join(what.split())[:MAX_WHAT], party=party, owner=owner,
                            evidence_required=evidence_required, every=every,
                            due_anchor=due, occurrence=0, due_on=due, state=rules.OPEN, created_at=now,
                            created_by=actor, updated_at=now)
    obligation.contract = contract
    _reschedule(obligation, thresholds=thresholds, handled=set())
    session.add(obligation)
    session.flush()
    given = {"due": due, "every": obligation.every, "owner": owner, "party": party,
             "evidence": "required" if evidence_required else None}
    _record(session, obligation, action="add", actor=actor, now=now,
            changes={k: (None, v) for k, v in given.items() if v is not None})
    return obligation


def _check_open(obligation: Obligation) -> None:
    if obligation.state != rules.OPEN:
        raise DomainError("err_obl_closed", number=obligation.number, status=obligation.state)


def fulfil(session: Session, *, obligation: Obligation, evidence: str | None, note: str | None, actor: str,
           now: datetime, today: date, thresholds: Sequence[int]) -> ObligationFulfilment:
    """Done: a recurring obligation moves to its next due date (from the anchor), else it is fulfilled."""
    _check_open(obligation)
    evidence = (evidence or "").strip()[:MAX_EVIDENCE] or None
    if obligation.evidence_required and not evidence:
        raise DomainError("err_obl_evidence_required", number=obligation.number)
    done = ObligationFulfilment(obligation_id=obligation.id, due_on=obligation.due_on, done_at=now, done_on=today,
                                done_by=actor, evidence=evidence, note=note)
    session.add(done)
    before_due, before_state = obligation.due_on, obligation.state
    if obligation.every:
        obligation.occurrence += 1
        obligation.due_on = rules.nth_due(obligation.due_anchor, obligation.every, obligation.occurrence)
    else:
        obligation.state = rules.FULFILLED
    obligation.snoozed_until, obligation.snoozed_by = None, None
    obligation.updated_at = now
    _reschedule(obligation, thresholds=thresholds, handled=set())
    changes: dict[str, tuple[Any, Any]] = {"due": (before_due, obligation.due_on)} if obligation.every else {
        "state": (before_state, obligation.state)}
    if evidence:
        changes["evidence"] = (None, evidence)
    _record(session, obligation, action="done", actor=actor, now=now, changes=changes, note=note)
    return done


def waive(session: Session, *, obligation: Obligation, note: str, actor: str, now: datetime) -> None:
    """Waived, with its reason; a recurring obligation is waived as a whole (no more occurrences)."""
    _check_open(obligation)
    if not (note or "").strip():
        raise DomainError("err_obl_waive_needs_note")
    obligation.state, obligation.closed_note, obligation.updated_at = rules.WAIVED, note, now
    obligation.next_alert_on = None
    _record(session, obligation, action="waive", actor=actor, now=now, changes={"state": (rules.OPEN, rules.WAIVED)},
            note=note)


def snooze(session: Session, *, obligation: Obligation, until: datetime, actor: str, now: datetime,
           thresholds: Sequence[int], handled: set[int]) -> None:
    _check_open(obligation)
    before = obligation.snoozed_until
    obligation.snoozed_until, obligation.snoozed_by, obligation.updated_at = until, actor, now
    _reschedule(obligation, thresholds=thresholds, handled=handled)
    _record(session, obligation, action="snooze", actor=actor, now=now, changes={"snoozed_until": (before, until)})


# --- reading ---------------------------------------------------------------------------------------------


def get_all(session: Session, *, today: date, thresholds: Sequence[int], contract_id: int | None = None,
            scope: str = "open", limit: int = 100, contract_ids: Sequence[int] | None = None
            ) -> tuple[Sequence[Obligation], int]:
    """`open` (not fulfilled or waived), `due` (open, due within the first threshold or overdue), `overdue`,
    or `all`; soonest due first. `contract_ids`: those of several contracts (a vendor's)."""
    conditions = []
    if contract_id is not None:
        conditions.append(Obligation.contract_id == contract_id)
    if contract_ids is not None:
        conditions.append(Obligation.contract_id.in_(list(contract_ids)))
    if scope != "all":
        conditions.append(Obligation.state == rules.OPEN)
    if scope == "due":
        conditions.append(Obligation.due_on <= today + timedelta(days=max(thresholds, default=0)))
    elif scope == "overdue":
        conditions.append(Obligation.due_on < today)
    total = session.scalar(select(func.count()).select_from(Obligation).where(*conditions)) or 0
    rows = session.scalars(select(Obligation).where(*conditions)
                           .order_by(Obligation.state != rules.OPEN, Obligation.due_on, Obligation.id)
                           .limit(limit)).all()
    return rows, total


def history(session: Session, *, obligation: Obligation) -> Sequence[AuditEvent]:
    return audit.get_all(session, entity_type=KIND, entity_id=obligation.id)


def fulfilments(session: Session, *, obligation_id: int) -> Sequence[ObligationFulfilment]:
    return session.scalars(select(ObligationFulfilment).where(ObligationFulfilment.obligation_id == obligation_id)
                           .order_by(ObligationFulfilment.done_at, ObligationFulfilment.id)).all()


@dataclass(frozen=True, slots=True)
class CardSummary:
    next_due: Obligation | None
    overdue: int


def card_summary(session: Session, *, contract_id: int, today: date) -> CardSummary:
    """For the contract card: the next open obligation due, and how many are overdue."""
    base = select(Obligation).where(Obligation.contract_id == contract_id, Obligation.state == rules.OPEN)
    next_due = session.scalars(base.order_by(Obligation.due_on, Obligation.id).limit(1)).first()
    if next_due is None or next_due.due_on >= today:
        return CardSummary(next_due, 0)  # the soonest open one is not overdue: none is (no count query)
    overdue = session.scalar(select(func.count()).select_from(Obligation).where(
        Obligation.contract_id == contract_id, Obligation.state == rules.OPEN, Obligation.due_on < today)) or 0
    return CardSummary(next_due, overdue)


def due_or_overdue(session: Session, *, today: date, within_days: int, limit: int = 500) -> Sequence[Obligation]:
    """Open obligations of contracts in force, overdue or due within `within_days`, soonest first (digest)."""
    return session.scalars(
        select(Obligation).join(Contract, Contract.id == Obligation.contract_id)
        .where(Obligation.state == rules.OPEN, Obligation.due_on <= today + timedelta(days=within_days),
               Contract.status.not_in(CLOSED_CONTRACTS))
        .order_by(Obligation.due_on, Obligation.id).limit(limit)).all()


@dataclass(frozen=True, slots=True)
class Compliance:
    on_time: int
    late: int

    @property
    def total(self) -> int:
        return self.on_time + self.late


def met_on_time(session: Session, *, start: date, end: date) -> Compliance:
    """Fulfilments done in [start, end) (local days): how many by their due date, how many late (report)."""
    in_period = and_(ObligationFulfilment.done_on >= start, ObligationFulfilment.done_on < end)
    on_time = session.scalar(select(func.count()).select_from(ObligationFulfilment).where(
        in_period, ObligationFulfilment.done_on <= ObligationFulfilment.due_on)) or 0
    late = session.scalar(select(func.count()).select_from(ObligationFulfilment).where(
        in_period, ObligationFulfilment.done_on > ObligationFulfilment.due_on)) or 0
    return Compliance(on_time, late)


# --- the sweep -------------------------------------------------------------------------------------------


def due_for_alert(session: Session, *, today: date) -> Sequence[Obligation]:
    """Open obligations with an alert due by today, of contracts in force. A range scan of the index on
    next_alert_on (NULL once an obligation is closed, so no filter on its state that a planner without
    statistics might prefer to scan instead)."""
    return session.scalars(
        select(Obligation).join(Contract, Contract.id == Obligation.contract_id)
        .where(Obligation.next_alert_on <= today, Contract.status.not_in(CLOSED_CONTRACTS))
        .order_by(Obligation.next_alert_on, Obligation.id)).unique().all()


def handled_levels(session: Session, *, obligation_ids: Sequence[int], now: datetime
                   ) -> dict[tuple[int, str], set[int]]:
    """(obligation id, due ISO) → levels posted, superseded, or being posted right now."""
    handled: dict[tuple[int, str], set[int]] = defaultdict(set)
    for chunk_start in range(0, len(obligation_ids), 5000):
        chunk = list(obligation_ids[chunk_start:chunk_start + 5000])
        stmt = (select(Alert.key).where(Alert.kind == KIND, Alert.subject_id.in_(chunk),
                                        still_handled(now)))
        for (key,) in session.execute(stmt):
            _, obligation_id, due, level = key.split(":")
            handled[(int(obligation_id), due)].add(int(level))
    return handled


def reschedule(session: Session, *, obligation: Obligation, thresholds: Sequence[int], handled: set[int]) -> None:
    """After the sweep posted (or superseded) levels: when the next alert is due."""
    _reschedule(obligation, thresholds=thresholds, handled=handled)


def export_rows(session: Session, *, today: date, thresholds: Sequence[int]) -> list[list[Any]]:
    """Every obligation, for `contractbot export obligations` (written by bot.csv_io.export_obligations)."""
    last = (select(ObligationFulfilment.obligation_id, func.max(ObligationFulfilment.id).label("last_id"))
            .group_by(ObligationFulfilment.obligation_id).subquery())
    stmt = (select(Obligation, ObligationFulfilment)
            .outerjoin(last, last.c.obligation_id == Obligation.id)
            .outerjoin(ObligationFulfilment, ObligationFulfilment.id == last.c.last_id)
            .order_by(Obligation.id))
    rows = []
    for obligation, done in session.execute(stmt).unique():
        rows.append([obligation.number, obligation.contract.reference, obligation.what, obligation.party,
                     obligation.owner or "", obligation.due_on.isoformat(),
                     obligation.every.written() if obligation.every else "",
                     "required" if obligation.evidence_required else "",
                     rules.status(obligation.state, obligation.due_on, today, thresholds),
                     done.done_on.isoformat() if done else "", done.done_by if done else "",
                     done.evidence or "" if done else "", obligation.created_at.date().isoformat()])
    return rows


def advance_alerts(session: Session, *, obligation_id: int, due: date, thresholds: Sequence[int],
                   handled: set[int], today: date | None = None) -> None:
    """Set when the next alert is due, unless the obligation changed meanwhile (done, waived: another due).

    A conditional UPDATE rather than a versioned write, so a sweep never collides with a person's click.
    `today` instead of the computed day: retry today (the post failed)."""
    snoozed = session.scalar(select(Obligation.snoozed_until).where(Obligation.id == obligation_id))
    day = today if today is not None else rules.next_alert_on(due, thresholds, handled)
    if snoozed is not None and today is None:
        day = max(day, snoozed.date())
    session.execute(update(Obligation)
                    .where(Obligation.id == obligation_id, Obligation.due_on == due, Obligation.state == rules.OPEN)
                    .values(next_alert_on=day).execution_options(synchronize_session=False))
