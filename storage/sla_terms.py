"""SLA terms and policies of contracts. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.durations import Duration
from storage import audit
from storage.models import Contract, SlaPolicy, SlaTerm


@dataclass(frozen=True, slots=True)
class TermInput:
    priority: str
    response: Duration
    resolution: Duration
    clock: str
    credit_pct: Decimal | None


def get_terms(session: Session, *, contract_id: int) -> Sequence[SlaTerm]:
    return session.scalars(select(SlaTerm).where(SlaTerm.contract_id == contract_id).order_by(SlaTerm.priority)).all()


def get_term(session: Session, *, contract_id: int, priority: str) -> SlaTerm | None:
    return session.scalar(select(SlaTerm).where(SlaTerm.contract_id == contract_id, SlaTerm.priority == priority))


def get_policy(session: Session, *, contract_id: int) -> SlaPolicy | None:
    return session.get(SlaPolicy, contract_id)


def set_term(session: Session, *, contract: Contract, term: TermInput, actor: str, now: datetime) -> SlaTerm:
    row = get_term(session, contract_id=contract.id, priority=term.priority)
    before = None if row is None else (row.response, row.resolution, row.clock, row.credit_pct)
    if row is None:
        row = SlaTerm(contract_id=contract.id, priority=term.priority, updated_at=now)
        session.add(row)
    # a target equal to the stored one in another unit (`120min` for `2h`) is no change: the text stays as stored
    if row.response != term.response:
        row.response = term.response
    if row.resolution != term.resolution:
        row.resolution = term.resolution
    row.clock, row.credit_pct = term.clock, term.credit_pct
    row.updated_at = now
    session.flush()
    after = (row.response, row.resolution, row.clock, row.credit_pct)
    if before != after:
        names = ("response", "resolution", "clock", "credit_pct")
        changes = {f"sla_{term.priority}_{n}": (None if before is None else before[i], after[i])
                   for i, n in enumerate(names) if before is None or before[i] != after[i]}
        audit.record(session, actor=actor, entity_type="contract", entity_id=contract.id, action="sla_set",
                     changes=changes, now=now)
    return row


def set_policy(session: Session, *, contract: Contract, availability_target: Decimal | None,
               availability_credit_pct: Decimal | None, cap_pct: Decimal | None, actor: str, now: datetime
               ) -> SlaPolicy:
    """Set the given fields (None leaves a field as it is)."""
    policy = get_policy(session, contract_id=contract.id)
    if policy is None:
        policy = SlaPolicy(contract_id=contract.id, updated_at=now)
        session.add(policy)
    changes = {}
    for name, value in (("availability_target", availability_target),
                        ("availability_credit_pct", availability_credit_pct), ("cap_pct", cap_pct)):
        if value is not None and getattr(policy, name) != value:
            changes[name] = (getattr(policy, name), value)
            setattr(policy, name, value)
    policy.updated_at = now
    session.flush()
    if changes:
        audit.record(session, actor=actor, entity_type="contract", entity_id=contract.id, action="sla_set",
                     changes=changes, now=now)
    return policy
