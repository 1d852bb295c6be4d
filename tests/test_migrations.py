"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
and applying them again is a no-op."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.db import make_engine, upgrade
from storage.models import Base
from storage.search_index import not_in_models


def test_migrations_match_the_models(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine)
        upgrade(engine)  # a second run changes nothing and does not fail
        with engine.connect() as connection:
            # The word-search index (FTS5 table and triggers, pg_trgm index) is not an ORM model: ignored
            # by name, as autogenerate ignores it (storage/search_index.py); tests/test_search_index.py checks it.
            context = MigrationContext.configure(connection, opts={"include_name": not_in_models})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        tables = set(inspect(engine).get_table_names())
        assert {"contracts", "vendors", "amendments", "audit_events", "alerts", "incidents", "sla_terms",
                "sla_policies", "alembic_version"} <= tables
    finally:
        engine.dispose()
