"""The revision formula and date rules (bot/revision.py) against an independent exact reference.

The reference works in `fractions.Fraction` (exact rationals, no Decimal context) and rounds half up
by integer arithmetic; it follows a sequence of revisions (base or chained) step by step, with min,
cap and rounding, over random clauses and random index series."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.revision import (
    IndexPoint,
    Missing,
    Terms,
    conventional_publication,
    pick_s,
    revise,
    revision_date,
    revision_index_after,
    round_to_step,
)
from tests.support.reference import ref_add_months

# ---- the reference ----------------------------------------------------------------------------------


def ref_round(x: Fraction, step: Fraction) -> Fraction:
    """x rounded to a multiple of step, half away from zero (ROUND_HALF_UP on the magnitude)."""
    units = x / step
    sign = -1 if units < 0 else 1
    units = abs(units)
    whole = units.numerator // units.denominator
    if units - whole >= Fraction(1, 2):
        whole += 1
    return sign * whole * step


def ref_revision(p_ref: Fraction, s_ref: Fraction, s: Fraction, current: Fraction, fixed: Fraction,
                 min_pct: Fraction | None, cap_pct: Fraction | None, step: Fraction) -> tuple[Fraction, bool]:
    """(new price, revised?) — revised is False when the change is below min."""
    formula = p_ref * (fixed + (1 - fixed) * s / s_ref)
    change = (formula - current) / current * 100
    if min_pct is not None and abs(change) < min_pct:
        return current, False
    if cap_pct is not None and abs(change) > cap_pct:
        formula = current * (1 + (cap_pct if change > 0 else -cap_pct) / 100)
    return ref_round(formula, step), True


def F(d: Decimal) -> Fraction:
    return Fraction(d)


# ---- strategies ---------------------------------------------------------------------------------------

money = st.integers(min_value=100_000, max_value=10**10)  # 1,000.00 … 100 million.map(lambda cents: Decimal(cents).scaleb(-2))
index_value = st.integers(min_value=500_000, max_value=9_000_000).map(lambda v: Decimal(v).scaleb(-4))  # 50..900
fixed_part = st.integers(min_value=0, max_value=10_000).map(lambda v: Decimal(v).scaleb(-4))
pct = st.one_of(st.none(), st.integers(min_value=0, max_value=2000).map(lambda v: Decimal(v).scaleb(-2)))
step = st.sampled_from([Decimal("0.01"), Decimal("0.05"), Decimal("0.10"), Decimal("1"), Decimal("10"),
                        Decimal("0.03")])


@settings(max_examples=400, deadline=None)
@given(p0=money, s0=index_value, series=st.lists(index_value, min_size=1, max_size=6), fixed=fixed_part,
       min_pct=pct, cap_pct=pct, step=step, chained=st.booleans())
def test_a_sequence_of_revisions_matches_the_exact_reference(p0, s0, series, fixed, min_pct, cap_pct, step,
                                                             chained) -> None:
    terms = Terms(fixed=fixed, min_pct=min_pct, cap_pct=cap_pct, round_to=step)
    # product
    current, last_value, last_index = p0, None, None
    # reference
    r_current, r_last = F(p0), None
    for s in series:
        p_ref, s_ref = (last_value, last_index) if chained and last_value is not None else (p0, s0)
        out = revise(p_ref=p_ref, s_ref=s_ref, s=s, current=current, terms=terms)
        rp_ref, rs_ref = r_last if chained and r_last is not None else (F(p0), F(s0))
        expected, revised = ref_revision(rp_ref, rs_ref, F(s), r_current,
                                         F(fixed), F(min_pct) if min_pct is not None else None,
                                         F(cap_pct) if cap_pct is not None else None, F(step))
        assert F(out.new_value) == expected
        assert out.revises == revised
        if out.revises:
            last_value, last_index = out.new_value, s
            r_last = (expected, F(s))
        current, r_current = out.new_value, expected


def test_the_worked_example_comes_out_to_the_cent() -> None:
    out = revise(p_ref=Decimal("1767.00"), s_ref=Decimal("280"), s=Decimal("294.6"), current=Decimal("1767.00"),
                 terms=Terms(fixed=Decimal("0.15")))
    assert out.new_value == Decimal("1845.32")
    assert not out.capped and out.revises


def test_base_and_chained_differ_and_chained_never_reapplies_s_over_s0() -> None:
    p0, s0 = Decimal("1000.00"), Decimal("100")
    terms = Terms(fixed=Decimal("0.5"))
    first = revise(p_ref=p0, s_ref=s0, s=Decimal("110"), current=p0, terms=terms)
    assert first.new_value == Decimal("1050.00")
    base = revise(p_ref=p0, s_ref=s0, s=Decimal("121"), current=first.new_value, terms=terms)
    chained = revise(p_ref=first.new_value, s_ref=Decimal("110"), s=Decimal("121"), current=first.new_value,
                     terms=terms)
    assert base.new_value == Decimal("1105.00")  # 1000 × (0.5 + 0.5 × 1.21)
    assert chained.new_value == Decimal("1102.50")  # 1050 × (0.5 + 0.5 × 1.1)


def test_min_cap_and_rounding() -> None:
    p0 = Decimal("1000.00")
    small = revise(p_ref=p0, s_ref=Decimal(100), s=Decimal("100.5"), current=p0, terms=Terms(min_pct=Decimal(1)))
    assert small.below_min and small.new_value == p0
    capped = revise(p_ref=p0, s_ref=Decimal(100), s=Decimal(120), current=p0, terms=Terms(cap_pct=Decimal(5)))
    assert capped.capped and capped.new_value == Decimal("1050.00")
    down = revise(p_ref=p0, s_ref=Decimal(100), s=Decimal(80), current=p0, terms=Terms(cap_pct=Decimal(5)))
    assert down.new_value == Decimal("950.00")
    assert round_to_step(Decimal("1845.315"), Decimal("0.01")) == Decimal("1845.32")
    assert round_to_step(Decimal("1845.5"), Decimal("1")) == Decimal("1846.00")
    assert round_to_step(Decimal("1844.99"), Decimal("10")) == Decimal("1840.00")


def test_revise_refuses_a_fixed_part_outside_0_1() -> None:
    with pytest.raises(ValueError):
        revise(p_ref=Decimal(1), s_ref=Decimal(1), s=Decimal(1), current=Decimal(1), terms=Terms(fixed=Decimal("1.5")))


# ---- revision dates --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(first=st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31)),
       every=st.sampled_from([1, 3, 6, 12, 24]), k=st.integers(min_value=0, max_value=40))
def test_revision_dates_roll_from_first_without_drift(first: date, every: int, k: int) -> None:
    assert revision_date(first, every, k) == ref_add_months(first, k * every)


@settings(max_examples=300, deadline=None)
@given(first=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
       every=st.sampled_from([1, 3, 6, 12]), offset=st.integers(min_value=-400, max_value=4000))
def test_the_next_revision_after_a_day(first: date, every: int, offset: int) -> None:
    day = date.fromordinal(first.toordinal() + offset)
    k = revision_index_after(first, every, day)
    assert ref_add_months(first, k * every) > day
    assert k == 0 or ref_add_months(first, (k - 1) * every) <= day


def test_month_ends_do_not_drift() -> None:
    first = date(2025, 1, 31)
    assert [revision_date(first, 1, k) for k in range(4)] == [date(2025, 1, 31), date(2025, 2, 28),
                                                              date(2025, 3, 31), date(2025, 4, 30)]


# ---- which index value is S -----------------------------------------------------------------------


def _points(*items: tuple[str, str, str | None]) -> dict[date, IndexPoint]:
    out = {}
    for month, value, published in items:
        m = date.fromisoformat(month + "-01")
        out[m] = IndexPoint(m, Decimal(value), date.fromisoformat(published) if published else None)
    return out


def test_s_is_the_last_value_published_by_the_revision_date() -> None:
    points = _points(("2024-09", "314.5", "2024-10-31"), ("2024-10", "315", None), ("2024-11", "316", None))
    assert conventional_publication(date(2024, 10, 1)) == date(2024, 11, 30)
    assert pick_s(points, at=date(2024, 11, 15), lag=0) == points[date(2024, 9, 1)]
    assert pick_s(points, at=date(2024, 11, 30), lag=0) == points[date(2024, 10, 1)]
    assert pick_s(points, at=date(2025, 1, 1), lag=0) == points[date(2024, 11, 1)]
    assert pick_s(points, at=date(2025, 1, 31), lag=0) == Missing(date(2024, 12, 1))


def test_a_late_publication_keeps_the_previous_value() -> None:
    points = _points(("2024-09", "314.5", None), ("2024-10", "315", "2024-12-10"))
    assert pick_s(points, at=date(2024, 12, 1), lag=0) == points[date(2024, 9, 1)]


def test_lag_names_a_fixed_month() -> None:
    points = _points(("2024-09", "314.5", None))
    assert pick_s(points, at=date(2025, 1, 1), lag=4) == points[date(2024, 9, 1)]
    assert pick_s(points, at=date(2025, 1, 1), lag=3) == Missing(date(2024, 10, 1))


# ---- a whole revision with lag: S picked from a random index series, then the formula ------------------


def ref_last_day(month: date) -> date:
    return ref_add_months(month, 1) - timedelta(days=1)


def ref_pick(series: dict[date, tuple[Decimal, date | None]], at: date, lag: int) -> date | None:
    """The month S is read from, or None when the value it needs is missing."""
    this_month = at.replace(day=1)
    if lag:
        month = ref_add_months(this_month, -lag)
        return month if month in series else None
    # by convention month M is out on the last day of M+1: so at the end of a month, last month's is out
    expected = ref_add_months(this_month, -1 if at == ref_last_day(this_month) else -2)
    out = [m for m, (_, published) in series.items()
           if (published if published is not None else ref_last_day(ref_add_months(m, 1))) <= at]
    best = max(out) if out else None
    if best is not None and (best >= expected or expected in series):
        return best
    return None


@st.composite
def index_series(draw: st.DrawFn) -> dict[date, tuple[Decimal, date | None]]:
    start = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1))).replace(day=1)
    out = {}
    for i in range(draw(st.integers(min_value=1, max_value=30))):
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            continue  # a gap in the series
        month = ref_add_months(start, i)
        published = None
        if draw(st.booleans()):
            published = month + timedelta(days=draw(st.integers(min_value=20, max_value=80)))
        out[month] = (draw(index_value), published)
    return out


@settings(max_examples=400, deadline=None)
@given(series=index_series(), offset=st.integers(min_value=0, max_value=1100), lag=st.integers(0, 6),
       p0=money, s0=index_value, fixed=fixed_part, min_pct=pct, cap_pct=pct, step=step)
def test_s_with_lag_and_the_revision_match_the_reference(series, offset, lag, p0, s0, fixed, min_pct, cap_pct,
                                                         step) -> None:
    first = min(series) if series else date(2020, 1, 1)
    at = first + timedelta(days=offset)
    points = {m: IndexPoint(m, v, p) for m, (v, p) in series.items()}
    picked = pick_s(points, at=at, lag=lag)
    month = ref_pick(series, at, lag)
    if month is None:
        assert isinstance(picked, Missing)
        return
    assert isinstance(picked, IndexPoint) and picked.month == month
    out = revise(p_ref=p0, s_ref=s0, s=picked.value, current=p0,
                 terms=Terms(fixed=fixed, min_pct=min_pct, cap_pct=cap_pct, round_to=step))
    expected, _ = ref_revision(F(p0), F(s0), F(series[month][0]), F(p0), F(fixed),
                               F(min_pct) if min_pct is not None else None,
                               F(cap_pct) if cap_pct is not None else None, F(step))
    assert F(out.new_value) == expected
