"""Durations as a column type: every duration column holds the canonical text of its duration (`3mo`,
`1y`, `15d`, `2bd`, `4h`, `90min`, `0d`), which `storage.types.DurationType` reads back as a `Duration`,
and a CHECK constraint refuses any other text.

Existing rows are kept: each value is read with a frozen copy of the grammar's duration parser (below;
the app's parser may change later, this migration must not) and rewritten as its canonical text (`12mo`
→ `1y`, ` 3 MO ` → `3mo`, `2 semaines` → `14d`). A value that cannot be read stops the migration with
the table, column, row and value named, before anything is written: a notice period is never guessed.

Revision ID: 0009
Revises: 0008
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# (table, its key column, the duration columns) — the key names a row in an error
DURATION_COLUMNS = (
    ("contracts", "id", ("notice", "term", "lead")),
    ("sla_terms", "id", ("response", "resolution")),
    ("incidents", "id", ("response_target", "resolution_target")),
    ("obligations", "id", ("every",)),
    ("revision_clauses", "contract_id", ("every",)),
)

# --- frozen copy of bot.durations (the grammar as of this migration) and bot.bounds' duration limits ---
_UNITS = {
    "min": ("minutes", 1), "mins": ("minutes", 1), "minute": ("minutes", 1), "minutes": ("minutes", 1),
    "h": ("minutes", 60), "hr": ("minutes", 60), "hrs": ("minutes", 60), "hour": ("minutes", 60),
    "hours": ("minutes", 60), "heure": ("minutes", 60), "heures": ("minutes", 60),
    "d": ("days", 1), "day": ("days", 1), "days": ("days", 1), "j": ("days", 1), "jour": ("days", 1),
    "jours": ("days", 1),
    "bd": ("business_days", 1), "jo": ("business_days", 1),
    "w": ("days", 7), "wk": ("days", 7), "week": ("days", 7), "weeks": ("days", 7),
    "sem": ("days", 7), "semaine": ("days", 7), "semaines": ("days", 7),
    "mo": ("months", 1), "month": ("months", 1), "months": ("months", 1), "mois": ("months", 1),
    "y": ("months", 12), "yr": ("months", 12), "year": ("months", 12), "years": ("months", 12),
    "an": ("months", 12), "ans": ("months", 12),
}
_PATTERN = re.compile(r"^\s*(\d{1,5})\s*([a-zA-Z]+)\s*$")
MAX_YEARS, MAX_MONTHS, MAX_DAYS, MAX_BUSINESS_DAYS = 100, 1200, 36_525, 26_100
MAX_MINUTES = MAX_DAYS * 24 * 60


def canonical(text: str) -> str | None:
    """The canonical text of a duration the grammar accepted, or None when it cannot be read."""
    match = _PATTERN.match(text or "")
    if not match or match.group(2).lower() not in _UNITS:
        return None
    field, factor = _UNITS[match.group(2).lower()]
    amount = int(match.group(1)) * factor
    limit = {"months": MAX_MONTHS, "days": MAX_DAYS, "business_days": MAX_BUSINESS_DAYS, "minutes": MAX_MINUTES}
    if amount > limit[field]:
        return None
    if amount == 0:
        result = "0d"
    elif field == "months":
        result = f"{amount // 12}y" if amount % 12 == 0 else f"{amount}mo"
    elif field == "business_days":
        result = f"{amount}bd"
    elif field == "minutes":
        result = f"{amount // 60}h" if amount % 60 == 0 else f"{amount}min"
    else:
        result = f"{amount}d"
    return result if _PATTERN.match(result) else None  # what is stored must read back


def check(column: str) -> str:
    """NULL or a canonical duration text in bounds (the same expression as storage.models.canonical_duration)."""
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


class UnreadableDuration(RuntimeError):
    """A stored duration the grammar never accepted: fix the row by hand, then upgrade again."""


def _rewrites(connection: sa.Connection) -> list[tuple[str, str, str, str]]:
    """(table, column, stored text, canonical text) for every distinct value that is not canonical yet.
    Reads everything first, so an unreadable value stops the migration before anything is written."""
    rewrites = []
    for table, key, columns in DURATION_COLUMNS:
        for column in columns:
            t = sa.table(table, sa.column(key), sa.column(column, sa.String))
            stmt = sa.select(t.c[column]).where(t.c[column].is_not(None)).distinct()
            values = connection.execute(stmt).scalars().all()
            for value in values:
                text = canonical(value)
                if text is None:
                    row = connection.execute(sa.select(sa.func.min(t.c[key])).where(t.c[column] == value)).scalar()
                    raise UnreadableDuration(
                        f"migration 0009: {table}.{column} of the row with {key} = {row} holds {value!r}, which is"
                        f" not a duration (e.g. 3mo, 1y, 15d, 2bd, 4h); correct it, then upgrade again")
                if text != value:
                    rewrites.append((table, column, value, text))
    return rewrites


def _foreign_keys(on: bool) -> None:
    """As in 0008: SQLite adds a CHECK by copying the table (batch mode); foreign keys are turned off
    around the copy (the pragma is a no-op inside a transaction, so pysqlite's is committed first),
    and checked after it."""
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
            raise RuntimeError(f"foreign keys broken by migration 0009: {broken[:5]}")


def upgrade() -> None:
    connection = op.get_bind()
    for table, column, old, new in _rewrites(connection):
        t = sa.table(table, sa.column(column, sa.String))
        connection.execute(t.update().where(t.c[column] == old).values({column: new}))
    _foreign_keys(False)
    for table, _, columns in DURATION_COLUMNS:
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.create_check_constraint(column, check(column))
    _foreign_keys(True)


def downgrade() -> None:
    _foreign_keys(False)
    for table, _, columns in reversed(DURATION_COLUMNS):
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
    _foreign_keys(True)
