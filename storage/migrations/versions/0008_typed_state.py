"""Typed state: CHECK constraints on contract status/type/renewal, incident and dispute status;
alert records keep only the keys `storage.alert_state.AlertRecord` defines.

Existing rows are kept: values are trimmed and lower-cased first, and an unknown contract type
becomes 'other' (the bot never wrote one; a hand edit could have). Frozen copies of the value lists
live here, so later changes to the enums need their own migration.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

CONTRACT_STATUSES = ("draft", "negotiating", "active", "notice_given", "expired", "terminated")
RENEWALS = ("auto", "manual", "none")
CONTRACT_TYPES = ("license", "saas", "maintenance", "support", "tma", "managed_services", "consulting",
                  "hardware", "telecom", "cloud", "other")
INCIDENT_STATUSES = ("open", "acknowledged", "resolved")
DISPUTE_STATUSES = ("open", "negotiating", "escalated", "mediation", "litigation", "settled", "closed")
ALERT_KEYS = ("threshold", "end", "target", "level", "due", "number", "recipient", "lang", "due_from",
              "effective_on", "week", "month", "snoozed_by", "snoozed_until", "settled")
CHECKS = (
    ("contracts", "status", CONTRACT_STATUSES),
    ("contracts", "renewal", RENEWALS),
    ("contracts", "type", CONTRACT_TYPES),
    ("incidents", "status", INCIDENT_STATUSES),
    ("disputes", "status", DISPUTE_STATUSES),
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _clean_alert_details(connection: sa.Connection) -> None:
    alerts = sa.table("alerts", sa.column("id", sa.Integer), sa.column("detail", sa.JSON))
    for alert_id, detail in connection.execute(sa.select(alerts.c.id, alerts.c.detail)).all():
        if not isinstance(detail, dict):
            cleaned: dict = {}
        else:
            cleaned = {k: v for k, v in detail.items() if k in ALERT_KEYS and v is not None}
            for key in ("threshold",):
                if isinstance(cleaned.get(key), str) and cleaned[key].lstrip("-").isdigit():
                    cleaned[key] = int(cleaned[key])
        if cleaned != detail:
            connection.execute(alerts.update().where(alerts.c.id == alert_id).values(detail=cleaned))


def _foreign_keys(on: bool) -> None:
    """SQLite adds a CHECK by copying the table (batch mode), and dropping the original would break the
    foreign keys pointing at it: as SQLite's ALTER TABLE recipe says, turn them off around the copy.
    The pragma is a no-op inside a transaction, so the one pysqlite opened is committed first (SQLite
    DDL is transactional only within it; the copy is checked by `PRAGMA foreign_key_check`)."""
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
            raise RuntimeError(f"foreign keys broken by migration 0008: {broken[:5]}")


def upgrade() -> None:
    for table, column, _ in CHECKS:
        op.execute(f"UPDATE {table} SET {column} = LOWER(TRIM({column}))")
    op.execute(f"UPDATE contracts SET type = 'other' WHERE NOT ({_in('type', CONTRACT_TYPES)})")
    _foreign_keys(False)
    for table, column, values in CHECKS:
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(column, _in(column, values))
    _foreign_keys(True)
    _clean_alert_details(op.get_bind())


def downgrade() -> None:
    _foreign_keys(False)
    for table, column, _ in reversed(CHECKS):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
    _foreign_keys(True)
