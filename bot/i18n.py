"""One translation function for every user-facing string, plus locale-aware dates and money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_precision, get_currency_symbol

from bot.locales import (
    en,
    en_disputes,
    en_durations,
    en_faults,
    en_obligations,
    en_report,
    en_revisions,
    en_state,
    en_trust,
    fr,
    fr_disputes,
    fr_durations,
    fr_faults,
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
           en_revisions.MESSAGES, en_state.MESSAGES, en_faults.MESSAGES, en_durations.MESSAGES),
    "fr": (fr.MESSAGES, fr_trust.MESSAGES, fr_disputes.MESSAGES, fr_report.MESSAGES, fr_obligations.MESSAGES,
           fr_revisions.MESSAGES, fr_state.MESSAGES, fr_faults.MESSAGES, fr_durations.MESSAGES),
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


# A listing of 200 contracts formats ~400 dates and 200 amounts: through Babel ~25-35 µs each, 10-17 ms of
# a cold `/contract list`. The fast paths below write exactly what Babel writes (tests/test_i18n_formats.py
# compares them over random dates and amounts), from what Babel says once per language and currency.

@lru_cache(maxsize=16)
def _months(lang: str) -> tuple[str, ...]:
    return ("",) + tuple(format_date(date(2000, month, 1), "MMM", locale=_babel(lang)) for month in range(1, 13))


@lru_cache(maxsize=8192)  # pure; a listing formats the same few dates and amounts hundreds of times
def fmt_date(lang: str, day: date | None) -> str:
    """`d MMM y`: `1 Dec 2026`, `1 déc. 2026`."""
    if day is None:
        return "—"
    return f"{day.day} {_months(lang)[day.month]} {day.year}"


@lru_cache(maxsize=64)
def _money_shape(lang: str, currency: str) -> tuple[str, str, str, str, int] | None:
    """(prefix, suffix, group, decimal point, digits) of a non-negative amount of `currency` in `lang`,
    when Babel's pattern is the plain kind (groups of 3, one `¤`); None: Babel formats it."""
    locale = _babel(lang)
    pattern = locale.currency_formats["standard"]
    prefix, suffix = pattern.prefix[0], pattern.suffix[0]
    if (pattern.grouping != (3, 3) or pattern.scale or pattern.exp_prec or pattern.int_prec[0] != 1
            or (prefix + suffix).count("¤") != 1 or any(c in prefix + suffix for c in "'#0.,;%‰E@")):
        return None
    symbol = get_currency_symbol(currency, locale)
    symbols = locale.number_symbols["latn"]
    return (prefix.replace("¤", symbol), suffix.replace("¤", symbol), symbols["group"], symbols["decimal"],
            get_currency_precision(currency))


@lru_cache(maxsize=8192)
def fmt_money(lang: str, amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "—"
    shape = _money_shape(lang, currency) if amount.is_finite() and not amount.is_signed() else None
    if shape is None or amount >= _MONEY_FAST_LIMIT:
        return format_currency(amount, currency, locale=_babel(lang))
    prefix, suffix, group, point, digits = shape
    whole, _, fraction = f"{amount.quantize(Decimal(1).scaleb(-digits)):f}".partition(".")  # rounding as Babel's
    number = f"{int(whole):,}".replace(",", group) + (point + fraction if digits else "")
    return f"{prefix}{number}{suffix}"


_MONEY_FAST_LIMIT = Decimal(10) ** 15  # beyond, Babel (a value column holds 14 digits)


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
