"""Importing many contracts quickly, in one transaction, with bounded memory.

The CSV is read as a stream, row by row, by presentation (`bot.csv_io.read_rows`, the same reader as
`/contract add`); this module takes the typed rows (`ContractValues`). Good rows are written in batches: the references and
vendors a batch needs are fetched in one query each, new contracts go in with one Core `insert()`
executemany (their history with another), existing references are updated one by one through
`storage.contracts.update` (so their history says "import_update", as before). The caller owns the
one transaction: any bad row — every one is reported with its line — and nothing is committed.
Memory holds one batch, the references seen so far (to report duplicates) and the vendors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.contract_values import ContractValues, InputError, require
from bot.text import fold
from storage import contracts, search_index, vendors
from storage.models import AuditEvent, Contract, Vendor

BATCH = 2_000


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

    def resolve(self, session: Session, name: str, *, now: datetime) -> tuple[int, str]:
        found = self._spelled.get(name)
        if found is None:
            key = fold(name)
            found = self._known.get(key)
            if found is None:
                vendor = vendors.get_or_create(session, name=name, now=now)
                found = self._known[key] = (vendor.id, vendor.name)
            self._spelled[name] = found
        return found


def batches(rows: Iterable[tuple[int, ContractValues]], size: int = BATCH) -> Iterator[list[tuple[int, ContractValues]]]:
    batch: list[tuple[int, ContractValues]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_batch(session: Session, batch: list[tuple[int, ContractValues]], *, cache: VendorCache,
                defaults: contracts.Defaults, actor: str, now: datetime) -> BatchResult:
    """Create or update the contracts of one batch (references unique within the file)."""
    result = BatchResult()
    keys = [(values.reference or "").upper() for _line, values in batch]
    existing = {c.reference_key: c for c in session.scalars(select(Contract).where(Contract.reference_key.in_(keys)))}
    new_rows: list[dict[str, Any]] = []
    histories: list[dict[str, list[Any]]] = []
    for line, values in batch:
        contract = existing.get((values.reference or "").upper())
        try:
            if contract is None:
                require(values, "title", "vendor")
                vendor_id, vendor_name = cache.resolve(session, values.vendor or "", now=now)
                row, changes = contracts.new_row(values, defaults=defaults, vendor_id=vendor_id,
                                                 vendor_name=vendor_name, now=now)
                new_rows.append(row)
                histories.append(changes)
            else:
                values.given.discard("reference")
                vendor = None
                if "vendor" in values.given and values.vendor:  # from the cache, not one query per row
                    vendor = session.get(Vendor, cache.resolve(session, values.vendor, now=now)[0])
                changed = contracts.update(session, contract=contract, values=values, actor=actor,
                                           action="import_update", note=None, now=now, vendor=vendor)
                result.updated += 1 if changed else 0
                result.unchanged += 0 if changed else 1
        except InputError as exc:
            result.errors.append((line, exc))
    if new_rows:
        # Core executemany on the session's connection (the ORM's bulk path is several times slower)
        connection = session.connection()
        search_index.insert_contracts(connection, new_rows)  # Core executemany, or one INSERT … SELECT (FTS5)
        new_keys = [row["reference_key"] for row in new_rows]
        ids = dict(connection.execute(select(Contract.reference_key, Contract.id)
                                      .where(Contract.reference_key.in_(new_keys))).all())
        connection.execute(insert(AuditEvent), [
            dict(at=now, actor=actor, entity_type="contract", entity_id=ids[row["reference_key"]], action="create",
                 note=None, changes=changes)
            for row, changes in zip(new_rows, histories, strict=True)])
        result.created += len(new_rows)
    session.flush()
    session.expunge_all()  # bounded memory: nothing of this batch is needed any more
    return result


def write_all(session: Session, rows: Iterable[tuple[int, ContractValues]], *, defaults: contracts.Defaults,
              actor: str, now: datetime) -> BatchResult:
    """Every (line, values) of a stream, in batches of `BATCH`; the rows refused by a rule are in
    `errors` with their line (the caller then rolls its transaction back)."""
    total = BatchResult()
    cache = VendorCache(session)
    for batch in batches(rows):
        result = write_batch(session, batch, cache=cache, defaults=defaults, actor=actor, now=now)
        total.created += result.created
        total.updated += result.updated
        total.unchanged += result.unchanged
        total.errors += result.errors
    return total
