"""The financial trajectory: committed annual spend, month by month, from value-change steps.

A contract counts in a month when it is in force on the month's first day, at the annual value in
force that day. Each contract becomes a few *steps* — its value added the day it starts, taken away
the day after it ends, and moved by every recorded value change — so the spend of a month is the sum
of the steps dated on or before its first day. Steps of many contracts add up, so the database can
sum them per day (GROUP BY) and this module never sees one row per contract.

Amounts in different currencies are never added: every figure is per currency. Pure: dates and
Decimals in, dates and Decimals out; it imports nothing of ours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Step:
    """From day `on` (None: since always), the committed annual spend in `currency` moves by `delta`."""

    on: date | None
    delta: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class ValueChange:
    """A recorded change of a contract's annual value, effective from day `on`."""

    on: date
    before: Decimal | None
    after: Decimal | None


@dataclass(frozen=True, slots=True)
class Span:
    """A contract in force from `start` (None: unknown, counted as always) to `end` inclusive (None: open,
    e.g. tacit renewal with no notice given), at `value` — the value it has now."""

    start: date | None
    end: date | None
    value: Decimal
    currency: str


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(first: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `first`."""
    index = first.year * 12 + (first.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def month_range(first: date, count: int) -> list[date]:
    """`count` consecutive month starts from the month of `first`."""
    start = month_start(first)
    return [add_months(start, n) for n in range(count)]


def span_steps(span: Span) -> list[Step]:
    steps = [Step(span.start, span.value, span.currency)]
    if span.end is not None:
        steps.append(Step(span.end + timedelta(days=1), -span.value, span.currency))
    return steps


def history_steps(span: Span, changes: Sequence[ValueChange]) -> list[Step]:
    """Steps of a contract whose value changed over time: before its first change it had that change's
    `before` value, and so on; after the last one, `span.value` (the value it has now)."""
    ordered = sorted(changes, key=lambda c: c.on)
    steps: list[Step] = []
    segment_start = span.start
    for change in ordered:
        value = change.before or ZERO
        steps += _segment(segment_start, change.on - timedelta(days=1), span, value)
        segment_start = change.on if segment_start is None or change.on > segment_start else segment_start
    steps += _segment(segment_start, span.end, span, span.value)
    return steps


def _segment(start: date | None, end: date | None, span: Span, value: Decimal) -> list[Step]:
    """The steps of `value` over [start, end] clipped to the span; nothing for an empty segment."""
    if span.end is not None and (end is None or end > span.end):
        end = span.end
    if start is not None and end is not None and end < start:
        return []
    if not value:
        return []
    return span_steps(Span(start, end, value, span.currency))


def correction(span: Span, changes: Sequence[ValueChange]) -> list[Step]:
    """What to add to the steps of `span` at its current value to get the steps of its history."""
    return history_steps(span, changes) + [Step(s.on, -s.delta, s.currency) for s in span_steps(span)]


def committed(steps: Iterable[Step], months: Sequence[date]) -> dict[date, dict[str, Decimal]]:
    """For each month start: per currency, the sum of the steps dated on or before it."""
    ordered_months = sorted(months)
    by_day: dict[date | None, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for step in steps:
        by_day[step.on][step.currency] += step.delta
    days = sorted((d for d in by_day if d is not None))
    running: dict[str, Decimal] = defaultdict(Decimal, by_day.get(None, {}))
    out: dict[date, dict[str, Decimal]] = {}
    index = 0
    for month in ordered_months:
        while index < len(days) and days[index] <= month:
            for currency, delta in by_day[days[index]].items():
                running[currency] += delta
            index += 1
        out[month] = {c: v for c, v in running.items() if v}
    return out


@dataclass(frozen=True, slots=True)
class MonthPoint:
    month: date
    amounts: dict[str, Decimal]
    year_before: dict[str, Decimal]
    past: bool  # this month or before: what was in force; after: what is committed if nothing changes


@dataclass(slots=True)
class Trajectory:
    points: list[MonthPoint] = field(default_factory=list)

    @property
    def currencies(self) -> list[str]:
        seen = {c for p in self.points for c in (*p.amounts, *p.year_before)}
        return sorted(seen)


def trajectory(steps: Iterable[Step], *, today: date, past: int = 12, future: int = 12) -> Trajectory:
    """The `past` months up to and including this one, the `future` months after, each against the
    same month a year earlier."""
    current = month_start(today)
    shown = month_range(add_months(current, 1 - past), past + future)
    values = committed(steps, [add_months(m, -12) for m in shown] + shown)
    return Trajectory([MonthPoint(m, values[m], values[add_months(m, -12)], m <= current) for m in shown])
