"""Dates and windows typed by people, in English and French, through dateparser (wrapped once).

dateparser needs a *naive* relative base in the user's zone: an aware one makes "3pm" return
None (dateparser #1213). Every function here takes `now` (aware) and the zone to read text in.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import bounds
from bot.durations import DurationError, add_months, parse_duration, shift
from bot.text import fold

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_FR_WEEKDAYS = {
    "lundi": "monday", "mardi": "tuesday", "mercredi": "wednesday", "jeudi": "thursday",
    "vendredi": "friday", "samedi": "saturday", "dimanche": "sunday",
}
_FR_NEXT = re.compile(r"\b(" + "|".join(_FR_WEEKDAYS) + r")\s+prochain\b")
_FR_HOUR = re.compile(r"\b([01]?\d|2[0-3])h(\d{2})?\b(?!\s*(?:ago|before|later|from))")
_MONTHS = {
    **{name.lower(): i for i, name in enumerate(calendar.month_name) if name},
    **{name.lower(): i for i, name in enumerate(calendar.month_abbr) if name},
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}


class DateError(ValueError):
    """The text is not a date (or window) we can read."""


class DateOutOfRange(DateError):
    """A date we can read, but outside 1900–2200 (`bot.bounds`)."""


def in_range(day: date, text: str) -> date:
    """`day`, or DateOutOfRange when it lies outside 1900–2200."""
    if not bounds.date_in_range(day):
        raise DateOutOfRange(text)
    return day


def _normalise(text: str) -> str:
    text = text.strip().lower()
    text = _FR_NEXT.sub(lambda m: "next " + _FR_WEEKDAYS[m.group(1)], text)
    return _FR_HOUR.sub(lambda m: f"{m.group(1)}:{m.group(2) or '00'}", text)


def _dateparser(text: str, *, tz: ZoneInfo, now: datetime) -> datetime | None:
    # Imported on the first loose date, not with this module: every process that renders a date range
    # imports this module, few read a loose date, and dateparser's import is ~0.1 s of CPU (start-up cost,
    # docs/performance.md "The test suite").
    import dateparser

    settings = {
        "TIMEZONE": str(tz),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None),
    }
    parsed = dateparser.parse(_normalise(text), languages=["en", "fr"], settings=settings)
    # dateparser would keep RELATIVE_BASE's UTC offset across a DST change: attach the zone to the wall time.
    return parsed.replace(tzinfo=tz) if parsed is not None else None


def parse_date(text: str, *, tz: ZoneInfo, now: datetime) -> date:
    """A calendar date: `2027-03-31`, `31/03/2027`, `31 mars 2027`, `in 6 months`, `next friday`."""
    raw = (text or "").strip()
    if _ISO.match(raw):
        try:
            return in_range(date.fromisoformat(raw), text)
        except DateOutOfRange:
            raise
        except ValueError as exc:
            raise DateError(text) from exc
    dmy = _DMY.match(raw)
    if dmy:
        try:
            return in_range(date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1))), text)
        except DateOutOfRange:
            raise
        except ValueError as exc:
            raise DateError(text) from exc
    parsed = _dateparser_safe(raw, tz=tz, now=now)
    if parsed is None:
        raise DateError(text)
    return in_range(parsed.astimezone(tz).date(), text)


def _dateparser_safe(raw: str, *, tz: ZoneInfo, now: datetime) -> datetime | None:
    """dateparser, with its own overflows ("in 99999 years") read as "not a date"."""
    if not raw:
        return None
    try:
        return _dateparser(raw, tz=tz, now=now)
    except (ValueError, OverflowError):
        return None


def parse_when(text: str, *, tz: ZoneInfo, now: datetime) -> datetime:
    """A moment (aware, UTC): `2026-11-23 14:30`, `yesterday 14:00`, `hier 14h`, `2h ago`."""
    raw = (text or "").strip()
    try:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        in_range(moment.date(), text)
        return moment.astimezone(ZoneInfo("UTC"))
    except DateOutOfRange:
        raise
    except (ValueError, OverflowError):
        pass
    parsed = _dateparser_safe(raw, tz=tz, now=now)
    if parsed is None:
        raise DateError(text)
    in_range(parsed.date(), text)
    return parsed.astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True, slots=True)
class Window:
    start: date
    end: date  # inclusive


DEFAULT_WINDOW_DAYS = 90
_NEXT_N = re.compile(
    r"^(?:next|the next|within|over the next|in the next|prochains?|les|dans les|sous)?\s*(\d+\s*[a-z]+)"
    r"(?:\s+(?:prochains?|prochaines?|a venir))?$"
)
_BEFORE = re.compile(r"^(?:before|by|until|till|avant|avant le|jusqu'au|jusqu'a|d'ici le|d'ici)\s+(.+)$")
_IN_MONTH = re.compile(r"^(?:in|en|au mois de|during)?\s*([a-z]+)(?:\s+(\d{4}))?$")
_FR_NEXT_N = re.compile(r"^(?:dans |sur )?les (\d+) prochain(?:e)?s (\w+)$")
_END_OF = re.compile(r"^(.*?)\s*(?:fin|end of)\s+([a-z]+)$")
_WORD_UNITS = {"jours": "d", "jour": "d", "days": "d", "day": "d", "semaines": "w", "weeks": "w", "mois": "mo",
               "months": "mo", "month": "mo", "ans": "y", "years": "y", "an": "y", "year": "y", "week": "w",
               "semaine": "w"}


def _duration_text(text: str) -> str:
    match = re.match(r"^(\d+)\s*([a-z]+)$", text)
    if match and match.group(2) in _WORD_UNITS:
        return match.group(1) + _WORD_UNITS[match.group(2)]
    return text.replace(" ", "")


def _quarter(today: date) -> Window:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    return Window(start, add_months(start, 3) - timedelta(days=1))


def _month(today: date, month: int, year: int | None) -> Window:
    if year is None:
        year = today.year if month >= today.month else today.year + 1
    start = date(year, month, 1)
    return Window(start, add_months(start, 1) - timedelta(days=1))


def parse_window(text: str, *, tz: ZoneInfo, now: datetime) -> Window:
    """`next 30 days` (default 90 days), `this quarter`, `before 2027-06-30`, `in March`,
    `d'ici 3 mois`, `this month`, `next month`, `this year`, or a date (from today until then).
    A window reaching outside 1900–2200 is refused (DateOutOfRange)."""
    try:
        window = _parse_window(text, tz=tz, now=now)
    except DateError:
        raise
    except (ValueError, OverflowError):  # "in December 9999": a month past the calendar's end
        raise DateOutOfRange(text) from None
    in_range(window.start, text)
    in_range(window.end, text)
    return window


def _parse_window(text: str, *, tz: ZoneInfo, now: datetime) -> Window:
    today = now.astimezone(tz).date()
    raw = fold(" ".join((text or "").lower().split()))
    raw = raw.replace("’", "'")
    if not raw:
        return Window(today, today + timedelta(days=DEFAULT_WINDOW_DAYS))
    if raw in ("this quarter", "ce trimestre", "quarter", "trimestre"):
        return _quarter(today)
    if raw in ("next quarter", "le trimestre prochain", "trimestre prochain"):
        return _quarter(add_months(_quarter(today).start, 3))
    if raw in ("this month", "ce mois", "ce mois-ci", "ce mois ci"):
        return _month(today, today.month, today.year)
    if raw in ("next month", "le mois prochain", "mois prochain"):
        nxt = add_months(date(today.year, today.month, 1), 1)
        return _month(today, nxt.month, nxt.year)
    if raw in ("this year", "cette annee"):
        return Window(today, date(today.year, 12, 31))
    raw = _FR_NEXT_N.sub(lambda m: f"next {m.group(1)} {m.group(2)}", raw)
    raw = _END_OF.sub(
        lambda m: f"{m.group(1)} {_month(today, _MONTHS[m.group(2)], None).end}" if m.group(2) in _MONTHS else m.group(0),
        raw,
    ).strip()
    match = _NEXT_N.match(raw)
    if match:
        try:
            duration = parse_duration(_duration_text(match.group(1)))
            if duration.is_calendar and not duration.is_zero:
                return Window(today, shift(today, duration))
        except DurationError:
            pass
    match = _IN_MONTH.match(raw)
    if match and match.group(1) in _MONTHS:
        year = int(match.group(2)) if match.group(2) else None
        return _month(today, _MONTHS[match.group(1)], year)
    match = _BEFORE.match(raw)
    if match:
        inner = match.group(1)
        try:
            duration = parse_duration(_duration_text(inner))
            if duration.is_calendar and not duration.is_zero:
                return Window(today, shift(today, duration))
        except DurationError:
            pass
        end = parse_date(inner, tz=tz, now=now)
        if end < today:
            raise DateError(text)
        return Window(today, end)
    try:
        end = parse_date(raw, tz=tz, now=now)
    except DateError:
        raise DateError(text) from None
    if end < today:
        raise DateError(text)
    return Window(today, end)


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open span [start, end) of aware UTC instants, bounded by local midnights."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date


def _period(first: date, last: date, tz: ZoneInfo) -> Period:
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz).astimezone(ZoneInfo("UTC"))
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz).astimezone(ZoneInfo("UTC"))
    return Period(start, end, first, last)


def month_period(year: int, month: int, tz: ZoneInfo) -> Period:
    first = date(year, month, 1)
    return _period(first, add_months(first, 1) - timedelta(days=1), tz)


_MONTH_YEAR = re.compile(r"^(?:in |en )?([a-z]+)\s*(\d{4})?$")
_NUMERIC_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$|^(\d{1,2})[/-](\d{4})$")
_LAST_N = re.compile(r"^(?:last|past|the last|the past|les|derniers?|dernieres?)?\s*(\d+\s*[a-z]+)(?:\s+derniers?|\s+dernieres?)?$")


def parse_period(text: str, *, tz: ZoneInfo, now: datetime, default: str = "this month") -> Period:
    """A past or current period for SLA figures: `this month` (default), `last month`, `March`
    (the most recent March), `2027-03`, `mars 2027`, `this quarter`, `last quarter`, `this year`,
    `last 30 days`, `since 2026-11-01`. A period reaching outside 1900–2200 is refused."""
    try:
        period = _parse_period(text, tz=tz, now=now, default=default)
    except DateError:
        raise
    except (ValueError, OverflowError):  # "9999-12": a month past the calendar's end
        raise DateOutOfRange(text) from None
    in_range(period.first_day, text)
    in_range(period.last_day, text)
    return period


def _parse_period(text: str, *, tz: ZoneInfo, now: datetime, default: str) -> Period:
    today = now.astimezone(tz).date()
    raw = fold(" ".join((text or default).lower().split())).replace("’", "'")
    first_of_month = date(today.year, today.month, 1)
    if raw in ("this month", "ce mois", "ce mois-ci", "ce mois ci", "month", "mois"):
        return month_period(today.year, today.month, tz)
    if raw in ("last month", "previous month", "le mois dernier", "mois dernier", "le mois precedent"):
        previous = add_months(first_of_month, -1)
        return month_period(previous.year, previous.month, tz)
    if raw in ("this quarter", "ce trimestre"):
        q = _quarter(today)
        return _period(q.start, q.end, tz)
    if raw in ("last quarter", "le trimestre dernier", "trimestre dernier"):
        q = _quarter(add_months(_quarter(today).start, -3))
        return _period(q.start, q.end, tz)
    if raw in ("this year", "cette annee"):
        return _period(date(today.year, 1, 1), date(today.year, 12, 31), tz)
    if raw in ("last year", "l'annee derniere", "annee derniere"):
        return _period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), tz)
    if re.fullmatch(r"\d{4}", raw):
        return _period(date(int(raw), 1, 1), date(int(raw), 12, 31), tz)
    numeric = _NUMERIC_MONTH.match(raw)
    if numeric:
        year, month = (int(numeric.group(1)), int(numeric.group(2))) if numeric.group(1) else (
            int(numeric.group(4)), int(numeric.group(3)))
        if 1 <= month <= 12:
            return month_period(year, month, tz)
        raise DateError(text)
    named = _MONTH_YEAR.match(raw)
    if named and named.group(1) in _MONTHS:
        month = _MONTHS[named.group(1)]
        year = int(named.group(2)) if named.group(2) else (today.year if month <= today.month else today.year - 1)
        return month_period(year, month, tz)
    last = _LAST_N.match(raw)
    if last:
        try:
            duration = parse_duration(_duration_text(last.group(1)))
        except DurationError:
            duration = None
        if duration is not None and duration.is_calendar and not duration.is_zero:
            return _period(shift(today, duration, -1) + timedelta(days=1), today, tz)
    since = re.match(r"^(?:since|depuis|from|a partir du|depuis le)\s+(.+)$", raw)
    if since:
        first = parse_date(since.group(1), tz=tz, now=now - timedelta(days=366))
        if first <= today:
            return _period(first, today, tz)
    raise DateError(text)
