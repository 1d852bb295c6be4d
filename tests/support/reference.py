"""Independent references for contract date arithmetic, written without the product's code:
months are stepped one at a time and the day clamped to the month reached."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from bot.durations import Duration


def ref_add_months(day: date, months: int) -> date:
    year, month = day.year, day.month
    step = 1 if months >= 0 else -1
    for _ in range(abs(months)):
        month += step
        if month == 13:
            year, month = year + 1, 1
        elif month == 0:
            year, month = year - 1, 12
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def ref_minus(day: date, d: Duration) -> date:
    return ref_add_months(day, -d.months) if d.months else day - timedelta(days=d.days)


def ref_term_end(anchor: date, term: Duration, n: int) -> date:
    """The n-th end counted from the anchor in one go (never from the previous, clamped end)."""
    return ref_add_months(anchor, n * term.months) if term.months else anchor + timedelta(days=n * term.days)
