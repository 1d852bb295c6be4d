"""Indexes for word search and /renewals (issue 6, answer speed).

- `/renewals`: `ix_contracts_renewal_window (act_by, status, end_date)`, so the window's count and
  page read the index alone instead of the table row of each of ~9,000 matches. It replaces
  `ix_contracts_act_by (act_by)`, its prefix: with both, SQLite walked the narrower one for the page
  and read the table row of every overdue or closed contract on the way (21 → 8 ms at 100k).
- `/contract list vendor:…`: `ix_contracts_vendor_list (vendor_id, end_date, reference)` replaces
  `ix_contracts_vendor_id`, its prefix: one vendor's page is walked in list order (200 rows read)
  instead of sorting all of its contracts (5,000 rows read for a big vendor).
- Word search, SQLite: `contracts_fts`, an FTS5 table with the trigram tokenizer over
  `contracts.search_text` (external content: it stores the index only, the text stays in `contracts`),
  kept in sync by three triggers — they also see the bulk import's Core inserts and any hand edit
  in SQL — and filled here from the existing rows ('rebuild'). Needs SQLite ≥ 3.34 with FTS5; without
  it nothing is created and the search scans as before (correct, only slower).
- Word search, PostgreSQL: the `pg_trgm` extension and a GIN trigram index on `search_text`, which
  serves `search_text LIKE '%word%'`. When the extension cannot be created (no CREATE privilege on
  the database, contrib not installed) the migration still succeeds without the index: the search
  is the same, only slower (docs/operations.md).

None of these is an ORM model but the B-tree index; tests/test_migrations.py ignores the others
by name (storage/search_index.py). A later SQLite batch migration that copies `contracts` drops the
triggers with the old table: it must create them again (see `_create_fts`).

Revision ID: 0010
Revises: 0009
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

logger = logging.getLogger("storage.migrations")

FTS_TRIGGERS = {
    "contracts_fts_insert": "AFTER INSERT ON contracts BEGIN"
                            " INSERT INTO contracts_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
    "contracts_fts_delete": "AFTER DELETE ON contracts BEGIN"
                            " INSERT INTO contracts_fts (contracts_fts, rowid, search_text)"
                            " VALUES ('delete', old.id, old.search_text); END",
    "contracts_fts_update": "AFTER UPDATE OF search_text ON contracts BEGIN"
                            " INSERT INTO contracts_fts (contracts_fts, rowid, search_text)"
                            " VALUES ('delete', old.id, old.search_text);"
                            " INSERT INTO contracts_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
}


def _sqlite_has_trigram(bind: sa.Connection) -> bool:
    version = tuple(int(part) for part in str(bind.exec_driver_sql("SELECT sqlite_version()").scalar()).split("."))
    if version < (3, 34):
        return False
    options = {row[0] for row in bind.exec_driver_sql("PRAGMA compile_options")}
    return "ENABLE_FTS5" in options


def _create_fts(bind: sa.Connection) -> None:
    bind.exec_driver_sql("CREATE VIRTUAL TABLE contracts_fts USING fts5("
                         "search_text, content='contracts', content_rowid='id', tokenize='trigram')")
    for name, body in FTS_TRIGGERS.items():
        bind.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
    bind.exec_driver_sql("INSERT INTO contracts_fts (contracts_fts) VALUES ('rebuild')")


def _create_trigram_index(bind: sa.Connection) -> None:
    """pg_trgm and its GIN index, each in a savepoint: a refusal leaves the migration's transaction usable."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        logger.warning("pg_trgm could not be created (%s): word search will scan without an index; see "
                       "docs/operations.md", str(error.orig).strip().splitlines()[0] if error.orig else error)
        return
    bind.exec_driver_sql("CREATE INDEX ix_contracts_search_trgm ON contracts USING gin (search_text gin_trgm_ops)")


def upgrade() -> None:
    op.create_index('ix_contracts_renewal_window', 'contracts', ['act_by', 'status', 'end_date'], unique=False)
    op.drop_index('ix_contracts_act_by', table_name='contracts')
    op.create_index('ix_contracts_vendor_list', 'contracts', ['vendor_id', 'end_date', 'reference'], unique=False)
    op.drop_index('ix_contracts_vendor_id', table_name='contracts')
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        if _sqlite_has_trigram(bind):
            _create_fts(bind)
        else:
            logger.warning("this SQLite has no FTS5 trigram tokenizer (needs 3.34+): word search will scan")
    elif bind.dialect.name == "postgresql":
        _create_trigram_index(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in FTS_TRIGGERS:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        bind.exec_driver_sql("DROP TABLE IF EXISTS contracts_fts")
    elif bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_contracts_search_trgm")
        try:  # only if nothing else uses it (RESTRICT), and only if this role may
            with bind.begin_nested():
                bind.exec_driver_sql("DROP EXTENSION IF EXISTS pg_trgm")
        except sa.exc.DBAPIError:
            pass
    op.create_index('ix_contracts_vendor_id', 'contracts', ['vendor_id'], unique=False)
    op.drop_index('ix_contracts_vendor_list', table_name='contracts')
    op.create_index('ix_contracts_act_by', 'contracts', ['act_by'], unique=False)
    op.drop_index('ix_contracts_renewal_window', table_name='contracts')
