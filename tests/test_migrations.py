"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
and applying them again is a no-op."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.db import make_engine, upgrade
from storage.models import Base


def test_migrations_match_the_models(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine)
        upgrade(engine)  # a second run changes nothing and does not fail
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        tables = set(inspect(engine).get_table_names())
        assert {"contracts", "vendors", "amendments", "audit_events", "alerts", "incidents", "sla_terms",
                "sla_policies", "alembic_version"} <= tables
    finally:
        engine.dispose()
