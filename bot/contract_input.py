"""Reading contract fields typed by people (slash options, modal, CSV cells) into typed values.

One reader for every entry point, so `/contract add`, the modal and `import contracts` accept and
refuse exactly the same things, with the same reasons.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import bounds, grammar
from bot.contract_values import ContractValues, InputError, require
from bot.dates import DateError, DateOutOfRange, parse_date
from bot.deadlines import CONTRACT_TYPES, Renewal, Status
from bot.durations import Duration, DurationError, DurationOutOfRange, parse_duration
from bot.money import MoneyError, parse_money

TYPES = CONTRACT_TYPES
TYPE_ALIASES = {"licence": "license", "managed": "managed_services", "infogerance": "managed_services",
                "managed-services": "managed_services"}
STATUSES = tuple(s.value for s in Status)
RENEWALS = tuple(r.value for r in Renewal)
# Option names of the grammar, and the CSV column each comes from.
CSV_COLUMNS = {"reference": "reference", "title": "title", "vendor": "vendor", "type": "type", "status": "status",
               "start": "start_date", "end": "end_date", "notice": "notice", "renewal": "renewal", "term": "term",
               "value": "annual_value", "currency": "currency", "owner": "owner", "channel": "channel",
               "lead": "lead"}
MAX_REFERENCE = bounds.MAX_REFERENCE
TEXT_LIMITS = {"title": bounds.MAX_TITLE, "vendor": bounds.MAX_VENDOR}
ContractFields = ContractValues  # the name the handlers and tests know
__all__ = ["ContractFields", "ContractValues", "InputError", "require", "read_contract_fields", "read_date",
           "read_field", "read_reference", "read_renewal", "RowReader"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # tabs, newlines, NUL, terminal escapes: not in a title


def _duration(name: str, raw: str, *, allow_zero: bool) -> Duration:
    try:
        duration = parse_duration(raw)
    except DurationOutOfRange:
        raise InputError(name, "duration_out_of_range", raw) from None
    except DurationError:
        raise InputError(name, "bad_duration", raw) from None
    if not duration.is_calendar:
        raise InputError(name, "calendar_duration", raw)
    if duration.is_zero and not allow_zero:
        raise InputError(name, "zero_term", raw)
    return duration


def read_contract_fields(raw: dict[str, str], *, tz: ZoneInfo, now: datetime) -> ContractFields:
    """Read the given (non-blank) fields; raise InputError on the first bad one."""
    out = ContractFields()
    for name, text in raw.items():
        text = (text or "").strip()
        if not text:
            continue
        out.given.add(name)
        value = read_field(name, text, tz=tz, now=now)
        if name == "value":
            out.value, currency = value
            if currency and "currency" not in raw:
                out.currency = currency
                out.given.add("currency")
        else:
            setattr(out, name, value)
    if out.start and out.end and out.end < out.start:
        raise InputError("end", "end_before_start", out.end.isoformat())
    return out


def read_field(name: str, text: str, *, tz: ZoneInfo, now: datetime) -> Any:
    """One field read alone from its stripped, non-blank text: the same text (with the same `tz` and
    `now`) always gives the same value or the same InputError. `value` gives (amount, currency or None)."""
    if name == "reference":
        return read_reference(text)
    if name in ("title", "vendor"):
        if len(text) > TEXT_LIMITS[name]:
            raise InputError(name, "text_over_limit", str(TEXT_LIMITS[name]))
        return _CONTROL.sub(" ", text)
    if name == "type":
        value = TYPE_ALIASES.get(text.lower(), text.lower())
        if value not in TYPES:
            raise InputError(name, "bad_type", text)
        return value
    if name == "status":
        if text.lower() not in STATUSES:
            raise InputError(name, "bad_status", text)
        return text.lower()
    if name == "renewal":
        if text.lower() not in RENEWALS:
            raise InputError(name, "bad_renewal", text)
        return text.lower()
    if name in ("start", "end"):
        return read_date(name, text, tz=tz, now=now)
    if name in ("notice", "lead"):
        return _duration(name, text, allow_zero=True)
    if name == "term":
        return _duration(name, text, allow_zero=False)
    if name == "value":
        try:
            return parse_money(text)
        except MoneyError:
            raise InputError(name, "bad_money", text) from None
    if name == "currency":
        if len(text) != 3 or not text.isalpha():
            raise InputError(name, "bad_currency", text)
        return text.upper()
    if name == "owner":
        user = grammar.user_id(text)
        if user is None:
            raise InputError(name, "bad_user", text)
        return user
    if name == "channel":
        channel = grammar.channel_id(text)
        if channel is None:
            raise InputError(name, "bad_channel", text)
        return channel
    raise InputError(name, "unknown_option", text)


_BLANK = (None, None)


class RowReader:
    """Reads the rows of a file whose columns are `fields` (distinct field names, in file order) into
    the very values `read_contract_fields(dict(zip(fields, cells)))` gives — same values, same first
    error — remembering what each cell text of a repeating field read as (dates, durations, amounts,
    types, owners…: a big import reads each distinct text once). Exact, since `read_field` is a
    function of (field, text, tz, now) and one reader serves one `tz` and `now`. At most `limit` texts
    are remembered per column (`tests/test_import_fast_path.py` holds it to `read_contract_fields`)."""

    UNIQUE = frozenset({"reference", "title"})  # a text per row: nothing to remember

    def __init__(self, fields: list[str], *, tz: ZoneInfo, now: datetime, limit: int = 4_096) -> None:
        if len(set(fields)) != len(fields):
            raise ValueError("a field named twice: read the rows with read_contract_fields")
        self._fields = fields
        self._tz, self._now, self._limit = tz, now, limit
        self._memos: list[dict[str, tuple[Any, Any]] | None] = [None if name in self.UNIQUE else {}
                                                                 for name in fields]
        self._currency_column = "currency" in fields

    def read(self, cells: list[str]) -> ContractFields:
        """One row (exactly one cell per field)."""
        out = ContractFields()
        given = out.given
        for name, cell, memo in zip(self._fields, cells, self._memos, strict=True):
            found = memo.get(cell) if memo is not None else None
            if found is None:
                found = self._read(name, cell)
                if memo is not None and len(memo) < self._limit:
                    memo[cell] = found
            if found is _BLANK:
                continue
            ok, value = found
            if ok is False:
                raise InputError(*value)
            given.add(name)
            if name == "value":
                out.value, currency = value
                if currency and not self._currency_column:
                    out.currency = currency
                    given.add("currency")
            else:
                setattr(out, name, value)
        if out.start and out.end and out.end < out.start:
            raise InputError("end", "end_before_start", out.end.isoformat())
        return out

    def _read(self, name: str, cell: str) -> tuple[Any, Any]:
        text = (cell or "").strip()
        if not text:
            return _BLANK
        try:
            return True, read_field(name, text, tz=self._tz, now=self._now)
        except InputError as exc:
            return False, (exc.field, exc.problem, exc.value)


def read_reference(text: str) -> str:
    """A contract reference: letters, digits and `- _ . / :`, at most 64 (slash, form and CSV alike)."""
    text = (text or "").strip()
    if not bounds.is_reference(text):
        raise InputError("reference", "reference_format", text[:bounds.MAX_REFERENCE])
    return text


def read_date(name: str, text: str, *, tz: ZoneInfo, now: datetime) -> date:
    """A date of a contract (1900–2200), or InputError saying which rule it broke."""
    try:
        return parse_date(text, tz=tz, now=now)
    except DateOutOfRange:
        raise InputError(name, "date_out_of_range", text[:40]) from None
    except DateError:
        raise InputError(name, "bad_date", text[:40]) from None


def read_renewal(raw: dict[str, str], *, tz: ZoneInfo, now: datetime) -> tuple[date | None, Duration | None]:
    """`until:` (the new end) or `term:` (added to the current end), not both — for `/contract renew`
    and the renew form alike (its blocks, `BlockId.UNTIL`/`TERM`/`NOTE`, are named like the options). Neither: the contract's own term (decided by the service)."""
    until_text, term_text = (raw.get("until") or "").strip(), (raw.get("term") or "").strip()
    if len(raw.get("note") or "") > bounds.MAX_NOTE:  # the renew form (slash: the grammar)
        raise InputError("note", "text_over_limit", str(bounds.MAX_NOTE))
    if until_text and term_text:
        raise InputError("term", "until_or_term", term_text)
    until = term = None
    if until_text:
        until = read_date("until", until_text, tz=tz, now=now)
    if term_text:
        term = _duration("term", term_text, allow_zero=False)
    return until, term
