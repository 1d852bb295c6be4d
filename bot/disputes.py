"""Disputes (litiges): the statuses and the moves allowed between them. Pure: no Slack, no SQL.

open → negotiating / escalated / mediation / litigation (in any order, never back to open) →
settled → closed; from any status that is not settled or closed a dispute may also be settled or
closed directly. A closed dispute moves back to open only as a reopening, which needs a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bot.errors import DomainError
from bot.sla import CreditStatement

OPEN, NEGOTIATING, ESCALATED, MEDIATION, LITIGATION, SETTLED, CLOSED = (
    "open", "negotiating", "escalated", "mediation", "litigation", "settled", "closed")
STATUSES = (OPEN, NEGOTIATING, ESCALATED, MEDIATION, LITIGATION, SETTLED, CLOSED)
ACTIVE = (OPEN, NEGOTIATING, ESCALATED, MEDIATION, LITIGATION)  # "open disputes": not settled, not closed
ESCALATIONS = (ESCALATED, MEDIATION, LITIGATION)  # moves announced in the contract's channel
STALE_AFTER = timedelta(days=14)
SNOOZE = timedelta(days=7)

# French words people type for the statuses
ALIASES = {"ouvert": OPEN, "negociation": NEGOTIATING, "négociation": NEGOTIATING, "escalade": ESCALATED,
           "médiation": MEDIATION, "contentieux": LITIGATION, "judiciaire": LITIGATION, "regle": SETTLED,
           "réglé": SETTLED, "transige": SETTLED, "transigé": SETTLED, "clos": CLOSED, "ferme": CLOSED,
           "fermé": CLOSED}


def read_status(text: str | None) -> str | None:
    """A status name (English, or the French words above), or None."""
    word = (text or "").strip().lower()
    if word in STATUSES:
        return word
    return ALIASES.get(word)


def allowed_moves(current: str) -> tuple[str, ...]:
    """Where a dispute in `current` may go, in the order of the statuses."""
    if current in ACTIVE:
        return tuple(s for s in STATUSES if s not in (OPEN, current))
    if current == SETTLED:
        return (CLOSED,)
    if current == CLOSED:
        return (OPEN,)
    return ()


@dataclass(frozen=True, slots=True)
class Move:
    kind: str  # "move" | "reopen" | "note" (same status, a note recorded)
    before: str
    after: str


def check_move(current: str, target: str, *, note: str | None) -> Move:
    """The move from `current` to `target`, or DomainError saying which moves are allowed."""
    if target == current and note and current != CLOSED:
        return Move("note", current, target)
    if target in allowed_moves(current):
        if current == CLOSED:
            if not note:
                raise DomainError("err_dispute_reopen_note")
            return Move("reopen", current, target)
        return Move("move", current, target)
    raise DomainError("err_dispute_move", before=current, after=target,
                      allowed=", ".join(allowed_moves(current)) or "—")


def written_off(claimed: Decimal | None, recovered: Decimal | None) -> Decimal | None:
    """What is abandoned when a dispute closes: claimed − recovered, never below zero."""
    if claimed is None:
        return None
    return max(claimed - (recovered or Decimal(0)), Decimal(0))


def check_recovered(claimed: Decimal | None, recovered: Decimal, *, force: bool) -> None:
    if claimed is not None and recovered > claimed and not force:
        raise DomainError("err_dispute_recovered_above", recovered=str(recovered), claimed=str(claimed))


def reminder_due_from(last_activity_at: datetime, snoozed_until: datetime | None) -> datetime:
    """When the stale reminder of a dispute comes due: 14 days after its last change, or the end of
    a snooze if later. The instant is the stale period's identity: one reminder per value."""
    due = last_activity_at + STALE_AFTER
    return max(due, snoozed_until) if snoozed_until is not None else due


def credit_detail(statement: CreditStatement) -> list[dict[str, object]]:
    """The explanation of each service credit of an SLA statement, kept on a dispute opened `from:sla`
    (JSON-ready: amounts and percentages as strings)."""
    fee = str(statement.monthly_fee) if statement.monthly_fee is not None else None
    out: list[dict[str, object]] = []
    for line in statement.lines:
        if line.credit:
            out.append({"kind": "incidents", "priority": line.priority, "breached_incidents": line.breached_incidents,
                        "credit_pct": str(line.credit_pct), "monthly_fee": fee, "amount": str(line.credit)})
    if statement.availability_credit:
        out.append({"kind": "availability", "availability": str(round(statement.availability or Decimal(0), 3)),
                    "target": str(statement.availability_target), "credit_pct": str(statement.availability_credit_pct),
                    "monthly_fee": fee, "amount": str(statement.availability_credit)})
    if statement.capped:
        out.append({"kind": "cap", "cap_pct": str(statement.cap_pct), "cap": str(statement.cap),
                    "before_cap": str(statement.total_before_cap), "amount": str(statement.total_due)})
    return out
