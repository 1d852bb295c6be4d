"""The business clock for SLAs: business hours in the organisation's time zone, weekends and public
holidays excluded, right across daylight-saving changes and year ends.

Pure functions of their inputs. Business time is the set of instants whose local wall-clock time
falls inside the day's opening intervals, on a business day that is not a public holiday.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_FR_DAYS = {"lun": "mon", "mar": "tue", "mer": "wed", "jeu": "thu", "ven": "fri", "sam": "sat", "dim": "sun"}
_SPEC = re.compile(r"^\s*([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(.+)$")
_RANGE = re.compile(r"^(\d{1,2}):?(\d{2})\s*-\s*(\d{1,2}):?(\d{2})$")
MAX_DAYS_SCANNED = 3700  # ten years: a clock with no business time at all is refused long before


class BusinessHoursError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Opening intervals per weekday (minutes from local midnight), a zone, and a holiday test."""

    tz: ZoneInfo
    hours: tuple[tuple[tuple[int, int], ...], ...]  # 7 weekdays, Monday first
    is_holiday: Callable[[date], bool] = field(default=lambda _d: False, compare=False)

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's business intervals as aware UTC datetimes (empty on weekends and holidays)."""
        spans = self.hours[day.weekday()]
        if not spans or self.is_holiday(day):
            return []
        out = []
        for start, end in spans:
            out.append((_local(day, start, self.tz), _local(day, end, self.tz)))
        return out


def _local(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    if minutes >= 24 * 60:
        day, minutes = day + timedelta(days=1), minutes - 24 * 60
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)
    # A wall time skipped by a spring-forward change maps (PEP 495, fold=0) past the gap: normalise.
    return wall.astimezone(UTC)


def parse_business_hours(text: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    """`Mon-Fri 09:00-18:00`, `Mon-Fri 08:30-12:30,13:30-17:30; Sat 09:00-12:00`, `24x7`."""
    raw = (text or "").strip().lower()
    week: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    if raw in ("24x7", "24/7", "always"):
        return tuple(((0, 1440),) for _ in DAYS)
    for part in re.split(r"[;|]", raw):
        if not part.strip():
            continue
        match = _SPEC.match(part)
        if not match:
            raise BusinessHoursError(text)
        first, last = (_FR_DAYS.get(d, d) if d else None for d in match.group(1, 2))
        if first not in DAYS or (last is not None and last not in DAYS):
            raise BusinessHoursError(text)
        a, b = DAYS.index(first), DAYS.index(last or first)
        days = list(range(a, b + 1)) if a <= b else list(range(a, 7)) + list(range(0, b + 1))
        for span in match.group(3).split(","):
            hours = _RANGE.match(span.strip())
            if not hours:
                raise BusinessHoursError(text)
            start = int(hours.group(1)) * 60 + int(hours.group(2))
            end = int(hours.group(3)) * 60 + int(hours.group(4))
            if not 0 <= start < end <= 1440:
                raise BusinessHoursError(text)
            for d in days:
                week[d].append((start, end))
    if not any(week):
        raise BusinessHoursError(text)
    return tuple(_merge(spans) for spans in week)


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Overlapping or touching spans of one day become one (09-12 and 11-14 → 09-14)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


@lru_cache(maxsize=16)
def _holidays(country: str | None) -> Callable[[date], bool]:
    if not country:
        return lambda _d: False
    # Imported with a country only: the holidays package is ~0.02 s of import that every process loading
    # the settings paid (start-up cost, docs/performance.md "The test suite"); most organisations set none.
    import holidays as holidays_lib

    code, _, subdiv = country.partition("-")
    calendar = holidays_lib.country_holidays(code.upper(), subdiv=subdiv or None)
    return lambda d: d in calendar


def make_calendar(*, tz: ZoneInfo, business_hours: str, holidays: str | None) -> BusinessCalendar:
    try:
        holiday_test = _holidays(holidays)
    except NotImplementedError as exc:
        raise BusinessHoursError(f"unknown holiday country {holidays!r}") from exc
    return BusinessCalendar(tz=tz, hours=parse_business_hours(business_hours), is_holiday=holiday_test)


def _days_from(moment: datetime, tz: ZoneInfo) -> Iterator[date]:
    day = moment.astimezone(tz).date() - timedelta(days=1)  # an interval may start the day before
    for _ in range(MAX_DAYS_SCANNED):
        yield day
        day += timedelta(days=1)
    raise BusinessHoursError("no business time within ten years")


def business_minutes(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Business minutes elapsed between two aware instants (0 when end ≤ start)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0.0
    total = 0.0
    for day in _days_from(start, calendar.tz):
        for open_, close in calendar.intervals(day):
            if open_ >= end:
                return total
            lo, hi = max(open_, start), min(close, end)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        if _local(day, 0, calendar.tz) > end:
            return total
    return total  # pragma: no cover - _days_from raises first


def add_business_minutes(calendar: BusinessCalendar, start: datetime, minutes: float) -> datetime:
    """The instant at which `minutes` business minutes have elapsed since `start`."""
    start = start.astimezone(UTC)
    remaining = minutes
    for day in _days_from(start, calendar.tz):
        for open_, close in calendar.intervals(day):
            if close <= start:
                continue
            lo = max(open_, start)
            available = (close - lo).total_seconds() / 60
            if remaining <= available:
                return lo + timedelta(minutes=remaining)
            remaining -= available
    raise BusinessHoursError("no business time within ten years")  # pragma: no cover


def next_business_instant(calendar: BusinessCalendar, moment: datetime) -> datetime:
    """`moment` itself when it is business time, else the next opening."""
    moment = moment.astimezone(UTC)
    for day in _days_from(moment, calendar.tz):
        for open_, close in calendar.intervals(day):
            if close > moment:
                return max(open_, moment)
    raise BusinessHoursError("no business time within ten years")  # pragma: no cover


def add_business_days(calendar: BusinessCalendar, start: datetime, days: int) -> datetime:
    """`2bd`: the same local time of day, `days` business days later, counted from the first
    business instant at or after `start` (opened on Friday 17:00 + 2bd → Tuesday 17:00)."""
    begin = next_business_instant(calendar, start).astimezone(calendar.tz)
    day, count = begin.date(), 0
    for _ in range(MAX_DAYS_SCANNED):
        if count == days:
            break
        day += timedelta(days=1)
        if calendar.intervals(day):
            count += 1
    wall = datetime.combine(day, begin.time().replace(tzinfo=None), tzinfo=calendar.tz)
    return wall.astimezone(UTC)
