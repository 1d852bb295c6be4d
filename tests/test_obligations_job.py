"""Obligations on a real database (SQLite and PostgreSQL): the service (storage/obligations.py), its
queries for the digest and report, the CSV export, and the `obligations` sweep against the fake Slack."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from bot import csv_io
from bot.durations import parse_duration
from bot.errors import DomainError
from bot.settings import Settings
from jobs.obligations import describe, sweep
from storage import alerts, audit, obligations
from storage.models import Obligation
from tests.support.fake_slack import FakeSlack
from tests.test_deadlines_job import OWNER, add_contract

PARIS = ZoneInfo("Europe/Paris")
D0 = date(2027, 1, 4)
LADDER = [30, 7, 0]


def nine(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=PARIS)


def add(factory: sessionmaker[Session], contract_id: int, due: date, *, what: str = "Insurance certificate",
        every: str | None = None, owner: str | None = None, evidence: bool = False, party: str = "vendor",
        now: datetime | None = None) -> int:
    with factory.begin() as session:
        from storage import contracts

        contract = contracts.get_by_id(session, contract_id=contract_id)
        assert contract is not None
        obligation = obligations.create(session, contract=contract, what=what, due=due,
                                        every=parse_duration(every) if every else None, owner=owner, party=party,
                                        evidence_required=evidence, actor="U0ADMIN01",
                                        now=now or nine(D0) - timedelta(days=60), thresholds=LADDER)
        return obligation.id


def row(factory: sessionmaker[Session], obligation_id: int) -> Obligation:
    with factory() as session:
        found = session.get(Obligation, obligation_id)
        assert found is not None
        session.expunge(found)
        return found


def run(factory: sessionmaker[Session], fake: FakeSlack, settings: Settings, day: date, **kwargs: object):  # noqa: ANN201
    return sweep(factory, WebClient(base_url=fake.url, token="xoxb-x"), settings=settings, now=nine(day), **kwargs)


def obligation_ledger(factory: sessionmaker[Session]) -> dict[tuple[int, str, int], str]:
    with factory() as session:
        out = {}
        for alert in alerts.get_all(session, kind="obligation"):
            _, oid, due, level = alert.key.split(":")
            out[(int(oid), due, int(level))] = alert.state
        return out


def posts(fake: FakeSlack) -> list[dict]:
    return [c["args"] for c in fake.calls("chat.postMessage")]


# --------------------------------------------------------------------------------------------------
# the service


def test_done_on_a_recurring_obligation_moves_the_due_date_from_the_anchor(
        session_factory: sessionmaker[Session]) -> None:
    contract = add_contract(session_factory, "CTR-REC", end=date(2030, 1, 1))
    oid = add(session_factory, contract, date(2027, 1, 31), every="1mo")
    dues = []
    for i in range(4):
        with session_factory.begin() as session:
            obligation = obligations.get_by_id(session, obligation_id=oid)
            assert obligation is not None
            # done late, early, whenever: the next due date is counted from the due date, not the day done
            done_on = obligation.due_on + timedelta(days=(-3, 9, 0, 20)[i])
            obligations.fulfil(session, obligation=obligation, evidence=None, note=None, actor=OWNER,
                               now=nine(done_on), today=done_on, thresholds=LADDER)
            dues.append(obligation.due_on)
    assert dues == [date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31)]
    final = row(session_factory, oid)
    assert final.state == "open" and final.occurrence == 4
    with session_factory() as session:
        done = obligations.fulfilments(session, obligation_id=oid)
        assert [f.due_on for f in done] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
        # on time: done on or before the due day
        assert obligations.met_on_time(session, start=date(2027, 1, 1), end=date(2027, 7, 1)) == \
            obligations.Compliance(on_time=2, late=2)
        assert obligations.met_on_time(session, start=date(2027, 2, 1), end=date(2027, 3, 1)).total == 0


def test_evidence_required_and_waive_reason_are_enforced_and_change_nothing(
        session_factory: sessionmaker[Session]) -> None:
    contract = add_contract(session_factory, "CTR-EVD", end=date(2030, 1, 1))
    oid = add(session_factory, contract, date(2027, 2, 1), evidence=True)
    with pytest.raises(DomainError) as refused:
        with session_factory.begin() as session:
            obligation = obligations.get_by_id(session, obligation_id=oid)
            obligations.fulfil(session, obligation=obligation, evidence="  ", note=None, actor=OWNER, now=nine(D0),
                               today=D0, thresholds=LADDER)
    assert refused.value.key == "err_obl_evidence_required"
    with pytest.raises(DomainError) as no_reason:
        with session_factory.begin() as session:
            obligations.waive(session, obligation=obligations.get_by_id(session, obligation_id=oid), note=" ",
                              actor=OWNER, now=nine(D0))
    assert no_reason.value.key == "err_obl_waive_needs_note"
    assert row(session_factory, oid).state == "open"
    with session_factory.begin() as session:
        obligation = obligations.get_by_id(session, obligation_id=oid)
        obligations.fulfil(session, obligation=obligation, evidence="https://docs/cert.pdf", note=None, actor=OWNER,
                           now=nine(D0), today=D0, thresholds=LADDER)
    final = row(session_factory, oid)
    assert final.state == "fulfilled" and final.next_alert_on is None
    with pytest.raises(DomainError) as closed:
        with session_factory.begin() as session:
            obligations.waive(session, obligation=obligations.get_by_id(session, obligation_id=oid), note="late",
                              actor=OWNER, now=nine(D0))
    assert closed.value.key == "err_obl_closed"
    with session_factory() as session:
        trail = [e.action for e in audit.get_all(session, entity_type="contract", entity_id=contract)]
        own = [e.action for e in audit.get_all(session, entity_type="obligation", entity_id=oid)]
    assert trail[-2:] == ["obligation_add", "obligation_done"] and own == ["obligation_add", "obligation_done"]


def test_queries_for_the_digest_card_and_lists(session_factory: sessionmaker[Session]) -> None:
    contract = add_contract(session_factory, "CTR-Q", end=date(2030, 1, 1))
    gone = add_contract(session_factory, "CTR-GONE", end=date(2026, 1, 1), status="expired")
    overdue = add(session_factory, contract, D0 - timedelta(days=3))
    soon = add(session_factory, contract, D0 + timedelta(days=10))
    later = add(session_factory, contract, D0 + timedelta(days=90))
    add(session_factory, gone, D0 - timedelta(days=1))
    waived = add(session_factory, contract, D0 + timedelta(days=1))
    with session_factory.begin() as session:
        obligations.waive(session, obligation=obligations.get_by_id(session, obligation_id=waived), note="n/a",
                          actor=OWNER, now=nine(D0))
    with session_factory() as session:
        assert [o.id for o in obligations.due_or_overdue(session, today=D0, within_days=30)] == [overdue, soon]
        summary = obligations.card_summary(session, contract_id=contract, today=D0)
        assert summary.next_due is not None and summary.next_due.id == overdue and summary.overdue == 1
        def ids(scope: str) -> list[int]:
            return [o.id for o in obligations.get_all(session, today=D0, thresholds=LADDER, contract_id=contract,
                                                      scope=scope)[0]]
        assert ids("open") == [overdue, soon, later]
        assert ids("due") == [overdue, soon]
        assert ids("overdue") == [overdue]
        assert ids("all") == [overdue, soon, later, waived]
        text, count = csv_io.export_obligations(session, today=D0, thresholds=LADDER)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert count == 5 and list(rows[0]) == csv_io.OBLIGATIONS_HEADER
    by_id = {r["id"]: r for r in rows}
    assert by_id[f"OBL-{overdue}"]["status"] == "overdue" and by_id[f"OBL-{waived}"]["status"] == "waived"
    assert by_id[f"OBL-{soon}"]["status"] == "due_soon" and by_id[f"OBL-{later}"]["status"] == "pending"


def test_export_neutralises_formulas(session_factory: sessionmaker[Session]) -> None:
    contract = add_contract(session_factory, "CTR-CSV", end=date(2030, 1, 1))
    add(session_factory, contract, D0, what='=HYPERLINK("http://evil","x")')
    with session_factory() as session:
        text, _ = csv_io.export_obligations(session, today=D0, thresholds=LADDER)
    [record] = list(csv.DictReader(io.StringIO(text)))
    assert record["what"].startswith("'=")


# --------------------------------------------------------------------------------------------------
# the sweep


def test_thresholds_then_weekly_reminders_each_once_to_the_owner(
        session_factory: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack) -> None:
    contract = add_contract(session_factory, "CTR-SWP", end=date(2030, 1, 1), channel="C0TEAM001")
    due = D0 + timedelta(days=30)
    oid = add(session_factory, contract, due, owner="U0OBLOWN1", evidence=True)
    expected_days = {D0: 30, due - timedelta(days=7): 7, due: 0, due + timedelta(days=7): -7,
                     due + timedelta(days=14): -14}
    seen: dict[date, list[dict]] = {}
    for i in range(50):
        day = D0 + timedelta(days=i)
        mark = len(posts(fake_slack))
        report = run(session_factory, fake_slack, settings, day)
        assert report.failed == [] and all(o.posted for o in report.outcomes)
        new = posts(fake_slack)[mark:]
        if new:
            seen[day] = new
    assert set(seen) == set(expected_days)
    for day, level in expected_days.items():
        [message] = seen[day]
        assert message["channel"] == "C0TEAM001"
        assert "<@U0OBLOWN1>" in message["text"] and f"OBL-{oid}" in message["text"]  # the obligation's owner
        assert "Evidence is required" in message["text"]
        assert ("was due" in message["text"]) == (level < 0)
        ids = {e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}
        assert ids == {"obligation_done", "obligation_snooze"}
    assert obligation_ledger(session_factory) == {(oid, due.isoformat(), lv): "posted" for lv in expected_days.values()}
    fake_slack.assert_valid_messages()


def test_after_a_gap_only_the_most_urgent_is_posted_and_dry_run_records_nothing(
        session_factory: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack) -> None:
    contract = add_contract(session_factory, "CTR-GAP", end=date(2030, 1, 1))
    due = D0 + timedelta(days=3)
    oid = add(session_factory, contract, due)
    dry = run(session_factory, fake_slack, settings, D0, dry_run=True)
    assert [(p.number, p.level, p.superseded) for p in dry.planned] == [(f"OBL-{oid}", 7, (30,))]
    assert "obligation alert 7d" in describe(dry, today=D0)[0]
    assert posts(fake_slack) == [] and obligation_ledger(session_factory) == {}
    assert row(session_factory, oid).next_alert_on == due - timedelta(days=30)
    run(session_factory, fake_slack, settings, D0)
    [message] = posts(fake_slack)
    assert message["channel"] == settings.alert_channel and f"<@{OWNER}>" in message["text"]  # the contract's owner
    assert obligation_ledger(session_factory) == {(oid, due.isoformat(), 7): "posted",
                                                  (oid, due.isoformat(), 30): "superseded"}
    assert row(session_factory, oid).next_alert_on == due
    run(session_factory, fake_slack, settings, D0)  # the same day again: nothing new
    assert len(posts(fake_slack)) == 1


def test_a_failed_post_is_retried_and_one_bad_row_does_not_stop_the_job(
        session_factory: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack) -> None:
    contract = add_contract(session_factory, "CTR-BAD", end=date(2030, 1, 1), channel="C0TEAM002")
    first = add(session_factory, contract, D0 + timedelta(days=5), what="first")
    second = add(session_factory, contract, D0 + timedelta(days=6), what="second")
    broken = add(session_factory, contract, D0 + timedelta(days=7), what="broken")
    fake_slack.fail_next("chat.postMessage", error="rate_limited")

    def explode(_conn, _cursor, statement, parameters, _context, _executemany):  # noqa: ANN001, ANN202
        if "INSERT INTO alerts" in statement and f"obligation:{broken}:" in json.dumps(parameters, default=str):
            raise RuntimeError("simulated bad row")

    engine = session_factory.kw["bind"]
    event.listen(engine, "before_cursor_execute", explode)
    try:
        report = run(session_factory, fake_slack, settings, D0)
    finally:
        event.remove(engine, "before_cursor_execute", explode)
    assert report.failed == [(f"OBL-{broken}", "RuntimeError")]
    assert [o.posted for o in report.outcomes] == [False, True]
    assert any(line.startswith(f"OBL-{broken}: FAILED") for line in describe(report, today=D0))
    # the next sweep (same day) retries the failed post and the bad row; nothing is posted twice
    report = run(session_factory, fake_slack, settings, D0)
    assert sorted(o.key for o in report.outcomes if o.posted) == sorted(
        [obligations.alert_key(first, D0 + timedelta(days=5), 7), obligations.alert_key(broken, D0 + timedelta(days=7), 7)])
    states = obligation_ledger(session_factory)
    assert [s for k, s in states.items() if k[2] == 7] == ["posted"] * 3
    texts = [p["text"] for p in posts(fake_slack)]
    assert sum("second" in t for t in texts) == 1 and sum("broken" in t for t in texts) == 1
    assert sum("first" in t for t in texts) == 2  # the failed attempt reached Slack (refused), then the retry
    assert second


def test_snoozed_and_done_obligations_stay_quiet(session_factory: sessionmaker[Session], settings: Settings,
                                                 fake_slack: FakeSlack) -> None:
    contract = add_contract(session_factory, "CTR-SNZ", end=date(2030, 1, 1))
    due = D0 + timedelta(days=8)
    snoozed = add(session_factory, contract, due, what="snoozed one")
    done = add(session_factory, contract, due, what="done one", every="1y")
    run(session_factory, fake_slack, settings, D0)
    assert len(posts(fake_slack)) == 2  # the 30-day alert of each
    with session_factory.begin() as session:
        obligation = obligations.get_by_id(session, obligation_id=snoozed)
        obligations.snooze(session, obligation=obligation, until=nine(D0 + timedelta(days=8)), actor=OWNER,
                           now=nine(D0), thresholds=LADDER, handled={30})
        recurring = obligations.get_by_id(session, obligation_id=done)
        obligations.fulfil(session, obligation=recurring, evidence=None, note=None, actor=OWNER, now=nine(D0),
                           today=D0, thresholds=LADDER)
    assert row(session_factory, done).due_on == due.replace(year=due.year + 1)
    for i in range(1, 10):  # the 7-day alert falls inside the snooze; after it, the most urgent comes (0 days)
        run(session_factory, fake_slack, settings, D0 + timedelta(days=i))
    texts = [p["text"] for p in posts(fake_slack)[2:]]
    assert len(texts) == 1 and "snoozed one" in texts[0]
    states = obligation_ledger(session_factory)
    assert states[(snoozed, due.isoformat(), 0)] == "posted" and states[(snoozed, due.isoformat(), 7)] == "superseded"


def test_channel_alerts_speak_the_organisation_language(session_factory: sessionmaker[Session], settings: Settings,
                                                        fake_slack: FakeSlack) -> None:
    french = settings.model_copy(update={"language": "fr"})
    contract = add_contract(session_factory, "CTR-FR", end=date(2030, 1, 1), channel="C0EQUIPE1")
    oid = add(session_factory, contract, D0 - timedelta(days=9), what="Attestation d'assurance <@U0EVIL>",
              party="us", evidence=True)
    run(session_factory, fake_slack, french, D0)
    [message] = posts(fake_slack)
    assert f"OBL-{oid}" in message["text"] and "échéance dépassée" in message["text"]
    assert "C'est à nous de le faire" in message["text"] and "preuve est exigée" in message["text"]
    assert "<@U0EVIL>" not in json.dumps(message)  # what a person typed cannot mention anyone
    labels = [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Fait", "Reporter de 7 jours"]
    # 9 days overdue: the 30, 7 and 0-day levels are superseded by the first weekly reminder
    assert obligation_ledger(session_factory)[(oid, (D0 - timedelta(days=9)).isoformat(), -7)] == "posted"
    fake_slack.assert_valid_messages()
