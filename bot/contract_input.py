"""Reading contract fields typed by people (slash options, modal, CSV cells) into typed values.

One reader for every entry point, so `/contract add`, the modal and `import contracts` accept and
refuse exactly the same things, with the same reasons.
"""

from __future__ import annotations

import re
from datetime import date, datetime
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
           "read_reference", "read_renewal"]
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
        if name == "reference":
            out.reference = read_reference(text)
        elif name in ("title", "vendor"):
            if len(text) > TEXT_LIMITS[name]:
                raise InputError(name, "text_over_limit", str(TEXT_LIMITS[name]))
            setattr(out, name, _CONTROL.sub(" ", text))
        elif name == "type":
            value = TYPE_ALIASES.get(text.lower(), text.lower())
            if value not in TYPES:
                raise InputError(name, "bad_type", text)
            out.type = value
        elif name == "status":
            if text.lower() not in STATUSES:
                raise InputError(name, "bad_status", text)
            out.status = text.lower()
        elif name == "renewal":
            if text.lower() not in RENEWALS:
                raise InputError(name, "bad_renewal", text)
            out.renewal = text.lower()
        elif name in ("start", "end"):
            setattr(out, name, read_date(name, text, tz=tz, now=now))
        elif name in ("notice", "lead"):
            setattr(out, name, _duration(name, text, allow_zero=True))
        elif name == "term":
            out.term = _duration(name, text, allow_zero=False)
        elif name == "value":
            try:
                amount, currency = parse_money(text)
            except MoneyError:
                raise InputError(name, "bad_money", text) from None
            out.value = amount
            if currency and "currency" not in raw:
                out.currency = currency
                out.given.add("currency")
        elif name == "currency":
            if len(text) != 3 or not text.isalpha():
                raise InputError(name, "bad_currency", text)
            out.currency = text.upper()
        elif name == "owner":
            user = grammar.user_id(text)
            if user is None:
                raise InputError(name, "bad_user", text)
            out.owner = user
        elif name == "channel":
            channel = grammar.channel_id(text)
            if channel is None:
                raise InputError(name, "bad_channel", text)
            out.channel = channel
        else:
            raise InputError(name, "unknown_option", text)
    if out.start and out.end and out.end < out.start:
        raise InputError("end", "end_before_start", out.end.isoformat())
    return out


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
