"""Durations of the command grammar (`30min`, `4h`, `3d`, `2bd`, `2w`, `6mo`, `1y`) and the
calendar arithmetic contracts need (month ends clamp: 31 Jan + 1 month = 28/29 Feb)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from bot import bounds

_UNITS: dict[str, tuple[str, int]] = {
    # unit -> (field, multiplier)
    "min": ("minutes", 1), "mins": ("minutes", 1), "minute": ("minutes", 1), "minutes": ("minutes", 1),
    "h": ("minutes", 60), "hr": ("minutes", 60), "hrs": ("minutes", 60), "hour": ("minutes", 60),
    "hours": ("minutes", 60), "heure": ("minutes", 60), "heures": ("minutes", 60),
    "d": ("days", 1), "day": ("days", 1), "days": ("days", 1), "j": ("days", 1), "jour": ("days", 1),
    "jours": ("days", 1),
    "bd": ("business_days", 1), "jo": ("business_days", 1),
    "w": ("days", 7), "wk": ("days", 7), "week": ("days", 7), "weeks": ("days", 7),
    "sem": ("days", 7), "semaine": ("days", 7), "semaines": ("days", 7),
    "mo": ("months", 1), "month": ("months", 1), "months": ("months", 1), "mois": ("months", 1),
    "y": ("months", 12), "yr": ("months", 12), "year": ("months", 12), "years": ("months", 12),
    "an": ("months", 12), "ans": ("months", 12),
}
# The short notation of each unit (what a duration is stored and shown as): unit -> (field, multiplier)
UNITS: dict[str, tuple[str, int]] = {
    "min": ("minutes", 1), "h": ("minutes", 60), "d": ("days", 1), "bd": ("business_days", 1), "w": ("days", 7),
    "mo": ("months", 1), "y": ("months", 12),
}
# every alias -> its short unit (`mois` -> `mo`, `an` -> `y`, `semaines` -> `w`, `heures` -> `h`)
_SHORT: dict[str, str] = {alias: next(short for short, (f, m) in UNITS.items() if (f, m) == target)
                          for alias, target in _UNITS.items()}
_PATTERN = re.compile(r"^\s*(\d{1,5})\s*([a-zA-Z]+)\s*$")


class DurationError(ValueError):
    """The text is not a duration of the grammar."""


class DurationOutOfRange(DurationError):
    """A duration of the grammar, but longer than 100 years (`bot.bounds`)."""


@dataclass(frozen=True, slots=True)
class Duration:
    """Exactly one of the fields is non-zero (or none, for a zero duration).

    `unit`: the short unit it was written in (`UNITS`: `12mo` stays `12mo`, `1y` stays `1y`), which
    `written()` shows and the database stores; None (built by code) shows the shortest text. Equality and
    hashing are by value only: `12mo` == `1y` (a cache or a set keyed by Durations merges the two
    spellings — key by `(duration, duration.unit)` where the text matters)."""

    months: int = 0
    days: int = 0
    business_days: int = 0
    minutes: int = 0
    unit: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.unit is not None:
            name, factor = UNITS.get(self.unit, ("", 0))
            amount = getattr(self, name, 0) if name else 0
            others = self.months + self.days + self.business_days + self.minutes - amount
            if not name or others or amount % factor:
                raise ValueError(f"{self!r} cannot be written in {self.unit!r}")

    @property
    def is_zero(self) -> bool:
        return not (self.months or self.days or self.business_days or self.minutes)

    @property
    def is_calendar(self) -> bool:
        """Months and days only: what notice periods, terms and lead times may use."""
        return not (self.business_days or self.minutes)

    def written(self) -> str:
        """The text it was written in, in the short notation (`12mo`, `1y`, `2w`, `4h`; `12 mois` → `12mo`):
        what the database stores and every message, export and history line shows. Without a unit, the
        shortest text (`canonical`)."""
        if self.unit is None:
            return self.canonical()
        name, factor = UNITS[self.unit]
        return f"{getattr(self, name) // factor}{self.unit}"

    def canonical(self) -> str:
        """The shortest text that parses back to the same duration (whatever unit it was written in)."""
        if self.months:
            return f"{self.months // 12}y" if self.months % 12 == 0 else f"{self.months}mo"
        if self.business_days:
            return f"{self.business_days}bd"
        if self.minutes:
            return f"{self.minutes // 60}h" if self.minutes % 60 == 0 else f"{self.minutes}min"
        return f"{self.days}d"


# The interface page's defaults, written as it writes them: `notice:0d`, `term:12mo`, `every:12mo`.
NO_DURATION = Duration(unit="d")
TWELVE_MONTHS = Duration(months=12, unit="mo")


@lru_cache(maxsize=4096)  # a Duration is immutable; a big import reads the same few durations 100,000s of times
def parse_duration(text: str) -> Duration:
    match = _PATTERN.match(text or "")
    if not match:
        raise DurationError(text)
    amount, unit = int(match.group(1)), match.group(2).lower()
    if unit not in _UNITS:
        raise DurationError(text)
    name, factor = _UNITS[unit]
    duration = Duration(**{name: amount * factor}, unit=_SHORT[unit])
    if not bounds.duration_in_range(months=duration.months, days=duration.days,
                                    business_days=duration.business_days, minutes=duration.minutes):
        raise DurationOutOfRange(text)
    return duration


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative goes back), clamped to the last day of the month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def shift(day: date, duration: Duration, sign: int = 1) -> date:
    """`day` plus (sign=1) or minus (sign=-1) a calendar duration."""
    if not duration.is_calendar:
        raise DurationError("only days, weeks, months and years apply to dates")
    if duration.months:
        return add_months(day, sign * duration.months)
    return day + timedelta(days=sign * duration.days)


def scale(duration: Duration, times: int) -> Duration:
    return Duration(
        months=duration.months * times,
        days=duration.days * times,
        business_days=duration.business_days * times,
        minutes=duration.minutes * times,
    )
