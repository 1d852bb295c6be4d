"""A big import indexes its new contracts for word search in bulk (SQLite: the FTS5 insert trigger of
migration 0010 dropped inside the import's transaction, one `INSERT … SELECT` before commit, the trigger
created again): afterwards the search finds exactly what a brute-force substring check finds, the
triggers are byte for byte what they were and index a later `/contract add`; an import that fails (a bad
row, or an error half-way) leaves the triggers and the index exactly as they were. SQLite and PostgreSQL
(where the pg_trgm index needs nothing of the import), the trigger checks on SQLite."""

from __future__ import annotations

import csv
import importlib.util
import io
import random
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.contract_values import ContractValues
from bot.csv_io import HEADER, ImportRejected, ImportReport, import_contracts, read_rows
from storage import contract_import, contracts, search_index, vendors
from storage.models import Contract
from tests.test_search_index import DEFAULTS, NOW, VENDORS, _brute_force, _query, _title, _values

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

PARIS = ZoneInfo("Europe/Paris")
MIGRATION_0010 = Path(contract_import.__file__).parent / "migrations" / "versions" / "0010_search_indexes.py"
NEW = contract_import.BULK_INDEX_FROM + 1_500  # the first batch alone has more new rows than the threshold
FTS_SHADOW = ("contracts_fts_data", "contracts_fts_idx", "contracts_fts_docsize", "contracts_fts_config")


def _row(rng: random.Random, number: int, *, title: str | None = None) -> dict[str, str]:
    end = date(2027, 1, 1) + timedelta(days=rng.randint(-400, 700))
    return {"reference": f"REF-{number:04d}", "title": title or _title(rng), "vendor": rng.choice(VENDORS),
            "end_date": end.isoformat(), "status": rng.choice(["", "active", "negotiating", "terminated"]),
            "notice": f"{rng.randint(0, 90)}d"}


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _import(session: Session, rows: list[dict[str, str]]) -> ImportReport:
    return import_contracts(session, _csv(rows), defaults=DEFAULTS, tz=PARIS, now=NOW)


def _existing(session_factory: sessionmaker[Session], rng: random.Random, count: int) -> None:
    """`count` contracts made by `/contract add` (indexed by the trigger), every vendor already known."""
    with session_factory.begin() as session:
        for name in VENDORS:
            vendors.get_or_create(session, name=name, now=NOW)
        for number in range(count):
            contracts.create(session, values=_values(rng, number), defaults=DEFAULTS, actor="U1", now=NOW)


def _sqlite(session_factory: sessionmaker[Session]) -> bool:
    return session_factory.kw["bind"].dialect.name == "sqlite"


def _triggers(session: Session) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in session.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"))]


def _schema(session: Session) -> list[tuple[str, str, str]]:
    """The triggers and indexes of `contracts`, as SQLite keeps them (their SQL text)."""
    return [(str(r[0]), str(r[1]), str(r[2])) for r in session.execute(text(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'contracts' AND type IN ('index', 'trigger')"
        " ORDER BY type, name"))]


def _index_state(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """The FTS5 index itself, as stored (its shadow tables), and the triggers."""
    state = {name: [tuple(r) for r in session.execute(text(f"SELECT * FROM {name} ORDER BY 1"))] for name in FTS_SHADOW}
    return {**state, "schema": list(_schema(session))}


def _integrity_check(session: Session) -> None:
    """FTS5's own check that the index matches the rows of `contracts` (raises if not), and SQLite's that
    every B-tree index holds exactly the table's rows."""
    session.execute(text("INSERT INTO contracts_fts (contracts_fts, rank) VALUES ('integrity-check', 1)"))
    assert session.execute(text("PRAGMA integrity_check")).all() == [("ok",)]


def _checks_enforced(session: Session) -> None:
    """A contract breaking a CHECK is refused (the import skipped the CHECKs of values it had asked)."""
    assert session.scalar(text("PRAGMA ignore_check_constraints")) == 0
    assert session.scalar(text("PRAGMA cache_size")) == -2000  # the import's bigger page cache is given back
    with pytest.raises(IntegrityError, match="CHECK"), session.begin_nested():
        session.execute(text("UPDATE contracts SET notice = '012mo' WHERE id = (SELECT min(id) FROM contracts)"))


def _assert_search_is_brute_force(session: Session, rng: random.Random, queries: int = 150) -> None:
    rows = [(r[0], r[1], r[2], r[3]) for r in session.execute(
        select(Contract.id, Contract.search_text, Contract.status, Contract.act_by))]
    texts = [row[1] for row in rows]
    found_some = 0
    for _ in range(queries):
        query = _query(rng, texts)
        expected = _brute_force(rows, query)
        if not expected:
            continue
        found_some += 1
        result = contracts.search(session, query=query)
        assert ([c.id for c in result.contracts], result.total) == (expected[:10], len(expected)), query
    assert found_some > queries // 3


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_insert_trigger_is_migration_0010s(session_factory: sessionmaker[Session]) -> None:
    spec = importlib.util.spec_from_file_location("migration_0010", MIGRATION_0010)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    name = search_index.FTS_INSERT_TRIGGER
    assert search_index.FTS_INSERT_TRIGGER_SQL == f"CREATE TRIGGER {name} {migration.FTS_TRIGGERS[name]}"
    with session_factory() as session:
        assert dict(_triggers(session))[name] == search_index.FTS_INSERT_TRIGGER_SQL


def test_big_import_is_indexed_like_the_triggers_would(session_factory: sessionmaker[Session]) -> None:
    """New rows in bulk, existing ones updated (their title changed: the update trigger re-indexes them)
    before and after the insert trigger is dropped; then a `/contract add` goes through the trigger again."""
    rng = random.Random(11)
    _existing(session_factory, rng, 150)
    sqlite = _sqlite(session_factory)
    with session_factory() as session:
        before = _schema(session) if sqlite else []
    rows = [_row(rng, 1_000 + number) for number in range(NEW)]
    for number in range(0, 150, 3):  # spread over the file: in the first batch and the second
        rows.insert(rng.randrange(len(rows)), _row(rng, number, title=f"renamed {_title(rng)}"))
    with session_factory.begin() as session:
        result = _import(session, rows)
        assert (result.created, result.updated) == (NEW, 50)
    with session_factory() as session:
        if sqlite:
            assert _schema(session) == before  # the same SQL, byte for byte
            _integrity_check(session)
            _checks_enforced(session)
        _assert_search_is_brute_force(session, rng)
    with session_factory.begin() as session:  # /contract add, after the import: indexed by the trigger
        contracts.create(session, values=ContractValues(reference="LATER-1", title="quartzite zyxwv", vendor="IBM",
                                                        end=date(2027, 6, 30),
                                                        given={"reference", "title", "vendor", "end"}),
                         defaults=DEFAULTS, actor="U1", now=NOW)
    with session_factory() as session:
        found = contracts.search(session, query="quartzite zyxw")
        assert ([c.reference for c in found.contracts], found.total) == (["LATER-1"], 1)
        if sqlite:
            _integrity_check(session)
            assert search_index.first_matches(session, terms=["quartzite"], closed=["terminated"], limit=10)[1] == 1


def _rows_then_failure(rows: Iterator[tuple[int, ContractValues]], after: int) -> Iterator[tuple[int, ContractValues]]:
    for count, row in enumerate(rows):
        if count == after:
            raise RuntimeError("the file cannot be read any further")
        yield row


@pytest.mark.parametrize("how", ["bad row", "error half-way"])
def test_failed_import_leaves_index_and_triggers_as_they_were(session_factory: sessionmaker[Session],
                                                              how: str) -> None:
    """Every vendor exists, so the trigger's drop is the import's first write (a transaction is begun for
    it: Python's sqlite3 would otherwise run the DDL on its own, committed at once)."""
    rng = random.Random(12)
    _existing(session_factory, rng, 60)
    sqlite = _sqlite(session_factory)
    with session_factory() as session:
        state = _index_state(session) if sqlite else {}
        count = session.scalar(select(func.count()).select_from(Contract))
    rows = [_row(rng, 1_000 + number) for number in range(NEW)]
    # an update too: after the first batch (whose trigger drop is then the import's first write), or first
    rows.insert(2_100 if how == "bad row" else 0, {**_row(rng, 3), "title": "renamed before the failure"})
    if how == "bad row":
        rows[-5]["end_date"] = "not a date"
        with pytest.raises(ImportRejected) as rejected, session_factory.begin() as session:
            _import(session, rows)
        assert [line for line, _reason in rejected.value.errors] == [len(rows) - 5 + 2]
    else:
        with pytest.raises(RuntimeError), session_factory.begin() as session:
            errors: list[tuple[int, str]] = []
            contract_import.write_all(session, _rows_then_failure(read_rows(_csv(rows), tz=PARIS, now=NOW,
                                                                            errors=errors), after=NEW - 100),
                                      defaults=DEFAULTS, actor="import", now=NOW)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Contract)) == count
        if sqlite:
            assert _index_state(session) == state  # the index, the triggers and B-tree indexes, as stored
            _integrity_check(session)
            _checks_enforced(session)
    with session_factory.begin() as session:  # and the trigger still indexes what comes next
        contracts.create(session, values=ContractValues(reference="AFTER-1", title="quartzite", vendor="IBM",
                                                        end=date(2027, 6, 30),
                                                        given={"reference", "title", "vendor", "end"}),
                         defaults=DEFAULTS, actor="U1", now=NOW)
    with session_factory() as session:
        assert [c.reference for c in contracts.search(session, query="quartzite").contracts] == ["AFTER-1"]
        if sqlite:
            _integrity_check(session)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_while_the_trigger_is_away_other_writers_wait(session_factory: sessionmaker[Session], db_url: str) -> None:
    """The drop is inside the import's transaction: another connection still sees the trigger, and cannot
    write (SQLite's write lock) until the import ends — with the trigger back."""
    rng = random.Random(13)
    _existing(session_factory, rng, 5)
    path = db_url.removeprefix("sqlite:///")
    batch = [(line, _values(rng, 1_000 + line)) for line in range(2, 2 + NEW)]
    with session_factory() as session:
        schema = _schema(session)
    with session_factory.begin() as session:
        writer = contract_import.Writer(session, defaults=DEFAULTS, actor="import", now=NOW, bulk=True)
        assert writer.write(batch).created == NEW
        indexing = writer.indexing
        assert indexing is not None and indexing.active
        assert search_index.FTS_INSERT_TRIGGER not in dict(_triggers(session))
        assert [name for _type, name, _sql in _schema(session)] == [  # the unique index stays
            "sqlite_autoindex_contracts_1", "contracts_fts_delete", "contracts_fts_update"]
        other = sqlite3.connect(path, timeout=0)
        try:
            seen = other.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                 (search_index.FTS_INSERT_TRIGGER,)).fetchone()
            assert seen == (search_index.FTS_INSERT_TRIGGER_SQL,)
            assert other.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                                 " AND tbl_name = 'contracts'").fetchone() == (len(schema) - 4,)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
        writer.finish()
        assert not indexing.active
        assert _schema(session) == schema
    with session_factory() as session:
        _integrity_check(session)
        assert session.scalar(select(func.count()).select_from(Contract)) == 5 + NEW


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_big_portfolio_keeps_its_indexes_during_an_import(session_factory: sessionmaker[Session]) -> None:
    """Over `REBUILD_UP_TO` contracts, building the indexes again would sort the whole table: they stay
    (the word-search index is still filled in bulk)."""
    rng = random.Random(14)
    first = [(line, _values(rng, 10_000 + line)) for line in range(2, 2 + contract_import.REBUILD_UP_TO + 1)]
    with session_factory.begin() as session:
        assert contract_import.write_all(session, iter(first), defaults=DEFAULTS, actor="import",
                                         now=NOW).created == len(first)
    with session_factory() as session:
        schema = _schema(session)
    batch = [(line, _values(rng, 30_000 + line)) for line in range(2, 2 + NEW)]
    with session_factory.begin() as session:
        writer = contract_import.Writer(session, defaults=DEFAULTS, actor="import", now=NOW, bulk=True)
        assert writer.write(batch).created == NEW
        assert writer.indexing is not None and writer.indexing.active
        assert [name for _type, name, _sql in _schema(session)] == [
            name for _type, name, _sql in schema if name != search_index.FTS_INSERT_TRIGGER]
        writer.finish()
    with session_factory() as session:
        assert _schema(session) == schema
        _integrity_check(session)
        _assert_search_is_brute_force(session, rng, queries=60)
