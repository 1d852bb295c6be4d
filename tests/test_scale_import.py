"""The streaming contract import (issue 6) at a few thousand rows, on SQLite and PostgreSQL: the same
rows, defaults, derived dates, search text and history as `/contract add` makes; updates recorded;
all-or-nothing with every bad line; memory bounded by batches (several batches are crossed here)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.contract_input import read_contract_fields
from bot.csv_io import HEADER, ImportRejected, import_contracts
from bot.durations import parse_duration
from storage import audit, contract_import, contracts
from storage.models import AuditEvent, Contract, Vendor

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DEFAULTS = contracts.Defaults(currency="EUR", lead=parse_duration("0d"))
ROWS = contract_import.BATCH + 1_100  # crosses a batch boundary


def row(i: int) -> dict[str, str]:
    """Varied rows, in the forms people type: blanks take the defaults."""
    return {
        "reference": f"IMP-{i:05d}", "title": f"Support contract {i} é", "vendor": f"Vendor {i % 37} Télécom",
        "type": ["saas", "", "support", "tma"][i % 4], "status": ["", "active", "negotiating"][i % 3],
        "start_date": "" if i % 5 else "2024-01-15", "end_date": f"{2027 + i % 3}-0{1 + i % 9}-{10 + i % 18}",
        "notice": ["", "90d", "3mo", "30d"][i % 4], "renewal": ["auto", "manual", "", "none"][i % 4],
        "term": ["", "12mo", "2y"][i % 3], "annual_value": ["", "120k", "45000", "1 250 000 €"][i % 4],
        "currency": ["", "USD"][i % 2 if i % 4 != 3 else 0], "owner": "" if i % 6 == 0 else f"U{i % 7:08d}",
        "channel": "" if i % 3 else f"C{i % 5:08d}", "lead": ["", "15d", "1mo"][i % 3],
    }


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_a_big_import_makes_exactly_what_contract_add_makes(session_factory, tmp_path):
    rows = [row(i) for i in range(ROWS)]
    path = tmp_path / "big.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    with session_factory.begin() as session, path.open(encoding="utf-8-sig", newline="") as stream:
        report = import_contracts(session, stream, defaults=DEFAULTS, tz=PARIS, now=NOW)
    assert (report.created, report.updated, report.unchanged) == (ROWS, 0, 0)

    # The same rows through the service `/contract add` uses (then rolled back): each imported contract
    # must equal the one contracts.create makes from the same reading.
    with session_factory.begin() as session:
        assert session.scalar(select(func.count()).select_from(Contract)) == ROWS
        assert session.scalar(select(func.count()).select_from(Vendor)) == 37
        for i in list(range(0, ROWS, 97)) + [ROWS - 1]:
            raw = {k if k not in ("start_date", "end_date", "annual_value") else
                   {"start_date": "start", "end_date": "end", "annual_value": "value"}[k]: v for k, v in rows[i].items()}
            values = read_contract_fields(raw, tz=PARIS, now=NOW)
            values.reference = f"ADD-{i:05d}"
            made = contracts.create(session, values=values, defaults=DEFAULTS, actor="import", now=NOW)
            imported = contracts.get_by_reference(session, reference=f"IMP-{i:05d}")
            assert imported is not None
            mine, theirs = contracts.snapshot(imported), contracts.snapshot(made)
            assert {**mine, "reference": None} == {**theirs, "reference": None}
            for column in ("notice_deadline", "act_by", "end_anchor", "renewals_since_anchor", "created_at",
                           "updated_at", "version", "vendor_id"):
                assert getattr(imported, column) == getattr(made, column), column
            assert imported.search_text.replace("imp-", "add-") == made.search_text
            [created] = audit.get_all(session, entity_type="contract", entity_id=imported.id)
            [expected] = audit.get_all(session, entity_type="contract", entity_id=made.id)
            assert created.action == "create" and created.actor == "import"
            assert {**created.changes, "reference": None} == {**expected.changes, "reference": None}
            assert list(created.changes) == list(expected.changes)
        session.rollback()


def test_reimport_updates_changed_rows_with_history_and_creates_new_ones(session_factory):
    rows = [row(i) for i in range(3_000)]
    with session_factory.begin() as session:
        import_contracts(session, to_csv(rows), defaults=DEFAULTS, tz=PARIS, now=NOW)
    original_end = rows[2_500]["end_date"]
    rows[2_500] = {**rows[2_500], "end_date": "2031-03-31", "reference": "imp-02500"}  # case differs: same contract
    rows.append(row(5_000))
    with session_factory.begin() as session:
        report = import_contracts(session, io.StringIO(to_csv(rows)), defaults=DEFAULTS, tz=PARIS, now=NOW)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 2_999)
    with session_factory() as session:
        changed = contracts.get_by_reference(session, reference="IMP-02500")
        assert changed is not None and changed.end_date.isoformat() == "2031-03-31"
        events = audit.get_all(session, entity_type="contract", entity_id=changed.id)
        assert [e.action for e in events] == ["create", "import_update"]
        assert events[-1].changes["end_date"] == [original_end, "2031-03-31"] and events[-1].actor == "import"


def test_bad_rows_anywhere_are_all_reported_by_line_and_nothing_is_written(session_factory):
    rows = [row(i) for i in range(3_000)]
    rows[10] = {**rows[10], "end_date": "31 février 2027"}  # line 12
    rows[2_600] = {**rows[2_600], "notice": "soon"}  # line 2602, in the second batch
    rows[2_900] = {**rows[2_900], "reference": "imp-00005"}  # line 2902: duplicate of line 7
    rows[2_950] = {**rows[2_950], "title": "", "reference": "NEW-TITLE-LESS"}  # line 2952: new without a title
    with pytest.raises(ImportRejected) as rejected:
        with session_factory.begin() as session:
            import_contracts(session, to_csv(rows), defaults=DEFAULTS, tz=PARIS, now=NOW)
    lines = [line for line, _reason in rejected.value.errors]
    assert lines == [12, 2602, 2902, 2952]
    assert "7" in rejected.value.errors[2][1]  # names the line it duplicates
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Contract)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
