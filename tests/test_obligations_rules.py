"""Obligation date rules (bot/obligations.py), property-based against independent references:
recurring due dates against a brute-force month walker, the derived status, and the alert ladder
(thresholds then weekly reminders) against a day-by-day bucket reference."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import obligations as rules
from bot.durations import Duration
from tests.support.reference import ref_add_months

anchors = st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31))
month_ends = st.builds(lambda y, m: date(y, m, calendar.monthrange(y, m)[1]),
                       st.integers(1990, 2150), st.integers(1, 12))
everies = st.one_of(st.builds(lambda m: Duration(months=m), st.sampled_from([1, 2, 3, 6, 12, 24])),
                    st.builds(lambda d: Duration(days=d), st.integers(1, 400)))
ladders = st.lists(st.integers(0, 120), min_size=1, max_size=6, unique=True).map(lambda xs: sorted(xs, reverse=True))


def walk(anchor: date, every: Duration, n: int) -> date:
    """Brute force: walk n × every one month (or one day) at a time from the anchor, clamp at the end."""
    if every.months:
        return ref_add_months(anchor, n * every.months)
    day = anchor
    for _ in range(n * every.days):
        day += timedelta(days=1)
    return day


@given(st.one_of(anchors, month_ends), everies, st.integers(0, 40))
def test_nth_due_matches_the_month_walker(anchor: date, every: Duration, n: int) -> None:
    assert rules.nth_due(anchor, every, n) == walk(anchor, every, n)


@given(month_ends, st.sampled_from([1, 2, 3]), st.integers(1, 30))
def test_month_ends_do_not_drift(anchor: date, months: int, n: int) -> None:
    """31 Jan + 1mo → 28/29 Feb → 31 Mar: a due date counted from the anchor comes back to the 31st."""
    due = rules.nth_due(anchor, Duration(months=months), n)
    last = calendar.monthrange(due.year, due.month)[1]
    assert due.day == min(anchor.day, last)
    assert due > rules.nth_due(anchor, Duration(months=months), n - 1)


def test_the_spec_example() -> None:
    every = Duration(months=1)
    assert [rules.nth_due(date(2027, 1, 31), every, n) for n in range(4)] == [
        date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    assert rules.nth_due(date(2028, 1, 31), every, 1) == date(2028, 2, 29)


@given(anchors, anchors, ladders, st.sampled_from([rules.OPEN, rules.FULFILLED, rules.WAIVED]))
def test_status_is_derived_from_today(due: date, today: date, ladder: list[int], state: str) -> None:
    got = rules.status(state, due, today, ladder)
    left = (due - today).days
    if state != rules.OPEN:
        assert got == state
    elif left < 0:
        assert got == "overdue"
    elif left <= max(ladder):
        assert got == "due_soon"
    else:
        assert got == "pending"


def reference_posts(due: date, ladder: list[int], run_days: list[date]) -> dict[int, date]:
    """Level → the run day it must be posted on. Level L owns [due − L, due − next level); the levels are
    the thresholds, then −7, −14, … (a weekly reminder while overdue)."""
    levels = sorted(set(ladder), reverse=True)
    last_day = run_days[-1]
    k = 1
    while due + timedelta(days=7 * k) <= last_day:
        levels.append(-7 * k)
        k += 1
    out = {}
    for i, level in enumerate(levels):
        start = due - timedelta(days=level)
        stop = due - timedelta(days=levels[i + 1]) if i + 1 < len(levels) else last_day + timedelta(days=1)
        inside = [d for d in run_days if start <= d < stop]
        if inside:
            out[level] = inside[0]
    return out


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 12, 31)), ladders,
       st.lists(st.booleans(), min_size=200, max_size=200), st.integers(-60, 60))
def test_each_level_is_posted_once_on_the_first_run_day_of_its_bucket(due: date, ladder: list[int],
                                                                       skipped: list[bool], created: int) -> None:
    """The sweep's loop, in miniature: only obligations with next_alert_on ≤ today are looked at; the most
    urgent due level is posted, the others superseded; then next_alert_on moves on."""
    first = due - timedelta(days=max(ladder) + created)
    days = [first + timedelta(days=i) for i in range(200)]
    run_days = [d for d, skip in zip(days, skipped, strict=True) if not skip] or [days[0]]
    handled: set[int] = set()
    next_on = rules.next_alert_on(due, ladder, handled)
    posted: dict[int, date] = {}
    for today in run_days:
        decision = rules.decide(due, today, ladder, handled)
        if today < next_on:
            assert decision.post is None, (today, next_on, decision)  # the index never hides a due alert
            continue
        if decision.post is None:
            continue
        assert decision.post not in posted
        posted[decision.post] = today
        handled |= {decision.post, *decision.superseded}
        next_on = rules.next_alert_on(due, ladder, handled)
        assert next_on > today
    # a bucket with no run day in it (a gap, or created late) is never posted: a later one supersedes it
    assert posted == reference_posts(due, ladder, run_days)
