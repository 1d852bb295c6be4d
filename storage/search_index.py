"""The word-search indexes that are not ORM models (migration 0010), and how a query reaches them.

SQLite: `contracts_fts`, an FTS5 trigram table over `contracts.search_text` kept in sync by triggers.
A word of 3+ characters is asked as a quoted phrase (`"licences"`): for the trigram tokenizer that is
exactly "contains this substring", answered from the index alone. (`search_text LIKE '%w%'` on the FTS
table is served by the same index, but SQLite then re-checks the LIKE on every candidate, reading its
row from `contracts`: a common word costs as much as the plain scan.) FTS5 query syntax (`OR`, `NEAR(`,
`"`, `*`, `-`, `:`) is an injection surface, so only words made of `[a-z0-9]` — what `bot.text.words`
yields — ever reach a MATCH, bound as a parameter; anything else stays a plain LIKE filter.
PostgreSQL: a `pg_trgm` GIN index on `contracts.search_text`, which the planner uses for the same
`LIKE` on the table itself: nothing to do here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, TextClause, bindparam, column, func, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from storage.bulk_load import begin_write
from storage.models import Contract

FTS_TABLE = "contracts_fts"
FTS_TRIGGERS = ("contracts_fts_insert", "contracts_fts_delete", "contracts_fts_update")
TRIGRAM_INDEX = "ix_contracts_search_trgm"
RANK_INDEX = "ix_contracts_renewal_window"  # (act_by, status, end_date): rank order, covering the status
MIN_INDEXED = 3  # a trigram index cannot answer a shorter word: it is a filter on what the longer ones found

_PLAIN = re.compile(r"[a-z0-9]+")  # what bot.text.words yields: no LIKE wildcard, nothing to escape
_fts = table(FTS_TABLE, column("rowid"), column("search_text"))
_READY = "contractbot_fts_ready"


def not_in_models(name: str | None, type_: str, parent_names: Any) -> bool:
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
    return has_fts(session.connection())


def has_fts(connection: Connection) -> bool:
    if connection.dialect.name != "sqlite":
        return False
    if connection.info.get(_READY):
        return True
    found = connection.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
                               {"name": FTS_TABLE}).first() is not None
    if found:
        connection.info[_READY] = True
    return found


def fts_candidates(terms: Sequence[str]) -> Select[tuple[int]]:
    """Ids of the contracts whose folded text contains every one of `terms` (each `indexable`)."""
    return select(_fts.c.rowid).where(_match(terms))


def _match(terms: Sequence[str]) -> TextClause:
    return text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=_query(terms))


def _query(terms: Sequence[str]) -> str:
    """Every term as a quoted phrase, all required: `"licences" AND "paris"`."""
    if not all(indexable(term) for term in terms):
        raise ValueError("only [a-z0-9] words of 3+ characters may reach an FTS5 MATCH")
    return " AND ".join(f'"{term}"' for term in terms)


INDEX_ORDER_SHARE = 150  # walk the act-by index when ≥ 1 contract in 150 matches (10 hits within ~1,500 entries)


def first_matches(session: Session, *, terms: Sequence[str], closed: Sequence[str], limit: int,
                  share: int = INDEX_ORDER_SHARE) -> tuple[list[int], int]:
    """The ids of the first `limit` contracts containing every term — in force first, then by act-by
    date, then id — and how many there are, from the FTS5 table (every term `indexable`).

    The count is the index's alone. The first ones: for a rare word, rank the few candidates (one row
    read each); for a common one (thousands of candidates: reading each row cost ~4 µs), walk the
    covering act-by index in rank order and stop at the `limit`-th candidate met. `share`: where the
    second way starts (a test runs both)."""
    total = session.scalar(select(func.count()).select_from(_fts).where(_match(terms))) or 0
    if total == 0:
        return [], 0
    size = session.scalar(select(func.max(Contract.id))) or 0
    if total * share < size:
        in_force_first = func.coalesce(Contract.status.in_(closed), False)
        stmt = (select(Contract.id).where(Contract.id.in_(fts_candidates(terms)))
                .order_by(in_force_first, Contract.act_by, Contract.id).limit(limit))
        return list(session.scalars(stmt)), total
    ids: list[int] = []
    for group in ("NOT IN", "IN"):  # in force, then closed
        walk = text(f"SELECT id FROM contracts INDEXED BY {RANK_INDEX} WHERE status {group} :closed"
                    f" AND id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query)"
                    " ORDER BY act_by, id LIMIT :limit").bindparams(bindparam("closed", expanding=True))
        ids += session.scalars(walk, {"closed": list(closed), "fts_query": _query(terms), "limit": limit - len(ids)})
        if len(ids) == limit:
            break
    return ids, total



# The insert trigger of migration 0010 exactly as SQLite keeps it (`sqlite_master.sql`): the one place the
# product holds it. Migration 0010 keeps its own frozen copy (migrations import nothing of the product);
# tests/test_import_fts.py checks that the two agree, byte for byte.
FTS_INSERT_TRIGGER = FTS_TRIGGERS[0]
FTS_INSERT_TRIGGER_SQL = ("CREATE TRIGGER contracts_fts_insert AFTER INSERT ON contracts BEGIN"
                          " INSERT INTO contracts_fts (rowid, search_text) VALUES (new.id, new.search_text); END")


class DeferredIndexing:
    """New contracts indexed in bulk — one `INSERT INTO contracts_fts … SELECT` — instead of by the insert
    trigger, row by row (~7 µs a row less at 100,000 rows); for the bulk import, on SQLite with the FTS5 table.

    `start()` drops the insert trigger *inside the caller's transaction* (SQLite DDL is transactional; a
    `BEGIN IMMEDIATE` first if none is open yet, since Python's sqlite3 would run the DDL on its own,
    committed at once) and remembers the highest contract id; `finish()` indexes every contract above it
    and creates the trigger again with the same SQL. A rolled-back import takes the drop back with
    everything else: the trigger and the index are as they were. The delete and update triggers stay in
    place, so an import's updates of existing contracts are re-indexed as before. No other connection
    can insert a contract while the trigger is away: the import holds SQLite's write lock from its first
    write (here: at the latest the `DROP TRIGGER`) until it commits, so a concurrent `/contract add` waits
    for it (busy timeout) and then fires the trigger, which is back; readers keep seeing the last
    committed schema, triggers included. Without the FTS5 table, or with an insert trigger other than
    the one this stands in for, `start()` does nothing (returns False) and the trigger keeps indexing."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._since: int | None = None  # contracts above this id are not indexed yet; None: not started

    @property
    def active(self) -> bool:
        return self._since is not None

    def start(self) -> bool:
        if self._since is not None:
            return True
        connection = self._connection
        if not has_fts(connection):
            return False
        stored = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                            (FTS_INSERT_TRIGGER,)).scalar()
        if stored != FTS_INSERT_TRIGGER_SQL:
            return False
        begin_write(connection)
        self._since = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM contracts").scalar()
        connection.exec_driver_sql(f"DROP TRIGGER {FTS_INSERT_TRIGGER}")
        return True

    def finish(self) -> None:
        """Index the contracts inserted since `start()` and put the insert trigger back (no-op if not started).
        New rows' ids are above the highest id at `start()`: an INTEGER PRIMARY KEY takes max + 1."""
        if self._since is None:
            return
        self._connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE} (rowid, search_text)"
                                         " SELECT id, search_text FROM contracts WHERE id > ?", (self._since,))
        self._connection.exec_driver_sql(FTS_INSERT_TRIGGER_SQL)
        self._since = None
