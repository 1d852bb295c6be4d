"""SLA rules (bot/sla.py): due and warning instants, outcomes, downtime, availability and service
credits. Money is checked against exact rational arithmetic (fractions), rounded half up to the cent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.business_clock import business_minutes, make_calendar
from bot.durations import Duration, parse_duration
from bot.sla import (
    Clock,
    Outcome,
    PriorityLine,
    availability_pct,
    credit_statement,
    deadline,
    merged_downtime_minutes,
    outcome,
    target_minutes_24x7,
)

PARIS = ZoneInfo("Europe/Paris")


def elapsed_fraction(start: datetime, due: datetime, now: datetime, clock: Clock, cal) -> float:  # type: ignore[no-untyped-def]
    """How much of a target is used at `now`: business minutes on the business clock, else elapsed time."""
    if clock == Clock.BUSINESS:
        return business_minutes(cal, start, now) / business_minutes(cal, start, due)
    return (now - start).total_seconds() / (due - start).total_seconds()
UTC = UTC
CAL = make_calendar(tz=PARIS, business_hours="Mon-Fri 09:00-18:00", holidays="FR")
PROPS = settings(max_examples=150, deadline=None)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


# --------------------------------------------------------------------------------------------------
# deadline(): due and 75 % warning instants


@pytest.mark.parametrize("target, due_after, warn_after", [
    ("30min", timedelta(minutes=30), timedelta(minutes=22, seconds=30)),
    ("1h", timedelta(hours=1), timedelta(minutes=45)),
    ("4h", timedelta(hours=4), timedelta(hours=3)),
    ("8h", timedelta(hours=8), timedelta(hours=6)),
    ("1d", timedelta(days=1), timedelta(hours=18)),
    ("72h", timedelta(hours=72), timedelta(hours=54)),
])
def test_24x7_deadline_is_elapsed_time(target: str, due_after: timedelta, warn_after: timedelta) -> None:
    start = paris(2026, 11, 20, 17, 0)  # a Friday evening: irrelevant on the 24x7 clock
    result = deadline(start, parse_duration(target), Clock.TWENTY_FOUR_SEVEN, CAL)
    assert result.due == start + due_after
    assert result.warn == start + warn_after


@pytest.mark.parametrize("start", [
    datetime(2026, 10, 24, 23, 30, tzinfo=UTC),  # 01:30 CEST, the night the clocks go back
    paris(2026, 10, 25, 1, 30),  # the same instant, given in the organisation's zone
])
def test_24x7_deadline_across_the_dst_change_counts_real_minutes(start: datetime) -> None:
    result = deadline(start, parse_duration("4h"), Clock.TWENTY_FOUR_SEVEN, CAL)
    # 01:30 CEST + 4 real hours = 03:30 UTC = 04:30 CET (the wall clock moved 3 h)
    assert result.due.astimezone(UTC) == datetime(2026, 10, 25, 3, 30, tzinfo=UTC)
    assert result.warn.astimezone(UTC) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_24x7_business_days_are_still_business_days() -> None:
    start = paris(2026, 11, 20, 17, 0)
    result = deadline(start, parse_duration("2bd"), Clock.TWENTY_FOUR_SEVEN, CAL)
    assert result.due == paris(2026, 11, 24, 17, 0)


@pytest.mark.parametrize("start, target, due, warn", [
    # Friday 17:30 + 1 business hour: 30 min on Friday, 30 on Monday; 75 % = 45 min → Monday 09:15
    (paris(2026, 11, 20, 17, 30), "1h", paris(2026, 11, 23, 9, 30), paris(2026, 11, 23, 9, 15)),
    # Thursday 30 April 17:00 + 8h: 1 h Thursday, 1 May is a holiday, 7 h Monday 4 May → 16:00; 75 % = 6h → 14:00
    (paris(2026, 4, 30, 17, 0), "8h", paris(2026, 5, 4, 16, 0), paris(2026, 5, 4, 14, 0)),
    # opened on a Sunday: the clock starts Monday 09:00
    (paris(2026, 11, 22, 10, 0), "4h", paris(2026, 11, 23, 13, 0), paris(2026, 11, 23, 12, 0)),
    # Friday 17:00 + 2bd → Tuesday 17:00; 18 business hours, 75 % = 13h30 → Tuesday 12:30
    (paris(2026, 11, 20, 17, 0), "2bd", paris(2026, 11, 24, 17, 0), paris(2026, 11, 24, 12, 30)),
    # on the business clock `d` means business days too
    (paris(2026, 11, 20, 17, 0), "2d", paris(2026, 11, 24, 17, 0), paris(2026, 11, 24, 12, 30)),
])
def test_business_clock_deadline(start: datetime, target: str, due: datetime, warn: datetime) -> None:
    result = deadline(start, parse_duration(target), Clock.BUSINESS, CAL)
    assert (result.due, result.warn) == (due, warn)


@given(st.sampled_from(["30min", "1h", "4h", "8h", "24h", "1bd", "3bd"]),
       st.integers(0, 400 * 24 * 60), st.sampled_from(list(Clock)))
@settings(max_examples=80, deadline=None)
def test_warning_is_at_75_percent_of_the_target(target: str, offset: int, clock: Clock) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=offset)
    result = deadline(start, parse_duration(target), clock, CAL)
    assert start <= result.warn <= result.due
    # business days (`bd`) are counted on the business clock even under a 24x7 SLA
    counted_on = Clock.BUSINESS if target.endswith("bd") else clock
    assert elapsed_fraction(start, result.due, result.warn, counted_on, CAL) == pytest.approx(0.75, abs=1e-6)
    assert elapsed_fraction(start, result.due, result.due, counted_on, CAL) == pytest.approx(1.0, abs=1e-9)


def test_month_targets_are_refused() -> None:
    with pytest.raises(ValueError):
        deadline(paris(2026, 11, 20, 9, 0), Duration(months=1), Clock.TWENTY_FOUR_SEVEN, CAL)
    with pytest.raises(ValueError):
        target_minutes_24x7(Duration(months=1))
    assert target_minutes_24x7(parse_duration("2d")) == 2880


# --------------------------------------------------------------------------------------------------
# outcome()

DUE = paris(2026, 11, 23, 10, 0)


@pytest.mark.parametrize("done, now, expected", [
    (DUE, DUE + timedelta(days=1), Outcome.MET),  # done exactly on time
    (DUE - timedelta(minutes=1), DUE + timedelta(days=1), Outcome.MET),
    (DUE + timedelta(seconds=1), DUE + timedelta(days=1), Outcome.BREACHED),
    (DUE + timedelta(seconds=1), DUE - timedelta(hours=1), Outcome.BREACHED),  # done late, whatever "now" says
    (None, DUE, Outcome.PENDING),  # not done, due this very instant: still running
    (None, DUE - timedelta(minutes=5), Outcome.PENDING),
    (None, DUE + timedelta(seconds=1), Outcome.BREACHED),
])
def test_outcome(done: datetime | None, now: datetime, expected: Outcome) -> None:
    assert outcome(done, DUE, now) == expected


def test_no_target_no_outcome() -> None:
    assert outcome(None, None, DUE) is None
    assert outcome(DUE, None, DUE) is None


# --------------------------------------------------------------------------------------------------
# downtime and availability

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def m(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_overlapping_p1_outages_count_once() -> None:
    outages = [(m(100), m(160)), (m(130), m(190)), (m(140), m(150))]  # 100..190 = 90 min
    assert merged_downtime_minutes(outages, m(0), m(1000)) == Decimal(90)


def test_disjoint_and_touching_outages_add_up() -> None:
    assert merged_downtime_minutes([(m(10), m(20)), (m(20), m(30)), (m(50), m(55))], m(0), m(100)) == Decimal(25)


def test_outages_are_clipped_to_the_period() -> None:
    outages = [(m(-60), m(15)), (m(990), m(1100)), (m(-10), m(-5)), (m(1000), m(1200))]
    assert merged_downtime_minutes(outages, m(0), m(1000)) == Decimal(25)
    assert merged_downtime_minutes([], m(0), m(1000)) == Decimal(0)


def test_downtime_keeps_seconds() -> None:
    assert merged_downtime_minutes([(m(0), m(1) + timedelta(seconds=30))], m(0), m(10)) == Decimal("1.5")


@given(st.lists(st.tuples(st.integers(-200, 1200), st.integers(0, 300)), max_size=12),
       st.integers(0, 500), st.integers(0, 800))
@settings(max_examples=200, deadline=None)
def test_downtime_is_the_union_of_minutes_in_the_period(raw: list[tuple[int, int]], p_start: int, p_len: int) -> None:
    outages = [(m(a), m(a + length)) for a, length in raw]
    covered = {minute for a, length in raw for minute in range(a, a + length) if p_start <= minute < p_start + p_len}
    result = merged_downtime_minutes(outages, m(p_start), m(p_start + p_len))
    assert isinstance(result, Decimal)
    assert result == len(covered)


def test_availability() -> None:
    month = Decimal(30 * 1440)
    assert availability_pct(Decimal(0), month) == Decimal(100)
    assert availability_pct(Decimal("43.2"), month) == Decimal("99.9")
    assert availability_pct(Decimal(90), Decimal(44640)) == (Decimal(44550) / Decimal(44640)) * 100
    assert availability_pct(Decimal(5), Decimal(0)) == Decimal(100)


# --------------------------------------------------------------------------------------------------
# service credits


def to_cents(value: Fraction) -> Decimal:
    """Exact rational → Decimal rounded half up to the cent."""
    cents, rest = divmod(value * 100, 1)
    if rest >= Fraction(1, 2):
        cents += 1
    return Decimal(int(cents)) / Decimal(100)


def frac(value: Decimal) -> Fraction:
    return Fraction(value)


pct = st.decimals(min_value=0, max_value=100, places=3)
amount = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000000"), places=2)


@st.composite
def statements(draw: st.DrawFn) -> dict:
    lines = [PriorityLine(p, incidents=draw(st.integers(0, 6)), credit_pct=draw(st.none() | pct))
             for p in ("P1", "P2", "P3", "P4")]
    for line in lines:
        line.breached_incidents = draw(st.integers(0, line.incidents))
    target = draw(st.none() | st.decimals(min_value=90, max_value=100, places=2))
    availability = draw(st.none() | st.decimals(min_value=90, max_value=100, places=4) | st.just(target))
    return dict(annual_value=draw(amount), lines=lines, availability=availability, availability_target=target,
                availability_credit_pct=draw(st.none() | pct), cap_pct=draw(st.none() | pct))


@PROPS
@given(statements())
def test_credits_per_line_availability_and_cap(kwargs: dict) -> None:
    annual = frac(kwargs["annual_value"])
    fee = annual / 12
    s = credit_statement(**kwargs)
    assert s.monthly_fee == to_cents(fee)
    expected_lines = []
    for line in s.lines:
        expected = Decimal("0.00")
        if line.credit_pct is not None and line.breached_incidents:
            expected = to_cents(line.breached_incidents * frac(line.credit_pct) / 100 * fee)
        assert line.credit == expected, (line, fee)
        expected_lines.append(expected)
    assert s.incident_credits == sum(expected_lines)
    below = (kwargs["availability"] is not None and kwargs["availability_target"] is not None
             and kwargs["availability_credit_pct"] is not None and kwargs["availability"] < kwargs["availability_target"])
    expected_availability = to_cents(frac(kwargs["availability_credit_pct"]) / 100 * fee) if below else Decimal(0)
    assert s.availability_credit == expected_availability
    before_cap = sum(expected_lines) + expected_availability
    assert s.total_before_cap == before_cap
    if kwargs["cap_pct"] is None:
        assert (s.cap, s.total_due, s.capped) == (None, before_cap, False)
    else:
        cap = to_cents(frac(kwargs["cap_pct"]) / 100 * fee)
        assert s.cap == cap
        assert s.total_due == min(before_cap, cap)
        assert s.capped == (before_cap > cap)
    for value in [s.monthly_fee, s.incident_credits, s.availability_credit, s.total_before_cap, s.total_due,
                  s.cap, *(line.credit for line in s.lines)]:
        assert value is None or isinstance(value, Decimal), value  # never a float in money
    for value in [s.monthly_fee, s.cap, s.total_due, *(line.credit for line in s.lines if line.credit)]:
        assert value is None or value == 0 or value.as_tuple().exponent == -2, value  # to the cent


@pytest.mark.parametrize("annual, n, credit_pct, expected", [
    ("120000", 2, "5", "1000.00"),  # 2 × 5 % × 10,000.00
    ("100", 1, "1.5", "0.13"),  # exactly 0.125 → half up
    ("1000", 1, "0.3", "0.25"),  # exactly 0.25
    ("10", 1, "7.5", "0.06"),  # exactly 0.0625 → 0.06
    ("1", 3, "2", "0.01"),  # 0.005 exactly → half up to 0.01
])
def test_credit_rounding_examples(annual: str, n: int, credit_pct: str, expected: str) -> None:
    line = PriorityLine("P1", incidents=n, breached_incidents=n, credit_pct=Decimal(credit_pct))
    credit_statement(annual_value=Decimal(annual), lines=[line], availability=None, availability_target=None,
                     availability_credit_pct=None, cap_pct=None)
    assert line.credit == Decimal(expected)


def test_availability_credit_only_strictly_below_target() -> None:
    common = dict(annual_value=Decimal(120000), lines=[], availability_target=Decimal("99.9"),
                  availability_credit_pct=Decimal(10), cap_pct=None)
    assert credit_statement(availability=Decimal("99.9"), **common).availability_credit == 0
    assert credit_statement(availability=Decimal("99.95"), **common).availability_credit == 0
    assert credit_statement(availability=Decimal("99.8999"), **common).availability_credit == Decimal("1000.00")


def test_cap_applies_only_when_exceeded() -> None:
    def run(n: int):  # type: ignore[no-untyped-def]
        line = PriorityLine("P1", incidents=n, breached_incidents=n, credit_pct=Decimal(5))
        return credit_statement(annual_value=Decimal(120000), lines=[line], availability=Decimal("99.5"),
                                availability_target=Decimal("99.9"), availability_credit_pct=Decimal(10),
                                cap_pct=Decimal(15))
    exactly = run(1)  # 500 + 1,000 = 1,500 = the cap
    assert (exactly.total_before_cap, exactly.total_due, exactly.capped) == (Decimal("1500.00"),) * 2 + (False,)
    over = run(2)  # 1,000 + 1,000 = 2,000 > 1,500
    assert (over.total_before_cap, over.cap, over.total_due, over.capped) == (
        Decimal("2000.00"), Decimal("1500.00"), Decimal("1500.00"), True)


def test_no_annual_value_no_credits() -> None:
    line = PriorityLine("P1", incidents=1, breached_incidents=1, credit_pct=Decimal(5))
    s = credit_statement(annual_value=None, lines=[line], availability=Decimal(90), availability_target=Decimal(99),
                         availability_credit_pct=Decimal(10), cap_pct=Decimal(15))
    assert (s.monthly_fee, s.total_due, s.cap, line.credit) == (None, 0, None, 0)


def test_money_rounding_mode_is_half_up() -> None:
    assert Decimal("0.125").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == to_cents(Fraction(1, 8))
