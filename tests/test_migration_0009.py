"""Migration 0009 keeps existing data: a database built at 0008 with durations written the ways the grammar
accepts (`12mo`, ` 3 MO `, `90 days`, `2 semaines`…) in every duration column upgrades to head, and the ORM
reads back the Durations those texts meant. The new CHECK constraints then refuse any text that is not a
canonical duration; a value that cannot be read stops the migration, naming its row, before anything is
written; the downgrade drops the constraints. SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import CheckConstraint, Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from bot.durations import Duration, DurationError, parse_duration
from storage.db import MIGRATIONS, alembic_config, make_engine, make_session_factory, upgrade
from storage.models import Base, Contract, Incident, Obligation, RevisionClause, SlaTerm

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

NOW = datetime(2026, 3, 1, 9)  # naive: written by raw SQL, as UTC
D = date(2026, 12, 31)
DURATION_COLUMNS = {"contracts": ("notice", "term", "lead"), "sla_terms": ("response", "resolution"),
                    "incidents": ("response_target", "resolution_target"), "obligations": ("every",),
                    "revision_clauses": ("every",)}


@cache
def _migration() -> ModuleType:
    """The migration module itself (its frozen parser and CHECK expression), loaded from its file."""
    spec = importlib.util.spec_from_file_location("m0009", MIGRATIONS / "versions" / "0009_duration_columns.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _at(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _version(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def _contract(connection: Connection, number: int, notice: str, term: str, lead: str) -> None:
    connection.execute(text(
        "INSERT INTO contracts (id, reference, reference_key, title, vendor_id, type, status, end_date, end_anchor,"
        " renewals_since_anchor, notice, term, lead, renewal, notice_deadline, act_by, currency, search_text,"
        " created_at, updated_at, version) VALUES (:id, :ref, :ref, 'T', 1, 'saas', 'active', :end, :end, 0,"
        " :notice, :term, :lead, 'auto', :end, :end, 'EUR', '', :now, :now, 1)"),
        dict(id=number, ref=f"C-{number}", end=D, notice=notice, term=term, lead=lead, now=NOW))


def _sla_term(connection: Connection, number: int, response: str, resolution: str) -> None:
    connection.execute(text(
        "INSERT INTO sla_terms (id, contract_id, priority, response, resolution, clock, updated_at)"
        " VALUES (:id, 1, :priority, :response, :resolution, '24x7', :now)"),
        dict(id=number, priority=f"P{number}", response=response, resolution=resolution, now=NOW))


def _incident(connection: Connection, number: int, response: str | None, resolution: str | None) -> None:
    connection.execute(text(
        "INSERT INTO incidents (id, contract_id, priority, summary, status, opened_at, opened_by, clock,"
        " response_target, resolution_target, created_at, updated_at, version) VALUES (:id, 1, 'P1', 'down',"
        " 'open', :now, 'U1', '24x7', :response, :resolution, :now, :now, 1)"),
        dict(id=number, response=response, resolution=resolution, now=NOW))


def _obligation(connection: Connection, number: int, every: str | None) -> None:
    connection.execute(text(
        "INSERT INTO obligations (id, contract_id, what, party, evidence_required, every, due_anchor, occurrence,"
        " due_on, state, created_at, created_by, updated_at, version) VALUES (:id, 1, 'Report', 'vendor', :no,"
        " :every, :due, 0, :due, 'open', :now, 'U1', :now, 1)"),
        dict(id=number, every=every, due=D, now=NOW, no=False))


def _clause(connection: Connection, contract_id: int, every: str) -> None:
    connection.execute(text(
        "INSERT INTO revision_clauses (contract_id, index_name, base_month, base_value, fixed, every, first_on, mode,"
        " lag, round_to, next_k, next_revision_on, updated_at) VALUES (:id, 'syntec', :base, 1000, 0.15, :every,"
        " :first, 'base', 0, 0.01, 0, :first, :now)"),
        dict(id=contract_id, base=date(2025, 1, 1), every=every, first=date(2026, 1, 1), now=NOW))


def _vendor(connection: Connection) -> None:
    connection.execute(text("INSERT INTO vendors (id, name, name_key, created_at) VALUES (1, 'V', 'v', :now)"),
                       dict(now=NOW))


def test_upgrade_from_0008_rewrites_every_duration_canonically(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0008")
        with engine.begin() as connection:
            _vendor(connection)
            _contract(connection, 1, " 3 MO ", "12mo", "15 days")
            _contract(connection, 2, "90 days", "1 an", "2 semaines")
            _contract(connection, 3, "0d", "1y", "0 jours")  # canonical already, and a zero in other words
            _contract(connection, 4, "6 mois", "24 Months", "1w")
            _sla_term(connection, 1, "30 min", "2 heures")
            _sla_term(connection, 2, "60min", "3 jo")
            _sla_term(connection, 3, "4h", "1440min")
            _incident(connection, 1, "15 MINUTES", "8 hours")
            _incident(connection, 2, None, None)  # opened before the contract had SLA terms
            _obligation(connection, 1, "1 mois")
            _obligation(connection, 2, "12 months")
            _obligation(connection, 3, None)  # once
            _obligation(connection, 4, " 2w ")
            _clause(connection, 1, "12mo")
            _clause(connection, 2, "6 MOIS")
        _at(engine, "0009")  # its own CHECKs (0011 accepts any unit: tests/test_migration_0011.py)
        with engine.connect() as connection:  # the texts themselves are canonical now
            stored = connection.execute(text("SELECT notice, term, lead FROM contracts ORDER BY id")).all()
            assert [tuple(row) for row in stored] == [("3mo", "1y", "15d"), ("90d", "1y", "14d"), ("0d", "1y", "0d"),
                                                      ("6mo", "2y", "7d")]
            assert connection.execute(text("SELECT resolution FROM sla_terms WHERE id = 3")).scalar_one() == "24h"
        for table, columns in DURATION_COLUMNS.items():
            for column in columns:
                for bad in ("12mo", "3 mo", "3MO", "90 days", "03d", "abc", "", "100000y", "1201mo", "60min"):
                    with pytest.raises(IntegrityError), engine.begin() as connection:
                        connection.execute(text(f"UPDATE {table} SET {column} = :bad"), {"bad": bad})
        upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as session:
            contracts = {c.id: (c.notice, c.term, c.lead) for c in session.query(Contract)}
            assert contracts == {
                1: (Duration(months=3), Duration(months=12), Duration(days=15)),
                2: (Duration(days=90), Duration(months=12), Duration(days=14)),
                3: (Duration(), Duration(months=12), Duration()),
                4: (Duration(months=6), Duration(months=24), Duration(days=7)),
            }
            terms = {t.id: (t.response, t.resolution) for t in session.query(SlaTerm)}
            assert terms == {1: (Duration(minutes=30), Duration(minutes=120)),
                             2: (Duration(minutes=60), Duration(business_days=3)),
                             3: (Duration(minutes=240), Duration(minutes=1440))}
            incidents = {i.id: (i.response_target, i.resolution_target) for i in session.query(Incident)}
            assert incidents == {1: (Duration(minutes=15), Duration(minutes=480)), 2: (None, None)}
            obligations = {o.id: o.every for o in session.query(Obligation)}
            assert obligations == {1: Duration(months=1), 2: Duration(months=12), 3: None, 4: Duration(days=14)}
            clauses = {c.contract_id: c.every for c in session.query(RevisionClause)}
            assert clauses == {1: Duration(months=12), 2: Duration(months=6)}
        with engine.begin() as connection:  # a canonical text is accepted by raw SQL too
            connection.execute(text("UPDATE contracts SET notice = '45d', term = '18mo', lead = '1y' WHERE id = 1"))
    finally:
        engine.dispose()


def test_an_unreadable_duration_stops_the_migration_naming_its_row(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0008")
        with engine.begin() as connection:
            _vendor(connection)
            _contract(connection, 1, "12mo", "1y", "0d")
            _contract(connection, 7, "3 moons", "1y", "0d")  # a hand edit the grammar never accepted
        with pytest.raises(RuntimeError, match=r"contracts\.notice of the row with id = 7 holds '3 moons'"):
            _at(engine, "head")
        assert _version(engine) == "0008"
        with engine.connect() as connection:  # nothing was rewritten before the stop
            assert connection.execute(text("SELECT notice FROM contracts WHERE id = 1")).scalar_one() == "12mo"
        with engine.begin() as connection:  # corrected by hand, the upgrade goes through
            connection.execute(text("UPDATE contracts SET notice = '3mo' WHERE id = 7"))
        upgrade(engine)
        with make_session_factory(engine)() as session:
            assert [c.notice for c in session.query(Contract).order_by(Contract.id)] == [Duration(months=12),
                                                                                          Duration(months=3)]
    finally:
        engine.dispose()


def test_an_out_of_range_duration_in_another_table_is_named_too(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0008")
        with engine.begin() as connection:
            _vendor(connection)
            _contract(connection, 1, "1mo", "1y", "0d")
            _clause(connection, 1, "101 years")  # beyond the 100-year bound: never a valid duration
        with pytest.raises(RuntimeError, match=r"revision_clauses\.every of the row with contract_id = 1"):
            _at(engine, "head")
        assert _version(engine) == "0008"
    finally:
        engine.dispose()


def test_downgrade_drops_the_constraints_and_the_models_name_the_same_ones(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine)
        inspector = inspect(engine)
        for table, columns in DURATION_COLUMNS.items():
            reflected = {c["name"] for c in inspector.get_check_constraints(table)}
            declared = {c.name for c in Base.metadata.tables[table].constraints if isinstance(c, CheckConstraint)}
            assert reflected == declared  # what the migrations create is what the models declare
            assert {f"ck_{table}_{column}" for column in columns} <= reflected
        _at(engine, "0008", down=True)
        with engine.begin() as connection:
            _vendor(connection)
            _contract(connection, 1, "12mo", " 3 MO ", "0d")  # accepted again without the constraints
        assert "ck_contracts_status" in {c["name"] for c in inspect(engine).get_check_constraints("contracts")}
    finally:
        engine.dispose()


def test_the_expression_0011_puts_back_on_downgrade_is_this_migrations() -> None:
    # the models declare 0011's expression now (tests/test_migration_0011.py); its downgrade restores this one
    spec = importlib.util.spec_from_file_location("m0011", MIGRATIONS / "versions" / "0011_duration_as_written.py")
    assert spec is not None and spec.loader is not None
    later = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(later)
    for columns in DURATION_COLUMNS.values():
        for column in columns:
            assert later.check_0009(column) == _migration().check(column)


# --- the CHECK accepts exactly the canonical texts (an independent reference: the grammar's parser) -----------

UNITS = ("min", "h", "d", "bd", "w", "mo", "y", "mois", "jours", "an", "hours", "MO", "D", "x", "")
texts = st.one_of(
    st.builds(lambda n, space, unit, pad: f"{pad}{n}{space}{unit}{pad}"[:16],
              st.one_of(st.integers(0, 130_000).map(str), st.sampled_from(["00", "007", "0", "1200", "1440"])),
              st.sampled_from(["", "", " "]), st.sampled_from(UNITS), st.sampled_from(["", "", " "])),
    st.text(alphabet="0123456789dhminbwoy ", max_size=16),
)


def _canonical(value: str) -> bool:
    try:
        return parse_duration(value).canonical() == value
    except DurationError:
        return False


@pytest.fixture
def engine(empty_db_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_db_url)
    yield engine
    engine.dispose()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=texts)
def test_the_check_accepts_exactly_the_canonical_texts(engine: Engine, value: str) -> None:
    expression = _migration().check("v")
    with engine.connect() as connection:
        accepted = connection.execute(
            text(f"SELECT COUNT(*) FROM (SELECT CAST(:value AS VARCHAR(16)) AS v) AS t WHERE {expression}"),
            {"value": value}).scalar_one()
    assert bool(accepted) == _canonical(value), value


def test_the_frozen_parser_agrees_with_the_grammar_for_every_unit() -> None:
    migration = _migration()
    for amount in (0, 1, 2, 11, 12, 59, 60, 90, 1440, 99_999):
        for unit in migration._UNITS:
            frozen = migration.canonical(f"{amount}{unit}")
            try:
                expected: str | None = parse_duration(f"{amount}{unit}").canonical()
            except DurationError:
                expected = None
            assert frozen == expected, (amount, unit)  # the frozen copy agrees with today's parser
    source = Path(MIGRATIONS / "versions" / "0009_duration_columns.py").read_text()
    assert "from bot" not in source and "import bot" not in source and "from storage" not in source
