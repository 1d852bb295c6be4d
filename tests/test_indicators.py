"""storage.indicators and storage.attention on SQLite and PostgreSQL: a small portfolio built through the
contract services (disputes and incidents as model rows), every figure checked against values worked out
by hand or by an independent day-by-day reading of the scenario."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.contract_input import read_contract_fields
from bot.dates import parse_period
from bot.durations import parse_duration
from storage import attention, contracts, indicators
from storage.models import Contract, Dispute, Incident

TZ = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)
DEFAULTS = contracts.Defaults(currency="EUR", lead=parse_duration("0d"))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def add(session: Session, ref: str, *, now: datetime, **fields: str) -> Contract:
    values = read_contract_fields({"reference": ref, "title": f"{ref} title", "vendor": "Acme", **fields},
                                  tz=TZ, now=now)
    return contracts.create(session, values=values, defaults=DEFAULTS, actor="U1", now=now)


# The scenario, as (reference, start, last day in force or None, [(from day, value)], currency): what the
# reference reads day by day. It must say the same thing as the commands run in `portfolio` below.
SCENARIO = [
    ("A", date(2025, 6, 1), date(2026, 5, 31), [(None, Decimal(12000))], "EUR"),
    ("B", date(2026, 1, 15), None, [(None, Decimal(20000)), (date(2026, 7, 20), Decimal(24000))], "EUR"),
    ("C", None, date(2027, 12, 31), [(None, Decimal(5000))], "USD"),
    ("E", date(2026, 3, 1), date(2027, 6, 30), [(None, Decimal(6000))], "EUR"),
]


def reference(month: date) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for _ref, start, last, values, currency in SCENARIO:
        if (start is not None and month < start) or (last is not None and month > last):
            continue
        value = [v for since, v in values if since is None or since <= month][-1]
        totals[currency] = totals.get(currency, Decimal(0)) + value
    return totals


@pytest.fixture
def portfolio(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    created = utc("2026-01-10T09:00")
    with session_factory.begin() as s:
        add(s, "A", now=created, start="2025-06-01", end="2026-05-31", value="12000", vendor="Alpha")
        b = add(s, "B", now=created, start="2026-01-15", end="2027-01-14", value="20000", renewal="auto",
                owner="UOWNER", vendor="Beta")
        add(s, "C", now=created, end="2027-12-31", value="5000", currency="USD", vendor="Gamma")
        add(s, "D", now=created, end="2027-12-31", value="99999", status="draft", vendor="Delta")
        e = add(s, "E", now=created, start="2026-03-01", end="2028-02-28", value="6000", vendor="Beta")
    with session_factory.begin() as s:
        b = s.get(Contract, b.id)
        values = read_contract_fields({"value": "24000"}, tz=TZ, now=NOW)
        contracts.amend(s, contract=b, values=values, note="avenant 1", actor="U1", now=utc("2026-07-20T10:00"))
        e = s.get(Contract, e.id)
        contracts.terminate(s, contract=e, on=date(2027, 6, 30), note=None, actor="U1", now=NOW,
                            today=NOW.astimezone(TZ).date())
        b_id = b.id
        c_id = contracts.get_by_reference(s, reference="C").id

        def dispute(contract_id: int, status: str, claimed: str, recovered: str | None, opened: str,
                    closed: str | None = None, currency: str = "EUR", from_sla: bool = False) -> None:
            s.add(Dispute(contract_id=contract_id, summary="x", status=status, amount_claimed=Decimal(claimed),
                          amount_recovered=Decimal(recovered) if recovered else None, currency=currency,
                          from_sla=from_sla, opened_at=utc(opened), opened_by="U1", updated_at=utc(opened),
                          last_activity_at=utc(opened), closed_at=utc(closed) if closed else None))

        dispute(b_id, "open", "1000", None, "2026-11-01T10:00")
        dispute(b_id, "negotiating", "500", None, "2025-01-01T10:00")  # opened before the period, still open
        dispute(c_id, "escalated", "700", None, "2027-01-05T10:00", currency="USD")
        dispute(b_id, "closed", "3000", "2000", "2026-09-01T10:00", "2027-02-01T10:00")
        dispute(b_id, "closed", "400", None, "2026-05-01T10:00", "2027-02-02T10:00", from_sla=True)
        dispute(b_id, "settled", "900", "900", "2026-06-01T10:00")

        def incident(priority: str, opened: str, *, resolved: str | None, resolve_due: str | None) -> None:
            s.add(Incident(contract_id=b_id, priority=priority, summary="down", opened_at=utc(opened), opened_by="U1",
                           status="resolved" if resolved else "open", resolved_at=utc(resolved) if resolved else None,
                           resolve_due_at=utc(resolve_due) if resolve_due else None,
                           credit_pct=Decimal(10) if resolve_due else None, clock="24x7",
                           created_at=utc(opened), updated_at=utc(opened)))

        incident("P1", "2026-12-01T08:00", resolved="2026-12-01T20:00", resolve_due="2026-12-01T12:00")  # breached
        incident("P2", "2027-01-10T08:00", resolved="2027-01-10T09:00", resolve_due="2027-01-10T16:00")  # met
        incident("P2", "2027-02-10T08:00", resolved=None, resolve_due="2027-02-10T16:00")  # open, past due
        incident("P1", "2027-03-01T08:00", resolved=None, resolve_due=None)  # no SLA terms: no breach
        incident("P1", "2025-12-01T08:00", resolved="2025-12-02T08:00", resolve_due="2025-12-01T12:00")  # before
    return session_factory


def test_trajectory_reads_values_in_force_on_each_first_of_month(portfolio: sessionmaker[Session]) -> None:
    period = parse_period("last 12 months", tz=TZ, now=NOW)
    with portfolio.begin() as s:
        figures = indicators.portfolio(s, period=period, now=NOW, tz=TZ)
    points = figures.trajectory.points
    assert [p.month for p in points][0] == date(2026, 4, 1) and points[-1].month == date(2028, 3, 1)
    for point in points:
        assert point.amounts == reference(point.month), point.month
        assert point.year_before == reference(point.month.replace(year=point.month.year - 1)), point.month
    # The amendment of 20 July counts from August: July still at the old value.
    assert figures.trajectory.points[3].amounts["EUR"] == Decimal(20000 + 6000)
    assert figures.trajectory.points[4].amounts["EUR"] == Decimal(24000 + 6000)


def test_indicators_count_what_they_say(portfolio: sessionmaker[Session]) -> None:
    period = parse_period("last 12 months", tz=TZ, now=NOW)  # 11 Mar 2026 – 10 Mar 2027
    with portfolio.begin() as s:
        f = indicators.portfolio(s, period=period, now=NOW, tz=TZ)
    assert (f.contracts_in_force, f.vendors_in_force) == (4, 3)  # A is still "active" (no sweep ran); D is a draft
    assert f.spend_in_force == {"EUR": Decimal("42000.00"), "USD": Decimal("5000.00")}
    assert f.amendments == 1
    assert (f.disputes_opened, f.disputes_closed, f.disputes_open) == (5, 2, 3)
    assert f.at_stake == {"EUR": Decimal("1500.00"), "USD": Decimal("700.00")}
    assert f.recovered == {"EUR": Decimal("2000.00")}
    assert f.written_off == {"EUR": Decimal("1400.00")}  # (3000 − 2000) + (400 − 0)
    assert f.credits_claimed == {"EUR": Decimal("400.00")}  # the dispute opened from:sla
    assert (f.crises, f.crises_resolved, f.breaches) == (2, 1, 2)
    # Two breached incidents with 10 % credit on a monthly fee of 24,000 / 12 = 2,000: 200 each.
    assert f.credits_due == {"EUR": Decimal("400.00")}
    assert f.top_vendors == {"EUR": [("Beta", Decimal("30000.00")), ("Alpha", Decimal("12000.00"))],
                             "USD": [("Gamma", Decimal("5000.00"))]}


def test_periods_narrow_the_counts(portfolio: sessionmaker[Session]) -> None:
    with portfolio.begin() as s:
        february = indicators.portfolio(s, period=parse_period("2027-02", tz=TZ, now=NOW), now=NOW, tz=TZ)
        year_2026 = indicators.portfolio(s, period=parse_period("2026", tz=TZ, now=NOW), now=NOW, tz=TZ)
    assert (february.disputes_opened, february.disputes_closed, february.breaches) == (0, 2, 1)
    assert february.credits_due == {"EUR": Decimal("200.00")} and february.credits_claimed == {}
    assert february.amendments == 0 and year_2026.amendments == 1
    assert (year_2026.disputes_opened, year_2026.crises) == (4, 1)
    assert year_2026.credits_claimed == {"EUR": Decimal("400.00")}


def test_attention_lists_for_the_digest_and_the_home(portfolio: sessionmaker[Session]) -> None:
    today = NOW.astimezone(TZ).date()
    with portfolio.begin() as s:
        rows, total = attention.open_disputes(s, limit=2)
        assert total == 3 and [d.amount_claimed for d in rows] == [Decimal(500), Decimal(1000)]  # oldest first
        rows, total = attention.open_disputes(s, owner="UOWNER")
        assert total == 2
        rows, total = attention.open_incidents(s, owner="UOWNER")
        assert total == 2 and [i.priority for i in rows] == ["P1", "P2"]
        assert attention.open_incidents(s, owner="USOMEONE")[1] == 0
        rows, total = attention.breaches(s, start=utc("2027-02-01T00:00"), end=NOW, now=NOW)
        assert total == 1 and rows[0].opened_at == utc("2027-02-10T08:00")
        b = contracts.get_by_reference(s, reference="B")
        b.end_date, b.notice = date(2027, 3, 31), parse_duration("1mo")  # act by 28 Feb 2027: overdue, end still ahead
        contracts.recompute(b)
        s.flush()
        rows, total = attention.decisions_due(s, today=today, days=30)
        assert [c.reference for c in rows] == ["B"] and total == 1
        assert attention.decisions_due(s, today=today, days=30, owner="UOTHER")[1] == 0


def test_tacit_renewals_of_the_week(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        c = add(s, "T1", now=NOW - timedelta(days=40), end="2027-03-05", renewal="auto", term="1y", value="100")
        contracts.roll_if_ended(s, contract=c, today=date(2027, 3, 8), now=NOW - timedelta(days=2))
    with session_factory.begin() as s:
        rows, total = attention.tacit_renewals(s, start=NOW - timedelta(days=7), end=NOW)
        assert total == 1 and rows[0][1].reference == "T1" and rows[0][1].end_date == date(2028, 3, 5)
        assert attention.tacit_renewals(s, start=NOW - timedelta(days=1), end=NOW)[1] == 0


def test_credits_due_agree_with_sla_compliance_month_by_month(portfolio: sessionmaker[Session]) -> None:
    """The grouped count of storage.indicators against storage.sla_reports.compliance (what `/sla` shows),
    summed over every contract and month: with terms overriding the incidents' credit, an availability
    target missed by a P1 outage, and a cap."""
    from storage.models import SlaPolicy, SlaTerm
    from storage.sla_reports import compliance

    with portfolio.begin() as s:
        f = add(s, "F", now=utc("2026-01-10T09:00"), start="2026-01-01", end="2028-12-31", value="120000",
                currency="USD", renewal="auto")
        s.add(SlaTerm(contract_id=f.id, priority="P2", response=parse_duration("1h"), resolution=parse_duration("8h"),
                      credit_pct=Decimal(3), updated_at=NOW))
        s.add(SlaPolicy(contract_id=f.id, availability_target=Decimal("99.9"), availability_credit_pct=Decimal(10),
                        cap_pct=Decimal(12), updated_at=NOW))
        for opened, priority, hours in [("2027-02-03T08:00", "P1", 12), ("2027-02-05T08:00", "P2", 10),
                                        ("2027-01-05T08:00", "P2", 10), ("2026-12-05T08:00", "P2", 1)]:
            start = utc(opened)
            s.add(Incident(contract_id=f.id, priority=priority, summary="x", opened_at=start, opened_by="U1",
                           status="resolved", resolved_at=start + timedelta(hours=hours),
                           resolve_due_at=start + timedelta(hours=8), credit_pct=Decimal(10), clock="24x7",
                           created_at=start, updated_at=start))
    period = parse_period("last 6 months", tz=TZ, now=NOW)
    with portfolio.begin() as s:
        grouped = indicators.credits_due(s, period=period, now=NOW, tz=TZ)
        expected: dict[str, Decimal] = {}
        for contract in contracts.iter_all(s):
            month = period.first_day.replace(day=1)
            while month <= period.last_day:
                span = parse_period(month.strftime("%Y-%m"), tz=TZ, now=NOW)
                due = compliance(s, contract=contract, start=max(span.start, period.start),
                                 end=min(span.end, period.end), now=NOW).statement.total_due
                if due:
                    expected[contract.currency] = expected.get(contract.currency, Decimal(0)) + due
                month = (month + timedelta(days=32)).replace(day=1)
    assert grouped == expected
    # F in February: P1 outage (12 h > 0.1 % of the month) → 10 % and a P2 breach at 3 % → 13 %, capped at 12 %
    # of 10,000 = 1,200; January: one P2 breach at 3 % = 300.
    assert grouped["USD"] == Decimal("1500.00")
