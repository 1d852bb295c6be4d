"""SQLite's per-row work a bulk insert of many contracts can do once instead, inside the inserting
transaction, with the same result (the import, `storage.contract_import`). Measured at 100,000 new
contracts: the CHECK constraints cost ~16 µs a row (the durations' CASE expressions of migration 0009
run three times a row), the four secondary B-tree indexes ~10 µs a row inserted at random places, against
~5 µs a row to build them again by sorting.

- `DistinctChecks`: the CHECK constraints of a table, as SQLite has them (`sqlite_master`), each on one
  column, asked of SQLite once per distinct value of that column (a portfolio has a handful of statuses,
  types and durations); a statement whose values all passed then runs with `PRAGMA
  ignore_check_constraints`, which is set back as soon as anything else is written (an update) and at the
  end. Any value that fails leaves the constraints on: SQLite then refuses the row itself, as before.
- `BulkInsert`: one INSERT compiled once, run with parameters already in the driver's form, several
  rows of VALUES per statement on SQLite.
- `DeferredIndexes`: the table's non-unique indexes dropped and created again from their own SQL (the
  unique ones stay: they refuse duplicates as rows come). Only where the table is small next to the
  import, since creating them again sorts the whole table.

Both are SQLite-only and transactional where it matters: a rolled-back import takes the drops back, and
the pragma is a setting of the import's own connection, restored before it goes back to the pool. Other
connections cannot write meanwhile (the import holds SQLite's write lock) and read the last committed
schema, indexes included.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import chain
from typing import Any, cast

from sqlalchemy import Insert, Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from storage.types import DurationType

# SQLite page cache of the import's connection while it runs (KiB; the default is 2 MB): the indexes
# of a big portfolio stay in memory instead of being spilled to the WAL and read back for every batch.
# Memory only: the transaction, its journal and the all-or-nothing guarantee are unchanged.
SQLITE_CACHE_KIB = 32 * 1024

_NAMED_CHECK = re.compile(r"CONSTRAINT (\w+) CHECK \(")
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def begin_write(connection: Connection) -> None:
    """Open the SQLite transaction now, with the write lock, if none is open (Python's sqlite3 only opens
    one before INSERT, UPDATE and DELETE: DDL would otherwise run on its own, committed at once)."""
    if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _table_sql(connection: Connection, name: str) -> str:
    return str(connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                          (name,)).scalar() or "")


def named_checks(create_table: str) -> list[str] | None:
    """The expressions of the `CONSTRAINT … CHECK (…)` clauses of a CREATE TABLE statement; None when it
    has a CHECK written any other way (then nothing here stands in for them)."""
    found = []
    for match in _NAMED_CHECK.finditer(create_table):
        depth, quoted, at = 1, False, match.end()
        while depth:
            char = create_table[at]
            if char == "'":
                quoted = not quoted  # '' inside a literal toggles twice
            elif not quoted:
                depth += {"(": 1, ")": -1}.get(char, 0)
            at += 1
        found.append(create_table[match.end():at - 1])
    return found if len(found) == create_table.upper().count("CHECK") else None


class DistinctChecks:
    """The CHECKs of `table` asked once per distinct value, for INSERTs of `columns` (see the module)."""

    # Tables the import also writes while the constraints may be skipped: they must have no CHECK.
    ALSO_WRITTEN = ("vendors", "audit_events")

    def __init__(self, probes: dict[int, list[str]]) -> None:
        self._probes = probes  # column's position in the INSERT → SQL that is 1 when the value fails a CHECK
        self._passed: dict[int, set[Any]] = {index: set() for index in probes}
        self._skipping = False
        self.columns = tuple(probes)  # positions of the checked columns

    @classmethod
    def of(cls, connection: Connection, table: str, columns: Sequence[str]) -> DistinctChecks | None:
        """None when this cannot stand in for the table's CHECKs exactly: not SQLite, a CHECK not written
        `CONSTRAINT name CHECK (…)`, one that reads no column or several, or a column not inserted here."""
        if connection.dialect.name != "sqlite":
            return None
        if any(named_checks(_table_sql(connection, other)) != [] for other in cls.ALSO_WRITTEN):
            return None
        checks = named_checks(_table_sql(connection, table))
        if not checks:
            return None
        names = {name.lower() for name in columns} | {
            str(row[1]).lower() for row in connection.exec_driver_sql(f"PRAGMA table_info({table})")}
        probes: dict[int, list[str]] = {}
        for check in checks:
            read = {word.lower() for word in _WORD.findall(_LITERAL.sub("''", check))} & names
            if len(read) != 1:
                return None
            (column,) = read
            inserted = [name.lower() for name in columns]
            if column not in inserted:
                return None
            index = inserted.index(column)
            # what SQLite does with a CHECK's result: a violation when false; NULL passes
            probes.setdefault(index, []).append(f'SELECT coalesce(NOT ({check}), 0) FROM (SELECT ? AS "{column}")')
        return cls(probes)

    def passes(self, connection: Connection, columns: Sequence[Iterable[Any]]) -> bool:
        """Whether every value of the checked columns (`columns`: the statement's values column by
        column, as bound) passes the table's CHECKs; each distinct value is asked once per import."""
        for index, probes in self._probes.items():
            passed = self._passed[index]
            for value in set(columns[index]).difference(passed):
                if not (value is None or isinstance(value, str)):
                    return False  # what the column's affinity would make of it: left to SQLite
                if any(connection.exec_driver_sql(probe, (value,)).scalar() for probe in probes):
                    return False
                passed.add(value)
        return True

    def skip(self, connection: Connection, skipping: bool) -> None:
        """Skip the CHECKs (only for a statement whose values all `passes`) or enforce them again. The pragma
        expires the connection's prepared statements: set it only when it changes."""
        if skipping != self._skipping:
            connection.exec_driver_sql(f"PRAGMA ignore_check_constraints = {'ON' if skipping else 'OFF'}")
            self._skipping = skipping

    def restore(self, connection: Connection) -> None:
        """Enforce them again, whatever happened (the connection goes back to the pool)."""
        if self._skipping:
            with suppress(SQLAlchemyError):
                connection.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
            self._skipping = False


class DeferredIndexes:
    """`table`'s non-unique indexes, dropped inside the caller's transaction and created again from the
    very SQL SQLite kept for them (see the module)."""

    def __init__(self, connection: Connection, table: str) -> None:
        self._connection, self._table = connection, table
        self._dropped: list[tuple[str, str]] = []

    def drop(self) -> None:
        """Drop them (once), inside the caller's transaction (begun here if none is open yet: Python's
        sqlite3 would run the DDL on its own, committed at once)."""
        if self._dropped or self._connection.dialect.name != "sqlite":
            return
        connection = self._connection
        begin_write(connection)
        unique = {str(row[1]) for row in connection.exec_driver_sql(f"PRAGMA index_list({self._table})") if row[2]}
        found = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                                           " AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", (self._table,))
        self._dropped = [(str(name), str(sql)) for name, sql in found if name not in unique]
        for name, _sql in self._dropped:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')

    # CREATE INDEX sorts in memory up to the page cache's size before it spills to temporary files: with
    # the import's 32 MB cache that was +19 MB of peak memory at 500,000 contracts. Built with this cache
    # instead (the pages beyond it are freed first), then the connection's own size again.
    SORT_CACHE_KIB = 8 * 1024

    def create(self) -> None:
        """Create them again (no-op if none was dropped)."""
        if not self._dropped:
            return
        connection = self._connection
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = -{self.SORT_CACHE_KIB}")
        try:
            for _name, sql in self._dropped:
                connection.exec_driver_sql(sql)
        finally:
            with suppress(SQLAlchemyError):
                connection.exec_driver_sql(f"PRAGMA cache_size = {int(before if before is not None else -2000)}")
        self._dropped = []


@contextmanager
def big_page_cache(connection: Connection) -> Iterator[None]:
    """A bigger SQLite page cache (`SQLITE_CACHE_KIB`) for the connection while it runs, then the old size."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    restore = f"PRAGMA cache_size = {int(before if before is not None else -2000)}"
    try:
        yield
    except BaseException:
        with suppress(SQLAlchemyError):  # a failed transaction may refuse it: the import's error is what matters
            connection.exec_driver_sql(restore)
        raise
    connection.exec_driver_sql(restore)


class BulkInsert:
    """One INSERT of `columns` into `table`, compiled once for the connection's dialect and run as an
    executemany of parameters already in the driver's form: the columns whose type has a bind processor
    (dates on SQLite, aware datetimes, numerics, durations: `DurationType` writes the text as written that
    the column's CHECK accepts) go through the column type's own processor — so the stored values are
    exactly those of an ORM insert — once per distinct value (they repeat across a portfolio; a duration
    per value and unit, as `12mo` == `1y`), column by column. `raw` columns are bound as they come (the history: its JSON text, already serialised). On
    SQLite, one statement inserts up to 1,000 rows: the word-search index's triggers (migration 0010),
    when in place, then index them within that one statement, not one statement per row."""

    REMEMBERED = 20_000  # distinct values remembered per processed column

    def __init__(self, connection: Connection, table: Table, columns: Sequence[str], raw: Iterable[str] = (),
                 statement: Insert | None = None, checks: DistinctChecks | None = None,
                 returning: Sequence[str] = ()) -> None:
        """`statement`: the INSERT when its values are not simply `columns` (its bound parameters are
        then named like `columns`). `checks`: the table's CHECKs asked once per distinct value, skipped
        for rows whose values all passed (`DistinctChecks`). `returning`: columns of the
        inserted rows `execute` returns (SQLite's several rows per INSERT only)."""
        self.checks = checks
        self._returning = f" RETURNING {', '.join(returning)}" if returning else ""
        dialect = connection.dialect
        statement = insert(table) if statement is None else statement
        compiled = statement.compile(dialect=dialect, column_keys=list(columns), for_executemany=True)
        self.sql = compiled.string
        self._columns = list(columns)
        self._named = compiled.positiontup is None  # pyformat (psycopg): a dict per row
        positions = None if self._named else [self._columns.index(name) for name in compiled.positiontup or ()]
        self._positions = None if positions == list(range(len(columns))) else positions
        self._per_statement = self._rows_per_statement(connection, len(columns))
        skip = set(raw)
        self._processors: list[tuple[int, Callable[[Any], Any], dict[Any, Any], bool]] = []
        for index, name in enumerate(self._columns):
            processor = (None if name in skip or name not in table.c else
                         table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            if processor is not None:
                written = name in table.c and isinstance(table.c[name].type, DurationType)
                self._processors.append((index, processor, {None: None}, written))

    def execute(self, connection: Connection, rows: list[tuple[Any, ...]]) -> list[Any]:
        """Insert `rows`; the `returning` columns of each, in no particular order (none without)."""
        if not rows:
            return []
        columns: list[Any] = list(zip(*rows, strict=True))
        for index, processor, memo, written in self._processors:
            if len(memo) > self.REMEMBERED:
                memo.clear()
                memo[None] = None
            if written:  # Durations are equal across units (`12mo` == `1y`): remembered by value and unit
                keys = [None if value is None else (value, value.unit) for value in columns[index]]
                for key in set(keys).difference(memo):
                    memo[key] = processor(cast(tuple[Any, Any], key)[0])
                columns[index] = map(memo.__getitem__, keys)
                continue
            for value in set(columns[index]).difference(memo):
                memo[value] = processor(value)
            columns[index] = map(memo.__getitem__, columns[index])
        if self.checks is not None:
            for index in self.checks.columns:
                columns[index] = list(columns[index])
            self.checks.skip(connection, self.checks.passes(connection, columns))
        if self._named:
            names = self._columns
            params: list[Any] = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
        else:
            ordered = columns if self._positions is None else [columns[i] for i in self._positions]
            params = list(zip(*ordered, strict=True))
        if self._per_statement <= 1:
            if self._returning:
                raise ValueError("RETURNING needs several rows per INSERT (SQLite)")
            connection.exec_driver_sql(self.sql, params)
            return []
        per, returned = self._per_statement, cast(list[Any], [])
        for start in range(0, len(params), per):
            chunk = params[start:start + per]
            result = connection.exec_driver_sql(self._rows_sql(len(chunk)), tuple(chain.from_iterable(chunk)))
            if self._returning:
                returned += result.all()
        return returned

    def _rows_sql(self, count: int) -> str:
        """The INSERT with `count` rows of VALUES (the statement ends with its one row of VALUES)."""
        head, row = self.sql.split(" VALUES ", 1)
        return f"{head} VALUES {', '.join([row] * count)}{self._returning}"

    @staticmethod
    def _rows_per_statement(connection: Connection, parameters: int) -> int:
        """SQLite: rows per INSERT of several rows of VALUES (up to 1,000, within its limit on bound
        parameters): a statement run once per row re-evaluates its set-up — the CHECK constraints'
        `IN (…)` lists among it — each time; ~30 % of the insert's time here. Other databases: 1 (the
        driver's executemany)."""
        if connection.dialect.name != "sqlite":
            return 1
        driver = connection.connection.driver_connection
        getlimit = getattr(driver, "getlimit", None)  # Python's sqlite3 (3.11+)
        limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit is not None else 999
        return max(1, min(1_000, limit // parameters))
