"""The business clock (bot/business_clock.py) against a brute-force reference written here.

The reference walks UTC instants one minute at a time and calls a minute business time when its
wall-clock time in Europe/Paris falls inside the configured hours, on a configured weekday that is
not a French public holiday (`holidays.country_holidays("FR")`, the product's data source too).
Start instants are drawn around the Europe/Paris DST changes, French public holidays and year ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.business_clock import (
    BusinessCalendar,
    BusinessHoursError,
    add_business_days,
    add_business_minutes,
    business_minutes,
    make_calendar,
    next_business_instant,
    parse_business_hours,
)

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC
FR = holidays.country_holidays("FR")
MINUTE = timedelta(minutes=1)
HORIZON_MINUTES = 7 * 1440  # every target drawn below is reached within 6 days, even around holidays

PROPS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEAVY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Config:
    text: str
    weekdays: frozenset[int]  # Monday = 0
    spans: tuple[tuple[int, int], ...]  # minutes from local midnight, half-open

    @property
    def daily_minutes(self) -> int:
        return sum(b - a for a, b in self.spans)


CONFIGS = {
    "office": Config("Mon-Fri 09:00-18:00", frozenset(range(5)), ((540, 1080),)),
    "split": Config("Mon-Fri 08:30-12:30,13:30-17:30", frozenset(range(5)), ((510, 750), (810, 1050))),
    "24x7": Config("24x7", frozenset(range(7)), ((0, 1440),)),
}


@lru_cache(maxsize=None)
def calendar_for(name: str) -> BusinessCalendar:
    return make_calendar(tz=PARIS, business_hours=CONFIGS[name].text, holidays="FR")


# --------------------------------------------------------------------------------------------------
# the brute-force reference


@lru_cache(maxsize=4096)
def _is_holiday(day: date) -> bool:
    return day in FR


def ref_is_business_day(config: Config, day: date) -> bool:
    return day.weekday() in config.weekdays and not _is_holiday(day)


def ref_is_business_minute(config: Config, moment: datetime) -> bool:
    """Is the minute [moment, moment + 1 min) business time?"""
    local = moment.astimezone(PARIS)
    if not ref_is_business_day(config, local.date()):
        return False
    of_day = local.hour * 60 + local.minute
    return any(a <= of_day < b for a, b in config.spans)


@lru_cache(maxsize=512)
def ref_bits(name: str, start: datetime) -> tuple[bool, ...]:
    """Business flag of each minute from `start` (minute-aligned, UTC) over the horizon."""
    config = CONFIGS[name]
    return tuple(ref_is_business_minute(config, start + i * MINUTE) for i in range(HORIZON_MINUTES))


def ref_business_minutes(name: str, start: datetime, end: datetime) -> int:
    steps = int((end - start) / MINUTE)
    assert 0 <= steps <= HORIZON_MINUTES, "test bug: span beyond the brute-force horizon"
    return sum(ref_bits(name, start)[:steps])


def ref_add_business_minutes(name: str, start: datetime, minutes: int) -> datetime:
    count = 0
    for i, busy in enumerate(ref_bits(name, start)):
        count += busy
        if count == minutes:
            return start + (i + 1) * MINUTE
    raise AssertionError("test bug: target beyond the brute-force horizon")


def ref_first_business_minute(name: str, start: datetime) -> datetime:
    for i, busy in enumerate(ref_bits(name, start)):
        if busy:
            return start + i * MINUTE
    raise AssertionError("test bug: no business time within the horizon")


def ref_add_business_days(name: str, start: datetime, days: int) -> tuple[date, time]:
    """(local date, local wall time) of the result: the first business instant at or after `start`,
    then `days` days that have business time later, at the same wall-clock time."""
    begin = ref_first_business_minute(name, start).astimezone(PARIS)
    day, counted = begin.date(), 0
    while counted < days:
        day += timedelta(days=1)
        counted += ref_is_business_day(CONFIGS[name], day)
    return day, begin.time().replace(tzinfo=None)


# --------------------------------------------------------------------------------------------------
# strategies: minute-aligned UTC instants near DST changes, French holidays and year ends

ANCHORS = [
    date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31),  # DST changes
    date(2026, 5, 1), date(2026, 5, 8), date(2026, 7, 14), date(2026, 8, 15), date(2026, 11, 1),
    date(2026, 11, 11), date(2026, 12, 25), date(2027, 1, 1), date(2027, 3, 29),  # Easter Monday 2027
    date(2026, 5, 14), date(2027, 5, 6),  # Ascension
    date(2026, 5, 25), date(2027, 5, 17),  # Whit Monday
    date(2026, 12, 31), date(2027, 12, 31),  # year ends
]
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=PARIS).astimezone(UTC)


near_anchor = st.builds(lambda day, offset: _local_midnight(day) + offset * MINUTE,
                        st.sampled_from(ANCHORS), st.integers(-3 * 1440, 2 * 1440))
anywhere = st.builds(lambda n: _EPOCH + n * MINUTE, st.integers(0, 2 * 366 * 1440))
starts = st.one_of(near_anchor, near_anchor, anywhere)  # mostly near the awkward days
configs = st.sampled_from(sorted(CONFIGS))


@st.composite
def start_and_target(draw: st.DrawFn) -> tuple[str, datetime, int]:
    name = draw(configs)
    return name, draw(starts), draw(st.integers(1, 3 * CONFIGS[name].daily_minutes))


# --------------------------------------------------------------------------------------------------
# properties


@PROPS
@given(start_and_target())
def test_business_minutes_to_the_target_is_the_target(case: tuple[str, datetime, int]) -> None:
    name, start, minutes = case
    cal = calendar_for(name)
    due = add_business_minutes(cal, start, minutes)
    assert business_minutes(cal, start, due) == minutes


@HEAVY
@given(start_and_target())
def test_add_business_minutes_agrees_with_brute_force(case: tuple[str, datetime, int]) -> None:
    name, start, minutes = case
    assert add_business_minutes(calendar_for(name), start, minutes) == ref_add_business_minutes(name, start, minutes)


@HEAVY
@given(configs, starts, st.integers(0, 6 * 1440))
def test_business_minutes_agrees_with_brute_force(name: str, start: datetime, span: int) -> None:
    end = start + span * MINUTE
    assert business_minutes(calendar_for(name), start, end) == ref_business_minutes(name, start, end)


@HEAVY
@given(configs, starts, st.integers(1, 3))
def test_add_business_days_agrees_with_brute_force(name: str, start: datetime, days: int) -> None:
    expected_day, expected_wall = ref_add_business_days(name, start, days)
    wall = datetime.combine(expected_day, expected_wall, tzinfo=PARIS)
    # a wall time that does not exist that day (spring-forward gap, 24x7 only) has no single answer
    assume(wall.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) == wall.replace(tzinfo=None))
    got = add_business_days(calendar_for(name), start, days).astimezone(PARIS)
    assert (got.date(), got.time().replace(tzinfo=None)) == (expected_day, expected_wall)


@HEAVY
@given(configs, starts)
def test_next_business_instant_agrees_with_brute_force(name: str, start: datetime) -> None:
    assert next_business_instant(calendar_for(name), start) == ref_first_business_minute(name, start)


@PROPS
@given(start_and_target(), st.integers(0, 3 * 540))
def test_monotonic_in_the_target(case: tuple[str, datetime, int], more: int) -> None:
    name, start, minutes = case
    cal = calendar_for(name)
    assert add_business_minutes(cal, start, minutes) <= add_business_minutes(cal, start, minutes + more)
    if more:
        assert add_business_minutes(cal, start, minutes) < add_business_minutes(cal, start, minutes + more)


@PROPS
@given(start_and_target(), st.integers(0, 4 * 1440))
def test_monotonic_in_the_start(case: tuple[str, datetime, int], later: int) -> None:
    name, start, minutes = case
    cal = calendar_for(name)
    assert add_business_minutes(cal, start, minutes) <= add_business_minutes(cal, start + later * MINUTE, minutes)


@PROPS
@given(configs, starts, st.integers(0, 3 * 1440), st.integers(0, 3 * 1440))
def test_business_minutes_grows_with_the_end_and_shrinks_with_the_start(
        name: str, start: datetime, a: int, b: int) -> None:
    cal = calendar_for(name)
    near, far = start + min(a, b) * MINUTE, start + max(a, b) * MINUTE
    assert business_minutes(cal, start, near) <= business_minutes(cal, start, far)
    assert business_minutes(cal, near, far) <= business_minutes(cal, start, far)
    assert 0 <= business_minutes(cal, near, far) <= (far - near) / MINUTE
    assert business_minutes(cal, far, start) == 0


@PROPS
@given(configs, starts, st.integers(0, 3 * 86400), st.integers(0, 3 * 86400))
def test_business_minutes_is_additive(name: str, a: datetime, ab: int, bc: int) -> None:
    """[a, c) = [a, b) + [b, c), with instants to the second (not only whole minutes)."""
    cal = calendar_for(name)
    b = a + timedelta(seconds=ab)
    c = b + timedelta(seconds=bc)
    assert business_minutes(cal, a, c) == pytest.approx(business_minutes(cal, a, b) + business_minutes(cal, b, c),
                                                        abs=1e-9)


# --------------------------------------------------------------------------------------------------
# table tests


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


OFFICE = "office"


@pytest.mark.parametrize("start, minutes, expected", [
    (paris(2026, 11, 20, 17, 0), 120, paris(2026, 11, 23, 10, 0)),  # Friday 17:00 + 2h → Monday 10:00
    (paris(2026, 4, 30, 17, 0), 120, paris(2026, 5, 4, 10, 0)),  # Friday 1 May is a holiday
    (paris(2026, 5, 13, 17, 30), 60, paris(2026, 5, 15, 9, 30)),  # Ascension Thursday
    (paris(2026, 12, 31, 17, 0), 120, paris(2027, 1, 4, 10, 0)),  # New Year's Day (Friday), over the year end
    (paris(2027, 3, 26, 17, 0), 120, paris(2027, 3, 30, 10, 0)),  # DST Sunday, then Easter Monday
    (paris(2026, 10, 23, 17, 0), 120, paris(2026, 10, 26, 10, 0)),  # autumn DST weekend
    (paris(2026, 11, 23, 7, 0), 30, paris(2026, 11, 23, 9, 30)),  # before opening
    (paris(2026, 11, 23, 17, 0), 60, paris(2026, 11, 23, 18, 0)),  # lands exactly on the close
])
def test_add_business_minutes_table(start: datetime, minutes: int, expected: datetime) -> None:
    assert add_business_minutes(calendar_for(OFFICE), start, minutes) == expected


@pytest.mark.parametrize("name, start_utc, minutes", [
    ("24x7", datetime(2026, 10, 24, 23, 30, tzinfo=UTC), 240),  # 01:30 CEST, clocks go back at 03:00
    ("24x7", datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 120),  # 01:30 CET, clocks go forward at 02:00
    ("office", datetime(2026, 11, 23, 9, 0, tzinfo=UTC), 60),  # no DST change: same either way
])
def test_a_start_given_in_the_local_zone_is_the_same_instant(name: str, start_utc: datetime, minutes: int) -> None:
    """Aware datetimes in any zone are instants: `start + timedelta` in Europe/Paris is wall-clock
    arithmetic in Python, which must not leak into business minutes."""
    cal = calendar_for(name)
    start_local = start_utc.astimezone(PARIS)
    expected = ref_add_business_minutes(name, start_utc, minutes)
    assert add_business_minutes(cal, start_utc, minutes) == expected
    assert add_business_minutes(cal, start_local, minutes) == expected
    assert business_minutes(cal, start_local, expected.astimezone(PARIS)) == minutes


def test_split_day_skips_lunch() -> None:
    cal = calendar_for("split")
    assert add_business_minutes(cal, paris(2026, 11, 23, 12, 0), 60) == paris(2026, 11, 23, 14, 0)
    assert business_minutes(cal, paris(2026, 11, 23, 0, 0), paris(2026, 11, 24, 0, 0)) == 480


def test_24x7_business_hours_still_skip_holidays_and_follow_dst() -> None:
    cal = calendar_for("24x7")
    # 2026-03-29 (spring forward) has 23 hours, 2026-10-25 (fall back) 25
    assert business_minutes(cal, paris(2026, 3, 29, 0, 0), paris(2026, 3, 30, 0, 0)) == 23 * 60
    assert business_minutes(cal, paris(2026, 10, 25, 0, 0), paris(2026, 10, 26, 0, 0)) == 25 * 60
    assert business_minutes(cal, paris(2026, 12, 25, 0, 0), paris(2026, 12, 26, 0, 0)) == 0


@pytest.mark.parametrize("start, days, expected", [
    (paris(2026, 11, 20, 17, 0), 2, paris(2026, 11, 24, 17, 0)),  # Friday 17:00 + 2bd → Tuesday 17:00
    (paris(2026, 11, 20, 18, 30), 2, paris(2026, 11, 25, 9, 0)),  # after closing: from Monday 09:00
    (paris(2026, 4, 30, 17, 0), 1, paris(2026, 5, 4, 17, 0)),  # over 1 May
    (paris(2027, 3, 26, 10, 0), 1, paris(2027, 3, 30, 10, 0)),  # over DST and Easter Monday 2027
    (paris(2026, 12, 24, 11, 0), 2, paris(2026, 12, 29, 11, 0)),  # over Christmas
])
def test_add_business_days_table(start: datetime, days: int, expected: datetime) -> None:
    assert add_business_days(calendar_for(OFFICE), start, days) == expected


@pytest.mark.parametrize("text", [
    "", "Mon-Fri", "Mon-Fri 18:00-09:00", "Mon-Fri 09:00-09:00", "Foo-Fri 09:00-18:00", "Mon-Bar 09:00-18:00",
    "Mon-Fri 09:00-25:00", "Mon-Fri 9-18", "Mon-Fri 09:00-18:00,", "09:00-18:00", "Mon-Fri nine to six",
])
def test_parse_business_hours_refuses(text: str) -> None:
    with pytest.raises(BusinessHoursError):
        parse_business_hours(text)


def test_parse_business_hours_accepts_the_documented_forms() -> None:
    office = parse_business_hours("Mon-Fri 09:00-18:00")
    assert office == tuple([((540, 1080),)] * 5 + [(), ()])
    assert parse_business_hours("lun-ven 09:00-18:00") == office
    both = parse_business_hours("Mon-Fri 08:30-12:30,13:30-17:30; Sat 09:00-12:00")
    assert both[0] == ((510, 750), (810, 1050)) and both[5] == ((540, 720),) and both[6] == ()
    assert parse_business_hours("24x7") == tuple([((0, 1440),)] * 7)
    assert parse_business_hours("Sat-Mon 10:00-11:00") == tuple([((600, 660),)] + [()] * 4 + [((600, 660),)] * 2)


def test_unknown_holiday_country_is_refused() -> None:
    with pytest.raises(BusinessHoursError):
        make_calendar(tz=PARIS, business_hours="Mon-Fri 09:00-18:00", holidays="XX")


@pytest.mark.parametrize("text, monday_minutes", [
    ("Mon-Fri 09:00-12:00,11:00-14:00", 300),  # 09:00-14:00
    ("Mon-Fri 09:00-18:00; Mon 10:00-11:00", 540),  # Monday 10-11 is already inside 09-18
])
def test_overlapping_opening_hours_count_once(text: str, monday_minutes: int) -> None:
    """Business time is a set of instants: hours given twice must not count twice (or be refused)."""
    try:
        cal = make_calendar(tz=PARIS, business_hours=text, holidays="FR")
    except BusinessHoursError:
        return
    monday = paris(2026, 11, 23, 0, 0)
    assert business_minutes(cal, monday, monday + timedelta(days=1)) == monday_minutes
    assert add_business_minutes(cal, monday, monday_minutes) == business_close(cal, monday)


def business_close(cal: BusinessCalendar, day_start: datetime) -> datetime:
    """The last closing instant of that local day."""
    return max(close for _open, close in cal.intervals(day_start.astimezone(PARIS).date()))
