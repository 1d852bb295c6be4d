"""The dates that cost money (bot/deadlines.py), against simple references written here.

References: month arithmetic one month at a time with calendar.monthrange; renewal counts by
brute force; the alert ladder as "buckets" (a threshold t owns the days [act_by − t, act_by − t_next)).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot.deadlines import (
    EndTransition,
    Renewal,
    Status,
    act_by,
    after_end,
    days_left,
    decide_threshold,
    notice_deadline,
    renewals_needed,
    term_end,
)
from bot.durations import Duration
from tests.support.reference import ref_minus, ref_term_end

FAST = settings(max_examples=200, deadline=None)
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))

# --------------------------------------------------------------------------------------------------
# references








def ref_renewals_needed(anchor: date, term: Duration, renewals: int, today: date) -> int:
    n = renewals
    while ref_term_end(anchor, term, n) < today:
        n += 1
    return n


CALENDAR = st.one_of(
    st.builds(lambda n: Duration(days=n), st.integers(0, 400)),
    st.builds(lambda n: Duration(months=n), st.integers(0, 36)),
)
TERMS = st.one_of(
    st.builds(lambda n: Duration(days=n), st.integers(1, 400)),
    st.builds(lambda n: Duration(months=n), st.integers(1, 36)),
)

# --------------------------------------------------------------------------------------------------
# notice deadline and act-by date


@pytest.mark.parametrize(
    ("end", "notice", "lead", "deadline", "act"),
    [
        (date(2027, 3, 31), Duration(months=3), Duration(), date(2026, 12, 31), date(2026, 12, 31)),
        (date(2027, 3, 31), Duration(months=3), Duration(days=14), date(2026, 12, 31), date(2026, 12, 17)),
        (date(2027, 5, 31), Duration(months=3), Duration(), date(2027, 2, 28), date(2027, 2, 28)),
        (date(2028, 5, 31), Duration(months=3), Duration(), date(2028, 2, 29), date(2028, 2, 29)),
        (date(2027, 3, 31), Duration(months=1), Duration(months=1), date(2027, 2, 28), date(2027, 1, 28)),
        (date(2027, 1, 15), Duration(days=30), Duration(days=10), date(2026, 12, 16), date(2026, 12, 6)),
        (date(2027, 12, 31), Duration(), Duration(days=30), date(2027, 12, 31), date(2027, 12, 1)),  # no notice
        (date(2027, 12, 31), Duration(), Duration(), date(2027, 12, 31), date(2027, 12, 31)),
        (date(2027, 6, 30), Duration(months=12), Duration(), date(2026, 6, 30), date(2026, 6, 30)),
    ],
)
def test_notice_deadline_and_act_by_table(end: date, notice: Duration, lead: Duration, deadline: date,
                                          act: date) -> None:
    assert notice_deadline(end, notice) == deadline
    assert act_by(end, notice, lead) == act


@FAST
@given(end=DATES, notice=CALENDAR, lead=CALENDAR)
@example(end=date(2028, 2, 29), notice=Duration(months=12), lead=Duration(days=0))
@example(end=date(2027, 3, 31), notice=Duration(months=1), lead=Duration(months=1))
def test_act_by_le_notice_deadline_le_end(end: date, notice: Duration, lead: Duration) -> None:
    deadline = notice_deadline(end, notice)
    act = act_by(end, notice, lead)
    assert deadline == ref_minus(end, notice)
    assert act == ref_minus(ref_minus(end, notice), lead)
    assert act <= deadline <= end
    assert deadline == end if notice.is_zero else deadline < end
    if lead.is_zero:
        assert act == deadline
    if notice.is_zero:
        assert act == ref_minus(end, lead)  # with no notice period: end − lead


@FAST
@given(end=DATES, notice=CALENDAR)
def test_month_notice_clamps_to_month_end(end: date, notice: Duration) -> None:
    assume(notice.months)
    deadline = notice_deadline(end, notice)
    assert (end.year * 12 + end.month) - (deadline.year * 12 + deadline.month) == notice.months
    assert deadline.day == min(end.day, calendar.monthrange(deadline.year, deadline.month)[1])


def test_days_left_counts_calendar_days() -> None:
    assert days_left(date(2027, 3, 1), date(2027, 2, 27)) == 2
    assert days_left(date(2028, 3, 1), date(2028, 2, 27)) == 3  # 29 Feb
    assert days_left(date(2027, 1, 1), date(2027, 1, 1)) == 0
    assert days_left(date(2027, 1, 1), date(2027, 1, 4)) == -3


# --------------------------------------------------------------------------------------------------
# tacit renewals


@pytest.mark.parametrize(
    ("anchor", "n", "expected"),
    [
        (date(2027, 1, 31), 0, date(2027, 1, 31)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 1, 31), 2, date(2027, 3, 31)),  # back to the 31st: no drift
        (date(2027, 1, 31), 3, date(2027, 4, 30)),
        (date(2027, 1, 31), 12, date(2028, 1, 31)),
        (date(2027, 1, 31), 13, date(2028, 2, 29)),  # leap year
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 1, 31), 2, date(2028, 3, 31)),
    ],
)
def test_renewals_do_not_drift(anchor: date, n: int, expected: date) -> None:
    assert term_end(anchor, Duration(months=1), n) == expected


def test_yearly_renewal_of_29_february() -> None:
    anchor = date(2024, 2, 29)
    assert [term_end(anchor, Duration(months=12), n) for n in range(5)] == [
        date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]


@FAST
@given(anchor=DATES, term=TERMS, n=st.integers(0, 120))
def test_term_end_counts_from_the_anchor(anchor: date, term: Duration, n: int) -> None:
    end = term_end(anchor, term, n)
    assert end == ref_term_end(anchor, term, n)
    if n:
        assert end > term_end(anchor, term, n - 1)  # strictly increasing
    if term.months:
        # the anchor's day comes back whenever the month has it (no drift after a short month)
        assert end.day == min(anchor.day, calendar.monthrange(end.year, end.month)[1])


@FAST
@given(anchor=DATES, term=TERMS, renewals=st.integers(0, 5), offset=st.integers(-400, 4000))
@example(anchor=date(2027, 1, 31), term=Duration(months=1), renewals=0, offset=29)  # 1 Mar 2027
@example(anchor=date(2027, 1, 31), term=Duration(months=1), renewals=0, offset=28)  # 28 Feb 2027: in force
@example(anchor=date(2027, 1, 31), term=Duration(months=12), renewals=0, offset=366)
def test_renewals_needed_is_the_smallest_count_in_force(anchor: date, term: Duration, renewals: int,
                                                        offset: int) -> None:
    today = anchor + timedelta(days=offset)
    n = renewals_needed(anchor, term, renewals, today)
    assert n == ref_renewals_needed(anchor, term, renewals, today)
    assert n >= renewals
    assert term_end(anchor, term, n) >= today
    if n > renewals:
        assert term_end(anchor, term, n - 1) < today


@pytest.mark.parametrize("term", [Duration(), Duration(days=0), Duration(months=0), Duration(business_days=5),
                                  Duration(minutes=60)])
def test_zero_or_non_calendar_term_is_refused(term: Duration) -> None:
    with pytest.raises(ValueError):
        renewals_needed(date(2020, 1, 31), term, 0, date(2027, 1, 1))
    with pytest.raises(ValueError):  # not an infinite loop (GLPI's bug)
        after_end(status=Status.ACTIVE, renewal=Renewal.AUTO, end=date(2020, 1, 31), anchor=date(2020, 1, 31),
                  term=term, renewals=0, today=date(2027, 1, 1))


# --------------------------------------------------------------------------------------------------
# what happens when the end passes

STATUSES = st.sampled_from(list(Status))
RENEWALS = st.sampled_from(list(Renewal))


@FAST
@given(status=STATUSES, renewal=RENEWALS, anchor=DATES, term=TERMS, renewals=st.integers(0, 5),
       offset=st.integers(-60, 2000))
@example(status=Status.ACTIVE, renewal=Renewal.AUTO, anchor=date(2027, 1, 31), term=Duration(months=1), renewals=0,
         offset=1)
@example(status=Status.ACTIVE, renewal=Renewal.AUTO, anchor=date(2027, 1, 31), term=Duration(months=1), renewals=1,
         offset=29)
def test_after_end(status: Status, renewal: Renewal, anchor: date, term: Duration, renewals: int,
                   offset: int) -> None:
    end = ref_term_end(anchor, term, renewals)
    today = end + timedelta(days=offset)
    result = after_end(status=status, renewal=renewal, end=end, anchor=anchor, term=term, renewals=renewals,
                       today=today)
    if today <= end or status in (Status.EXPIRED, Status.TERMINATED, Status.DRAFT):
        assert result is None  # the end day itself is still in force
        return
    assert result is not None
    if status == Status.NOTICE_GIVEN:
        assert result == EndTransition(Status.TERMINATED, renewals, end)
    elif renewal == Renewal.AUTO:
        n = ref_renewals_needed(anchor, term, renewals, today)
        assert result == EndTransition(status, n, ref_term_end(anchor, term, n))
        assert result.renewals > renewals
        assert result.end >= today > end
    else:
        assert result == EndTransition(Status.EXPIRED, renewals, end)


def test_tacit_renewal_walks_31_jan_through_february() -> None:
    anchor, term = date(2027, 1, 31), Duration(months=1)
    first = after_end(status=Status.ACTIVE, renewal=Renewal.AUTO, end=anchor, anchor=anchor, term=term, renewals=0,
                      today=date(2027, 2, 1))
    assert first == EndTransition(Status.ACTIVE, 1, date(2027, 2, 28))
    assert after_end(status=Status.ACTIVE, renewal=Renewal.AUTO, end=first.end, anchor=anchor, term=term,
                     renewals=first.renewals, today=date(2027, 2, 28)) is None
    second = after_end(status=Status.ACTIVE, renewal=Renewal.AUTO, end=first.end, anchor=anchor, term=term,
                       renewals=first.renewals, today=date(2027, 3, 1))
    assert second == EndTransition(Status.ACTIVE, 2, date(2027, 3, 31))
    # a long outage: several terms at once, still counted from the anchor
    late = after_end(status=Status.NEGOTIATING, renewal=Renewal.AUTO, end=anchor, anchor=anchor, term=term,
                     renewals=0, today=date(2027, 7, 15))
    assert late == EndTransition(Status.NEGOTIATING, 6, date(2027, 7, 31))


# --------------------------------------------------------------------------------------------------
# the alert ladder


def ref_decide(act: date, today: date, thresholds: set[int], handled: set[int]) -> tuple[int | None, set[int]]:
    """The most urgent due threshold is posted unless something at least as urgent was handled already;
    the other due thresholds above it (and below everything handled) are superseded."""
    left = (act - today).days
    due = {t for t in thresholds if left <= t}
    if not due:
        return None, set()
    most_urgent = min(due)
    floor = min(handled) if handled else None
    if floor is not None and most_urgent >= floor:
        return None, set()
    return most_urgent, {t for t in due if t > most_urgent and (floor is None or t < floor)}


THRESHOLDS = st.sets(st.integers(0, 120), min_size=1, max_size=8)


@FAST
@given(thresholds=THRESHOLDS, act=DATES, offset=st.integers(-30, 200), data=st.data())
def test_decide_threshold_matches_reference(thresholds: set[int], act: date, offset: int, data: st.DataObject) -> None:
    handled = data.draw(st.sets(st.sampled_from(sorted(thresholds))))
    today = act - timedelta(days=offset)
    decision = decide_threshold(act, today, sorted(thresholds, reverse=True), set(handled))
    post, superseded = ref_decide(act, today, thresholds, handled)
    assert decision.post == post
    assert set(decision.superseded) == superseded
    assert len(decision.superseded) == len(set(decision.superseded))
    if decision.post is not None:
        assert decision.post not in handled and not (set(decision.superseded) & handled)
        assert all(t > decision.post for t in decision.superseded)


def test_decide_threshold_examples() -> None:
    ladder = [90, 60, 30, 14, 7, 1, 0]
    act = date(2027, 3, 31)
    assert decide_threshold(act, act - timedelta(days=91), ladder, set()).post is None
    first = decide_threshold(act, act - timedelta(days=90), ladder, set())
    assert (first.post, first.superseded) == (90, ())
    gap = decide_threshold(act, act - timedelta(days=10), ladder, {90})  # 60, 30, 14 missed: only 14
    assert (gap.post, set(gap.superseded)) == (14, {60, 30})
    assert decide_threshold(act, act - timedelta(days=10), ladder, {90, 60, 30, 14}).post is None
    overdue = decide_threshold(act, act + timedelta(days=5), ladder, set())
    assert (overdue.post, set(overdue.superseded)) == (0, {90, 60, 30, 14, 7, 1})
    # a threshold less urgent than one handled never comes back, even if it was never posted
    assert decide_threshold(act, act - timedelta(days=50), ladder, {30}).post is None


@settings(max_examples=200, deadline=None)
@given(thresholds=THRESHOLDS, act=DATES,
       run_offsets=st.lists(st.integers(-40, 150), min_size=1, max_size=40, unique=True))
def test_ladder_over_run_days_posts_each_bucket_once_on_its_first_run_day(
        thresholds: set[int], act: date, run_offsets: list[int]) -> None:
    """Run the decision on increasing days, recording posts and supersessions as the ledger does.

    Threshold t owns the days [act − t, act − t_next) (t_next: the next smaller threshold; the
    smallest owns every day from act − t on). t is posted iff a run day falls in its days, on the
    first such run day; everything else is never posted.
    """
    run_days = sorted(act - timedelta(days=o) for o in run_offsets)
    handled: set[int] = set()
    posted: dict[int, date] = {}
    for today in run_days:
        decision = decide_threshold(act, today, sorted(thresholds, reverse=True), handled)
        if decision.post is not None:
            assert decision.post not in posted, "posted twice"
            posted[decision.post] = today
            handled.add(decision.post)
        handled.update(decision.superseded)
    ladder = sorted(thresholds, reverse=True)
    expected: dict[int, date] = {}
    for i, t in enumerate(ladder):
        start = act - timedelta(days=t)
        stop = act - timedelta(days=ladder[i + 1]) if i + 1 < len(ladder) else date.max
        inside = [d for d in run_days if start <= d < stop]
        if inside:
            expected[t] = inside[0]
    assert posted == expected
    order = [t for t, _ in sorted(posted.items(), key=lambda kv: kv[1])]
    assert order == sorted(order, reverse=True)  # ever more urgent
