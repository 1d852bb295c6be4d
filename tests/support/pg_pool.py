"""Databases at the schema's head for the PostgreSQL tests, lent and given back instead of created and
dropped for every test.

`CREATE DATABASE … TEMPLATE` costs the server ~0.33 s of CPU on the CI machines (a checkpoint and the
copy of ~400 files), and ~180 tests a run each want a fresh database at head: about a minute of CPU.
Emptying a database a test is done with costs ~0.03 s. So a database given back is emptied and lent
again, but only when it is then indistinguishable from a new copy of the template:

- its schema is the template's: tables, columns, defaults, constraints, indexes, triggers, functions,
  views, types, extensions, database settings and the Alembic revision (`FINGERPRINT`, an md5 over the
  catalog) — a test that altered the schema gets its database dropped, not lent again;
- its rows are gone: every table the template has empty is emptied (foreign keys and triggers off for
  that transaction, as a restore does; big tables truncated, the others deleted from);
- its sequences are where the template's are (`setval`, or `RESTART` for one never used), so ids
  start where a new copy's would.

What a reused database can differ in is what no test should read: the planner's statistics and dead
rows waiting for autovacuum. A template with rows (other than `alembic_version`) is never pooled.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

import psycopg
from psycopg import sql

from tests.support.postgres import PostgresServer

#: md5 of what a database's schema is, read from the catalog (system schemas left out).
FINGERPRINT = """
WITH ns AS (SELECT oid, nspname FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema')
              AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp%')
SELECT md5(coalesce(string_agg(item, E'\\n' ORDER BY item), '')) FROM (
  SELECT format('rel %s.%s %s', ns.nspname, c.relname, c.relkind) FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
  SELECT format('col %s.%s %s %s %s', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod),
                a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT format('con %s %s %s', co.conrelid::regclass, co.conname, pg_get_constraintdef(co.oid))
    FROM pg_constraint co JOIN ns ON ns.oid = co.connamespace
  UNION ALL
  SELECT format('idx %s', pg_get_indexdef(i.indexrelid))
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
  SELECT format('trg %s %s %s %s', t.tgrelid::regclass, t.tgname, t.tgenabled,
                CASE WHEN NOT t.tgisinternal THEN pg_get_triggerdef(t.oid) END) FROM pg_trigger t
  UNION ALL
  SELECT format('fn %s %s', p.oid::regprocedure, md5(p.prosrc)) FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  UNION ALL
  SELECT format('view %s %s', c.oid::regclass, pg_get_viewdef(c.oid))
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind IN ('v', 'm')
  UNION ALL
  SELECT format('type %s %s', t.oid::regtype, t.typtype) FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
   WHERE t.typtype IN ('e', 'd', 'c', 'r') AND t.typrelid = 0
  UNION ALL
  SELECT format('enum %s %s %s', e.enumtypid::regtype, e.enumlabel, e.enumsortorder) FROM pg_enum e
  UNION ALL
  SELECT format('ext %s %s', extname, extversion) FROM pg_extension
  UNION ALL
  SELECT format('set %s', s.setconfig) FROM pg_db_role_setting s
   WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL
  SELECT format('ns %s', nspname) FROM ns
) AS schema(item)
"""

#: The ordinary tables of the user schemas, and the sequences with their state.
TABLES = """SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
            WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"""
SEQUENCES = """SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences
               WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"""
#: A table with more rows than this is truncated (a DELETE would be slower and leave them all dead).
TRUNCATE_FROM = 2000


@dataclass(frozen=True)
class _Template:
    """What a new copy of a template is: its schema's fingerprint, its tables, its sequences' state."""

    fingerprint: str
    tables: tuple[str, ...]
    sequences: tuple[tuple[str, int | None], ...]
    kept: dict[str, list[tuple[object, ...]]]  # the tables whose rows belong to the schema (alembic_version)


class DatabasePool:
    """Databases of one server, each a copy of a template at first, lent to one test at a time."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self._idle: dict[str, list[str]] = defaultdict(list)  # template → databases ready to lend
        self._template_of: dict[str, str] = {}  # lent database → its template
        self._templates: dict[str, _Template | None] = {}  # None: not poolable (the template has rows)
        self.created = self.reused = self.dropped = 0

    def lend(self, template: str) -> str:
        """The name of a database that is a copy of `template` as far as any test can tell."""
        if self._idle[template]:
            name = self._idle[template].pop()
            self.reused += 1
        else:
            name = "t_" + uuid.uuid4().hex[:12]
            self.server.create_database(name, template=template)
            self.created += 1
            if template not in self._templates:
                self._templates[template] = self._describe(name)
        self._template_of[name] = template
        return name

    def give_back(self, name: str) -> None:
        """The test is done with `name`: empty it for the next test, or drop it if it cannot be made new."""
        template = self._template_of.pop(name)
        described = self._templates.get(template)
        if described is not None and self._make_new(name, described):
            self._idle[template].append(name)
            return
        self.dropped += 1
        self.server.drop_database(name)

    def _connect(self, name: str) -> psycopg.Connection:
        assert self.server.port is not None
        return psycopg.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname=name,
                               connect_timeout=10)

    def _describe(self, name: str) -> _Template | None:
        """Read a new copy (before any test used it); None when the template has rows of its own."""
        with self._connect(name) as conn:
            fingerprint = conn.execute(FINGERPRINT).fetchone()[0]  # type: ignore[index]
            tables = tuple(row[0] for row in conn.execute(TABLES))
            kept = {t: _rows(conn, t) for t in tables if t.endswith(".alembic_version")}
            for table in tables:
                if table not in kept and conn.execute(
                        sql.SQL("SELECT EXISTS (SELECT FROM {})").format(sql.SQL(table))).fetchone()[0]:  # type: ignore[index]
                    return None
            sequences = tuple((row[0], row[1]) for row in conn.execute(SEQUENCES))
        return _Template(fingerprint, tables, sequences, kept)

    def _make_new(self, name: str, template: _Template) -> bool:
        """Empty `name` and put its sequences back; False when its schema is no longer the template's."""
        try:
            self.server.disconnect_all(name)
            with self._connect(name) as conn:
                if conn.execute(FINGERPRINT).fetchone()[0] != template.fingerprint:  # type: ignore[index]
                    return False
                if any(_rows(conn, table) != rows for table, rows in template.kept.items()):
                    return False
                conn.execute("SET LOCAL session_replication_role = replica")  # no FK checks, no triggers
                emptied = [t for t in template.tables if t not in template.kept]
                counts = conn.execute(sql.SQL(" UNION ALL ").join(
                    sql.SQL("SELECT {}, count(*) FROM (SELECT FROM {} LIMIT {}) AS r").format(
                        sql.Literal(t), sql.SQL(t), sql.Literal(TRUNCATE_FROM + 1)) for t in emptied)
                ).fetchall() if emptied else []
                big = [t for t, n in counts if n > TRUNCATE_FROM]
                if big:
                    conn.execute(sql.SQL("TRUNCATE {} CASCADE").format(sql.SQL(", ").join(map(sql.SQL, big))))
                for table in (t for t, n in counts if 0 < n <= TRUNCATE_FROM):
                    conn.execute(sql.SQL("DELETE FROM {}").format(sql.SQL(table)))
                for sequence, last_value in template.sequences:
                    if last_value is None:
                        conn.execute(sql.SQL("ALTER SEQUENCE {} RESTART").format(sql.SQL(sequence)))
                    else:
                        conn.execute("SELECT setval(%s::regclass, %s, true)", (sequence, last_value))
            return True
        except psycopg.Error:
            return False


def _rows(conn: psycopg.Connection, table: str) -> list[tuple[object, ...]]:
    return sorted(conn.execute(sql.SQL("SELECT * FROM {}").format(sql.SQL(table))).fetchall(), key=repr)
