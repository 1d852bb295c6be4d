"""Contracts: the service module of the contract aggregate. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from bot import bounds, deadlines
from bot.contract_values import ContractValues, InputError, require
from bot.dates import Window
from bot.deadlines import CLOSED_STATUSES, Renewal, Status
from bot.durations import NO_DURATION, TWELVE_MONTHS, Duration, shift
from bot.errors import DomainError
from bot.text import fold, words
from storage import audit, search_index, vendors
from storage.listing import Listed, listed
from storage.models import Amendment, Contract, Vendor

SYSTEM_ACTOR = "contractbot"


class DuplicateReference(ValueError):
    pass


class ContractRuleError(ValueError):
    """A change that the contract's own dates forbid; `problem` is a translation key."""

    def __init__(self, problem: str, **details: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.details = details


@dataclass(frozen=True, slots=True)
class Defaults:
    currency: str
    lead: Duration


def recompute(contract: Contract, *, vendor_name: str | None = None) -> None:
    """Refresh what is derived from the stored fields: deadlines and the folded search text."""
    contract.notice_deadline = deadlines.notice_deadline(contract.end_date, contract.notice)
    contract.act_by = deadlines.act_by(contract.end_date, contract.notice, contract.lead)
    if vendor_name is None:
        vendor_name = contract.vendor.name if contract.vendor is not None else ""
    contract.search_text = " ".join([fold(contract.reference), fold(contract.title), fold(vendor_name)])


def get_by_reference(session: Session, *, reference: str) -> Contract | None:
    return session.scalar(select(Contract).where(Contract.reference_key == reference.strip().upper()))


def get_by_id(session: Session, *, contract_id: int) -> Contract | None:
    return session.get(Contract, contract_id)


_SNAPSHOT = ("reference", "title", "vendor", "type", "status", "start_date", "end_date", "notice", "renewal", "term",
             "lead", "annual_value", "currency", "owner", "channel")


def snapshot(contract: Contract) -> dict[str, Any]:
    """The fields a person sees, as the history records them (durations as written: `Duration.written`)."""
    values = {name: _recorded(getattr(contract, name)) for name in _SNAPSHOT if name != "vendor"}
    values["vendor"] = contract.vendor.name if contract.vendor else None
    return values


def _recorded(value: Any) -> Any:
    return value.written() if isinstance(value, Duration) else value


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}


def _apply(session: Session, contract: Contract, values: ContractValues, *, now: datetime,
           vendor: Vendor | None = None) -> None:
    if "vendor" in values.given and values.vendor:
        contract.vendor = vendor or vendors.get_or_create(session, name=values.vendor, now=now)
    _apply_fields(contract, values)
    recompute(contract)


def _apply_fields(contract: Contract, values: ContractValues) -> None:
    """Every given field but the vendor; refuses an end before the start."""
    given = values.given
    simple = {"title": "title", "type": "type", "status": "status", "start": "start_date", "renewal": "renewal",
              "value": "annual_value", "currency": "currency", "owner": "owner", "channel": "channel"}
    for name, column in simple.items():
        if name in given:
            setattr(contract, column, getattr(values, name))
    for name in ("notice", "term", "lead"):
        if name in given and getattr(contract, name) != getattr(values, name):
            setattr(contract, name, getattr(values, name))
    if "end" in given and values.end is not None:
        contract.end_date = values.end
        contract.end_anchor = values.end
        contract.renewals_since_anchor = 0
    if contract.start_date and contract.end_date < contract.start_date:
        raise InputError("end", "end_before_start", contract.end_date.isoformat())


def _new(values: ContractValues, defaults: Defaults, now: datetime) -> Contract:
    """A new contract with the defaults, before its fields are applied (not in the session). Its durations
    are the given ones when given (written as given: `term:1y` stays `1y`, though equal to the default
    `12mo`, which `_apply_fields` would keep), as `contract_import.new_contract` makes them."""
    assert values.reference is not None and values.end is not None
    given = values.given

    def duration(name: str, default: Duration) -> Duration:
        value = getattr(values, name)
        return value if name in given and value is not None else default

    return Contract(
        reference=values.reference,
        reference_key=values.reference.upper(),
        type="other",
        status=Status.ACTIVE.value,
        renewal=Renewal.MANUAL.value,
        notice=duration("notice", NO_DURATION),
        term=duration("term", TWELVE_MONTHS),
        lead=duration("lead", defaults.lead),
        currency=defaults.currency,
        end_date=values.end,
        end_anchor=values.end,
        renewals_since_anchor=0,
        created_at=now,
        updated_at=now,
    )


def create(session: Session, *, values: ContractValues, defaults: Defaults, actor: str, now: datetime) -> Contract:
    require(values, "reference", "title", "vendor", "end")
    assert values.reference is not None and values.end is not None
    if get_by_reference(session, reference=values.reference) is not None:
        raise DuplicateReference(values.reference)
    contract = _new(values, defaults, now)
    _apply(session, contract, values, now=now)
    session.add(contract)
    session.flush()
    audit.record(session, actor=actor, entity_type="contract", entity_id=contract.id, action="create",
                 changes={k: (None, v) for k, v in snapshot(contract).items() if v is not None}, now=now)
    return contract


def update(session: Session, *, contract: Contract, values: ContractValues, actor: str, action: str, note: str | None,
           now: datetime, vendor: Vendor | None = None) -> dict[str, tuple[Any, Any]]:
    """Apply the given fields; record the before/after in the audit trail. Returns the changes.
    `vendor`: the Vendor named by `values.vendor`, when the caller already has it (imports)."""
    before = snapshot(contract)
    _apply(session, contract, values, now=now, vendor=vendor)
    changes = _diff(before, snapshot(contract))
    if changes:
        contract.updated_at = now
        session.flush()
        audit.record(session, actor=actor, entity_type="contract", entity_id=contract.id, action=action,
                     changes=changes, note=note, now=now)
    return changes


def amend(session: Session, *, contract: Contract, values: ContractValues, note: str | None, actor: str,
          now: datetime) -> Amendment | None:
    """An avenant: None when nothing would change."""
    changes = update(session, contract=contract, values=values, actor=actor, action="amend", note=note, now=now)
    if not changes:
        return None
    number = (session.scalar(select(func.max(Amendment.number)).where(Amendment.contract_id == contract.id)) or 0) + 1
    amendment = Amendment(contract_id=contract.id, number=number, recorded_at=now, actor=actor, note=note,
                          changes={k: [audit.jsonable(a), audit.jsonable(b)] for k, (a, b) in changes.items()})
    session.add(amendment)
    session.flush()
    return amendment


def renew(session: Session, *, contract: Contract, until: date | None, term: Duration | None, note: str | None,
          actor: str, now: datetime) -> dict[str, tuple[Any, Any]]:
    """A renewal a person signed: `until` sets the new end; `term` (default: the contract's) extends it."""
    if until is None:
        try:
            until = shift(contract.end_date, term or contract.term)
        except (ValueError, OverflowError):  # past year 9999: a contract that already ends 9999-12-31
            until = None
        if until is None or not bounds.date_in_range(until):
            raise DomainError("err_renew_out_of_range", ref=contract.reference, end=contract.end_date.isoformat(),
                              max=bounds.MAX_DATE.isoformat())
    if until <= contract.end_date:
        raise ContractRuleError("renew_not_later", end=contract.end_date)
    values = ContractValues(end=until, status=Status.ACTIVE.value, given={"end", "status"})
    return update(session, contract=contract, values=values, actor=actor, action="renew", note=note, now=now)


def terminate(session: Session, *, contract: Contract, on: date | None, note: str | None, actor: str, now: datetime,
              today: date) -> dict[str, tuple[Any, Any]]:
    """Notice given: the contract ends on `on` (default: its current end); ended already → terminated."""
    if contract.status in (Status.TERMINATED, Status.EXPIRED):
        raise ContractRuleError("already_closed", status=contract.status)
    end = on or contract.end_date
    if contract.start_date and end < contract.start_date:
        raise InputError("on", "end_before_start", end.isoformat())
    status = Status.TERMINATED if end < today else Status.NOTICE_GIVEN
    values = ContractValues(status=status.value, given={"status"})
    if end != contract.end_date:
        values.end = end
        values.given.add("end")
    return update(session, contract=contract, values=values, actor=actor, action="terminate", note=note, now=now)


def roll_if_ended(session: Session, *, contract: Contract, today: date, now: datetime) -> str | None:
    """Tacit renewal, expiry or termination of a contract whose end has passed. Returns the action."""
    transition = deadlines.after_end(
        status=Status(contract.status), renewal=Renewal(contract.renewal), end=contract.end_date,
        anchor=contract.end_anchor, term=contract.term, renewals=contract.renewals_since_anchor,
        today=today,
    )
    if transition is None:
        return None
    before = snapshot(contract)
    action = "tacit_renewal" if transition.renewals != contract.renewals_since_anchor else transition.status.value
    contract.status = transition.status.value
    contract.renewals_since_anchor = transition.renewals
    contract.end_date = transition.end
    contract.updated_at = now
    recompute(contract)
    session.flush()  # the version column makes a concurrent roll of the same contract fail here
    audit.record(session, actor=SYSTEM_ACTOR, entity_type="contract", entity_id=contract.id, action=action,
                 changes=_diff(before, snapshot(contract)), now=now)
    return action


def ended_in_force(session: Session, *, today: date) -> Sequence[int]:
    """Ids of contracts in force whose end date has passed (for the deadlines sweep to roll)."""
    in_force = [Status.ACTIVE.value, Status.NEGOTIATING.value, Status.NOTICE_GIVEN.value]
    stmt = select(Contract.id).where(Contract.status.in_(in_force), Contract.end_date < today).order_by(Contract.id)
    return session.scalars(stmt).all()


def alertable_condition(horizon: date) -> ColumnElement[bool]:
    """In force, with an act-by date on or before `horizon` (overdue ones included)."""
    return and_(Contract.status.in_([s.value for s in deadlines.ALERTED_STATUSES]), Contract.act_by <= horizon)


def alertable_stmt(horizon: date) -> Select[*tuple[Any, ...]]:
    """The columns the deadlines sweep needs, not whole contracts (13k rows of 100k on a big portfolio)."""
    return (select(Contract.id, Contract.reference, Contract.end_date, Contract.act_by, Contract.channel,
                   Contract.owner, Contract.alerts_snoozed_until)
            .where(alertable_condition(horizon)).order_by(Contract.id))


def alertable(session: Session, *, horizon: date) -> Sequence[Row[Any]]:
    return session.execute(alertable_stmt(horizon)).all()


def reference_of(session: Session, *, contract_id: int) -> str:
    """A contract's reference for a report, even when its other columns cannot be read."""
    return session.scalar(select(Contract.reference).where(Contract.id == contract_id)) or f"contract #{contract_id}"


def due_for_renewal(session: Session, *, window: Window, today: date, limit: int = 200) -> tuple[Sequence[Listed], int]:
    """Act-by or end date in the window, or act-by passed while the end is ahead; most urgent first."""
    closed = [s.value for s in CLOSED_STATUSES] + [Status.DRAFT.value]
    condition = and_(
        # act-by ≤ end always, so every match has act-by ≤ the window's end (or today): lets the index work
        Contract.act_by <= max(window.end, today),
        Contract.status.not_in(closed),
        or_(
            Contract.act_by.between(window.start, window.end),
            Contract.end_date.between(window.start, window.end),
            and_(Contract.act_by < today, Contract.end_date >= today),
        ),
    )
    total = session.scalar(select(func.count()).select_from(Contract).where(condition)) or 0
    return listed(session, condition, order=(Contract.act_by, Contract.reference), limit=limit), total


def get_all(session: Session, *, vendor: str | None = None, status: str | None = None, type_: str | None = None,
            owner: str | None = None, among: Select[Any] | None = None, limit: int = 200
            ) -> tuple[Sequence[Listed], int]:
    """Contracts matching every filter given; `among` is a subquery of contract ids (e.g. with open disputes)."""
    conditions: list[ColumnElement[bool]] = []
    if among is not None:
        conditions.append(Contract.id.in_(among))
    if vendor:  # the vendors' ids first: for one vendor, the list is then walked in order on its index
        named = session.scalars(select(Vendor.id).where(Vendor.name_key.contains(fold(vendor)))).all()
        conditions.append(Contract.vendor_id.in_(named))
    if status:
        conditions.append(Contract.status == status)
    if type_:
        conditions.append(Contract.type == type_)
    if owner:
        conditions.append(Contract.owner == owner)
    total = session.scalar(select(func.count()).select_from(Contract).where(*conditions)) or 0
    return listed(session, *conditions, order=(Contract.end_date, Contract.reference), limit=limit), total


def iter_all(session: Session) -> Sequence[Contract]:
    return session.scalars(select(Contract).order_by(Contract.reference)).all()


@dataclass(slots=True)
class SearchResult:
    contracts: list[Contract] = field(default_factory=list)
    total: int = 0
    suggestions: list[str] = field(default_factory=list)


def search(session: Session, *, query: str, limit: int = 10) -> SearchResult:
    """A reference, a vendor, or words of the title; case and accents ignored; typos tolerated."""
    exact = get_by_reference(session, reference=query) if query.strip() and " " not in query.strip() else None
    if exact is not None:
        return SearchResult([exact], 1)
    terms = bounds.search_words(words(query))  # a bounded number of LIKEs, whatever the query's length
    if not terms:
        return SearchResult()
    closed = [s.value for s in CLOSED_STATUSES]
    in_force_first = func.coalesce(Contract.status.in_(closed), False)
    if all(search_index.indexable(term) for term in terms) and search_index.fts_ready(session):
        first, total = search_index.first_matches(session, terms=terms, closed=closed, limit=limit)
    else:
        # The ids of all matches in rank order (their number is the count).
        ranked = session.scalars(select(Contract.id).where(_words_condition(session, terms))
                                 .order_by(in_force_first, Contract.act_by, Contract.id)).all()
        first, total = list(ranked[:limit]), len(ranked)
    if first:  # the first `limit` loaded by id
        loaded = {c.id: c for c in session.scalars(select(Contract).where(Contract.id.in_(first)))}
        return SearchResult([loaded[i] for i in first if i in loaded], total)
    # Typos: a vendor whose name is close enough, else the closest references as suggestions.
    names = {v.name_key: v.id for v in vendors.get_all(session)}
    best = process.extractOne(fold(query)[:200], list(names), scorer=fuzz.WRatio, score_cutoff=85)
    if best is not None:
        stmt = select(Contract).where(Contract.vendor_id == names[best[0]]).order_by(in_force_first, Contract.act_by)
        matches = session.scalars(stmt.limit(limit + 1)).all()
        if matches:
            return SearchResult(list(matches[:limit]), len(matches))
    return SearchResult([], 0, closest_references(session, query=query))


def _words_condition(session: Session, terms: list[str]) -> ColumnElement[bool]:
    """Every word is a substring of the folded text. On SQLite with the FTS5 trigram table, the words of
    3+ characters pick the candidates from the index and every word is then checked on those rows only
    (a word under 3 characters cannot use it); otherwise (PostgreSQL, whose trigram index serves the
    LIKE itself, or no FTS5) one LIKE per word."""
    condition = and_(*[Contract.search_text.contains(term) for term in terms])
    indexed = [term for term in terms if search_index.indexable(term)]
    if indexed and search_index.fts_ready(session):
        return and_(Contract.id.in_(search_index.fts_candidates(indexed)), condition)
    return condition


def closest_references(session: Session, *, query: str, limit: int = 3) -> list[str]:
    """The references whose reference, title or vendor look most like `query` (for "not found")."""
    pairs = session.execute(select(Contract.reference, Contract.search_text)).all()
    ranked = process.extract(fold(query)[:200], {ref: text for ref, text in pairs}, scorer=fuzz.WRatio, limit=limit,
                             score_cutoff=50)
    return [key for _text, _score, key in ranked]
