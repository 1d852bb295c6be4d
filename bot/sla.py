"""SLA rules: due times of response and resolution targets, the 75 % warning, breaches,
availability and service credits. Pure functions: no Slack, no SQL, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from bot.business_clock import BusinessCalendar, add_business_days, add_business_minutes, business_minutes
from bot.durations import Duration, DurationError, parse_duration
from bot.errors import DomainError

PRIORITIES = ("P1", "P2", "P3", "P4")
WARN_FRACTION = Decimal("0.75")
CENT = Decimal("0.01")


class Clock(StrEnum):
    TWENTY_FOUR_SEVEN = "24x7"
    BUSINESS = "business"


def target_minutes_24x7(duration: Duration) -> int:
    if duration.months:
        raise ValueError("SLA targets are in minutes, hours or days")
    return duration.minutes + duration.days * 1440 + duration.business_days * 1440


def read_target(name: str, text: str) -> Duration:
    """A response or resolution target as typed (`/sla set`, the SLA CSV), or DomainError("err_bad_target")
    — minutes, hours or (business) days, not zero."""
    try:
        duration = parse_duration(text)
        target_minutes_24x7(duration)
    except (DurationError, ValueError):
        raise DomainError("err_bad_target", field=name, value=text) from None
    if duration.is_zero:
        raise DomainError("err_bad_target", field=name, value=text)
    return duration


def read_clock(text: str | None) -> Clock:
    """The clock a target runs on (`24x7`, `24/7`, `business`; none: 24x7), or DomainError("err_bad_clock")."""
    value = (text or Clock.TWENTY_FOUR_SEVEN.value).strip().lower().replace("/", "x")
    if value not in (c.value for c in Clock):
        raise DomainError("err_bad_clock", value=text or "")
    return Clock(value)


@dataclass(frozen=True, slots=True)
class Deadline:
    due: datetime
    warn: datetime  # when 75 % of the target has elapsed


def deadline(start: datetime, duration: Duration, clock: Clock, calendar: BusinessCalendar) -> Deadline:
    """Due and warning instants of a target started at `start`.

    On the business clock, minutes and hours count business minutes; days (`d`, `bd`, `w`) count
    business days (same time of day, n business days later). On the 24x7 clock everything is
    elapsed time, except `bd`, which always means business days.
    """
    if duration.months:
        raise ValueError("SLA targets are in minutes, hours or days")
    start = start.astimezone(UTC)  # elapsed time, not wall-clock time, across DST changes
    if duration.business_days or (clock == Clock.BUSINESS and duration.days):
        days = duration.business_days or duration.days
        due = add_business_days(calendar, start, days)
        span = business_minutes(calendar, start, due)
        warn = add_business_minutes(calendar, start, span * float(WARN_FRACTION))
        return Deadline(due, warn)
    if clock == Clock.BUSINESS:
        due = add_business_minutes(calendar, start, duration.minutes)
        warn = add_business_minutes(calendar, start, duration.minutes * float(WARN_FRACTION))
        return Deadline(due, warn)
    minutes = target_minutes_24x7(duration)
    return Deadline(start + timedelta(minutes=minutes), start + timedelta(minutes=minutes * float(WARN_FRACTION)))


class Outcome(StrEnum):
    MET = "met"
    BREACHED = "breached"
    PENDING = "pending"


def outcome(done_at: datetime | None, due: datetime | None, now: datetime) -> Outcome | None:
    """Met (done by the due time), breached (done late, or not done and past due), or pending."""
    if due is None:
        return None
    if done_at is not None:
        return Outcome.MET if done_at <= due else Outcome.BREACHED
    return Outcome.BREACHED if now > due else Outcome.PENDING


def merged_downtime_minutes(intervals: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> Decimal:
    """Minutes of the union of `intervals` clipped to [start, end) — overlapping outages count once."""
    clipped = sorted((max(a, start), min(b, end)) for a, b in intervals if b > start and a < end)
    total = timedelta()
    current_start: datetime | None = None
    current_end: datetime | None = None
    for a, b in clipped:
        if b <= a:
            continue
        if current_end is None or a > current_end:
            if current_end is not None and current_start is not None:
                total += current_end - current_start
            current_start, current_end = a, b
        else:
            current_end = max(current_end, b)
    if current_end is not None and current_start is not None:
        total += current_end - current_start
    return Decimal(int(total.total_seconds())) / Decimal(60)


def availability_pct(downtime_minutes: Decimal, period_minutes: Decimal) -> Decimal:
    if period_minutes <= 0:
        return Decimal(100)
    return (period_minutes - downtime_minutes) / period_minutes * Decimal(100)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class PriorityLine:
    priority: str
    incidents: int = 0
    response_met: int = 0
    response_breached: int = 0
    resolution_met: int = 0
    resolution_breached: int = 0
    breached_incidents: int = 0  # an incident with either target breached, counted once
    credit_pct: Decimal | None = None
    credit: Decimal = Decimal(0)


@dataclass(slots=True)
class CreditStatement:
    """Everything a manager needs for a claim letter, each figure with how it was obtained."""

    monthly_fee: Decimal | None
    lines: list[PriorityLine] = field(default_factory=list)
    incident_credits: Decimal = Decimal(0)
    availability: Decimal | None = None  # percent, full precision
    availability_target: Decimal | None = None
    availability_credit_pct: Decimal | None = None
    availability_credit: Decimal = Decimal(0)
    cap_pct: Decimal | None = None
    cap: Decimal | None = None
    total_before_cap: Decimal = Decimal(0)
    total_due: Decimal = Decimal(0)
    capped: bool = False


def credit_statement(
    *,
    annual_value: Decimal | None,
    lines: list[PriorityLine],
    availability: Decimal | None,
    availability_target: Decimal | None,
    availability_credit_pct: Decimal | None,
    cap_pct: Decimal | None,
) -> CreditStatement:
    """Credits due = breached incidents × credit % × monthly fee (annual value / 12), per priority;
    plus the availability credit % × monthly fee when availability is below target; the total capped
    at cap % × monthly fee. Amounts are rounded to the cent (half up) line by line."""
    fee = annual_value / Decimal(12) if annual_value is not None else None
    statement = CreditStatement(monthly_fee=money(fee) if fee is not None else None, lines=lines,
                                availability=availability, availability_target=availability_target,
                                availability_credit_pct=availability_credit_pct, cap_pct=cap_pct)
    if fee is None:
        return statement
    for line in lines:
        if line.credit_pct is not None and line.breached_incidents:
            line.credit = money(Decimal(line.breached_incidents) * line.credit_pct / Decimal(100) * fee)
        statement.incident_credits += line.credit
    if (availability is not None and availability_target is not None and availability_credit_pct is not None
            and availability < availability_target):
        statement.availability_credit = money(availability_credit_pct / Decimal(100) * fee)
    statement.total_before_cap = statement.incident_credits + statement.availability_credit
    statement.total_due = statement.total_before_cap
    if cap_pct is not None:
        statement.cap = money(cap_pct / Decimal(100) * fee)
        if statement.total_due > statement.cap:
            statement.total_due, statement.capped = statement.cap, True
    return statement
