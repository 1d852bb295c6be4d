"""Revision clauses and applied price revisions: the service module. Callers own the transaction.

The formula and the date rules are in the pure domain (`bot.revision`); this module stores the clause,
gathers the index values a revision needs, records an applied revision as an amendment (before/after,
who, the index values used), and answers the questions the digest and the report ask
(`revisions_due`, `applied_between`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bot import revision as rules
from bot.contract_values import ContractValues
from bot.deadlines import Status
from bot.durations import TWELVE_MONTHS, Duration
from bot.errors import DomainError
from bot.revision import ClauseInput, IndexPoint, Missing, Outcome, Terms
from storage import audit, contracts, indices
from storage.models import Contract, PriceRevision, RevisionClause

IN_FORCE = (Status.ACTIVE.value, Status.NEGOTIATING.value, Status.NOTICE_GIVEN.value)
# option → (clause column, ClauseInput attribute)
_SETTABLE = {"index": ("index_name", "index"), "base": ("base_month", "base"), "fixed": ("fixed", "fixed"),
             "mode": ("mode", "mode"), "lag": ("lag", "lag"), "min": ("min_pct", "min_pct"),
             "cap": ("cap_pct", "cap_pct"), "round": ("round_to", "round_to")}
_CLAUSE_FIELDS = ("index_name", "base_month", "base_value", "fixed", "every", "first_on", "mode", "lag", "min_pct",
                  "cap_pct", "round_to", "next_revision_on")


def get_clause(session: Session, *, contract_id: int) -> RevisionClause | None:
    return session.get(RevisionClause, contract_id)


def every_months(clause: RevisionClause) -> int:
    return clause.every.months


def _snapshot(clause: RevisionClause | None) -> dict[str, Any]:
    return {name: getattr(clause, name) for name in _CLAUSE_FIELDS} if clause is not None else {}


def set_clause(session: Session, *, contract: Contract, given: ClauseInput, actor: str, now: datetime,
               today: date) -> tuple[RevisionClause, dict[str, tuple[Any, Any]]]:
    """Create or change the contract's clause; returns it and the changes (also in the audit trail)."""
    clause = get_clause(session, contract_id=contract.id)
    before = _snapshot(clause)
    if clause is None:
        if given.index is None or given.base is None:
            raise DomainError("err_rev_needs_index_base")
        if contract.annual_value is None:
            raise DomainError("err_rev_no_value", ref=contract.reference)
        clause = RevisionClause(contract_id=contract.id, base_value=contract.annual_value, fixed=Decimal(0),
                                every=TWELVE_MONTHS, mode="base", lag=0, round_to=Decimal("0.01"), next_k=0)
        session.add(clause)
    for option, (column, attr) in _SETTABLE.items():
        if option in given.given:
            setattr(clause, column, getattr(given, attr))
    if given.every_months:
        every = given.every if given.every is not None else Duration(months=given.every_months)
        if not before or every != clause.every:  # an existing clause's period in another unit is no change
            clause.every = every
    months = every_months(clause)
    if given.first is not None:
        clause.first_on = given.first
    elif not before:
        if contract.start_date is None:
            raise DomainError("err_rev_needs_first", ref=contract.reference)
        clause.first_on = rules.revision_date(contract.start_date, months, 1)  # one period after the start
    if clause.first_on <= rules.month_start(clause.base_month):
        raise DomainError("err_rev_first_before_base", first=clause.first_on.isoformat(),
                          base=clause.base_month.strftime("%Y-%m"))
    if not before or {"first", "every"} & given.given:
        # the next revision: the first revision date from today on (a past one is computed with `at:`)
        k = rules.revision_index_after(clause.first_on, months, date.fromordinal(today.toordinal() - 1))
        clause.next_k, clause.next_revision_on = k, rules.revision_date(clause.first_on, months, k)
    clause.updated_at = now
    session.flush()
    changes = {k: (before.get(k), v) for k, v in _snapshot(clause).items() if before.get(k) != v}
    if changes:
        audit.record(session, actor=actor, entity_type="contract", entity_id=contract.id, action="indexation",
                     changes=changes, now=now)
    return clause, changes


@dataclass(slots=True)
class Computation:
    """Everything `/contract revise` shows, so a person can check it by hand."""

    contract: Contract
    clause: RevisionClause
    effective_on: date
    current: Decimal
    p0: Decimal
    s0: IndexPoint | None
    s: IndexPoint | None
    p_ref: Decimal | None = None
    s_ref: Decimal | None = None
    chained_from: date | None = None  # the month of the index the last revision used (chained)
    outcome: Outcome | None = None
    missing: list[date] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.outcome is not None


def terms_of(clause: RevisionClause) -> Terms:
    return Terms(fixed=Decimal(clause.fixed), min_pct=clause.min_pct, cap_pct=clause.cap_pct,
                 round_to=Decimal(clause.round_to))


def compute_with(contract: Contract, clause: RevisionClause, points: Mapping[date, IndexPoint], *,
                 at: date) -> Computation:
    """The revision on `at` from the index values given (no database access: the sweep batches them)."""
    current = Decimal(contract.annual_value if contract.annual_value is not None else clause.base_value)
    s0 = points.get(rules.month_start(clause.base_month))
    picked = rules.pick_s(points, at=at, lag=clause.lag)
    comp = Computation(contract, clause, at, current, Decimal(clause.base_value), s0,
                       picked if isinstance(picked, IndexPoint) else None)
    if s0 is None:
        comp.missing.append(rules.month_start(clause.base_month))
    if isinstance(picked, Missing):
        comp.missing.append(picked.month)
    if comp.missing or comp.s is None or s0 is None:
        return comp
    comp.p_ref, comp.s_ref = rules.references(mode=clause.mode, p0=comp.p0, s0=s0.value,
                                              last_value=clause.last_value, last_index=clause.last_index_value)
    if clause.mode == "chained" and clause.last_value is not None:
        comp.chained_from = clause.last_index_month
    comp.outcome = rules.revise(p_ref=comp.p_ref, s_ref=comp.s_ref, s=comp.s.value, current=current,
                                terms=terms_of(clause))
    return comp


def compute(session: Session, *, contract: Contract, clause: RevisionClause, at: date) -> Computation:
    points = indices.get_points(session, names=[clause.index_name]).get(clause.index_name, {})
    return compute_with(contract, clause, points, at=at)


def require_complete(comp: Computation) -> Outcome:
    if comp.outcome is None:
        month = comp.missing[0]
        raise DomainError("err_index_missing", index=comp.clause.index_name, month=month.strftime("%Y-%m"))
    return comp.outcome


def _detail(comp: Computation) -> dict[str, Any]:
    out = require_complete(comp)
    assert comp.s is not None and comp.s0 is not None
    return {
        "index": comp.clause.index_name, "mode": comp.clause.mode, "fixed": str(comp.clause.fixed),
        "p0": str(comp.p0), "s0_month": comp.s0.month.strftime("%Y-%m"), "s0": str(comp.s0.value),
        "p_ref": str(comp.p_ref), "s_ref": str(comp.s_ref),
        "s_month": comp.s.month.strftime("%Y-%m"), "s": str(comp.s.value),
        "formula_value": str(out.formula_value.quantize(Decimal("0.0001"))),
        "change_pct": str(out.change_pct.quantize(Decimal("0.001"))),
        "below_min": out.below_min, "capped": out.capped,
    }


def apply(session: Session, *, comp: Computation, actor: str, now: datetime) -> PriceRevision:
    """Record the revision: an amendment of the annual value (unless below `min`), the numbers used, and
    the clause moved to its next revision date."""
    outcome = require_complete(comp)
    contract, clause = comp.contract, comp.clause
    done = session.scalar(select(PriceRevision.id).where(PriceRevision.contract_id == contract.id,
                                                         PriceRevision.effective_on == comp.effective_on))
    if done is not None:
        raise DomainError("err_rev_already_applied", ref=contract.reference, date=comp.effective_on.isoformat())
    detail = _detail(comp)
    note = (f"price revision {clause.index_name} ({clause.mode}) from {comp.effective_on.isoformat()}: "
            f"P0 {comp.p0}, S0 {detail['s0_month']} = {detail['s0']}, S {detail['s_month']} = {detail['s']}")
    amendment = None
    if outcome.new_value != comp.current:
        values = ContractValues(value=outcome.new_value, given={"value"})
        amendment = contracts.amend(session, contract=contract, values=values, note=note, actor=actor, now=now)
    else:
        audit.record(session, actor=actor, entity_type="contract", entity_id=contract.id, action="revision_nochange",
                     changes={}, note=note, now=now)
    row = PriceRevision(contract_id=contract.id, amendment_id=amendment.id if amendment else None,
                        effective_on=comp.effective_on, applied_at=now, applied_by=actor, before_value=comp.current,
                        after_value=outcome.new_value, currency=contract.currency, detail=detail)
    session.add(row)
    if outcome.revises and comp.s is not None:
        clause.last_value, clause.last_index_month, clause.last_index_value = (outcome.new_value, comp.s.month,
                                                                                comp.s.value)
    months = every_months(clause)
    k = rules.revision_index_after(clause.first_on, months, comp.effective_on)
    if comp.effective_on >= clause.next_revision_on or k > clause.next_k:
        clause.next_k, clause.next_revision_on = k, rules.revision_date(clause.first_on, months, k)
    clause.updated_at = now
    session.flush()
    return row


# ---- questions the digest, the report and the sweep ask ----------------------------------------------


def due_condition(horizon: date):
    return and_(RevisionClause.next_revision_on <= horizon, Contract.status.in_(IN_FORCE))


def revisions_due(session: Session, *, today: date, within_days: int) -> Sequence[RevisionClause]:
    """Clauses of contracts in force whose next revision falls on or before today + `within_days`
    (overdue ones included), soonest first (an indexed range on `next_revision_on`)."""
    horizon = date.fromordinal(today.toordinal() + within_days)
    stmt = (select(RevisionClause).join(Contract, Contract.id == RevisionClause.contract_id)
            .where(due_condition(horizon)).order_by(RevisionClause.next_revision_on, RevisionClause.contract_id))
    return session.scalars(stmt).all()


@dataclass(frozen=True, slots=True)
class Applied:
    reference: str
    effective_on: date
    before: Decimal
    after: Decimal
    currency: str
    applied_by: str

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass(slots=True)
class AppliedSummary:
    revisions: list[Applied] = field(default_factory=list)
    annual_delta: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))  # by currency


def applied_between(session: Session, *, start: date, end: date) -> AppliedSummary:
    """Revisions effective in [start, end) and their effect on annual spend (after − before, per currency)."""
    stmt = (select(PriceRevision, Contract.reference).join(Contract, Contract.id == PriceRevision.contract_id)
            .where(PriceRevision.effective_on >= start, PriceRevision.effective_on < end)
            .order_by(PriceRevision.effective_on, Contract.reference))
    summary = AppliedSummary()
    for row, reference in session.execute(stmt):
        item = Applied(reference, row.effective_on, Decimal(row.before_value), Decimal(row.after_value), row.currency,
                       row.applied_by)
        summary.revisions.append(item)
        summary.annual_delta[row.currency] += item.delta
    summary.annual_delta = dict(summary.annual_delta)
    return summary
