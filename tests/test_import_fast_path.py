"""The import's fast path (issue 6) gives exactly what the full path gives, on SQLite and PostgreSQL.

The fast path: `RowReader` (each distinct cell text of a file read once), `new_contract` + a driver-ready
executemany for new references, and the "not one column would change" shortcut for existing ones. The
full path: `read_contract_fields` on the row's dict, then `contracts.create` / `contracts.update` (what
`/contract add` and `/contract amend` run). Rows mix exact and loose shapes (`2026-1-5`, `5/1/2026`,
`31 déc 2026`, `12mo`, `1 an`, `1 234,50`…), blanks, bad cells, shuffled and missing columns; the two
paths are compared column by column, history included, and bad rows by line and reason.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from bot.contract_input import CSV_COLUMNS, InputError, RowReader, read_contract_fields, require
from bot.csv_io import ImportRejected, _reason, import_contracts
from bot.csv_safe import unsafe_cell
from bot.durations import parse_duration
from storage import audit, contracts
from storage.models import Contract

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)
DEFAULTS = contracts.Defaults(currency="EUR", lead=parse_duration("15d"))
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "déc"]
FIELD_OF = {column: name for name, column in CSV_COLUMNS.items()}
OPTIONAL = ["title", "vendor", "type", "status", "start_date", "notice", "renewal", "term", "annual_value",
            "currency", "owner", "channel", "lead"]


@st.composite
def date_texts(draw: st.DrawFn, low: date, high: date, *, clean: bool) -> str:
    day = draw(st.dates(low, high))
    styles = ["iso", "iso", "iso", "loose", "slash", "dot", "fr", "en"] + ([] if clean else ["bad"])
    style = draw(st.sampled_from(styles))
    return {"iso": day.isoformat(), "loose": f"{day.year}-{day.month}-{day.day}",
            "slash": f"{day.day}/{day.month}/{day.year}", "dot": f"{day.day:02d}.{day.month:02d}.{day.year}",
            "fr": f"{day.day} {FR_MONTHS[day.month - 1]} {day.year}", "en": day.strftime("%d %B %Y"),
            "bad": "soon"}[style] if style != "bad" else draw(st.sampled_from(
                ["soon", "31 février 2027", "2027-02-30", "9999-01-01"]))


DURATIONS = (["", "0d", "90d", " 90D ", "3mo", "12mo", "1y", "1 an", "2 ans", "6 mois", "30 jours", "2w"],
             ["2bd", "4h", "soon", "0"])
# column: (good texts, bad texts)
COLUMNS = {
    "title": (["Support", "Licence Oracle é", "  spaced   title ", "=SUM(A1)", "'=SUM(A1)", "tab\there"],
              ["", "x" * 301]),
    "vendor": (["Acme", "ACME", "  Acme ", "Société Générale", "societe generale", "Vendor 7 Télécom"], [""]),
    "type": (["", "saas", "SaaS", "licence", "managed", "other", "tma"], ["weird"]),
    "status": (["", "active", "NEGOTIATING", "draft", "notice_given"], ["closed"]),
    "notice": DURATIONS,
    "renewal": (["", "auto", "Manual", "none"], ["sometimes"]),
    "term": ([text for text in DURATIONS[0] if text != "0d"], ["0d", *DURATIONS[1]]),
    "annual_value": (["", "120000", "120k", "1 234,50", "1,234.50", "120 000 €", "9800.50", "$5000", "45000 USD"],
                     ["abc", "12 XYZ"]),
    "currency": (["", "EUR", "usd", "GBP"], ["EURO"]),
    "owner": (["", "U0123ABCD", "<@U0123ABCD>", "<@U0456EFGH|bob>"], ["bob"]),
    "channel": (["", "C0123ABCD", "<#C0123ABCD|general>"], ["#general"]),
    "lead": DURATIONS,
}


@st.composite
def files(draw: st.DrawFn) -> tuple[list[str], list[dict[str, str]]]:
    """A header (required columns, some optional ones, in any order) and 1–6 rows; one file in four may
    hold bad cells (and ends before starts)."""
    clean = draw(st.integers(0, 3)) > 0
    required = ["reference", "end_date"] + (["title", "vendor"] if clean else [])  # a new contract needs both
    header = [*required, *draw(st.lists(st.sampled_from([n for n in OPTIONAL if n not in required]), unique=True))]
    header = draw(st.permutations(header))
    count = draw(st.integers(1, 6))
    rows = []
    for i in range(count):
        row = {}
        for name in header:
            if name in COLUMNS:
                good, bad = COLUMNS[name]
                row[name] = draw(st.sampled_from(good if clean else good * 4 + bad))
        if "start_date" in header:
            row["start_date"] = draw(st.one_of(st.just(""), date_texts(
                date(2019, 1, 1), date(2024, 12, 31) if clean else date(2026, 6, 30), clean=clean)))
        row["reference"] = draw(st.sampled_from([f"R-{i}", f"r-{i}"] if clean else [f"R-{i}"] * 10 + ["bad ref!"]))
        row["end_date"] = draw(date_texts(date(2025, 1, 1), date(2031, 12, 31), clean=clean))
        rows.append(row)
    return list(header), rows


def to_csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def raw_of(header: list[str], row: dict[str, str]) -> dict[str, str]:
    """The row as the full path reads it (a formula-escaped cell read back first, as csv_io does)."""
    return {FIELD_OF[name]: unsafe_cell(row[name]) for name in header}


@settings(max_examples=300, deadline=None)
@given(files())
def test_the_row_reader_reads_every_row_as_read_contract_fields_does(file: tuple[list[str], list[dict[str, str]]]):
    header, rows = file
    fields = [FIELD_OF[name] for name in header]
    reader = RowReader(fields, tz=PARIS, now=NOW)
    for row in rows * 2:  # the second time from what it remembered
        raw = raw_of(header, row)
        try:
            expected: Any = read_contract_fields(raw, tz=PARIS, now=NOW)
        except InputError as exc:
            expected = (exc.field, exc.problem, exc.value)
        try:
            got: Any = reader.read([raw[name] for name in fields])
        except InputError as exc:
            got = (exc.field, exc.problem, exc.value)
        assert got == expected


COMPARED = [c.name for c in Contract.__table__.columns if c.name not in ("id", "reference", "reference_key",
                                                                         "search_text")]


def full_path(session: Session, header: list[str], rows: list[dict[str, str]], *, now: datetime,
              ) -> tuple[list[tuple[int, str]], int, int]:
    """Each row through read_contract_fields and contracts.create / update, on "F"-prefixed references:
    (bad rows, updated, unchanged)."""
    errors, updated, unchanged = [], 0, 0
    for line, row in enumerate(rows, start=2):
        try:
            values = read_contract_fields(raw_of(header, row), tz=PARIS, now=now)
            require(values, "reference", "end")
            assert values.reference is not None
            values.reference = "F" + values.reference
            existing = contracts.get_by_reference(session, reference=values.reference)
            if existing is None:
                contracts.create(session, values=values, defaults=DEFAULTS, actor="import", now=now)
            elif contracts.update(session, contract=existing, values=values, actor="import", action="import_update",
                                  note=None, now=now):
                updated += 1
            else:
                unchanged += 1
        except InputError as exc:
            errors.append((line, _reason(exc, "en")))
    return errors, updated, unchanged


def assert_same_contracts(session: Session, references: set[str]) -> None:
    for reference in references:
        fast = contracts.get_by_reference(session, reference=reference)
        full = contracts.get_by_reference(session, reference="F" + reference)
        assert fast is not None and full is not None
        for column in COMPARED:
            assert getattr(fast, column) == getattr(full, column), column
        for column in ("notice", "term", "lead"):  # and written alike (equal Durations may differ in unit)
            assert getattr(fast, column).written() == getattr(full, column).written(), column
        assert fast.search_text.split(" ", 1)[1] == full.search_text.split(" ", 1)[1]
        fast_events = audit.get_all(session, entity_type="contract", entity_id=fast.id)
        full_events = audit.get_all(session, entity_type="contract", entity_id=full.id)
        assert [(e.action, e.actor, e.at, e.note) for e in fast_events] == [
            (e.action, e.actor, e.at, e.note) for e in full_events]
        for mine, theirs in zip(fast_events, full_events, strict=True):
            mine_changes, their_changes = dict(mine.changes), dict(theirs.changes)
            if "reference" in their_changes:
                their_changes["reference"] = [None, their_changes["reference"][1][1:]]
            assert mine_changes == their_changes
            assert list(mine_changes) == list(their_changes)


def import_both(session: Session, header: list[str], rows: list[dict[str, str]], *, now: datetime) -> bool:
    """Import `rows` both ways in `session`; False when the file has bad rows (both paths then agree on
    every line and reason, and the fast path wrote nothing)."""
    expected_errors, updated, unchanged = full_path(session, header, rows, now=now)
    try:
        report = import_contracts(session, to_csv(header, rows), defaults=DEFAULTS, tz=PARIS, now=now)
    except ImportRejected as rejected:
        assert rejected.errors == sorted(expected_errors)
        return False
    assert expected_errors == []
    assert (report.updated, report.unchanged) == (updated, unchanged)
    assert report.created == len(rows) - updated - unchanged
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=files(), again=st.data())
def test_an_import_makes_and_updates_exactly_what_create_and_update_make(
        session_factory: sessionmaker[Session], first: tuple[list[str], list[dict[str, str]]], again: st.DataObject):
    header, rows = first
    with session_factory() as session:
        try:
            imported = import_both(session, header, rows, now=NOW)
            event("first file imported" if imported else "first file refused")
            if not imported:
                return
            references = {(row["reference"]).upper() for row in rows}
            assert_same_contracts(session, references)
            # the same file again, some rows as they were, others drawn anew (same references): updates
            redrawn = again.draw(files())[1]
            second = []
            for i, row in enumerate(rows):
                keep = again.draw(st.booleans()) or i >= len(redrawn)
                second.append(row if keep else {**{k: v for k, v in redrawn[i].items() if k in header},
                                                "reference": row["reference"]})
            second = [{name: row.get(name, "") for name in header} for row in second]
            imported = import_both(session, header, second, now=LATER)
            event("second file imported" if imported else "second file refused")
            if imported:
                assert_same_contracts(session, references)
        finally:
            session.rollback()


@pytest.mark.parametrize("reimported_end", ["2027-03-31", "2027-04-30"])
def test_reimporting_a_tacitly_renewed_contract_does_what_update_does(session_factory: sessionmaker[Session],
                                                                     reimported_end: str):
    """A contract renewed tacitly (its end moved, counted from its anchor) and re-imported with its
    current end, or another: the import resets the anchor exactly as `contracts.update` does."""
    header = ["reference", "title", "vendor", "end_date", "renewal", "term"]
    row = {"reference": "R-1", "title": "Support", "vendor": "Acme", "end_date": "2027-01-31", "renewal": "auto",
           "term": "1mo"}
    with session_factory() as session:
        try:
            assert import_both(session, header, [row], now=NOW)
            for reference in ("R-1", "FR-1"):
                contract = contracts.get_by_reference(session, reference=reference)
                assert contract is not None
                contracts.roll_if_ended(session, contract=contract, today=date(2027, 3, 15), now=NOW)
                assert (contract.end_date, contract.renewals_since_anchor) == (date(2027, 3, 31), 2)
            session.flush()
            assert import_both(session, header, [{**row, "end_date": reimported_end}], now=LATER)
            assert_same_contracts(session, {"R-1"})
            imported = contracts.get_by_reference(session, reference="R-1")
            assert imported is not None and imported.renewals_since_anchor == 0
        finally:
            session.rollback()
