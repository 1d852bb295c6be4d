"""Word search through the trigram indexes of migration 0010 (FTS5 on SQLite, pg_trgm on PostgreSQL)
finds exactly what a brute-force substring check finds, in the same order and with the same count,
over seeded random portfolios written every way the bot writes contracts (`create`, an amendment that
changes the title, a Core insert, the import's batches, an SQL delete); words that look like query
syntax are taken literally. SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot import bounds
from bot.contract_values import ContractValues
from bot.deadlines import CLOSED_STATUSES, Status
from bot.durations import Duration, parse_duration
from bot.text import fold, words
from storage import contract_import, contracts, search_index, vendors
from storage.models import AuditEvent, Contract

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DEFAULTS = contracts.Defaults(currency="EUR", lead=parse_duration("0d"))
VOCABULARY = ["Oracle", "database", "support", "DB", "SAP", "ERP", "cloud", "Paris", "Télécom", "Sécurité",
              "HP", "IT", "x", "data", "licences", "backup", "24x7", "e-signature", "Zürich", "Ça"]
HOSTILE = ['%', '_', '"', "*", "OR", "NEAR(", "'", "50%_off", "a_b", '"quoted"', "AND", "NOT", "-", "^", "col:"]
VENDORS = ["Oracle", "Orange Business", "Société Générale Informatique", "IBM", "Data Centers SA"]
CLOSED = {s.value for s in CLOSED_STATUSES}


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(VOCABULARY + HOSTILE[:3]) if rng.random() < 0.9 else rng.choice(HOSTILE)
                    for _ in range(rng.randint(1, 4)))


def _values(rng: random.Random, number: int) -> ContractValues:
    given = {"reference", "title", "vendor", "end", "status", "notice"}
    return ContractValues(reference=f"REF-{number:04d}", title=_title(rng), vendor=rng.choice(VENDORS),
                          end=date(2027, 1, 1) + timedelta(days=rng.randint(-400, 700)),
                          status=rng.choice([s.value for s in Status]), notice=parse_duration(f"{rng.randint(0, 90)}d"),
                          given=given)


def _portfolio(session: Session, rng: random.Random, size: int) -> None:
    """`create` for most, the import's Core insert for a batch, an amendment of some titles, some deletions."""
    for number in range(size):
        contracts.create(session, values=_values(rng, number), defaults=DEFAULTS, actor="U1", now=NOW)
    bulk = []
    for number in range(size, size + size // 4):
        values = _values(rng, number)
        vendor = vendors.get_or_create(session, name=values.vendor or "", now=NOW)
        row, _history = contract_import.new_contract(values, defaults=DEFAULTS, vendor_id=vendor.id,
                                                     vendor_name=vendor.name, folded_vendor=fold(vendor.name), now=NOW)
        bulk.append(dict(zip(contract_import.NEW_COLUMNS, row, strict=True)))
    session.execute(insert(Contract.__table__), bulk)
    ids = session.scalars(select(Contract.id).order_by(Contract.id)).all()
    amended = rng.sample(ids, len(ids) // 5)
    for contract_id in amended:
        contract = contracts.get_by_id(session, contract_id=contract_id)
        assert contract is not None
        contracts.amend(session, contract=contract, values=ContractValues(title=_title(rng), given={"title"}),
                        note=None, actor="U1", now=NOW)
    doomed = rng.sample(sorted(set(ids) - set(amended)), len(ids) // 10)  # amendments refer to theirs
    session.execute(delete(Contract).where(Contract.id.in_(doomed)))


def _query(rng: random.Random, texts: list[str]) -> str:
    picks = []
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.5:
            picks.append(rng.choice(VOCABULARY))
        elif roll < 0.75:  # a piece of a word someone half remembers (may be 1-2 characters)
            text = rng.choice(texts)
            start = rng.randrange(len(text))
            picks.append(text[start:start + rng.randint(1, 7)])
        elif roll < 0.9:
            picks.append(rng.choice(HOSTILE))
        else:
            picks.append(rng.choice(VENDORS).upper())
    return " ".join(picks)


def _brute_force(rows: list[tuple[int, str, str, date]], query: str) -> list[int] | None:
    """The ids every word of `query` is a substring of, in rank order; None when the query has no word."""
    terms = bounds.search_words(words(query))
    if not terms:
        return None
    matches = [row for row in rows if all(term in row[1] for term in terms)]
    matches.sort(key=lambda row: (row[2] in CLOSED, row[3], row[0]))
    return [row[0] for row in matches]


@pytest.mark.parametrize("seed", [1, 2])
def test_indexed_search_equals_brute_force(session_factory: sessionmaker[Session], seed: int) -> None:
    rng = random.Random(seed)
    with session_factory.begin() as session:
        _portfolio(session, rng, 160)
    with session_factory() as session:
        rows = [tuple(r) for r in session.execute(
            select(Contract.id, Contract.search_text, Contract.status, Contract.act_by))]
        for row in rows:  # the text the index serves is the folded reference, title and vendor
            contract = contracts.get_by_id(session, contract_id=row[0])
            assert contract is not None
            assert row[1] == " ".join([fold(contract.reference), fold(contract.title), fold(contract.vendor.name)])
        fts = session.get_bind().dialect.name == "sqlite"
        if fts:
            assert search_index.fts_ready(session)  # this SQLite has FTS5 trigram: the indexed path is tested
            # FTS5's own check that the index matches the rows of `contracts` (raises if not)
            session.execute(text("INSERT INTO contracts_fts (contracts_fts, rank) VALUES ('integrity-check', 1)"))
        texts = [row[1] for row in rows]
        found_some = 0
        for _ in range(250):
            query = _query(rng, texts)
            expected = _brute_force(rows, query)
            result = contracts.search(session, query=query)
            if expected is None:
                assert (result.contracts, result.total) == ([], 0), query
            elif expected:
                found_some += 1
                assert [c.id for c in result.contracts] == expected[:10], query
                assert result.total == len(expected), query
                terms = bounds.search_words(words(query))
                if fts and all(search_index.indexable(t) for t in terms):
                    for share in (1, 10**9):  # rank the candidates / walk the act-by index: both ways
                        assert search_index.first_matches(session, terms=terms, closed=sorted(CLOSED), limit=10,
                                                          share=share) == (expected[:10], len(expected)), query
            else:  # nothing contains every word: whatever comes back is the typo path's, not a false match
                terms = bounds.search_words(words(query))
                assert not any(all(t in c.search_text for t in terms) for c in result.contracts), query
        assert found_some > 100  # the sample exercised the matching path, not only misses


def test_syntax_looking_words_are_literal(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        for number, title in enumerate(['near(x) OR "quoted" *star*', "plain words only", "50%_off sale"]):
            contracts.create(session, values=ContractValues(reference=f"LIT-{number}", title=title, vendor="Acme",
                                                            end=date(2027, 6, 30), given={"reference", "title",
                                                                                         "vendor", "end"}),
                             defaults=DEFAULTS, actor="U1", now=NOW)
    with session_factory() as session:
        def refs(query: str) -> list[str]:
            return [c.reference for c in contracts.search(session, query=query).contracts]

        assert refs('NEAR( "quoted" OR') == ["LIT-0"]
        assert refs("star*") == ["LIT-0"]
        assert refs("near OR plain") == []
        assert refs("50%_off") == ["LIT-2"]
        assert refs("%_ off") == ["LIT-2"]
        assert refs("wor onl") == ["LIT-1"]  # substrings, not whole words
        assert refs("ACME lit") and len(refs("acme lit")) == 3


def test_imported_batches_are_indexed_in_order(session_factory: sessionmaker[Session]) -> None:
    """The import's batches (on SQLite, INSERTs of up to 1,000 rows, each indexed by the FTS5 triggers within
    its statement): every row indexed, ids in file order, a rolled-back import leaves nothing in the index."""
    rng = random.Random(5)
    doomed = [(line, _values(rng, 5000 + line)) for line in range(2, 52)]
    with pytest.raises(RuntimeError), session_factory.begin() as session:
        contract_import.Writer(session, defaults=DEFAULTS, actor="import", now=NOW).write(doomed)
        raise RuntimeError("the import fails after a batch: the transaction rolls back")
    batch = [(line, _values(rng, line)) for line in range(2, 2 + 1_300)]  # two statements on SQLite
    with session_factory.begin() as session:
        result = contract_import.Writer(session, defaults=DEFAULTS, actor="import", now=NOW).write(batch)
        assert result.created == 1_300 and not result.errors
    if session_factory.kw["bind"].dialect.name == "sqlite":
        with session_factory() as session:  # FTS5's own check that the index matches `contracts` (raises if not)
            session.execute(text("INSERT INTO contracts_fts (contracts_fts, rank) VALUES ('integrity-check', 1)"))
            assert session.scalar(text("SELECT count(*) FROM contracts_fts")) == 1_300
    with session_factory() as session:
        rows = [tuple(r) for r in session.execute(
            select(Contract.id, Contract.search_text, Contract.status, Contract.act_by).order_by(Contract.id))]
        assert len(rows) == 1_300
        by_id = {c.id: c for c in session.scalars(select(Contract))}
        assert [by_id[r[0]].reference for r in rows] == [values.reference for _line, values in batch]  # file order
        for _line, values in batch:  # durations read back as Durations, through the column type
            contract = contracts.get_by_reference(session, reference=values.reference or "")
            assert contract is not None and isinstance(contract.notice, Duration) and contract.notice == values.notice
            assert (contract.term, contract.lead) == (Duration(months=12), DEFAULTS.lead)
        created = {e.entity_id: e.changes for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "create"))}
        assert {contract_id: changes["reference"][1] for contract_id, changes in created.items()} == {
            c.id: c.reference for c in by_id.values()}  # each history row found its contract's id
        for query in ["oracle", "data", "sap paris", "licences backup", "24x7", "ibm", "zurich ca", "ref 01"]:
            expected = _brute_force(rows, query)
            assert expected is not None
            found = contracts.search(session, query=query)
            assert ([c.id for c in found.contracts], found.total) == (expected[:10], len(expected)), query
