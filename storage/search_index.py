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

