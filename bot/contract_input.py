"""Reading contract fields typed by people (slash options, modal, CSV cells) into typed values.

One reader for every entry point, so `/contract add`, the modal and `import contracts` accept and
refuse exactly the same things, with the same reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot import grammar
from bot.dates import DateError, parse_date
from bot.deadlines import Renewal, Status
from bot.durations import Duration, DurationError, parse_duration
from bot.money import MoneyError, parse_money

TYPES = ("license", "saas", "maintenance", "support", "tma", "managed_services", "consulting",
         "hardware", "telecom", "cloud", "other")
TYPE_ALIASES = {"licence": "license", "managed": "managed_services", "infogerance": "managed_services",
                "managed-services": "managed_services"}
STATUSES = tuple(s.value for s in Status)
RENEWALS = tuple(r.value for r in Renewal)
# Option names of the grammar, and the CSV column each comes from.
CSV_COLUMNS = {"reference": "reference", "title": "title", "vendor": "vendor", "type": "type", "status": "status",
               "start": "start_date", "end": "end_date", "notice": "notice", "renewal": "renewal", "term": "term",
               "value": "annual_value", "currency": "currency", "owner": "owner", "channel": "channel",
               "lead": "lead"}
MAX_REFERENCE = 64


class InputError(ValueError):
    """`field` could not be read; `problem` is a translation key, `value` what was typed."""

    def __init__(self, field_name: str, problem: str, value: str = "") -> None:
        super().__init__(f"{field_name}: {problem} ({value!r})")
        self.field = field_name
        self.problem = problem
        self.value = value


@dataclass(slots=True)
class ContractFields:
    """Typed values; None means "not given" (for an amendment: unchanged)."""

    reference: str | None = None
    title: str | None = None
    vendor: str | None = None
    type: str | None = None
    status: str | None = None
    start: date | None = None
    end: date | None = None
    notice: Duration | None = None
    renewal: str | None = None
    term: Duration | None = None
    lead: Duration | None = None
    value: Decimal | None = None
    currency: str | None = None
    owner: str | None = None
    channel: str | None = None
    given: set[str] = field(default_factory=set)

    def items(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "given" and f.name in self.given}


def _duration(name: str, raw: str, *, allow_zero: bool) -> Duration:
    try:
        duration = parse_duration(raw)
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
            if len(text) > MAX_REFERENCE or any(c.isspace() for c in text):
                raise InputError(name, "bad_reference", text)
            out.reference = text
        elif name in ("title", "vendor"):
            if len(text) > 300:
                raise InputError(name, "too_long", text[:40])
            setattr(out, name, text)
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
            try:
                setattr(out, name, parse_date(text, tz=tz, now=now))
            except DateError:
                raise InputError(name, "bad_date", text) from None
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


def require(fields_: ContractFields, *names: str) -> None:
    for name in names:
        if getattr(fields_, name) is None:
            raise InputError(name, "required")


def read_renewal(raw: dict[str, str], *, tz: ZoneInfo, now: datetime) -> tuple[date | None, Duration | None]:
    """`until:` (the new end) or `term:` (added to the current end), not both — for `/contract renew`
    and the renew form alike. Neither: the contract's own term (decided by the service)."""
    until_text, term_text = (raw.get("until") or "").strip(), (raw.get("term") or "").strip()
    if until_text and term_text:
        raise InputError("term", "until_or_term", term_text)
    until = term = None
    if until_text:
        try:
            until = parse_date(until_text, tz=tz, now=now)
        except DateError:
            raise InputError("until", "bad_date", until_text) from None
    if term_text:
        term = _duration("term", term_text, allow_zero=False)
    return until, term
