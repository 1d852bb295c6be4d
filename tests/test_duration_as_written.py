"""A duration reads back as it was written: any alias of a unit (`12 mois`, `1 an`, `2 semaines`, `4 heures`)
is kept in that unit's short notation (`12mo`, `1y`, `2w`, `4h`), stored so in a real duration column (with
the CHECK the models declare, on SQLite and PostgreSQL) and read back so, while equality and hashing stay
by value (`12mo` == `1y`). The CHECK accepts exactly what `DurationType` writes. The references below are
written out here, independently of `bot.durations`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import IntegrityError

from bot.durations import Duration, DurationError, parse_duration
from storage.db import make_engine
from storage.models import written_duration
from storage.types import DurationType

# short unit -> (its aliases as a person types them, field, multiplier, the largest amount in bounds)
REFERENCE: dict[str, tuple[tuple[str, ...], str, int, int]] = {
    "min": (("min", "mins", "minute", "minutes", "MIN"), "minutes", 1, 99_999),
    "h": (("h", "hr", "hrs", "hour", "hours", "heure", "heures", "H"), "minutes", 60, 99_999),
    "d": (("d", "day", "days", "j", "jour", "jours", "D"), "days", 1, 36_525),
    "bd": (("bd", "jo", "BD"), "business_days", 1, 26_100),
    "w": (("w", "wk", "week", "weeks", "sem", "semaine", "semaines", "W"), "days", 7, 5_217),
    "mo": (("mo", "month", "months", "mois", "Mois"), "months", 1, 1_200),
    "y": (("y", "yr", "year", "years", "an", "ans", "Y"), "months", 12, 100),
}
ALIASES = [(short, alias) for short, (aliases, *_rest) in REFERENCE.items() for alias in aliases]


@st.composite
def typed(draw: st.DrawFn) -> tuple[str, str, int]:
    """(what a person typed, its short unit, its amount): any amount in bounds, any alias, any spacing."""
    short, alias = draw(st.sampled_from(ALIASES))
    amount = draw(st.integers(0, REFERENCE[short][3]))
    zeros = draw(st.sampled_from(["", "", "0", "00"]))[: 5 - len(str(amount))]
    space, pad = draw(st.sampled_from(["", " "])), draw(st.sampled_from(["", " "]))
    return f"{pad}{zeros}{amount}{space}{alias}{pad}", short, amount


def test_every_alias_is_written_in_its_units_short_notation() -> None:
    cases = {"12 months": "12mo", "12 mois": "12mo", "1 an": "1y", "1 year": "1y", "2 semaines": "2w",
             "2 weeks": "2w", "4 heures": "4h", "30 minutes": "30min", "5 jo": "5bd", "90 jours": "90d",
             " 12MO ": "12mo", "0 jours": "0d", "0mo": "0mo"}
    for typed_text, short in cases.items():
        assert parse_duration(typed_text).written() == short, typed_text


def test_equality_and_hashing_stay_by_value() -> None:
    assert parse_duration("12mo") == parse_duration("1y") == Duration(months=12)
    assert hash(parse_duration("12mo")) == hash(parse_duration("1y"))
    assert parse_duration("2w") == parse_duration("14d") and parse_duration("120min") == parse_duration("2h")
    assert len({parse_duration("12mo"), parse_duration("1y"), parse_duration("12 mois")}) == 1
    assert parse_duration("12mo") != parse_duration("13mo")


def test_a_duration_built_by_code_is_written_in_its_shortest_form() -> None:
    assert Duration(months=12).written() == "1y" and Duration(days=14).written() == "14d"
    assert Duration().written() == "0d" and Duration(minutes=120).written() == "2h"
    with pytest.raises(ValueError):
        Duration(days=10, unit="w")  # not whole weeks: its text would lie
    with pytest.raises(ValueError):
        Duration(months=12, unit="d")


metadata = MetaData()
durations = Table("written_durations", metadata, Column("id", Integer, primary_key=True),
                  Column("d", DurationType()), written_duration("d"))


@pytest.fixture
def table(empty_db_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_db_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=typed())
@example(case=("12 mois", "mo", 12))
@example(case=("1 an", "y", 1))
@example(case=("2 semaines", "w", 2))
@example(case=("5217w", "w", 5217))
@example(case=("00000d", "d", 0))
def test_what_is_written_is_read_back_from_a_real_column(table: Engine, case: tuple[str, str, int]) -> None:
    typed_text, short, amount = case
    _aliases, field, factor, _limit = REFERENCE[short]
    duration = parse_duration(typed_text)
    with table.begin() as connection:
        row_id = connection.execute(insert(durations).values(d=duration)).inserted_primary_key[0]
        stored = connection.execute(text("SELECT d FROM written_durations WHERE id = :id"), {"id": row_id}).scalar_one()
        back = connection.execute(select(durations.c.d).where(durations.c.id == row_id)).scalar_one()
    assert stored == f"{amount}{short}"  # the short notation of what was written
    assert back.written() == stored
    assert back == duration == Duration(**{field: amount * factor})  # the same value


# --- the CHECK accepts exactly what DurationType writes ----------------------------------------------------

_WRITTEN = re.compile(r"(0|[1-9][0-9]{0,4})(min|h|d|bd|w|mo|y)")


def _written_by_the_type(value: str) -> bool:
    """Reference: the short notation (no leading zero, 1–5 digits, one of the units), within the bounds."""
    match = _WRITTEN.fullmatch(value)
    return match is not None and int(match.group(1)) <= REFERENCE[match.group(2)][3]


candidates = st.one_of(
    st.builds(lambda zeros, n, unit: f"{zeros}{n}{unit}", st.sampled_from(["", "", "", "0"]),
              st.integers(0, 130_000), st.sampled_from([*REFERENCE, "mois", "an", "MO", "x", "", "dd", "y2"])),
    st.text(alphabet="0123456789dhminbwoy -", max_size=16),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=candidates)
@example(value="012mo")
@example(value="5x")
@example(value="101y")
@example(value="1201mo")
@example(value="5218w")
@example(value="12mo")
@example(value="0mo")
@example(value="00d")
def test_the_check_accepts_exactly_what_the_type_writes(table: Engine, value: str) -> None:
    accepted = True
    try:
        with table.begin() as connection:
            connection.execute(text("INSERT INTO written_durations (d) VALUES (:v)"), {"v": value})
    except IntegrityError:
        accepted = False
    assert accepted == _written_by_the_type(value), value
    if accepted:  # and what it accepts reads back as that very text
        try:
            assert parse_duration(value).written() == value
        except DurationError:
            pytest.fail(f"the CHECK accepted {value!r}, which the grammar does not read")


@pytest.mark.parametrize("value", ["012mo", "5x", "101y", "1201mo", "36526d", "26101bd", "5218w", "3 mo", "3MO",
                                   "", "-1d", "1y2"])
def test_the_check_refuses_what_the_type_never_writes(table: Engine, value: str) -> None:
    with pytest.raises(IntegrityError), table.begin() as connection:
        connection.execute(text("INSERT INTO written_durations (d) VALUES (:v)"), {"v": value})
