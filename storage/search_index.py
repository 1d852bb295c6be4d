"""The word-search indexes that are not ORM models (migration 0010), and how a query reaches them.

SQLite: `contracts_fts`, an FTS5 trigram table over `contracts.search_text` kept in sync by triggers.
It is asked with `search_text LIKE '%word%'` — which the trigram tokenizer answers from its index
(for a word of 3+ characters) — never with a MATCH string, whose query syntax (`OR`, `NEAR(`, `"`,
`*`) would be an injection surface. PostgreSQL: a `pg_trgm` GIN index on `contracts.search_text`,
which the planner uses for the same LIKE on the table itself: nothing to do here.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, and_, column, select, table, text
from sqlalchemy.orm import Session

FTS_TABLE = "contracts_fts"
FTS_TRIGGERS = ("contracts_fts_insert", "contracts_fts_delete", "contracts_fts_update")
TRIGRAM_INDEX = "ix_contracts_search_trgm"
MIN_INDEXED = 3  # a trigram index cannot answer a shorter word: it is a filter on what the longer ones found

_PLAIN = re.compile(r"[a-z0-9]+")  # what bot.text.words yields: no LIKE wildcard, nothing to escape
_fts = table(FTS_TABLE, column("rowid"), column("search_text"))
_READY = "contractbot_fts_ready"


def not_in_models(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Alembic `include_name`: False for the search objects the models do not describe (the FTS5
    table and its shadow tables `contracts_fts_*`, the trigram index): autogenerate and the
    models-versus-migrations test must neither drop them nor report them as differences."""
    if type_ == "table" and name is not None and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")):
        return False
    return not (type_ == "index" and name == TRIGRAM_INDEX)


def indexable(term: str) -> bool:
    return len(term) >= MIN_INDEXED and _PLAIN.fullmatch(term) is not None


def fts_ready(session: Session) -> bool:
    """Whether this SQLite database has the FTS5 table (SQLite without trigram support has none).
    Remembered on the DBAPI connection once found, so a search pays the look-up once per connection."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    if connection.info.get(_READY):
        return True
    found = connection.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
                               {"name": FTS_TABLE}).first() is not None
    if found:
        connection.info[_READY] = True
    return found


def fts_candidates(terms: list[str]) -> Select[tuple[int]]:
    """Ids of the contracts whose folded text contains every one of `terms` (each `indexable`)."""
    return select(_fts.c.rowid).where(and_(*[_fts.c.search_text.like(f"%{term}%") for term in terms]))
