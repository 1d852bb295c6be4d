"""Index values, revision clauses and applied revisions (storage/indices.py, storage/revisions.py) on
SQLite and PostgreSQL: one value a month, corrections audited, all-or-nothing import, base and chained
revisions recorded as amendments, and the queries the digest and report read."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import index_csv
from bot.contract_input import ContractFields
from bot.durations import Duration, parse_duration
from bot.errors import DomainError
from bot.revision_input import read_clause
from storage import audit, contracts, indices, revisions
from storage.models import Amendment, IndexValue

NOW = datetime(2024, 12, 1, 9, 0, tzinfo=UTC)
TODAY = date(2024, 12, 1)


def _contract(session: Session, ref: str, value: str = "1767.00", start: date | None = date(2024, 1, 1)):
    values = ContractFields(reference=ref, title=f"TMA {ref}", vendor="Capgemini", end=date(2028, 12, 31),
                            start=start, value=Decimal(value), term=parse_duration("1y"),
                            given={"reference", "title", "vendor", "end", "start", "value", "term"})
    return contracts.create(session, values=values, defaults=contracts.Defaults("EUR", Duration()), actor="U0MGR",
                            now=NOW)


def _syntec(session: Session, values: dict[str, str]) -> None:
    for month, value in values.items():
        indices.set_value(session, name="syntec", month=date.fromisoformat(month + "-01"), value=Decimal(value),
                          published_on=None, actor="U0MGR", now=NOW)


def _clause(session: Session, contract, **options: str):  # type: ignore[no-untyped-def]
    given = read_clause(options, tz=UTC, now=NOW)
    return revisions.set_clause(session, contract=contract, given=given, actor="U0MGR", now=NOW, today=TODAY)[0]


def test_a_month_has_one_value_and_a_correction_is_audited(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        first = indices.set_value(session, name="syntec", month=date(2024, 9, 1), value=Decimal("314.5"),
                                  published_on=date(2024, 10, 31), actor="U0MGR", now=NOW)
        assert first.before is None and first.changed
        again = indices.set_value(session, name="syntec", month=date(2024, 9, 1), value=Decimal("314.5"),
                                  published_on=None, actor="U0MGR", now=NOW)
        assert not again.changed
        fixed = indices.set_value(session, name="syntec", month=date(2024, 9, 1), value=Decimal("314.6"),
                                  published_on=None, actor="U0OTHER", now=NOW)
        assert fixed.before == Decimal("314.5") and fixed.changed
        row_id = fixed.row.id
    with session_factory.begin() as session:
        rows = session.scalars(select(IndexValue)).all()
        assert [(r.value, r.published_on) for r in rows] == [(Decimal("314.6000"), date(2024, 10, 31))]
        events = audit.get_all(session, entity_type=indices.ENTITY, entity_id=row_id)
        assert [e.action for e in events] == ["index_set", "index_correct"]
        assert events[1].actor == "U0OTHER"
        assert [Decimal(v) for v in events[1].changes["value"]] == [Decimal("314.5"), Decimal("314.6")]
        assert indices.corrections(session, row_ids=[row_id]) == {row_id: 1}
    with pytest.raises(IntegrityError), session_factory.begin() as session:
        session.add(IndexValue(index_name="syntec", month=date(2024, 9, 1), value=Decimal(1), recorded_at=NOW,
                               recorded_by="x"))


def test_import_is_all_or_nothing_with_every_bad_line(session_factory: sessionmaker[Session]) -> None:
    bad = "month,value,published\n2024-01,290.1,\n2024-13,291,\n2024-02,abc,\n2024-03,292,someday\n2024-01,1,\n"
    with pytest.raises(index_csv.IndexImportRejected) as caught, session_factory.begin() as session:
        index_csv.import_csv(session, name="syntec", text=bad, actor="import", now=NOW)
    assert [(line, key) for line, key, _ in caught.value.errors] == [
        (3, "err_index_month"), (4, "err_index_value"), (5, "err_index_csv_published"), (6, "err_index_csv_duplicate")]
    with session_factory.begin() as session:
        assert indices.get_names(session) == []
        good = "month,value,published\n2024-01,290.1,\n2024-02,291.25,2024-03-29\n"
        assert index_csv.import_csv(session, name="syntec", text=good, actor="import", now=NOW) == (2, 0, 0)
        assert index_csv.import_csv(session, name="syntec", text=good.replace("291.25", "291.3"), actor="import",
                                  now=NOW) == (0, 1, 1)
        [summary] = indices.get_names(session)
        assert (summary.name, summary.count, summary.last) == ("syntec", 2, date(2024, 2, 1))


def test_the_worked_example_applied_as_an_amendment(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        contract = _contract(session, "CTR-W1")
        _syntec(session, {"2023-09": "280", "2024-09": "294.6"})
        clause = _clause(session, contract, index="syntec", base="2023-09", fixed="0.15", first="2025-01-01",
                         lag="4")
        assert clause.next_revision_on == date(2025, 1, 1)
        comp = revisions.compute(session, contract=contract, clause=clause, at=clause.next_revision_on)
        assert comp.outcome is not None and comp.outcome.new_value == Decimal("1845.32")
        row = revisions.apply(session, comp=comp, actor="U0MGR", now=NOW)
        assert (row.before_value, row.after_value) == (Decimal("1767.00"), Decimal("1845.32"))
        assert row.detail["s_month"] == "2024-09" and Decimal(row.detail["s0"]) == 280
    with session_factory.begin() as session:
        contract = contracts.get_by_reference(session, reference="CTR-W1")
        assert contract.annual_value == Decimal("1845.32")
        [amendment] = session.scalars(select(Amendment).where(Amendment.contract_id == contract.id)).all()
        assert amendment.actor == "U0MGR" and amendment.changes["annual_value"] == ["1767.00", "1845.32"]
        assert "S 2024-09 = 294.6" in amendment.note
        clause = revisions.get_clause(session, contract_id=contract.id)
        assert clause.next_revision_on == date(2026, 1, 1) and clause.last_value == Decimal("1845.32")
        with pytest.raises(DomainError) as again:
            revisions.apply(session, comp=revisions.compute(session, contract=contract, clause=clause,
                                                            at=date(2025, 1, 1)), actor="U0MGR", now=NOW)
        assert again.value.key == "err_rev_already_applied"


def test_chained_revises_from_the_last_revised_price(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        base = _contract(session, "CTR-B", "1000.00")
        chained = _contract(session, "CTR-C", "1000.00")
        _syntec(session, {"2023-01": "100", "2023-12": "110", "2024-12": "121"})
        for contract, mode in ((base, "base"), (chained, "chained")):
            clause = _clause(session, contract, index="syntec", base="2023-01", fixed="0.5", first="2024-02-01",
                             mode=mode, lag="2")
            for at in (date(2024, 2, 1), date(2025, 2, 1)):
                revisions.apply(session, comp=revisions.compute(session, contract=contract, clause=clause, at=at),
                                actor="U0MGR", now=NOW)
        assert base.annual_value == Decimal("1105.00")
        assert chained.annual_value == Decimal("1102.50")


def test_missing_values_are_named_and_bad_clauses_refused(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        contract = _contract(session, "CTR-M")
        _syntec(session, {"2023-09": "280"})
        clause = _clause(session, contract, index="syntec", base="2023-09")
        assert clause.first_on == date(2025, 1, 1) and clause.every == Duration(months=12)  # one period after the start
        comp = revisions.compute(session, contract=contract, clause=clause, at=date(2025, 1, 1))
        assert comp.outcome is None and comp.missing == [date(2024, 11, 1)]
        with pytest.raises(DomainError) as missing:
            revisions.require_complete(comp)
        assert missing.value.key == "err_index_missing" and missing.value.values["month"] == "2024-11"
        no_value = _contract(session, "CTR-NV", "0")
        no_value.annual_value = None
        with pytest.raises(DomainError) as refused:
            _clause(session, no_value, index="syntec", base="2023-09")
        assert refused.value.key == "err_rev_no_value"
    for options, key in (({"fixed": "1.5"}, "err_rev_fixed"), ({"base": "2023-13"}, "err_index_month"),
                         ({"every": "10d"}, "err_rev_every"), ({"mode": "both"}, "err_rev_mode"),
                         ({"cap": "150"}, "err_rev_pct"), ({"round": "0"}, "err_rev_round")):
        with pytest.raises(DomainError) as exc:
            read_clause(options, tz=UTC, now=NOW)
        assert exc.value.key == key


def test_revisions_due_and_applied_between(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        soon, later = _contract(session, "CTR-SOON"), _contract(session, "CTR-LATER")
        _syntec(session, {"2023-09": "280", "2024-09": "294.6"})
        _clause(session, soon, index="syntec", base="2023-09", fixed="0.15", first="2024-12-20", lag="3")
        _clause(session, later, index="syntec", base="2023-09", first="2025-03-01")
        due = revisions.revisions_due(session, today=TODAY, within_days=30)
        assert [c.contract.reference for c in due] == ["CTR-SOON"]
        comp = revisions.compute(session, contract=soon, clause=due[0], at=date(2024, 12, 20))
        revisions.apply(session, comp=comp, actor="U0MGR", now=NOW)
        summary = revisions.applied_between(session, start=date(2024, 12, 1), end=date(2025, 1, 1))
        assert [(a.reference, a.before, a.after) for a in summary.revisions] == [
            ("CTR-SOON", Decimal("1767.00"), Decimal("1845.32"))]
        assert summary.annual_delta == {"EUR": Decimal("78.32")}
        assert revisions.applied_between(session, start=date(2025, 1, 1), end=date(2026, 1, 1)).revisions == []
        assert revisions.revisions_due(session, today=TODAY, within_days=30) == []
