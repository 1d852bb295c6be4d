"""Migration 0011 (durations as written) on a database at 0010 with rows in every duration column: the
texts stay as they were, the new CHECKs accept any unit (`12mo`, `2w`, `120min`) within the bounds and still
refuse anything else; SQLite's word-search triggers survive the table copies. The downgrade rewrites each
text as its shortest form (`12mo` → `1y`, `2w` → `14d`) and puts 0009's CHECKs back. SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from datetime import UTC
from functools import cache
from types import ModuleType

import pytest
from sqlalchemy import CheckConstraint, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from bot.contract_values import ContractValues
from bot.durations import Duration, parse_duration
from storage import contracts
from storage.db import MIGRATIONS, make_engine, make_session_factory, upgrade
from storage.models import Base, Contract, Incident, Obligation, RevisionClause, SlaTerm
from tests.test_migration_0009 import (
    DURATION_COLUMNS,
    NOW,
    D,
    _at,
    _clause,
    _contract,
    _incident,
    _obligation,
    _sla_term,
    _vendor,
    _version,
)


@cache
def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("m0011", MIGRATIONS / "versions" / "0011_duration_as_written.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stored(engine: Engine) -> dict[str, list[tuple[str | None, ...]]]:
    """Every duration column's raw texts, table by table, in row order."""
    with engine.connect() as connection:
        return {table: [tuple(row) for row in connection.execute(text(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY {'contract_id' if table == 'revision_clauses' else 'id'}"
        ))] for table, columns in DURATION_COLUMNS.items()}


def _triggers(engine: Engine) -> set[str]:
    if engine.dialect.name != "sqlite":
        return set()
    with engine.connect() as connection:
        return set(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())


def _fill_at_0010(engine: Engine) -> None:
    with engine.begin() as connection:  # the shortest texts, as 0009 stored them
        _vendor(connection)
        _contract(connection, 1, "3mo", "1y", "15d")
        _contract(connection, 2, "0d", "2y", "14d")
        _sla_term(connection, 1, "30min", "2h")
        _sla_term(connection, 2, "4h", "3bd")
        _incident(connection, 1, "15min", "8h")
        _incident(connection, 2, None, None)
        _obligation(connection, 1, "1mo")
        _obligation(connection, 2, None)
        _clause(connection, 1, "1y")


def test_upgrade_keeps_every_text_and_then_accepts_any_unit_and_downgrade_rewrites_the_shortest(
        empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0010")
        _fill_at_0010(engine)
        before, triggers = _stored(engine), _triggers(engine)
        upgrade(engine)
        assert _version(engine) == "0011"
        assert _stored(engine) == before  # nothing rewritten
        assert _triggers(engine) == triggers  # the word-search triggers are back after SQLite's table copies
        with engine.begin() as connection:  # texts in any unit, by raw SQL
            connection.execute(text("UPDATE contracts SET notice = '2w', term = '12mo', lead = '0mo' WHERE id = 1"))
            connection.execute(text("UPDATE sla_terms SET response = '120min', resolution = '48h' WHERE id = 1"))
            connection.execute(text("UPDATE incidents SET response_target = '60min' WHERE id = 1"))
            connection.execute(text("UPDATE obligations SET every = '12mo' WHERE id = 1"))
            connection.execute(text("UPDATE revision_clauses SET every = '24mo' WHERE contract_id = 1"))
        for table, columns in DURATION_COLUMNS.items():
            for column in columns:
                for bad in ("012mo", "5x", "101y", "3 mo", "3MO", "90 days", "", "5218w", "1201mo"):
                    with pytest.raises(IntegrityError), engine.begin() as connection:
                        connection.execute(text(f"UPDATE {table} SET {column} = :bad"), {"bad": bad})
        if engine.dialect.name == "postgresql":  # the rows above were inserted with their ids
            with engine.begin() as connection:
                connection.execute(text("SELECT setval(pg_get_serial_sequence('contracts', 'id'), 10)"))
        factory = make_session_factory(engine)
        with factory.begin() as session:  # the ORM reads each in its unit, and writes a new one as written
            contract = session.get(Contract, 1)
            assert contract is not None
            assert (contract.notice.written(), contract.term.written(), contract.lead.written()) == ("2w", "12mo", "0mo")
            assert contract.term == Duration(months=12)
            values = ContractValues(reference="NEW-1", title="Quantum licences", vendor="V", end=D,
                                    term=parse_duration("6 mois"), notice=parse_duration("2 semaines"),
                                    given={"reference", "title", "vendor", "end", "term", "notice"})
            contracts.create(session, values=values, defaults=contracts.Defaults(currency="EUR", lead=Duration()),
                             actor="U1", now=NOW.replace(tzinfo=UTC))
        with engine.connect() as connection:
            assert tuple(connection.execute(text("SELECT notice, term FROM contracts WHERE reference = 'NEW-1'"))
                         .one()) == ("2w", "6mo")
        with factory() as session:  # inserted after the upgrade: the triggers indexed it
            assert [c.reference for c in contracts.search(session, query="quantum").contracts] == ["NEW-1"]

        _at(engine, "0010", down=True)
        assert _version(engine) == "0010"
        assert _triggers(engine) == triggers
        after = _stored(engine)
        assert after["contracts"][:2] == [("14d", "1y", "0d"), ("0d", "2y", "14d")]
        assert after["contracts"][2][:2] == ("14d", "6mo")
        assert after["sla_terms"] == [("2h", "48h"), ("4h", "3bd")]
        assert after["incidents"] == [("1h", "8h"), (None, None)]
        assert after["obligations"] == [("1y",), (None,)]
        assert after["revision_clauses"] == [("2y",)]
        for bad in ("12mo", "2w", "120min", "0mo"):  # 0009's CHECKs are back
            with pytest.raises(IntegrityError), engine.begin() as connection:
                connection.execute(text("UPDATE contracts SET term = :bad WHERE id = 1"), {"bad": bad})
        upgrade(engine)  # and up again
        assert _stored(engine) == after
        with make_session_factory(engine)() as session:
            assert [t.resolution for t in session.query(SlaTerm).order_by(SlaTerm.id)] == [
                Duration(minutes=48 * 60), Duration(business_days=3)]
            assert [i.response_target for i in session.query(Incident).order_by(Incident.id)] == [Duration(minutes=60),
                                                                                               None]
            assert [o.every for o in session.query(Obligation).order_by(Obligation.id)] == [Duration(months=12), None]
            assert session.get(RevisionClause, 1).every == Duration(months=24)  # type: ignore[union-attr]
    finally:
        engine.dispose()


def test_the_models_declare_the_expression_the_migration_creates(empty_db_url: str) -> None:
    migration = _migration()
    for table, columns in DURATION_COLUMNS.items():
        declared = {c.name: str(c.sqltext) for c in Base.metadata.tables[table].constraints
                    if isinstance(c, CheckConstraint)}
        for column in columns:
            assert declared[f"ck_{table}_{column}"] == migration.check(column)
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine)
        inspector = inspect(engine)
        for table in DURATION_COLUMNS:
            reflected = {c["name"] for c in inspector.get_check_constraints(table)}
            declared_names = {c.name for c in Base.metadata.tables[table].constraints
                              if isinstance(c, CheckConstraint)}
            assert reflected == declared_names
    finally:
        engine.dispose()


@pytest.mark.parametrize(("written", "shortest"), [("12mo", "1y"), ("13mo", "13mo"), ("2w", "14d"), ("0mo", "0d"),
                                                   ("120min", "2h"), ("90min", "90min"), ("1y", "1y"), ("3bd", "3bd"),
                                                   ("48h", "48h"), ("5217w", "36519d"), ("0w", "0d")])
def test_the_downgrade_rewrites_the_shortest_text_of_the_same_duration(written: str, shortest: str) -> None:
    assert _migration().shortest(written) == shortest
    assert parse_duration(shortest) == parse_duration(written)
    assert parse_duration(written).canonical() == shortest  # the grammar's own shortest form agrees
