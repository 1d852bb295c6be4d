"""contractbot's CSV files: the portfolio (import and export), SLA terms (import), disputes and
obligations (export) — reading and writing the rows.

Presentation: it reads the file into typed values (the same readers as the slash commands), writes
the rows, and translates each refused row into the person's language; it opens no session — the
caller passes its own, and the bulk writes are storage's (`storage.contract_import`, `sla_terms`).

Import is all-or-nothing: every row is read and checked, every bad row is reported with the file's
own line number (the header is line 1) and its reason, and nothing is committed unless all rows are
good (the caller's one transaction is rolled back). An existing reference is updated, and its
history says so. The file is streamed and written in batches of 2,000 (storage.contract_import).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import repeat
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import bounds
from bot.contract_input import CSV_COLUMNS, RowReader, read_contract_fields
from bot.contract_values import ContractValues, InputError, require
from bot.csv_safe import safe_row, unsafe_cell
from bot.disputes import CLOSED, written_off
from bot.errors import DomainError
from bot.i18n import t
from bot.money import MoneyError, parse_pct
from bot.sla import PRIORITIES, read_clock, read_target
from storage import contract_import, contracts, disputes, obligations, sla_terms
from storage.models import Contract

HEADER = ["reference", "title", "vendor", "type", "status", "start_date", "end_date", "notice", "renewal", "term",
          "annual_value", "currency", "owner", "channel", "lead"]
REQUIRED_COLUMNS = {"reference", "end_date"}
IMPORT_ACTOR = "import"


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


class ImportRejected(Exception):
    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(errors)} bad row(s)")
        self.errors = errors


def _reason(exc: InputError, lang: str) -> str:
    column = CSV_COLUMNS.get(exc.field, exc.field)
    return f"{column}: {t(lang, f'err_{exc.problem}', field=column, value=exc.value)}"


def _unreadable(exc: csv.Error, lang: str) -> str:
    """Why csv could not read a line: a cell over its field limit (131,072), or another reason."""
    if "field limit" in str(exc):
        return t(lang, "csv_cell_too_large", limit=bounds.MAX_CSV_CELL)
    return t(lang, "csv_unreadable", reason=str(exc))


def _rows(reader: csv.DictReader[str], errors: list[tuple[int, str]], lang: str
          ) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line, row) for every row, cells read back from ``safe_row``; a line that csv cannot read, or
    a cell over ``bounds.MAX_CSV_CELL``, is reported in ``errors`` and ends the reading (never a traceback)."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append((reader.line_num + 1, _unreadable(exc, lang)))
            return
        if any(len(value) > bounds.MAX_CSV_CELL for value in row.values() if isinstance(value, str)):
            errors.append((reader.line_num, t(lang, "csv_cell_too_large", limit=bounds.MAX_CSV_CELL)))
            return
        yield reader.line_num, {k: (unsafe_cell(v) if isinstance(v, str) else v) for k, v in row.items()}


def read_rows(source: str | Iterable[str], *, tz: ZoneInfo, now: datetime, lang: str = "en",
              errors: list[tuple[int, str]]) -> Iterator[tuple[int, ContractValues]]:
    """Parse and check each row as it is read (a stream: a file object or the text); yield the good
    rows, append each bad one to `errors` as (line, reason).

    Read like `csv.DictReader` would (blank lines skipped, a short row's missing cells blank, a long
    row refused), cells read back from `safe_row`, fields read as `read_contract_fields` does, by a
    `RowReader`: each distinct date, duration, amount… of the file is read once."""
    lines = io.StringIO(source.lstrip("\ufeff")) if isinstance(source, str) else source
    reader = csv.reader(lines)
    header = next(reader, None) or []
    columns = {name.strip().lstrip("\ufeff") for name in header}
    missing = REQUIRED_COLUMNS - columns
    if missing:
        errors.append((1, t(lang, "csv_missing_columns", columns=", ".join(sorted(missing)))))
        return
    unknown = columns - set(HEADER)
    if unknown:
        errors.append((1, t(lang, "csv_unknown_columns", columns=", ".join(sorted(unknown)))))
        return
    by_column = {column: name for name, column in CSV_COLUMNS.items()}
    fields = [by_column[name.strip().lstrip("\ufeff")] for name in header]
    width = len(header)
    # the cells a DictReader row holds: the last one of each header name (a repeated name keeps its last)
    last_of_name = sorted({name: index for index, name in enumerate(header)}.values())
    every_cell = last_of_name == list(range(width))
    rows = RowReader(fields, tz=tz, now=now) if len(set(fields)) == width else None  # else: a field twice
    seen: dict[str, int] = {}
    line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append((line + 1, _unreadable(exc, lang)))  # the line after the last record read
            return
        line = reader.line_num
        if not cells:
            continue
        checked = (cells[:width] if len(cells) > width else cells) if every_cell else \
            [cells[i] for i in last_of_name if i < len(cells)]
        if checked and max(map(len, checked)) > bounds.MAX_CSV_CELL:
            errors.append((line, t(lang, "csv_cell_too_large", limit=bounds.MAX_CSV_CELL)))
            return
        if len(cells) > width:
            errors.append((line, t(lang, "csv_too_many_cells")))
            continue
        if any(map(str.startswith, cells, repeat("'"))):
            cells = [unsafe_cell(cell) for cell in cells]
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        try:
            values = (rows.read(cells) if rows else
                      read_contract_fields(dict(zip(fields, cells, strict=True)), tz=tz, now=now))
            require(values, "reference", "end")
        except InputError as exc:
            errors.append((line, _reason(exc, lang)))
            continue
        key = (values.reference or "").upper()
        if key in seen:
            errors.append((line, t(lang, "csv_duplicate", ref=values.reference, line=seen[key])))
            continue
        seen[key] = line
        yield line, values


def import_contracts(session: Session, source: str | Iterable[str], *, defaults: contracts.Defaults, tz: ZoneInfo,
                     now: datetime, actor: str = IMPORT_ACTOR, lang: str = "en") -> ImportReport:
    """Create or update every row, streaming, in batches; raise ImportRejected if any row is bad (the
    caller's transaction then writes nothing). `source` is the text or an open file."""
    errors: list[tuple[int, str]] = []
    result = contract_import.write_all(session, read_rows(source, tz=tz, now=now, lang=lang, errors=errors),
                                       defaults=defaults, actor=actor, now=now)
    errors += [(line, _reason(exc, lang)) for line, exc in result.errors]
    if errors:
        raise ImportRejected(sorted(errors))
    return ImportReport(created=result.created, updated=result.updated, unchanged=result.unchanged)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[str, int]:
    """(CSV text, number of rows), the rows written as they come; every cell through safe_row: no
    formula reaches a spreadsheet (docs/operations.md)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return out.getvalue(), count


def export_contracts(session: Session) -> tuple[str, int]:
    return write_csv(HEADER, (
        [c.reference, c.title, c.vendor.name, c.type, c.status, c.start_date.isoformat() if c.start_date else "",
         c.end_date.isoformat(), c.notice.written(), c.renewal, c.term.written(),
         "" if c.annual_value is None else f"{c.annual_value:.2f}", c.currency, c.owner or "", c.channel or "",
         c.lead.written()]
        for c in contracts.iter_all(session)))


DISPUTES_HEADER = ("id,reference,summary,status,opened_at,opened_by,updated_at,amount_claimed,amount_recovered,"
                   "amount_written_off,currency,outcome").split(",")


def export_disputes(session: Session) -> tuple[str, int]:
    """`contractbot export disputes`. Instants in UTC ISO 8601; amounts with two decimals; written off
    only once the dispute is closed."""
    return write_csv(DISPUTES_HEADER, [
        [d.number, d.contract.reference, d.summary, d.status, d.opened_at.astimezone(UTC).isoformat(), d.opened_by,
         d.updated_at.astimezone(UTC).isoformat(), d.amount_claimed, d.amount_recovered,
         written_off(d.amount_claimed, d.amount_recovered) if d.status == CLOSED else None, d.currency, d.outcome]
        for d in disputes.get_all_for_export(session)])


OBLIGATIONS_HEADER = ["id", "reference", "what", "party", "owner", "due_on", "every", "evidence", "status",
                      "last_done_on", "last_done_by", "last_evidence", "created_on"]


def export_obligations(session: Session, *, today: date, thresholds: Sequence[int]) -> tuple[str, int]:
    """`contractbot export obligations`: one row per obligation, its status as of `today`."""
    return write_csv(OBLIGATIONS_HEADER, obligations.export_rows(session, today=today, thresholds=thresholds))


SLA_HEADER = ["reference", "priority", "response", "resolution", "clock", "credit_pct"]


def import_sla(session: Session, text: str, *, actor: str = IMPORT_ACTOR, now: datetime, lang: str = "en") -> int:
    """SLA CSV (`reference,priority,response,resolution,clock,credit_pct`): all-or-nothing; returns
    the number of terms set, or raises ImportRejected with every bad row and its line number."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {name.strip() for name in (reader.fieldnames or [])}
    missing = set(SLA_HEADER[:4]) - columns
    if missing:
        raise ImportRejected([(1, t(lang, "csv_missing_columns", columns=", ".join(sorted(missing))))])
    errors: list[tuple[int, str]] = []
    rows: list[tuple[int, Contract, sla_terms.TermInput]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in _rows(reader, errors, lang):
        cells = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        reference, priority = cells.get("reference", ""), cells.get("priority", "").upper()
        valid_reference = bounds.is_reference(reference)
        contract = contracts.get_by_reference(session, reference=reference) if valid_reference else None
        problem = None
        if not valid_reference:
            problem = f"reference: {t(lang, 'err_reference_format', value=reference[:bounds.MAX_REFERENCE])}"
        elif contract is None:
            problem = f"reference: {t(lang, 'err_unknown_reference', ref=reference)}"
        elif priority not in PRIORITIES:
            problem = f"priority: {t(lang, 'err_bad_priority', value=cells.get('priority', ''))}"
        elif (reference.upper(), priority) in seen:
            problem = t(lang, "csv_duplicate", ref=f"{reference} {priority}", line=seen[(reference.upper(), priority)])
        targets = {}
        for name in ("response", "resolution"):
            if problem:
                break
            try:  # the same reader as `/sla set`
                targets[name] = read_target(name, cells.get(name, ""))
            except DomainError as exc:
                problem = f"{name}: {t(lang, exc.key, **exc.values)}"
        clock = cells.get("clock") or None
        if not problem:
            try:
                clock = read_clock(clock).value
            except DomainError as exc:
                problem = f"clock: {t(lang, exc.key, **exc.values)}"
        credit = None
        if not problem and cells.get("credit_pct"):
            try:
                credit = parse_pct(cells["credit_pct"])
            except MoneyError:
                problem = f"credit_pct: {t(lang, 'err_bad_pct', field='credit_pct', value=cells['credit_pct'])}"
        if problem:
            errors.append((line, problem))
            continue
        assert contract is not None  # a row without a problem names a known contract
        seen[(reference.upper(), priority)] = line
        rows.append((line, contract, sla_terms.TermInput(priority, targets["response"], targets["resolution"], str(clock),
                                                         credit)))
    if errors:
        raise ImportRejected(errors)
    for _line, contract, term in rows:
        sla_terms.set_term(session, contract=contract, term=term, actor=actor, now=now)
    return len(rows)
