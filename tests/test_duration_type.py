"""`storage.types.DurationType`: a Duration goes into the database as written (`Duration.written`) and comes
back equal, in the same unit, for every unit of the grammar (a real table on SQLite and PostgreSQL); anything but a Duration is
refused before it reaches the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from bot.durations import _UNITS, Duration, DurationError, parse_duration
from storage.db import make_engine
from storage.types import DurationType

metadata = MetaData()
durations = Table("durations", metadata, Column("id", Integer, primary_key=True), Column("d", DurationType()))


def _accepted(amount: int, unit: str) -> Duration | None:
    try:
        return parse_duration(f"{amount}{unit}")
    except DurationError:
        return None


# every unit of the grammar, with amounts up to the grammar's five digits: the Durations a person can type
grammar_durations = st.builds(_accepted, st.integers(0, 99_999), st.sampled_from(sorted(_UNITS))).filter(
    lambda d: d is not None)


@pytest.fixture
def table(empty_db_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_db_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(duration=grammar_durations)
def test_a_duration_round_trips_through_the_database_as_written(table: Engine, duration: Duration) -> None:
    with table.begin() as connection:
        row_id = connection.execute(insert(durations).values(d=duration)).inserted_primary_key[0]
        stored = connection.execute(text("SELECT d FROM durations WHERE id = :id"), {"id": row_id}).scalar_one()
        back = connection.execute(select(durations.c.d).where(durations.c.id == row_id)).scalar_one()
        found = connection.execute(select(durations.c.id).where(durations.c.d == duration,
                                                                durations.c.id == row_id)).scalar_one_or_none()
    assert stored == duration.written()
    assert isinstance(back, Duration) and back == duration and back.written() == stored
    assert found == row_id  # a Duration in a WHERE binds the same text


def test_none_stays_none(table: Engine) -> None:
    with table.begin() as connection:
        connection.execute(insert(durations).values(id=1, d=None))
        assert connection.execute(select(durations.c.d)).scalar_one() is None


@pytest.mark.parametrize("value", ["3mo", "1y", 90, Duration(months=3).canonical()])
def test_anything_but_a_duration_is_refused_before_the_database(table: Engine, value: object) -> None:
    with pytest.raises(StatementError) as caught, table.begin() as connection:
        connection.execute(insert(durations).values(id=1, d=value))
    assert isinstance(caught.value.orig, TypeError)
    with table.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM durations")).scalar_one() == 0


@pytest.mark.parametrize("value", [Duration(months=1, days=2), Duration(days=99_999), Duration(minutes=-60)])
def test_a_duration_whose_text_would_not_read_back_is_refused(value: Duration) -> None:
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        with pytest.raises(ValueError):
            DurationType().process_bind_param(value, dialect)


def test_the_type_is_cache_safe_and_reads_what_it_writes() -> None:
    column_type = DurationType()
    assert column_type.cache_ok is True
    dialect = sqlite.dialect()
    assert column_type.process_result_value("2bd", dialect) == Duration(business_days=2)
    assert column_type.process_bind_param(Duration(minutes=90), dialect) == "90min"
    assert column_type.process_bind_param(Duration(minutes=120), dialect) == "2h"
    assert column_type.process_bind_param(Duration(months=24), dialect) == "2y"
