"""Migration 0010 (search indexes) on a database that already has contracts: after the upgrade the
word search finds them through the index (it was filled from the existing rows) and keeps finding
new ones; the downgrade removes every object it made. On PostgreSQL, a role that may not create the
pg_trgm extension still migrates, without the trigram index, and searches the same. Both backends."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine, insert

from bot.contract_values import ContractValues
from bot.durations import parse_duration
from storage import contract_import, contracts, search_index
from storage.db import alembic_config, make_engine, make_session_factory, upgrade
from storage.models import Contract, Vendor

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DEFAULTS = contracts.Defaults(currency="EUR", lead=parse_duration("0d"))
TITLES = ["Database Enterprise licences", "ERP maintenance", "premier support", "cloud migration programme"]
NEW_INDEXES = {"ix_contracts_renewal_window", "ix_contracts_vendor_list"}
OLD_INDEXES = {"ix_contracts_act_by", "ix_contracts_vendor_id"}


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _fill(engine: Engine, count: int) -> None:
    """Contracts written at 0009 the way the import writes them (Core insert of `contract_import.new_contract`'s rows)."""
    with engine.begin() as connection:
        vendor_id = connection.execute(insert(Vendor.__table__).returning(Vendor.__table__.c.id),
                                       [{"name": "Oracle", "name_key": "oracle", "created_at": NOW}]).scalar_one()
        rows = []
        for number in range(count):
            values = ContractValues(reference=f"OLD-{number:03d}", title=f"{TITLES[number % 4]} {number}",
                                    vendor="Oracle", end=date(2027, 1, 1 + number % 28),
                                    term=parse_duration("1y"),  # as 0009 stored the default term (12mo since 0011)
                                    given={"reference", "title", "vendor", "end", "term"})
            row = contract_import.new_contract(values, defaults=DEFAULTS, vendor_id=vendor_id, vendor_name="Oracle",
                                               folded_vendor="oracle", now=NOW)[0]
            rows.append(dict(zip(contract_import.NEW_COLUMNS, row, strict=True)))
        connection.execute(insert(Contract.__table__), rows)


def _objects(engine: Engine) -> set[str]:
    """The names of the indexes, tables and triggers on or about `contracts`, and the extensions."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return set(connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'contracts' OR name LIKE 'contracts_fts%'").scalars())
        indexes = connection.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'contracts'")
        extensions = connection.exec_driver_sql("SELECT extname FROM pg_extension")
        return set(indexes.scalars()) | set(extensions.scalars())


def _ranked(numbers) -> list[str]:  # type: ignore[no-untyped-def]
    """In rank order: all in force, act-by = end (no notice), then id (= number + 1)."""
    return [f"OLD-{n:03d}" for n in sorted(numbers, key=lambda n: (1 + n % 28, n))]


def _search(engine: Engine, query: str) -> tuple[list[str], int]:
    with make_session_factory(engine)() as session:
        found = contracts.search(session, query=query)
        return [c.reference for c in found.contracts], found.total


def test_upgrade_indexes_existing_contracts_and_downgrade_removes_it_all(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        _migrate(engine, "0009")
        before = _objects(engine)
        _fill(engine, 40)
        upgrade(engine)
        made = _objects(engine) - before
        if engine.dialect.name == "sqlite":
            assert {"contracts_fts", "contracts_fts_insert", "contracts_fts_update", "contracts_fts_delete"} <= made
        else:
            assert {search_index.TRIGRAM_INDEX, "pg_trgm"} <= made
        assert NEW_INDEXES <= made and not OLD_INDEXES & _objects(engine)

        assert _search(engine, "licences") == (_ranked(range(0, 40, 4))[:10], 10)
        assert _search(engine, "maintenance 13") == (["OLD-013"], 1)  # a short word filters what the index found
        assert _search(engine, "premier 4") == (_ranked([14, 34]), 2)
        with make_session_factory(engine).begin() as session:  # written after the upgrade: the triggers index it
            contracts.create(session, values=ContractValues(reference="NEW-1", title="Quantum licences", vendor="IBM",
                                                            end=date(2027, 3, 1),
                                                            given={"reference", "title", "vendor", "end"}),
                             defaults=DEFAULTS, actor="U1", now=NOW)
        assert _search(engine, "quantum licen") == (["NEW-1"], 1)
    finally:
        engine.dispose()

    engine = make_engine(empty_db_url)  # a fresh pool: no connection remembers the FTS table
    try:
        _migrate(engine, "0009", down=True)
        assert _objects(engine) == before
        assert _search(engine, "quantum licen") == (["NEW-1"], 1)  # the plain scan, same answer
        assert _search(engine, "licences")[1] == 11
        upgrade(engine)  # and up again, from the rows as they are now
        assert _search(engine, "licences")[1] == 11
    finally:
        engine.dispose()


def test_postgresql_without_the_right_to_create_pg_trgm_still_migrates_and_searches(postgres) -> None:  # type: ignore[no-untyped-def]
    if postgres is None:
        pytest.skip("no PostgreSQL binaries on this machine (CI installs them)")
    name = "t_" + uuid.uuid4().hex[:12]
    role = "r_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(postgres.create_database(name), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:  # may use the schema, may not CREATE in the database (extensions)
            connection.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
            connection.exec_driver_sql(f'ALTER SCHEMA public OWNER TO "{role}"')
            connection.exec_driver_sql(f'REVOKE CREATE ON DATABASE "{name}" FROM PUBLIC')
        engine = make_engine(postgres.url_for(name).replace("postgres@", f"{role}@"))
        try:
            upgrade(engine)
            objects = _objects(engine)
            assert "pg_trgm" not in objects and search_index.TRIGRAM_INDEX not in objects
            assert NEW_INDEXES <= objects
            with make_session_factory(engine).begin() as session:
                contracts.create(session, values=ContractValues(reference="PG-1", title="Quantum licences",
                                                                vendor="IBM", end=date(2027, 3, 1),
                                                                given={"reference", "title", "vendor", "end"}),
                                 defaults=DEFAULTS, actor="U1", now=NOW)
            assert _search(engine, "quantum licen") == (["PG-1"], 1)
        finally:
            engine.dispose()
    finally:
        admin.dispose()
