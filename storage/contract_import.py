"""Importing many contracts quickly, in one transaction, with bounded memory.

The CSV is read as a stream, row by row, by presentation (`bot.csv_io.read_rows`, the same reader as
`/contract add`); this module takes the typed rows (`ContractValues`). Good rows are written in batches:
the references and vendors a batch needs are fetched in one query each; new contracts go in as the
very row `contracts.create` would make (`new_contract` below: same defaults, same rules, same derived
columns, same history), with one INSERT executemany (their history with another) whose parameters are
already in the driver's form — SQLAlchemy's per-row bind processing was a third of the import's time.
An existing reference is first compared with what the import would write: when not one column would
change it is counted unchanged without loading it; otherwise it is updated through
`storage.contracts.update` (so its history says "import_update", as before). On SQLite, once a batch brings
more than `BULK_INDEX_FROM` new contracts, the per-row upkeep is done once for the rest of the import,
inside its transaction: the word-search index (migration 0010: FTS5 kept by triggers) filled by one
`INSERT … SELECT` at the end instead of its insert trigger (`search_index.DeferredIndexing`), the B-tree
indexes of a small portfolio built again at the end (`bulk_load.DeferredIndexes`); and the CHECK
constraints are asked once per distinct value, then skipped for rows whose values all passed
(`bulk_load.DistinctChecks`). `write_all` puts every trigger, index and constraint back before it returns,
failure or not; a rollback takes every drop back. The caller owns the one
transaction: any bad row — every one is reported with its line — and nothing is committed.
Memory holds one batch, the references seen so far (to report duplicates), the vendors and a few
bounded caches of derived dates.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from json.encoder import encode_basestring_ascii as _json
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import deadlines
from bot.contract_values import ContractValues, InputError, require
from bot.deadlines import Renewal, Status
from bot.durations import NO_DURATION, TWELVE_MONTHS, Duration
from bot.text import fold
from storage import bulk_load, contracts, search_index, vendors
from storage.models import AuditEvent, Contract, Vendor

BATCH = 2_000
# A batch with more new contracts than this moves the rest of the import to bulk indexing (SQLite): the
# word-search index filled in one statement at the end (`search_index.DeferredIndexing`), and, when the
# portfolio had at most REBUILD_UP_TO contracts, its B-tree indexes built again at the end by sorting
# (`bulk_load.DeferredIndexes`). Smaller imports keep the per-row upkeep, then negligible.
BULK_INDEX_FROM = 1_000
REBUILD_UP_TO = 10_000


@dataclass(slots=True)
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, InputError]] = field(default_factory=list)


class VendorCache:
    """Vendor → (id, stored name): all vendors once, then the ones this import creates; looked up by
    the name as written (then by its folded key), so a big file folds each spelling once."""

    def __init__(self, session: Session) -> None:
        self._known = {key: (id_, name) for id_, key, name in session.execute(select(Vendor.id, Vendor.name_key,
                                                                                       Vendor.name))}
        self._spelled: dict[str, tuple[int, str]] = {}
        self.names = {id_: name for id_, name in self._known.values()}
        self.folded: dict[int, str] = {}

    def resolve(self, session: Session, name: str, *, now: datetime) -> tuple[int, str]:
        found = self._spelled.get(name)
        if found is None:
            key = fold(name)
            found = self._known.get(key)
            if found is None:
                vendor = vendors.get_or_create(session, name=name, now=now)
                found = self._known[key] = (vendor.id, vendor.name)
                self.names[vendor.id] = vendor.name
            self._spelled[name] = found
        return found

    def folded_name(self, vendor_id: int) -> str:
        folded = self.folded.get(vendor_id)
        if folded is None:
            folded = self.folded[vendor_id] = fold(self.names[vendor_id])
        return folded


@lru_cache(maxsize=32_768)
def _derived(end: date, notice: Duration, lead: Duration) -> tuple[date, date]:
    """(notice deadline, act-by date): a portfolio has a few thousand distinct (end, notice, lead). Keyed
    by value (`12mo` == `1y`): the texts the history records are the Durations' own (`written`)."""
    return deadlines.notice_deadline(end, notice), deadlines.act_by(end, notice, lead)


# The columns of a new contract, in the order `new_contract` gives them.
NEW_COLUMNS = ("reference", "reference_key", "title", "vendor_id", "type", "status", "start_date", "end_date",
               "end_anchor", "renewals_since_anchor", "notice", "term", "lead", "renewal", "notice_deadline",
               "act_by", "annual_value", "currency", "owner", "channel", "search_text", "alerts_snoozed_until",
               "created_at", "updated_at", "version")
# Their "create" history: on SQLite (3.35+) with the ids the contracts' INSERT returned; elsewhere the contract's
# id found by the database from its reference key, in the insert (a subquery a row: ~5 µs a row on SQLite).
_CREATED_BY_ID = ("at", "actor", "entity_type", "entity_id", "action", "changes", "note")
_RETURNED = ("reference_key", "id")
_CREATED_COLUMNS = ("at", "actor", "entity_type", "reference_key", "action", "changes", "note")
_CREATED = insert(AuditEvent).values(
    {**{name: bindparam(name) for name in _CREATED_COLUMNS if name != "reference_key"},
     "entity_id": select(Contract.id).where(Contract.reference_key == bindparam("reference_key")).scalar_subquery()})
_NO_NOTICE = NO_DURATION
_DEFAULT_TERM = TWELVE_MONTHS


def new_contract(values: ContractValues, *, defaults: contracts.Defaults, vendor_id: int, vendor_name: str,
                 folded_vendor: str, now: datetime) -> tuple[tuple[Any, ...], str]:
    """The contract `contracts.create` makes from `values` (same defaults, same rules, same derived
    columns) — its columns in `NEW_COLUMNS` order, Python values as the ORM holds them (durations as
    `Duration`s) — and the changes its history records
    (`{"reference": [null, "…"], …}`, in `create`'s order), as the JSON text the audit trail stores."""
    reference, title, end = values.reference, values.title, values.end
    if reference is None or title is None or end is None or values.vendor is None:
        require(values, "reference", "title", "vendor", "end")
    assert reference is not None and title is not None and end is not None
    given = values.given
    type_ = values.type if "type" in given and values.type is not None else "other"
    status = values.status if "status" in given and values.status is not None else _ACTIVE
    renewal = values.renewal if "renewal" in given and values.renewal is not None else _MANUAL
    start = values.start if "start" in given else None
    value = values.value if "value" in given else None
    currency = values.currency if "currency" in given and values.currency is not None else defaults.currency
    owner = values.owner if "owner" in given else None
    channel = values.channel if "channel" in given else None
    notice = values.notice if "notice" in given and values.notice is not None else _NO_NOTICE
    term = values.term if "term" in given and values.term is not None else _DEFAULT_TERM
    lead = values.lead if "lead" in given and values.lead is not None else defaults.lead
    if start and end < start:
        raise InputError("end", "end_before_start", end.isoformat())
    notice_deadline, act_by = _derived(end, notice, lead)
    notice_text, term_text, lead_text = notice.written(), term.written(), lead.written()
    search_text = f"{fold(reference)} {fold(title)} {folded_vendor}"
    row = (reference, reference.upper(), title, vendor_id, type_, status, start, end, end, 0, notice, term, lead, renewal,
           notice_deadline, act_by, value, currency, owner, channel, search_text, None, now, now, 1)
    # what json.dumps writes for the history's {name: [None, text], …} (the JSON column's own
    # serialiser; None values left out, as `create` does), written out: ~3× faster
    history = "".join([
        '{"reference": [null, ', _json(reference), '], "title": [null, ', _json(title), '], "type": [null, ',
        _json(type_), '], "status": [null, ', _json(status), "], ",
        "" if start is None else f'"start_date": [null, "{start.isoformat()}"], ',
        f'"end_date": [null, "{end.isoformat()}"], "notice": [null, ', _json(notice_text), '], "renewal": [null, ',
        _json(renewal), '], "term": [null, ', _json(term_text), '], "lead": [null, ', _json(lead_text), "], ",
        "" if value is None else f'"annual_value": [null, {_json(str(value))}], ',
        '"currency": [null, ', _json(currency), "], ",
        "" if owner is None else f'"owner": [null, {_json(owner)}], ',
        "" if channel is None else f'"channel": [null, {_json(channel)}], ',
        '"vendor": [null, ', _json(vendor_name), "]}"])
    return row, history


_ACTIVE, _MANUAL = Status.ACTIVE.value, Renewal.MANUAL.value


class Writer:
    """Writes the batches of one import on the session's connection (one transaction, the caller's)."""

    def __init__(self, session: Session, *, defaults: contracts.Defaults, actor: str, now: datetime,
                 bulk: bool = False) -> None:
        """`bulk`: SQLite's per-row upkeep deferred where it can be (`BULK_INDEX_FROM`) and the CHECKs asked
        per distinct value — the caller then owes `finish()` before committing, and on any error too
        (`write_all`); without it every insert is indexed and checked row by row."""
        self.session, self.defaults, self.actor, self.now = session, defaults, actor, now
        self.cache = VendorCache(session)
        connection = session.connection()
        self.indexing = search_index.DeferredIndexing(connection) if bulk else None
        self._deferred = False
        self.indexes = bulk_load.DeferredIndexes(connection, Contract.__tablename__) if bulk else None
        self.checks = bulk_load.DistinctChecks.of(connection, Contract.__tablename__, NEW_COLUMNS) if bulk else None
        self._by_id = connection.dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 35)
        self.contracts = bulk_load.BulkInsert(connection, cast(Table, Contract.__table__), NEW_COLUMNS, checks=self.checks,
                                    returning=_RETURNED if self._by_id else ())
        self.audit = (bulk_load.BulkInsert(connection, cast(Table, AuditEvent.__table__), _CREATED_BY_ID, raw=("changes",))
                      if self._by_id else
                      bulk_load.BulkInsert(connection, cast(Table, AuditEvent.__table__), _CREATED_COLUMNS, raw=("changes",),
                                 statement=_CREATED))

    def write(self, batch: list[tuple[int, ContractValues]]) -> BatchResult:
        """Create or update the contracts of one batch (references unique within the file)."""
        session, cache, now, actor = self.session, self.cache, self.now, self.actor
        result = BatchResult()
        keys = [(values.reference or "").upper() for _line, values in batch]
        stored = {row[2]: tuple(row) for row in session.execute(select(*_COMPARED)
                                                                .where(Contract.reference_key.in_(keys)))}
        if stored and self.checks is not None:
            self.checks.skip(session.connection(), False)  # the updates below are checked row by row
        new_rows: list[tuple[Any, ...]] = []
        histories: list[str] = []
        for line, values in batch:
            current = stored.get((values.reference or "").upper())
            try:
                if current is None:
                    require(values, "title", "vendor")
                    vendor_id, vendor_name = cache.resolve(session, values.vendor or "", now=now)
                    row, changes = new_contract(values, defaults=self.defaults, vendor_id=vendor_id,
                                                vendor_name=vendor_name, folded_vendor=cache.folded_name(vendor_id),
                                                now=now)
                    new_rows.append(row)
                    histories.append(changes)
                elif self._unchanged(current, values):
                    result.unchanged += 1
                else:
                    changed = self._update(current[0], values)
                    result.updated += 1 if changed else 0
                    result.unchanged += 0 if changed else 1
            except InputError as exc:
                result.errors.append((line, exc))
        if new_rows:
            connection = session.connection()
            if len(new_rows) > BULK_INDEX_FROM:
                self._defer_upkeep(connection)
            if self.checks is not None:
                session.flush()  # this batch's updates, while the CHECKs apply
            returned = self.contracts.execute(connection, new_rows)
            ids: dict[str, int] | None = dict(returned) if self._by_id else None
            self.audit.execute(connection, [(now, actor, "contract", row[1] if ids is None else ids[row[1]], "create",
                                             changes, None) for row, changes in zip(new_rows, histories, strict=True)])
            result.created += len(new_rows)
        session.flush()
        session.expunge_all()  # bounded memory: nothing of this batch is needed any more
        return result

    def _defer_upkeep(self, connection: Connection) -> None:
        """From the first batch with many new contracts on (once): the word-search index, and the B-tree
        indexes of a small portfolio (building them again sorts the whole table)."""
        if self.indexing is None or self.indexes is None or self._deferred:
            return
        self._deferred = True
        self.indexing.start()
        if (connection.execute(select(func.count()).select_from(Contract)).scalar() or 0) <= REBUILD_UP_TO:
            self.indexes.drop()

    def finish(self, *, failed: bool = False) -> None:
        """The deferred upkeep done: CHECKs enforced again, new contracts indexed, B-tree indexes built
        again. After a failure too (the caller rolls back, which takes every drop back; should it commit
        anyway, what was written is whole), then without raising."""
        connection = self.session.connection()
        if self.checks is not None:
            self.checks.restore(connection)
        with suppress(SQLAlchemyError) if failed else nullcontext():
            if self.indexing is not None:
                self.indexing.finish()
            if self.indexes is not None:
                self.indexes.create()

    def _update(self, contract_id: int, values: ContractValues) -> bool:
        session, now = self.session, self.now
        contract = session.get(Contract, contract_id)
        assert contract is not None
        values.given.discard("reference")
        vendor = None
        if "vendor" in values.given and values.vendor:  # from the cache, not one query per row
            vendor = session.get(Vendor, self.cache.resolve(session, values.vendor, now=now)[0])
        return bool(contracts.update(session, contract=contract, values=values, actor=self.actor,
                                     action="import_update", note=None, now=now, vendor=vendor))

    def _unchanged(self, current: tuple[Any, ...], values: ContractValues) -> bool:
        """True when `contracts.update` would change not one column of the stored contract (`current`:
        its `_COMPARED` columns), so nothing is written and nothing recorded; False when it might (the
        update then decides, and records)."""
        (_id, reference, _key, title, vendor_id, type_, status, start, end, anchor, renewals, notice, term, lead,
         renewal, notice_deadline, act_by, value, currency, owner, channel, search_text) = current
        given = values.given
        if "vendor" in given and values.vendor:
            if self.cache.resolve(self.session, values.vendor, now=self.now)[0] != vendor_id:
                return False
        if (("title" in given and values.title != title) or ("type" in given and values.type != type_)
                or ("status" in given and values.status != status) or ("start" in given and values.start != start)
                or ("renewal" in given and values.renewal != renewal) or ("value" in given and values.value != value)
                or ("currency" in given and values.currency != currency)
                or ("owner" in given and values.owner != owner) or ("channel" in given and values.channel != channel)):
            return False
        if (("notice" in given and values.notice != notice) or ("term" in given and values.term != term)
                or ("lead" in given and values.lead != lead)):
            return False
        if "end" in given and values.end is not None and (values.end != end or anchor != end or renewals != 0):
            return False  # the update would move the end, or count renewals from it again
        if start and end < start:
            return False  # the update refuses it
        if _derived(end, notice, lead) != (notice_deadline, act_by):
            return False
        return f"{fold(reference)} {fold(title)} {self.cache.folded_name(vendor_id)}" == search_text


_COMPARED = (Contract.id, Contract.reference, Contract.reference_key, Contract.title, Contract.vendor_id,
             Contract.type, Contract.status, Contract.start_date, Contract.end_date, Contract.end_anchor,
             Contract.renewals_since_anchor, Contract.notice, Contract.term, Contract.lead, Contract.renewal,
             Contract.notice_deadline, Contract.act_by, Contract.annual_value, Contract.currency, Contract.owner,
             Contract.channel, Contract.search_text)


def batches(rows: Iterable[tuple[int, ContractValues]], size: int = BATCH,
            ) -> Iterator[list[tuple[int, ContractValues]]]:
    batch: list[tuple[int, ContractValues]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_all(session: Session, rows: Iterable[tuple[int, ContractValues]], *, defaults: contracts.Defaults,
              actor: str, now: datetime) -> BatchResult:
    """Every (line, values) of a stream, in batches of `BATCH`; the rows refused by a rule are in
    `errors` with their line (the caller then rolls its transaction back)."""
    total = BatchResult()
    with bulk_load.big_page_cache(session.connection()):
        writer = Writer(session, defaults=defaults, actor=actor, now=now, bulk=True)
        try:
            for batch in batches(rows):
                result = writer.write(batch)
                total.created += result.created
                total.updated += result.updated
                total.unchanged += result.unchanged
                total.errors += result.errors
        except BaseException:
            writer.finish(failed=True)
            raise
        writer.finish()
    return total
