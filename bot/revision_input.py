"""Reading what a person typed for price revisions: index names, months, index values, clause options.

One reader for `/index set`, `contractbot import index` and `/contract indexation`, so the three accept
and refuse the same things. Errors are `DomainError("err_…", …)` keys of the `revisions` catalog part.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.dates import DateError, parse_date
from bot.durations import DurationError, parse_duration
from bot.errors import DomainError
from bot.money import MoneyError, parse_money, parse_pct
from bot.revision import MODES, ClauseInput

__all__ = ["ClauseInput", "read_clause", "read_date", "read_index_name", "read_index_value", "read_month"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_VALUE = re.compile(r"^\d{1,9}(?:[.,]\d{1,4})?$")
_FRACTION = re.compile(r"^\d(?:[.,]\d{1,4})?$")
MAX_LAG = 24
CLAUSE_OPTIONS = frozenset({"index", "base", "fixed", "every", "first", "mode", "lag", "min", "cap", "round"})


def _shown(text: str) -> str:
    """What the person typed, bounded (presentation escapes it when shown: handlers.errors.explain)."""
    return (text or "")[:40]


def read_index_name(text: str | None) -> str:
    name = (text or "").strip().lower()
    if not _NAME.match(name):
        raise DomainError("err_index_name", value=_shown(text or ""))
    return name


def read_month(text: str | None) -> date:
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2200:
        raise DomainError("err_index_month", value=_shown(text or ""))
    return date(int(match.group(1)), int(match.group(2)), 1)


def read_index_value(text: str | None) -> Decimal:
    raw = (text or "").strip()
    if not _VALUE.match(raw) or Decimal(raw.replace(",", ".")) <= 0:
        raise DomainError("err_index_value", value=_shown(raw))
    return Decimal(raw.replace(",", "."))


def read_date(name: str, text: str, *, tz: ZoneInfo, now: datetime) -> date:
    try:
        return parse_date(text, tz=tz, now=now)
    except DateError:
        raise DomainError("err_rev_bad_date", field=name, value=_shown(text)) from None


def read_clause(options: dict[str, str], *, tz: ZoneInfo, now: datetime) -> ClauseInput:
    """`index:syntec base:2023-09 fixed:0.15 every:12mo first:2025-01-01 mode:chained lag:3 min:1 cap:5 round:1`."""
    out = ClauseInput(given=set(options))
    if "index" in options:
        out.index = read_index_name(options["index"])
    if "base" in options:
        out.base = read_month(options["base"])
    if "fixed" in options:
        raw = options["fixed"].strip()
        if not _FRACTION.match(raw) or Decimal(raw.replace(",", ".")) > 1:
            raise DomainError("err_rev_fixed", value=_shown(raw))
        out.fixed = Decimal(raw.replace(",", "."))
    if "every" in options:
        try:
            every = parse_duration(options["every"])
        except DurationError:
            every = None
        if every is None or not every.months or every.months > 120:
            raise DomainError("err_rev_every", value=_shown(options["every"]))
        out.every_months = every.months
        out.every = every
    if "first" in options:
        out.first = read_date("first", options["first"], tz=tz, now=now)
    if "mode" in options:
        mode = options["mode"].strip().lower()
        if mode not in MODES:
            raise DomainError("err_rev_mode", value=_shown(options["mode"]))
        out.mode = mode
    if "lag" in options:
        raw = options["lag"].strip().lower().removesuffix("mo").removesuffix("m")
        if not raw.isdigit() or int(raw) > MAX_LAG:
            raise DomainError("err_rev_lag", value=_shown(options["lag"]), max=MAX_LAG)
        out.lag = int(raw)
    for name, attr in (("min", "min_pct"), ("cap", "cap_pct")):
        if name in options:
            try:
                setattr(out, attr, parse_pct(options[name]))
            except MoneyError:
                raise DomainError("err_rev_pct", field=name, value=_shown(options[name])) from None
    if "round" in options:
        try:
            step, _currency = parse_money(options["round"])
        except MoneyError:
            step = Decimal(0)
        if step <= 0:
            raise DomainError("err_rev_round", value=_shown(options["round"]))
        out.round_to = step
    return out
