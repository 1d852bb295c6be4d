"""Durations of the grammar, month arithmetic, and money amounts (bot/durations.py, bot/money.py).

Month arithmetic is checked against an independent reference written here (one month at a time,
clamped with calendar.monthrange), never against the product's own divmod.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import grammar
from bot.durations import (
    Duration,
    DurationError,
    add_months,
    parse_duration,
    scale,
    shift,
)
from bot.i18n import fmt_money
from bot.money import MoneyError, parse_money
from tests.support.reference import ref_add_months

FAST = settings(max_examples=200, deadline=None)

# --------------------------------------------------------------------------------------------------
# parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30min", Duration(minutes=30)),
        ("4h", Duration(minutes=240)),
        ("3d", Duration(days=3)),
        ("2bd", Duration(business_days=2)),
        ("2w", Duration(days=14)),
        ("6mo", Duration(months=6)),
        ("1y", Duration(months=12)),
        ("0d", Duration()),
        (" 3 d ", Duration(days=3)),
        ("90D", Duration(days=90)),
        ("12MO", Duration(months=12)),
        ("2 weeks", Duration(days=14)),
        ("3 months", Duration(months=3)),
        ("45 minutes", Duration(minutes=45)),
        ("2 hours", Duration(minutes=120)),
        ("2years", Duration(months=24)),
        # French aliases
        ("3j", Duration(days=3)),
        ("15 jours", Duration(days=15)),
        ("1jour", Duration(days=1)),
        ("2jo", Duration(business_days=2)),
        ("2sem", Duration(days=14)),
        ("3 semaines", Duration(days=21)),
        ("6mois", Duration(months=6)),
        ("6 mois", Duration(months=6)),
        ("1an", Duration(months=12)),
        ("2 ans", Duration(months=24)),
        ("4heures", Duration(minutes=240)),
        ("1 heure", Duration(minutes=60)),
    ],
)
def test_parse_duration_table(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "3", "d", "-3d", "3.5d", "3,5d", "3x", "3 d s", "3dd", "1y2mo", "123456d", "mo6",
     "3 fortnights", "d3", "1 year 2 months", "+3d"],
)
def test_parse_duration_refuses_bad_text(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


def test_duration_flags() -> None:
    assert Duration().is_zero and Duration().is_calendar
    assert not Duration(days=1).is_zero
    assert Duration(months=3).is_calendar and Duration(days=3).is_calendar
    assert not Duration(business_days=2).is_calendar
    assert not Duration(minutes=30).is_calendar


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (Duration(months=12), "1y"), (Duration(months=24), "2y"), (Duration(months=18), "18mo"),
        (Duration(months=1), "1mo"), (Duration(days=14), "14d"), (Duration(), "0d"),
        (Duration(business_days=2), "2bd"), (Duration(minutes=120), "2h"), (Duration(minutes=90), "90min"),
    ],
)
def test_canonical_table(duration: Duration, text: str) -> None:
    assert duration.canonical() == text
    assert parse_duration(text) == duration


UNITS = ["min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "heure", "heures", "d", "day",
         "days", "j", "jour", "jours", "bd", "jo", "w", "wk", "week", "weeks", "sem", "semaine", "semaines", "mo",
         "month", "months", "mois", "y", "yr", "year", "years", "an", "ans"]


@FAST
@given(amount=st.integers(0, 99_999), unit=st.sampled_from(UNITS), space=st.sampled_from(["", " "]))
@example(amount=20_000, unit="w", space="")  # a stored canonical text must parse back (stored in the database)
def test_canonical_round_trips_every_parseable_text(amount: int, unit: str, space: str) -> None:
    try:
        duration = parse_duration(f"{amount}{space}{unit}")
    except DurationError:
        return  # refusing a huge duration is fine; accepting one whose stored text cannot be read back is not
    text = duration.canonical()
    assert parse_duration(text) == duration
    assert text == text.strip() and " " not in text
    assert parse_duration(text).canonical() == text  # canonical is a fixed point


@FAST
@given(
    st.one_of(
        st.builds(lambda n: Duration(months=n), st.integers(0, 1_200)),  # at most 100 years (bot.bounds)
        st.builds(lambda n: Duration(days=n), st.integers(0, 36_525)),
        st.builds(lambda n: Duration(business_days=n), st.integers(0, 26_100)),
        st.builds(lambda n: Duration(minutes=n), st.integers(0, 99_999)),
    )
)
def test_canonical_round_trips_from_durations(duration: Duration) -> None:
    assert parse_duration(duration.canonical()) == duration


def test_scale() -> None:
    assert scale(Duration(months=1), 3) == Duration(months=3)
    assert scale(Duration(days=7), 0) == Duration()
    assert scale(Duration(minutes=30), 2) == Duration(minutes=60)
    assert scale(Duration(business_days=2), 5) == Duration(business_days=10)


# --------------------------------------------------------------------------------------------------
# month arithmetic against an independent reference




def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2100, 1, 31), 1, date(2100, 2, 28)),  # not a leap year (century)
        (date(2000, 1, 31), 1, date(2000, 2, 29)),  # leap year (400)
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
        (date(2027, 5, 31), 1, date(2027, 6, 30)),
        (date(2027, 5, 31), -3, date(2027, 2, 28)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),
        (date(2027, 1, 15), -1, date(2026, 12, 15)),
        (date(2027, 1, 31), 0, date(2027, 1, 31)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@FAST
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(-1200, 1200))
def test_add_months_matches_month_by_month_reference(day: date, months: int) -> None:
    result = add_months(day, months)
    assert result == ref_add_months(day, months)
    # never spills into the next month, and keeps the day whenever the month has it
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == min(day.day, calendar.monthrange(result.year, result.month)[1])


@FAST
@given(st.integers(1900, 2200))
def test_february_end_follows_leap_years(year: int) -> None:
    assert add_months(date(year, 1, 31), 1) == date(year, 2, 29 if is_leap(year) else 28)


@FAST
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(0, 5000))
def test_shift_days_is_sign_symmetric(day: date, n: int) -> None:
    duration = Duration(days=n)
    assert shift(day, duration) == day + timedelta(days=n)
    assert shift(day, duration, -1) == day - timedelta(days=n)
    assert shift(shift(day, duration), duration, -1) == day
    assert shift(shift(day, duration, -1), duration) == day


@FAST
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(0, 600))
def test_shift_months_symmetric_when_the_day_survives(day: date, n: int) -> None:
    duration = Duration(months=n)
    there = shift(day, duration)
    back = shift(there, duration, -1)
    assert there == ref_add_months(day, n)
    assert shift(day, duration, -1) == ref_add_months(day, -n)
    if day.day <= 28:
        assert back == day
        assert shift(shift(day, duration, -1), duration) == day
    else:  # clamping loses days, never gains them, and stays in the same month
        assert back <= day and (back.year, back.month) == (day.year, day.month)


def test_shift_refuses_non_calendar_durations() -> None:
    with pytest.raises(DurationError):
        shift(date(2027, 1, 1), Duration(business_days=2))
    with pytest.raises(DurationError):
        shift(date(2027, 1, 1), Duration(minutes=30), -1)


# --------------------------------------------------------------------------------------------------
# money


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("120000", "120000.00", None),
        ("120k", "120000.00", None),
        ("120K", "120000.00", None),
        ("1.5M", "1500000.00", None),
        ("1.5m", "1500000.00", None),
        ("120 000 €", "120000.00", "EUR"),
        ("120 000,50 EUR", "120000.50", "EUR"),
        ("120000 eur", "120000.00", "EUR"),
        ("1,200.50", "1200.50", None),
        ("1,200,000", "1200000.00", None),
        ("1200,5", "1200.50", None),
        ("$2k", "2000.00", "USD"),
        ("£300", "300.00", "GBP"),
        ("CHF 1 000", "1000.00", "CHF"),
        ("USD 1,234.56", "1234.56", "USD"),
        ("120\u00a0000\u00a0€", "120000.00", "EUR"),
        ("1\u202f234,56\u00a0€", "1234.56", "EUR"),
        ("€120,000.00", "120000.00", "EUR"),
        ("0", "0.00", None),
        ("0,05", "0.05", None),
        ("99.999", "100.00", None),
    ],
)
def test_parse_money_table(text: str, amount: str, currency: str | None) -> None:
    assert parse_money(text) == (Decimal(amount), currency)


def test_quoted_amount_through_the_grammar() -> None:
    """`value:"120 000 €"`, as typed in a slash command (the spec's example)."""
    parsed = grammar.parse('CTR-1 value:"120 000 €"', frozenset({"value"}))
    assert parsed.options["value"] == "120 000 €"
    assert parse_money(parsed.options["value"]) == (Decimal("120000.00"), "EUR")
    smart = grammar.parse("CTR-1 value:\u201c120 000 €\u201d", frozenset({"value"}))
    assert parse_money(smart.options["value"]) == (Decimal("120000.00"), "EUR")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "12abc", "1.2.3", "-100", "k", "€", "EUR", "1e5", "12kk", "NaN", "Infinity",
     "1 000 000 000 000 000", "$", "one thousand", "1..2", ".5.", "12-3"],
)
def test_parse_money_refuses_garbage(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_money(text)


@pytest.mark.parametrize("text", ["12 345 abc", "120 xyz", "12 ans", "100 TBC"])
def test_parse_money_refuses_unknown_currency_codes(text: str) -> None:
    """Any three letters are taken as a currency code: "12 ans" (12 years) reads as 12.00 "ANS"."""
    with pytest.raises(MoneyError):
        parse_money(text)


def _grouped(cents: int, sep: str, dec: str) -> str:
    whole, frac = divmod(cents, 100)
    return f"{whole:,}".replace(",", sep) + f"{dec}{frac:02d}"


STYLES = {
    "plain": lambda c: f"{c // 100}.{c % 100:02d}",
    "english": lambda c: _grouped(c, ",", "."),
    "french": lambda c: _grouped(c, " ", ","),
    "french_nbsp": lambda c: _grouped(c, "\u00a0", ","),
    "french_narrow_nbsp": lambda c: _grouped(c, "\u202f", ",") + "\u00a0€",
    "euro_suffix": lambda c: _grouped(c, " ", ",") + " €",
    "euro_prefix": lambda c: "€" + _grouped(c, ",", "."),
    "code_suffix": lambda c: _grouped(c, " ", ",") + " EUR",
    "code_prefix_lower": lambda c: "eur " + _grouped(c, ",", "."),
    "underscores": lambda c: f"{c // 100:_}.{c % 100:02d}",
}
CURRENCY_OF = {"french_narrow_nbsp": "EUR", "euro_suffix": "EUR", "euro_prefix": "EUR", "code_suffix": "EUR",
               "code_prefix_lower": "EUR"}


@FAST
@given(cents=st.integers(0, 99_999_999_999_999), style=st.sampled_from(sorted(STYLES)))
@example(cents=120_000_00, style="french")
@example(cents=5, style="french")
@example(cents=123_456_789_012_34, style="english")
def test_formatted_amounts_parse_back(cents: int, style: str) -> None:
    text = STYLES[style](cents)
    amount, currency = parse_money(text)
    assert amount == Decimal(cents) / 100, text
    assert currency == CURRENCY_OF.get(style), text


@FAST
@given(cents=st.integers(0, 99_999_999_999_999), lang=st.sampled_from(["en", "fr"]))
def test_what_the_bot_prints_in_euros_it_reads_back(cents: int, lang: str) -> None:
    amount = Decimal(cents) / 100
    assert parse_money(fmt_money(lang, amount, "EUR")) == (amount, "EUR")


@FAST
@given(thousands=st.integers(0, 999_999), suffix=st.sampled_from(["k", "K"]))
def test_k_suffix(thousands: int, suffix: str) -> None:
    assert parse_money(f"{thousands}{suffix}") == (Decimal(thousands * 1000), None)


@FAST
@given(tenths=st.integers(0, 99_999))
def test_m_suffix_with_decimals(tenths: int) -> None:
    text = f"{tenths // 10}.{tenths % 10}M"
    assert parse_money(text) == (Decimal(tenths) * 100_000, None)


def test_amount_over_the_column_limit_is_refused() -> None:
    assert parse_money("999999999999.99") == (Decimal("999999999999.99"), None)
    with pytest.raises(MoneyError):
        parse_money("1000000000000")
    with pytest.raises(MoneyError):
        parse_money("1000000M")
