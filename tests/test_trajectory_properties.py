"""The trajectory (bot.trajectory) against a reference that reads each contract day by day: in force on
the month's first day, at the value of that day. Month arithmetic against counting months by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.trajectory import (
    Span,
    Step,
    ValueChange,
    add_months,
    committed,
    correction,
    history_steps,
    month_range,
    span_steps,
    trajectory,
)

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

DAYS = st.dates(min_value=date(2018, 1, 1), max_value=date(2032, 12, 31))
MONEY = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
CURRENCY = st.sampled_from(["EUR", "USD"])


# Built once: a strategy made inside the composite is a new object at every draw, which Hypothesis
# validates again each time (about half of this module's time went there).
MAYBE_DAY = st.none() | DAYS
CHANGES = st.lists(st.builds(ValueChange, DAYS, st.none() | MONEY, MONEY), max_size=3)


@st.composite
def contracts(draw: st.DrawFn) -> tuple[Span, list[ValueChange]]:
    start = draw(MAYBE_DAY)
    end = draw(MAYBE_DAY)
    if start is not None and end is not None and end < start:
        start, end = end, start
    changes = draw(CHANGES)
    return Span(start, end, draw(MONEY), draw(CURRENCY)), changes


def reference_value(span: Span, changes: list[ValueChange], day: date) -> Decimal:
    """The contract's annual value in force on `day`, read straight from its definition."""
    if span.start is not None and day < span.start:
        return Decimal(0)
    if span.end is not None and day > span.end:
        return Decimal(0)
    for change in sorted(changes, key=lambda c: c.on):
        if change.on > day:
            return change.before or Decimal(0)
    return span.value


def reference_committed(portfolio: list[tuple[Span, list[ValueChange]]], month: date) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for span, changes in portfolio:
        totals[span.currency] = totals.get(span.currency, Decimal(0)) + reference_value(span, changes, month)
    return {c: v for c, v in totals.items() if v}


@settings(max_examples=300, deadline=None)
@given(st.lists(contracts(), max_size=8), DAYS)
def test_committed_spend_matches_a_day_by_day_reading(portfolio: list[tuple[Span, list[ValueChange]]],
                                                      today: date) -> None:
    steps = [s for span, changes in portfolio for s in history_steps(span, changes)]
    months = month_range(today, 6)
    values = committed(steps, months)
    for month in months:
        assert values[month] == reference_committed(portfolio, month)


@settings(max_examples=300, deadline=None)
@given(st.lists(contracts(), max_size=6), DAYS)
def test_current_value_steps_plus_corrections_equal_the_history(portfolio: list[tuple[Span, list[ValueChange]]],
                                                               today: date) -> None:
    """What storage does: every contract at its current value (summed by the database), plus a correction
    for the few whose value changed."""
    steps = [s for span, _ in portfolio for s in span_steps(span)]
    steps += [s for span, changes in portfolio if changes for s in correction(span, changes)]
    months = month_range(today, 3)
    values = committed(steps, months)
    for month in months:
        assert values[month] == reference_committed(portfolio, month)


@given(DAYS, st.integers(min_value=-400, max_value=400))
def test_add_months_counts_months_like_a_calendar(day: date, months: int) -> None:
    result = add_months(day, months)
    assert result.day == 1
    assert (result.year - day.year) * 12 + (result.month - day.month) == months
    back = day.replace(day=1)
    for _ in range(abs(months)):  # walk month by month: the day before a first is in the previous month
        back = (back + timedelta(days=32)).replace(day=1) if months > 0 else (back - timedelta(days=1)).replace(day=1)
    assert result == back


@given(st.lists(contracts(), max_size=5), DAYS)
def test_trajectory_has_24_months_each_against_the_year_before(portfolio: list[tuple[Span, list[ValueChange]]],
                                                               today: date) -> None:
    steps = [s for span, changes in portfolio for s in history_steps(span, changes)]
    result = trajectory(steps, today=today)
    assert len(result.points) == 24
    assert [p.past for p in result.points] == [True] * 12 + [False] * 12
    assert result.points[11].month == today.replace(day=1)
    for point in result.points:
        assert point.amounts == reference_committed(portfolio, point.month)
        year_before = point.month.replace(year=point.month.year - 1)
        assert point.year_before == reference_committed(portfolio, year_before)


def test_a_contract_counts_from_its_first_month_start_to_the_last_it_covers() -> None:
    span = Span(date(2026, 1, 15), date(2026, 4, 30), Decimal("1200"), "EUR")
    values = committed(span_steps(span), month_range(date(2026, 1, 1), 6))
    assert [values[m].get("EUR", Decimal(0)) for m in sorted(values)] == [0, 1200, 1200, 1200, 0, 0]


def test_currencies_are_never_added() -> None:
    steps = [Step(None, Decimal("100"), "EUR"), Step(None, Decimal("50"), "USD")]
    assert committed(steps, [date(2026, 1, 1)]) == {date(2026, 1, 1): {"EUR": Decimal("100"), "USD": Decimal("50")}}
