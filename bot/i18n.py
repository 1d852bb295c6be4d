"""One translation function for every user-facing string, plus locale-aware dates and money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from bot.locales import (
    en,
    en_disputes,
    en_obligations,
    en_report,
    en_revisions,
    en_state,
    en_trust,
    fr,
    fr_disputes,
    fr_obligations,
    fr_report,
    fr_revisions,
    fr_state,
    fr_trust,
)

# One catalog per language, merged from the core file and one file per feature (a key defined twice
# is a mistake: tests/test_i18n.py checks the parts are disjoint).
CATALOG_PARTS: dict[str, tuple[dict[str, str], ...]] = {
    "en": (en.MESSAGES, en_trust.MESSAGES, en_disputes.MESSAGES, en_report.MESSAGES, en_obligations.MESSAGES,
           en_revisions.MESSAGES, en_state.MESSAGES),
    "fr": (fr.MESSAGES, fr_trust.MESSAGES, fr_disputes.MESSAGES, fr_report.MESSAGES, fr_obligations.MESSAGES,
           fr_revisions.MESSAGES, fr_state.MESSAGES),
}
CATALOGS: dict[str, dict[str, str]] = {
    lang: {key: text for part in parts for key, text in part.items()} for lang, parts in CATALOG_PARTS.items()
}
BABEL_LOCALES = {"en": "en_GB", "fr": "fr_FR"}


@lru_cache(maxsize=16)
def _babel(lang: str) -> Locale:
    """The parsed Babel locale: given a name, Babel parses it again on every call (~13 µs of ~35)."""
    return Locale.parse(BABEL_LOCALES.get(lang, "en_GB"))
LANGUAGES = tuple(CATALOGS)


def language_of(locale: str | None, default: str) -> str:
    """A Slack locale (`fr-FR`, `en-US`) → `fr` or `en`; anything else → the default."""
    code = (locale or "").split("-")[0].split("_")[0].lower()
    return code if code in CATALOGS else default


def t(lang: str, key: str, **values: object) -> str:
    catalog = CATALOGS.get(lang, CATALOGS["en"])
    template = catalog.get(key) or CATALOGS["en"].get(key)
    if template is None:
        raise KeyError(f"no message {key!r}")
    return template.format_map(_Values(values)) if "{" in template else template


class MissingPlaceholder(KeyError):
    """A template asked for a value the code did not pass: a bug, made loud rather than rendered blank."""


class _Values(dict):
    def __missing__(self, key: str) -> str:
        raise MissingPlaceholder(f"message placeholder {{{key}}} was not given a value")


@lru_cache(maxsize=8192)  # pure; a listing formats the same few dates and amounts hundreds of times
def fmt_date(lang: str, day: date | None) -> str:
    if day is None:
        return "—"
    return format_date(day, "d MMM y", locale=_babel(lang))


@lru_cache(maxsize=8192)
def fmt_money(lang: str, amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "—"
    return format_currency(amount, currency, locale=_babel(lang))


def fmt_days(lang: str, days: int) -> str:
    if days < 0:
        return t(lang, "days_overdue", n=-days)
    if days == 0:
        return t(lang, "today")
    return t(lang, "days_left_one" if days == 1 else "days_left", n=days)


def fmt_pct(lang: str, value: Decimal | None, *, places: int = 3) -> str:
    """`99.5 %`, `99,521 %` — trailing zeros dropped, at most `places` decimals."""
    if value is None:
        return "—"
    rounded = value.quantize(Decimal(1).scaleb(-places)).normalize()
    return f"{format_decimal(rounded, format='#,##0.###', locale=_babel(lang))} %"


def fmt_number(lang: str, value: Decimal | int) -> str:
    return format_decimal(value, format="#,##0.##", locale=_babel(lang))
