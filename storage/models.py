"""Typed SQLAlchemy 2 models: vendors, contracts, amendments, the audit trail, the alert ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot import bounds
from bot import disputes as dispute_rules
from bot.deadlines import CONTRACT_TYPES, Renewal, Status
from bot.durations import NO_DURATION, TWELVE_MONTHS, Duration
from storage.types import DurationType, UTCDateTime


def one_of(column: str, values: tuple[str, ...] | type[Status] | type[Renewal], name: str) -> CheckConstraint:
    """A CHECK that `column` holds one of `values` (an enum's values or a tuple): no typo reaches the table."""
    allowed = ", ".join(f"'{v}'" for v in (tuple(m.value for m in values) if isinstance(values, type) else values))
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


def written_duration(column: str) -> CheckConstraint:
    """A CHECK that `column` is NULL or a duration in bounds in the short notation, in any unit
    (`Duration.written`: `0d`, `15d`, `2w`, `12mo`, `1y`, `2bd`, `4h`, `90min`): amount of 1 to 5 digits,
    no leading zero, then one of the units: exactly what `DurationType` writes and reads back.
    Portable SQL (ltrim with a set of characters, length, substr, CAST, LIKE: SQLite and PostgreSQL);
    the CASE orders the tests, so the number is cast only once the text is known to be digits + unit.
    Migration 0011 creates the same expression (a frozen copy)."""
    unit = f"ltrim({column}, '0123456789')"
    digits = f"length({column}) - length({unit})"
    n = f"CAST(substr({column}, 1, {digits}) AS INTEGER)"
    return CheckConstraint(
        f"CASE WHEN {column} IS NULL THEN 1 = 1"
        f" WHEN {unit} NOT IN ('y', 'mo', 'w', 'd', 'bd', 'h', 'min')"
        f" OR {digits} NOT BETWEEN 1 AND 5"
        f" OR ({column} LIKE '0%' AND {digits} > 1) THEN 1 = 0"
        f" WHEN {unit} = 'y' THEN {n} <= {bounds.MAX_DURATION_YEARS}"
        f" WHEN {unit} = 'mo' THEN {n} <= {bounds.MAX_DURATION_MONTHS}"
        f" WHEN {unit} = 'w' THEN {n} <= {bounds.MAX_DURATION_DAYS // 7}"
        f" WHEN {unit} = 'd' THEN {n} <= {bounds.MAX_DURATION_DAYS}"
        f" WHEN {unit} = 'bd' THEN {n} <= {bounds.MAX_DURATION_BUSINESS_DAYS}"
        f" WHEN {unit} = 'h' THEN {n} <= {bounds.MAX_DURATION_MINUTES // 60}"
        f" ELSE {n} <= {bounds.MAX_DURATION_MINUTES} END",
        name=column)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), Duration: DurationType()}


class Vendor(Base):
    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)  # accent- and case-folded
    created_at: Mapped[datetime]

    contracts: Mapped[list[Contract]] = relationship(back_populates="vendor")


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (
        Index("ix_contracts_status_act_by", "status", "act_by"),
        Index("ix_contracts_status_end", "status", "end_date"),
        Index("ix_contracts_renewal_window", "act_by", "status", "end_date"),  # covers /renewals and the rank walk
        Index("ix_contracts_vendor_list", "vendor_id", "end_date", "reference"),  # a vendor's list, in its order
        one_of("status", Status, "status"),
        one_of("renewal", Renewal, "renewal"),
        one_of("type", CONTRACT_TYPES, "type"),
        written_duration("notice"),
        written_duration("term"),
        written_duration("lead"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))
    reference_key: Mapped[str] = mapped_column(String(64), unique=True)  # upper-cased: unique ignoring case
    title: Mapped[str] = mapped_column(String(300))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))  # indexed by ix_contracts_vendor_list
    type: Mapped[str] = mapped_column(String(32), default="other")
    status: Mapped[str] = mapped_column(String(32), default="active")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # The end a person last set; tacit renewals count whole terms from it so month ends don't drift.
    end_anchor: Mapped[date] = mapped_column(Date)
    renewals_since_anchor: Mapped[int] = mapped_column(Integer, default=0)
    notice: Mapped[Duration] = mapped_column(default=NO_DURATION)
    term: Mapped[Duration] = mapped_column(default=TWELVE_MONTHS)
    lead: Mapped[Duration] = mapped_column(default=NO_DURATION)
    renewal: Mapped[str] = mapped_column(String(16), default="manual")
    notice_deadline: Mapped[date] = mapped_column(Date)
    act_by: Mapped[date] = mapped_column(Date)
    annual_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    owner: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(32))
    search_text: Mapped[str] = mapped_column(Text, default="")  # folded reference, title and vendor
    alerts_snoozed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    vendor: Mapped[Vendor] = relationship(back_populates="contracts", lazy="joined")
    amendments: Mapped[list[Amendment]] = relationship(back_populates="contract", order_by="Amendment.number")

    __mapper_args__ = {"version_id_col": version}


class Amendment(Base):
    """An avenant: what changed, when it was recorded, by whom, and why."""

    __tablename__ = "amendments"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]]

    contract: Mapped[Contract] = relationship(back_populates="amendments")


class AuditEvent(Base):
    """Every change: who, when, what, before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(Text)


class Alert(Base):
    """The alert ledger. `key` is unique: inserting it *claims* the alert, so it is posted once
    across restarts, hand-run jobs and replicas. A failed post is marked `failed` and retried."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_kind_subject", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(Integer)  # incident or dispute, for later kinds
    state: Mapped[str] = mapped_column(String(16))  # claimed | posted | failed | superseded
    due_on: Mapped[date | None] = mapped_column(Date)
    detail: Mapped[dict[str, Any]]
    claimed_at: Mapped[datetime]
    claimed_by: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None]


class SlackEvent(Base):
    """Event ids already handled: Slack re-delivers events not acked in time."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime]


class SlaTerm(Base):
    """Per contract and priority: response and resolution targets, the clock, the credit per breach."""

    __tablename__ = "sla_terms"
    __table_args__ = (UniqueConstraint("contract_id", "priority"), written_duration("response"),
                      written_duration("resolution"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    priority: Mapped[str] = mapped_column(String(2))
    response: Mapped[Duration]
    resolution: Mapped[Duration]
    clock: Mapped[str] = mapped_column(String(16), default="24x7")
    credit_pct: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))
    updated_at: Mapped[datetime]


class SlaPolicy(Base):
    """Per contract: the availability target, its credit, and the monthly cap on all credits."""

    __tablename__ = "sla_policies"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    availability_target: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))
    availability_credit_pct: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))
    cap_pct: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))
    updated_at: Mapped[datetime]


class Incident(Base):
    """INC-<id>. The SLA terms in force when it was opened are copied in, with the due instants."""

    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_contract_opened", "contract_id", "opened_at"),
        Index("ix_incidents_status_response_warn", "status", "response_warn_at"),
        Index("ix_incidents_status_resolve_warn", "status", "resolve_warn_at"),
        one_of("status", ("open", "acknowledged", "resolved"), "status"),
        written_duration("response_target"),
        written_duration("resolution_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    priority: Mapped[str] = mapped_column(String(2))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | acknowledged | resolved
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(64))
    acked_at: Mapped[datetime | None]
    acked_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    clock: Mapped[str | None] = mapped_column(String(16))
    response_target: Mapped[Duration | None]
    resolution_target: Mapped[Duration | None]
    credit_pct: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))
    response_due_at: Mapped[datetime | None]
    response_warn_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    resolve_warn_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    contract: Mapped[Contract] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def number(self) -> str:
        return f"INC-{self.id}"


# --- disputes (litiges) -------------------------------------------------------------------------------


class Dispute(Base):
    """DSP-<id>: a claim against the vendor, from open to closed, with the money at stake and recovered.

    Written off is derived (claimed − recovered, once closed). `from_sla` disputes carry the service
    credits they were opened from in `credit_detail` (one entry per credit, with its explanation), so
    a credit that was due is tracked to the money recovered. `last_activity_at` moves with every
    change and is what the stale-dispute reminder reads."""

    __tablename__ = "disputes"
    __table_args__ = (
        Index("ix_disputes_contract_status", "contract_id", "status"),
        Index("ix_disputes_status_activity", "status", "last_activity_at"),
        one_of("status", dispute_rules.STATUSES, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    summary: Mapped[str] = mapped_column(Text)
    # open | negotiating | escalated | mediation | litigation | settled | closed
    status: Mapped[str] = mapped_column(String(16), default="open")
    amount_claimed: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    amount_recovered: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    outcome: Mapped[str | None] = mapped_column(Text)
    from_sla: Mapped[bool] = mapped_column(default=False)
    sla_period_start: Mapped[date | None] = mapped_column(Date)
    sla_period_end: Mapped[date | None] = mapped_column(Date)  # exclusive
    credit_detail: Mapped[list[Any] | None] = mapped_column(JSON)
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # "Snooze 7 days" on the stale reminder: no reminder before this instant (a new stale period after)
    reminder_snoozed_until: Mapped[datetime | None]

    contract: Mapped[Contract] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def number(self) -> str:
        return f"DSP-{self.id}"


class DisputeIncident(Base):
    """Incidents a dispute rests on."""

    __tablename__ = "dispute_incidents"

    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True, index=True)


# --- obligations ---------------------------------------------------------------------------------------


class Obligation(Base):
    """OBL-<id>: a dated duty of a contract, once or every `every` (counted from `due_anchor`, no drift).

    `state` is stored (`open`, `fulfilled`, `waived`); pending / due soon / overdue are derived from today
    (bot.obligations.status), so nothing goes stale. `next_alert_on` is the first day an alert not yet
    handled becomes due (NULL once closed): the `obligations` sweep reads it through an index."""

    __tablename__ = "obligations"
    __table_args__ = (
        Index("ix_obligations_next_alert_on", "next_alert_on"),
        Index("ix_obligations_contract_state_due", "contract_id", "state", "due_on"),
        Index("ix_obligations_state_due", "state", "due_on"),
        written_duration("every"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    what: Mapped[str] = mapped_column(Text)
    party: Mapped[str] = mapped_column(String(16), default="vendor")  # vendor | us: who must do it
    owner: Mapped[str | None] = mapped_column(String(32))
    evidence_required: Mapped[bool] = mapped_column(default=False)
    every: Mapped[Duration | None]  # NULL when it happens once
    due_anchor: Mapped[date] = mapped_column(Date)
    occurrence: Mapped[int] = mapped_column(Integer, default=0)  # due_on = due_anchor + occurrence × every
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | fulfilled | waived
    next_alert_on: Mapped[date | None] = mapped_column(Date)
    snoozed_until: Mapped[datetime | None]
    snoozed_by: Mapped[str | None] = mapped_column(String(32))
    closed_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    contract: Mapped[Contract] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def number(self) -> str:
        return f"OBL-{self.id}"


class ObligationFulfilment(Base):
    """Each time an obligation (or one occurrence of a recurring one) was done: when, by whom, the evidence."""

    __tablename__ = "obligation_fulfilments"
    __table_args__ = (Index("ix_obligation_fulfilments_done_at", "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime]
    done_on: Mapped[date] = mapped_column(Date)  # the day it was done, in the organisation's time zone
    done_by: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
# --- indexation ---------------------------------------------------------------------------------------


class IndexValue(Base):
    """One month of a price index (Syntec, …): exact decimal, one value a month, its publication date if known."""

    __tablename__ = "index_values"
    __table_args__ = (UniqueConstraint("index_name", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    index_name: Mapped[str] = mapped_column(String(32))  # lower-cased
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    published_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))


class RevisionClause(Base):
    """A contract's price revision clause, and where its revisions stand (the next date is indexed: the
    `revisions` sweep reads what is due with one range query)."""

    __tablename__ = "revision_clauses"
    __table_args__ = (Index("ix_revision_clauses_next", "next_revision_on"), written_duration("every"))

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    index_name: Mapped[str] = mapped_column(String(32))
    base_month: Mapped[date] = mapped_column(Date)
    base_value: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # P0: the annual value at the base
    fixed: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    every: Mapped[Duration]  # whole months
    first_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(8))  # base | chained
    lag: Mapped[int] = mapped_column(Integer, default=0)
    min_pct: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))
    cap_pct: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))
    round_to: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    next_k: Mapped[int] = mapped_column(Integer, default=0)  # the next revision is first + next_k × every
    next_revision_on: Mapped[date] = mapped_column(Date)
    last_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # the last revised price (chained)
    last_index_month: Mapped[date | None] = mapped_column(Date)
    last_index_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    updated_at: Mapped[datetime]

    contract: Mapped[Contract] = relationship(lazy="joined")


class PriceRevision(Base):
    """A revision applied: the amendment it was recorded as, its numbers and its effect on the annual value."""

    __tablename__ = "price_revisions"
    __table_args__ = (Index("ix_price_revisions_effective", "effective_on"),
                      UniqueConstraint("contract_id", "effective_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id"))
    effective_on: Mapped[date] = mapped_column(Date)
    applied_at: Mapped[datetime]
    applied_by: Mapped[str] = mapped_column(String(64))
    before_value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    after_value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    detail: Mapped[dict[str, Any]]  # P_ref, S_ref, S (month, value), fixed, mode, min/cap/round outcome
# --- trust-http: replay refusal ---------------------------------------------------------------------


class SeenRequest(Base):
    """Signatures of signed Slack requests accepted in the last minutes: the same signed request sent
    again inside the 5-minute window is refused, across replicas (the primary key is the claim)."""

    __tablename__ = "seen_requests"

    signature: Mapped[str] = mapped_column(String(80), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)
