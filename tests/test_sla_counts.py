"""The database counts SLA outcomes (storage.incidents.sla_counts_between) exactly as the pure rule
bot.sla.outcome says, on SQLite and PostgreSQL: random incidents, some met, late, pending or undone."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from bot.contract_input import ContractFields
from bot.durations import parse_duration
from bot.settings import Settings
from bot.sla import PRIORITIES, Outcome, outcome
from storage import contracts, incidents, sla_terms
from storage.sla_reports import compliance
from tests.conftest import at


def test_counts_match_the_pure_rule(session_factory: sessionmaker[Session], settings: Settings) -> None:
    rng = random.Random(20261123)
    now = at("2026-11-20T12:00:00+00:00")
    start, end = at("2026-11-01T00:00:00+00:00"), at("2026-12-01T00:00:00+00:00")
    values = ContractFields(reference="CTR-COUNT", title="Counting", vendor="Acme", end=now.date().replace(year=2028),
                            value=Decimal("120000"), given={"reference", "title", "vendor", "end", "value"})
    expected = {p: [0, 0, 0, 0, 0, 0] for p in PRIORITIES}  # incidents, rmet, rbreach, smet, sbreach, breached
    with session_factory.begin() as session:
        contract = contracts.create(session, values=values, defaults=contracts.Defaults("EUR", settings.default_lead),
                                    actor="U1", now=now)
        for priority in PRIORITIES:
            term = sla_terms.TermInput(priority, parse_duration("1h"), parse_duration("4h"),
                                       rng.choice(["24x7", "business"]), Decimal("2"))
            sla_terms.set_term(session, contract=contract, term=term, actor="U1", now=now)
        for _ in range(60):
            priority = rng.choice(PRIORITIES)
            opened = now - timedelta(minutes=rng.randint(10, 60 * 24 * 18))
            incident = incidents.create(session, contract=contract, priority=priority, summary="x", opened_at=opened,
                                        actor="U1", now=now, calendar=settings.calendar)
            if rng.random() < 0.6:
                ack = min(now, opened + timedelta(minutes=rng.randint(1, 180)))
                incidents.acknowledge(session, incident=incident, at=ack, actor="U1", now=now)
            if rng.random() < 0.5:
                base = incident.acked_at or opened
                incidents.resolve(session, incident=incident, at=min(now, base + timedelta(minutes=rng.randint(1, 600))),
                                  note=None, actor="U1", now=now)
            response = outcome(incident.acked_at or incident.resolved_at, incident.response_due_at, now)
            resolution = outcome(incident.resolved_at, incident.resolve_due_at, now)
            counts = expected[priority]
            if opened >= start:
                counts[0] += 1
                counts[1] += response == Outcome.MET
                counts[2] += response == Outcome.BREACHED
                counts[3] += resolution == Outcome.MET
                counts[4] += resolution == Outcome.BREACHED
                counts[5] += Outcome.BREACHED in (response, resolution)
        figures = compliance(session, contract=contract, start=start, end=end, now=now)
    got = {line.priority: [line.incidents, line.response_met, line.response_breached, line.resolution_met,
                           line.resolution_breached, line.breached_incidents] for line in figures.statement.lines}
    assert got == expected
    assert sum(v[0] for v in expected.values()) == figures.incident_count > 20
    assert any(v[2] for v in expected.values()) and any(v[1] for v in expected.values())  # both kinds occurred
