"""The contract card's summaries skip queries when they can (no incident at all; the soonest open obligation
not overdue) — and say exactly what the full queries would, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.contract_input import ContractFields
from bot.durations import Duration
from bot.settings import Settings
from storage import contracts, incidents, obligations
from storage.sla_reports import card_summary, compliance

NOW = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)
PARIS = ZoneInfo("Europe/Paris")


def _contract(session: Session, ref: str):  # type: ignore[no-untyped-def]
    values = ContractFields(reference=ref, title=f"Run {ref}", vendor="Orange", end=date(2028, 12, 31),
                            given={"reference", "title", "vendor", "end"})
    return contracts.create(session, values=values, defaults=contracts.Defaults("EUR", Duration()), actor="U0MGR",
                            now=NOW - timedelta(days=90))


def _obligation(session: Session, contract, due: date):  # type: ignore[no-untyped-def]
    return obligations.create(session, contract=contract, what=f"Report due {due}", due=due, every=None, owner=None,
                              party="vendor", evidence_required=False, actor="U0MGR", now=NOW - timedelta(days=60),
                              thresholds=[30, 7, 0])


def test_obligations_summary_counts_overdue_only_when_the_soonest_is_overdue(
        session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        none, future, late = _contract(session, "CS-NONE"), _contract(session, "CS-FUTURE"), _contract(session, "CS-LATE")
        _obligation(session, future, TODAY)  # due today: not overdue
        _obligation(session, future, TODAY + timedelta(days=20))
        for days in (3, 40):
            _obligation(session, late, TODAY - timedelta(days=days))
        _obligation(session, late, TODAY + timedelta(days=5))
    with session_factory() as session:
        empty = obligations.card_summary(session, contract_id=none.id, today=TODAY)
        assert (empty.next_due, empty.overdue) == (None, 0)
        ahead = obligations.card_summary(session, contract_id=future.id, today=TODAY)
        assert ahead.next_due is not None and ahead.next_due.due_on == TODAY and ahead.overdue == 0
        behind = obligations.card_summary(session, contract_id=late.id, today=TODAY)
        assert behind.next_due is not None and behind.next_due.due_on == TODAY - timedelta(days=40)
        assert behind.overdue == 2


def test_sla_card_of_a_contract_without_incidents_equals_the_full_computation(
        session_factory: sessionmaker[Session]) -> None:
    calendar = Settings(database_url="sqlite://", timezone="Europe/Paris").calendar  # type: ignore[call-arg]
    with session_factory.begin() as session:
        quiet, busy = _contract(session, "CS-QUIET"), _contract(session, "CS-BUSY")
        incidents.create(session, contract=busy, priority="P1", summary="Down", opened_at=NOW - timedelta(hours=2),
                         actor="U1", now=NOW - timedelta(hours=2), calendar=calendar)
    with session_factory() as session:
        assert incidents.any_for(session, contract_id=busy.id) and not incidents.any_for(session, contract_id=quiet.id)
        for contract, open_count in ((quiet, 0), (busy, 1)):
            card = card_summary(session, contract=contract, now=NOW, tz=PARIS)
            full = compliance(session, contract=contract, start=card.month.start, end=card.month.end, now=NOW)
            assert card.open_incidents == open_count == incidents.count_open(session, contract_id=contract.id)
            assert (card.month.incident_count, card.month.downtime_minutes, card.month.statement) == (
                full.incident_count, full.downtime_minutes, full.statement)
        assert card.month.incident_count == 1 and card.month.downtime_minutes == 120  # the busy one, positive control
