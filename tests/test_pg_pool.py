"""The PostgreSQL tests' database pool (tests/support/pg_pool.py): a database given back is lent again only
when no test could tell it from a new copy of the template; one whose schema a test changed is dropped."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from storage import contracts
from storage.db import open_database
from tests.support.pg_pool import DatabasePool
from tests.support.postgres import PostgresServer
from tests.test_search_index import DEFAULTS, NOW, _values


@pytest.fixture
def server(postgres: PostgresServer | None) -> PostgresServer:
    if postgres is None:
        pytest.skip("no PostgreSQL binaries on this machine (CI installs them)")
    return postgres


@pytest.fixture
def pool(server: PostgresServer) -> Iterator[DatabasePool]:
    pool = DatabasePool(server)  # its own, so that what it counts is this test's
    yield pool
    for names in pool._idle.values():
        for name in names:
            server.drop_database(name)


def add_contracts(url: str, count: int) -> list[int]:
    """`count` contracts made as `/contract add` makes them (rows in contracts, audit, search index)."""
    engine, factory = open_database(url)
    try:
        with factory.begin() as session:
            return [contracts.create(session, values=_values(random.Random(n), n), defaults=DEFAULTS, actor="U1",
                                     now=NOW).id for n in range(1, count + 1)]
    finally:
        engine.dispose()


def rows_per_table(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            return {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
    finally:
        engine.dispose()


def database_exists(server: PostgresServer, name: str) -> bool:
    engine = sa.create_engine(server.url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(sa.text("SELECT count(*) FROM pg_database WHERE datname = :n"),
                                     {"n": name}).scalar_one())
    finally:
        engine.dispose()


def test_a_database_given_back_is_lent_again_as_a_new_copy_would_be(
        server: PostgresServer, pool: DatabasePool, migrated_postgres: str) -> None:
    first = pool.lend(migrated_postgres)
    url = server.url_for(first)
    new = rows_per_table(url)
    ids = add_contracts(url, 3)
    assert ids == [1, 2, 3]
    written = rows_per_table(url)
    assert {t for t, n in written.items() if n > new[t]} >= {"contracts", "audit_events"}  # the positive control
    lingering_engine = sa.create_engine(url)
    lingering = lingering_engine.connect()  # a connection a test left open is closed, not waited for
    lingering.execute(sa.text("SELECT 1"))

    pool.give_back(first)
    again = pool.lend(migrated_postgres)

    with pytest.raises(sa.exc.OperationalError, match="terminating connection"):
        lingering.execute(sa.text("SELECT 1"))
    lingering.close()
    lingering_engine.dispose()

    assert (again, pool.created, pool.reused, pool.dropped) == (first, 1, 1, 0)
    assert rows_per_table(url) == new  # alembic_version kept, everything else empty
    assert add_contracts(url, 2) == [1, 2]  # the sequences start again where a new copy's do
    pool.give_back(again)


@pytest.mark.parametrize("change", [
    "ALTER TABLE contracts ADD COLUMN extra integer",
    "ALTER TABLE contracts DISABLE TRIGGER ALL",
    "CREATE INDEX extra_index ON contracts (title)",
    "UPDATE alembic_version SET version_num = '0001'",
    "DROP TABLE alembic_version",
    "CREATE SCHEMA extra",
], ids=["column", "trigger", "index", "revision", "table", "schema"])
def test_a_database_whose_schema_a_test_changed_is_dropped_not_lent_again(
        server: PostgresServer, pool: DatabasePool, migrated_postgres: str, change: str) -> None:
    first = pool.lend(migrated_postgres)
    engine = sa.create_engine(server.url_for(first))
    with engine.begin() as conn:
        conn.execute(sa.text(change))
    engine.dispose()

    pool.give_back(first)
    second = pool.lend(migrated_postgres)

    assert second != first and (pool.created, pool.reused, pool.dropped) == (2, 0, 1)
    assert not database_exists(server, first)
    pool.give_back(second)
    assert pool.lend(migrated_postgres) == second  # the positive control: an unchanged one is lent again
