"""Migration 0008 keeps existing data: a database built at 0007 with rows in it (every contract
status and renewal, durations, alerts with their detail) upgrades to head with the same data, and
the new CHECK constraints then refuse a status the bot does not know. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from bot.deadlines import Renewal, Status
from bot.durations import Duration
from storage import alert_state
from storage.db import alembic_config, make_engine, make_session_factory, upgrade
from storage.models import Alert, Contract

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _at(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _contract(connection, number: int, *, status: str, renewal: str, type_: str) -> None:  # type: ignore[no-untyped-def]
    connection.execute(text(
        "INSERT INTO contracts (id, reference, reference_key, title, vendor_id, type, status, end_date, end_anchor,"
        " renewals_since_anchor, notice, term, lead, renewal, notice_deadline, act_by, currency, search_text,"
        " created_at, updated_at, version) VALUES (:id, :ref, :ref, 'T', 1, :type, :status, :end, :end, 0,"
        " '3mo', '1y', '15d', :renewal, :end, :end, 'EUR', '', :now, :now, 1)"),
        dict(id=number, ref=f"C-{number}", type=type_, status=status, renewal=renewal, end=date(2026, 12, 31),
             now=NOW.replace(tzinfo=None)))


def _alert(connection, number: int, detail: str) -> None:  # type: ignore[no-untyped-def]
    connection.execute(text(
        "INSERT INTO alerts (id, key, kind, contract_id, state, detail, claimed_at, claimed_by, attempts)"
        " VALUES (:id, :key, 'deadline', 1, 'posted', :detail, :now, 'w', 1)"),
        dict(id=number, key=f"deadline:1:2026-12-31:{number}", detail=detail, now=NOW.replace(tzinfo=None)))


def test_upgrade_from_0007_keeps_the_data(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0007")
        statuses, renewals = list(Status), list(Renewal)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO vendors (id, name, name_key, created_at) VALUES (1, 'V', 'v', :now)"),
                               dict(now=NOW.replace(tzinfo=None)))
            for number, status in enumerate(statuses, start=1):
                _contract(connection, number, status=status.value, renewal=renewals[number % 3].value,
                          type_="saas")
            _contract(connection, 20, status=" Active ", renewal="AUTO", type_="mystery")  # a hand edit
            _alert(connection, 1, '{"threshold": 30, "end": "2026-12-31", "snoozed_by": "U1",'
                                  ' "snoozed_until": "2026-03-08", "settled": "Renewed by <@U1>"}')
            _alert(connection, 2, '{"threshold": "7", "junk": 1}')
        upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as session:
            contracts = {c.id: c for c in session.query(Contract)}
            for number, status in enumerate(statuses, start=1):
                assert contracts[number].status == status.value
                assert contracts[number].renewal == renewals[number % 3].value
                assert (contracts[number].notice, contracts[number].term, contracts[number].lead) == (
                    Duration(months=3), Duration(months=12), Duration(days=15))
            assert (contracts[20].status, contracts[20].renewal, contracts[20].type) == ("active", "auto", "other")
            first, second = session.get(Alert, 1), session.get(Alert, 2)
            record = alert_state.read(first)
            assert (record.threshold, record.snoozed_by, record.snoozed_until_date, record.settled) == (
                30, "U1", date(2026, 3, 8), "Renewed by <@U1>")
            assert second.detail == {"threshold": 7}
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("UPDATE contracts SET status = 'actve' WHERE id = 1"))
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("UPDATE contracts SET renewal = 'sometimes' WHERE id = 1"))
    finally:
        engine.dispose()


def test_alert_record_refuses_unknown_keys_and_wrong_types() -> None:
    assert alert_state.record(threshold=30, end="2026-12-31") == {"threshold": 30, "end": "2026-12-31"}
    with pytest.raises(ValueError, match="unknown"):
        alert_state.record(snoozd_by="U1")
    with pytest.raises(ValueError, match="threshold"):
        alert_state.record(threshold="30")
