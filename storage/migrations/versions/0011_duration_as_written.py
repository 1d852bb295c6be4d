"""Durations as written: every duration column holds its duration in the unit it was written in, in the
short notation (`12mo` stays `12mo`, `1y` stays `1y`, `2w` stays `2w`; `storage.types.DurationType`), so
the CHECK constraints of 0009 (the shortest text only: `mo` only when not a multiple of 12, no `w`, `min`
only when not a multiple of 60) are replaced by ones accepting any short-notation text within the bounds
of `bot.bounds`. Existing rows stay valid unchanged (0009's texts are a subset).

Downgrade: each text is rewritten as its shortest form (`12mo` → `1y`, `2w` → `14d`, `120min` → `2h`),
then 0009's CHECK is put back.

SQLite changes a CHECK by copying the table (batch mode), which drops the table's triggers (the word-search
index's, migration 0010): they are read before the copy and created again after it.

Revision ID: 0011
Revises: 0010
"""
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# (table, the duration columns)
DURATION_COLUMNS = (
    ("contracts", ("notice", "term", "lead")),
    ("sla_terms", ("response", "resolution")),
    ("incidents", ("response_target", "resolution_target")),
    ("obligations", ("every",)),
    ("revision_clauses", ("every",)),
)

# --- frozen copies: bot.bounds' duration limits, the short notation's units ---
MAX_YEARS, MAX_MONTHS, MAX_DAYS, MAX_BUSINESS_DAYS = 100, 1200, 36_525, 26_100
MAX_MINUTES = MAX_DAYS * 24 * 60
UNITS = {"min": ("minutes", 1), "h": ("minutes", 60), "d": ("days", 1), "bd": ("business_days", 1),
         "w": ("days", 7), "mo": ("months", 1), "y": ("months", 12)}


def check(column: str) -> str:
    """NULL or a duration in bounds in the short notation, any unit (the same expression as
    storage.models.written_duration)."""
    unit = f"ltrim({column}, '0123456789')"
    digits = f"length({column}) - length({unit})"
    n = f"CAST(substr({column}, 1, {digits}) AS INTEGER)"
    return (f"CASE WHEN {column} IS NULL THEN 1 = 1"
            f" WHEN {unit} NOT IN ('y', 'mo', 'w', 'd', 'bd', 'h', 'min')"
            f" OR {digits} NOT BETWEEN 1 AND 5"
            f" OR ({column} LIKE '0%' AND {digits} > 1) THEN 1 = 0"
            f" WHEN {unit} = 'y' THEN {n} <= {MAX_YEARS}"
            f" WHEN {unit} = 'mo' THEN {n} <= {MAX_MONTHS}"
            f" WHEN {unit} = 'w' THEN {n} <= {MAX_DAYS // 7}"
            f" WHEN {unit} = 'd' THEN {n} <= {MAX_DAYS}"
            f" WHEN {unit} = 'bd' THEN {n} <= {MAX_BUSINESS_DAYS}"
            f" WHEN {unit} = 'h' THEN {n} <= {MAX_MINUTES // 60}"
            f" ELSE {n} <= {MAX_MINUTES} END")


def check_0009(column: str) -> str:
    """0009's CHECK (a frozen copy): the shortest text only."""
    unit = f"ltrim({column}, '0123456789')"
    n = f"CAST(substr({column}, 1, length({column}) - length({unit})) AS INTEGER)"
    return (f"CASE WHEN {column} IS NULL THEN 1 = 1"
            f" WHEN {unit} NOT IN ('y', 'mo', 'bd', 'h', 'min', 'd')"
            f" OR length({column}) - length({unit}) NOT BETWEEN 1 AND 5"
            f" OR ({column} LIKE '0%' AND {column} <> '0d') THEN 1 = 0"
            f" WHEN {unit} = 'y' THEN {n} <= {MAX_YEARS}"
            f" WHEN {unit} = 'mo' THEN {n} % 12 <> 0 AND {n} <= {MAX_MONTHS}"
            f" WHEN {unit} = 'd' THEN {n} <= {MAX_DAYS}"
            f" WHEN {unit} = 'bd' THEN {n} <= {MAX_BUSINESS_DAYS}"
            f" WHEN {unit} = 'min' THEN {n} % 60 <> 0"
            f" ELSE 1 = 1 END")


def shortest(text: str) -> str:
    """The shortest text of a short-notation duration (what 0009 stored): `12mo` → `1y`, `2w` → `14d`."""
    digits = len(text) - len(text.lstrip("0123456789"))
    field, factor = UNITS[text[digits:]]
    amount = int(text[:digits]) * factor
    if amount == 0:
        return "0d"
    if field == "months":
        return f"{amount // 12}y" if amount % 12 == 0 else f"{amount}mo"
    if field == "minutes":
        return f"{amount // 60}h" if amount % 60 == 0 else f"{amount}min"
    return f"{amount}bd" if field == "business_days" else f"{amount}d"


def _foreign_keys(on: bool) -> None:
    """As in 0009: SQLite changes a CHECK by copying the table (batch mode); foreign keys are turned off
    around the copy (the pragma is a no-op inside a transaction, so pysqlite's is committed first), and
    checked after it."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    raw = bind.connection.dbapi_connection
    if raw is not None and raw.in_transaction:
        raw.commit()
    bind.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    if on:
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by migration 0011: {broken[:5]}")


def _replace_checks(expression: Callable[[str], str]) -> None:
    """Each duration column's CHECK replaced by `expression(column)`, table by table; on SQLite the
    table's triggers (dropped with the old copy) are created again."""
    bind = op.get_bind()
    _foreign_keys(False)
    for table, columns in DURATION_COLUMNS:
        triggers = []
        if bind.dialect.name == "sqlite":
            triggers = [row[0] for row in bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name", (table,))]
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
                batch.create_check_constraint(column, expression(column))
        for sql in triggers:
            bind.exec_driver_sql(sql)
    _foreign_keys(True)


def upgrade() -> None:
    _replace_checks(check)


def downgrade() -> None:
    connection = op.get_bind()
    for table, columns in DURATION_COLUMNS:
        for column in columns:
            t = sa.table(table, sa.column(column, sa.String))
            values = connection.execute(sa.select(t.c[column]).where(t.c[column].is_not(None)).distinct()).scalars()
            for value, text in [(value, shortest(value)) for value in values.all()]:
                if text != value:
                    connection.execute(t.update().where(t.c[column] == value).values({column: text}))
    _replace_checks(check_0009)
