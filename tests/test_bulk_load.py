"""`storage.bulk_load.DistinctChecks` says a value fails exactly when SQLite's own CHECK constraint refuses
it (the import skips the CHECKs only for statements whose every value it asked); a bulk batch holding a
value that fails is refused by SQLite as before, and the constraints are enforced again after the
import. SQLite only: elsewhere nothing is skipped (`DistinctChecks.of` gives None)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.contract_values import ContractValues
from storage import bulk_load, contract_import, contracts
from tests.test_search_index import DEFAULTS, NOW, _values

CHECKED = ("status", "type", "renewal", "notice", "term", "lead")
KNOWN = ["active", "ACTIVE", "draft", "terminated", "bogus", "", " ", "saas", "tma", "other", "auto", "none",
         "0d", "00d", "0mo", "12mo", "13mo", "1y", "100y", "101y", "36525d", "36526d", "1bd", "26100bd", "26101bd",
         "90min", "60min", "120min", "4h", "1200mo", "1201mo", "123456d", "abc", "1 y", "-1d", "1.5d", "'",
         "x' OR 1", "d", "mo", "0", "5", "1y ", "٣d"]


def test_named_checks_reads_balanced_clauses() -> None:
    sql = ("CREATE TABLE t (a TEXT, b TEXT, CONSTRAINT ck_t_a CHECK (a IN ('x)', 'y''(')),"
           " CONSTRAINT ck_t_b CHECK (CASE WHEN (b) IS NULL THEN 1 ELSE length(b) < 3 END))")
    assert bulk_load.named_checks(sql) == ["a IN ('x)', 'y''(')", "CASE WHEN (b) IS NULL THEN 1 ELSE length(b) < 3 END"]
    assert bulk_load.named_checks("CREATE TABLE t (a TEXT CHECK (a <> ''))") is None  # not named: not handled
    assert bulk_load.named_checks("CREATE TABLE t (a TEXT)") == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_value_fails_the_probe_exactly_when_sqlite_refuses_it(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        contracts.create(session, values=_values(random.Random(1), 1), defaults=DEFAULTS, actor="U1", now=NOW)
    with session_factory() as session:
        connection = session.connection()
        checks = bulk_load.DistinctChecks.of(connection, "contracts", contract_import.NEW_COLUMNS)
        assert checks is not None
        assert sorted(contract_import.NEW_COLUMNS[i] for i in checks.columns) == sorted(CHECKED)

        def sqlite_refuses(column: str, value: str) -> bool:
            try:
                with session.begin_nested():
                    session.execute(text(f"UPDATE contracts SET {column} = :value"), {"value": value})
            except IntegrityError as error:
                assert "CHECK" in str(error.orig)
                return True
            return False

        def probe_passes(column: str, value: str) -> bool:
            fresh = bulk_load.DistinctChecks.of(connection, "contracts", contract_import.NEW_COLUMNS)
            assert fresh is not None
            columns: list[list[str]] = [[] for _ in contract_import.NEW_COLUMNS]
            columns[contract_import.NEW_COLUMNS.index(column)] = [value]
            return fresh.passes(connection, columns)

        for column in CHECKED:
            for value in KNOWN:
                assert probe_passes(column, value) is not sqlite_refuses(column, value), (column, value)

        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.sampled_from(CHECKED), st.text(alphabet="0123456789ydmobhin'% ", max_size=8))
        def agree(column: str, value: str) -> None:
            assert probe_passes(column, value) is not sqlite_refuses(column, value), (column, value)

        agree()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_batch_with_a_failing_value_is_refused_by_sqlite(session_factory: sessionmaker[Session]) -> None:
    rng = random.Random(2)
    with pytest.raises(IntegrityError, match="CHECK"), session_factory.begin() as session:
        writer = contract_import.Writer(session, defaults=DEFAULTS, actor="import", now=NOW, bulk=True)
        try:
            assert writer.write([(line, _values(rng, line)) for line in range(2, 1_500)]).created == 1_498
            rows = []
            for number in range(2_000, 2_010):  # built as the import builds them, one status made wrong
                row, _changes = contract_import.new_contract(_values(rng, number), defaults=DEFAULTS, vendor_id=1,
                                                             vendor_name="Oracle", folded_vendor="oracle", now=NOW)
                rows.append(row if number != 2_005 else row[:5] + ("bogus",) + row[6:])
            writer.contracts.execute(session.connection(), rows)
        finally:
            writer.finish(failed=True)
    with session_factory.begin() as session:  # nothing was committed, and the CHECKs apply on this connection
        assert session.scalar(text("SELECT count(*) FROM contracts")) == 0
        assert session.scalar(text("PRAGMA ignore_check_constraints")) == 0
        with pytest.raises(IntegrityError, match="CHECK"), session.begin_nested():
            contracts.create(session, values=ContractValues(reference="X-1", title="t", vendor="Oracle",
                                                            end=date(2027, 1, 1), status="bogus",
                                                            given={"reference", "title", "vendor", "end", "status"}),
                             defaults=DEFAULTS, actor="U1", now=NOW)
