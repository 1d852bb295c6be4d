"""The `deadlines` sweep (jobs/deadlines.py) on a real database (SQLite, and PostgreSQL when present)
against the fake Slack Web API — the only fake: a real slack_sdk WebClient talks to it over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.contract_input import ContractFields
from bot.deadlines import act_by as compute_act_by
from bot.durations import Duration, parse_duration
from bot.settings import Settings
from jobs.deadlines import sweep
from storage import alerts, audit, contracts
from storage.contracts import Defaults
from tests.support.fake_slack import FakeSlack

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC
OWNER = "U0OWNER01"
D0 = date(2027, 1, 4)  # a Monday
LADDER = (90, 60, 30, 14, 7, 1, 0)


def at_nine(day: date) -> datetime:
    """09:00 in Paris (the job's schedule), as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=PARIS).astimezone(UTC)


def add_contract(factory: sessionmaker[Session], ref: str, *, end: date, notice: str = "0d", lead: str = "0d",
                 term: str = "12mo", renewal: str = "manual", owner: str | None = OWNER, channel: str | None = None,
                 status: str | None = None, now: datetime | None = None) -> int:
    values = ContractFields(reference=ref, title=f"{ref} support", vendor="Acme", end=end,
                            notice=parse_duration(notice), lead=parse_duration(lead), term=parse_duration(term),
                            renewal=renewal, owner=owner, channel=channel, status=status)
    values.given = {name for name in ("reference", "title", "vendor", "end", "notice", "lead", "term", "renewal",
                                      "owner", "channel", "status") if getattr(values, name) is not None}
    with factory.begin() as session:
        contract = contracts.create(session, values=values, defaults=Defaults(currency="EUR", lead=Duration()),
                                    actor="U0ADMIN01", now=now or at_nine(D0) - timedelta(days=400))
        return contract.id


def client_for(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.url, token="xoxb-x")


def run(factory: sessionmaker[Session], fake: FakeSlack, settings: Settings, day: date, **kwargs: object):  # noqa: ANN201
    return sweep(factory, client_for(fake), settings=settings, now=at_nine(day), **kwargs)


def ledger(factory: sessionmaker[Session]) -> dict[tuple[int, str, int], str]:
    """(contract id, term end ISO, threshold) → state."""
    with factory() as session:
        rows = alerts.get_all(session, kind="deadline")
        out = {}
        for row in rows:
            _, contract_id, end, threshold = row.key.split(":")
            out[(int(contract_id), end, int(threshold))] = row.state
        return out


def posted(factory: sessionmaker[Session]) -> set[tuple[int, str, int]]:
    return {key for key, state in ledger(factory).items() if state == "posted"}


def posts(fake: FakeSlack) -> list[dict]:
    return [c["args"] for c in fake.calls("chat.postMessage")]


def contract_row(factory: sessionmaker[Session], contract_id: int):  # noqa: ANN201
    with factory() as session:
        contract = contracts.get_by_id(session, contract_id=contract_id)
        assert contract is not None
        session.expunge(contract)
        return contract


def history(factory: sessionmaker[Session], contract_id: int) -> list[str]:
    with factory() as session:
        return [e.action for e in audit.get_all(session, entity_type="contract", entity_id=contract_id)]


# --------------------------------------------------------------------------------------------------


def test_one_alert_per_contract_in_its_channel_else_the_alert_channel(
        session_factory: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack) -> None:
    in_channel = add_contract(session_factory, "CTR-CHAN", end=D0 + timedelta(days=60), channel="C0TEAM001")
    no_channel = add_contract(session_factory, "CTR-NOCHAN", end=D0 + timedelta(days=120), notice="1mo", lead="10d")
    far = add_contract(session_factory, "CTR-FAR", end=D0 + timedelta(days=91))
    draft = add_contract(session_factory, "CTR-DRAFT", end=D0 + timedelta(days=5), status="draft")
    expired = add_contract(session_factory, "CTR-GONE", end=D0 + timedelta(days=5), status="expired")
    act_nochan = compute_act_by(D0 + timedelta(days=120), Duration(months=1), Duration(days=10))
    assert act_nochan == date(2027, 3, 25) and 60 < (act_nochan - D0).days <= 90  # its 90-day alert is due

    report = run(session_factory, fake_slack, settings, D0)

    assert sorted(p.reference for p in report.planned) == ["CTR-CHAN", "CTR-NOCHAN"]
    calls = posts(fake_slack)
    assert len(calls) == 2
    by_channel = {c["channel"]: c for c in calls}
    assert set(by_channel) == {"C0TEAM001", settings.alert_channel}
    assert "CTR-CHAN" in by_channel["C0TEAM001"]["text"]
    assert "CTR-NOCHAN" in by_channel[settings.alert_channel]["text"]
    for call in calls:
        assert f"<@{OWNER}>" in call["text"]  # the owner is mentioned
        assert f"<@{OWNER}>" in json.dumps(call["blocks"])
        assert any(b["type"] == "actions" for b in call["blocks"])  # acknowledge, snooze, renewed, give notice
    end_chan = (D0 + timedelta(days=60)).isoformat()
    end_nochan = (D0 + timedelta(days=120)).isoformat()
    assert ledger(session_factory) == {
        (in_channel, end_chan, 60): "posted", (in_channel, end_chan, 90): "superseded",
        (no_channel, end_nochan, 90): "posted",
    }
    assert all(c not in {k[0] for k in ledger(session_factory)} for c in (far, draft, expired))
    fake_slack.assert_valid_messages()


def test_without_alert_channel_the_owner_gets_a_dm(session_factory: sessionmaker[Session], settings: Settings,
                                                   fake_slack: FakeSlack) -> None:
    no_alert_channel = settings.model_copy(update={"alert_channel": None})
    add_contract(session_factory, "CTR-DM", end=D0 + timedelta(days=10))
    add_contract(session_factory, "CTR-CH", end=D0 + timedelta(days=10), channel="C0TEAM001")
    orphan = add_contract(session_factory, "CTR-ORPHAN", end=D0 + timedelta(days=10), owner=None)

    report = run(session_factory, fake_slack, no_alert_channel, D0)

    assert sorted(c["channel"] for c in posts(fake_slack)) == sorted([OWNER, "C0TEAM001"])
    assert report.skipped_no_channel == ["CTR-ORPHAN"]
    assert all(key[0] != orphan for key in posted(session_factory))
    fake_slack.assert_valid_messages()


def test_running_the_same_sweep_twice_posts_nothing_new(session_factory: sessionmaker[Session], settings: Settings,
                                                        fake_slack: FakeSlack) -> None:
    cid = add_contract(session_factory, "CTR-TWICE", end=D0 + timedelta(days=30), channel="C0TEAM001")
    run(session_factory, fake_slack, settings, D0)
    run(session_factory, fake_slack, settings, D0)
    sweep(session_factory, client_for(fake_slack), settings=settings, now=at_nine(D0) + timedelta(hours=5))
    assert len(posts(fake_slack)) == 1
    # the next days stay quiet until the next threshold (14 days left, on day 16)
    for offset in range(1, 16):
        run(session_factory, fake_slack, settings, D0 + timedelta(days=offset))
    assert len(posts(fake_slack)) == 1
    for offset in range(16, 20):
        run(session_factory, fake_slack, settings, D0 + timedelta(days=offset))
    end = (D0 + timedelta(days=30)).isoformat()
    assert posted(session_factory) == {(cid, end, 30), (cid, end, 14)}
    assert len(posts(fake_slack)) == 2
    fake_slack.assert_valid_messages()


def test_after_a_gap_only_the_most_urgent_missed_alert(session_factory: sessionmaker[Session], settings: Settings,
                                                       fake_slack: FakeSlack) -> None:
    end = D0 + timedelta(days=100)
    cid = add_contract(session_factory, "CTR-GAP", end=end)
    run(session_factory, fake_slack, settings, end - timedelta(days=90))  # 90 days left: the 90-day alert
    run(session_factory, fake_slack, settings, end - timedelta(days=10))  # the bot was down: 60, 30, 14 missed
    key_end = end.isoformat()
    assert ledger(session_factory) == {
        (cid, key_end, 90): "posted", (cid, key_end, 60): "superseded", (cid, key_end, 30): "superseded",
        (cid, key_end, 14): "posted",
    }
    assert len(posts(fake_slack)) == 2
    assert "10 days left" in posts(fake_slack)[-1]["text"]
    run(session_factory, fake_slack, settings, end - timedelta(days=9))
    assert len(posts(fake_slack)) == 2
    run(session_factory, fake_slack, settings, end - timedelta(days=7))
    assert len(posts(fake_slack)) == 3 and (cid, key_end, 7) in posted(session_factory)


@pytest.mark.parametrize("failure", ["ok_false", "http_500"])
def test_a_failed_post_is_retried_on_the_next_sweep_and_not_doubled(
        session_factory: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack, failure: str) -> None:
    end = D0 + timedelta(days=20)
    cid = add_contract(session_factory, "CTR-FAIL", end=end, channel="C0TEAM001")
    if failure == "ok_false":
        fake_slack.fail_next("chat.postMessage", error="internal_error")
    else:
        fake_slack.fail_status("chat.postMessage", 1, status=500)

    first = run(session_factory, fake_slack, settings, D0)
    assert [o.posted for o in first.outcomes] == [False]
    assert ledger(session_factory) == {(cid, end.isoformat(), 30): "failed", (cid, end.isoformat(), 60): "superseded",
                                       (cid, end.isoformat(), 90): "superseded"}

    second = run(session_factory, fake_slack, settings, D0 + timedelta(days=1))
    assert [o.posted for o in second.outcomes] == [True]
    assert ledger(session_factory)[(cid, end.isoformat(), 30)] == "posted"
    with session_factory() as session:
        (row,) = [r for r in alerts.get_all(session, kind="deadline") if r.state == "posted"]
        assert row.attempts == 2 and row.channel == "C0TEAM001" and row.ts

    run(session_factory, fake_slack, settings, D0 + timedelta(days=1))
    run(session_factory, fake_slack, settings, D0 + timedelta(days=2))
    calls = posts(fake_slack)
    assert len(calls) == 2  # the failed attempt and the one retry, nothing more
    same_alert = [c["text"].split("—")[0] for c in calls]  # owner, contract and act-by date (days left differ)
    assert same_alert[0] == same_alert[1] and "CTR-FAIL" in same_alert[0]
    fake_slack.assert_valid_messages()


def test_a_failed_post_overtaken_by_a_more_urgent_alert_is_not_posted_late(
        session_factory: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack) -> None:
    end = D0 + timedelta(days=20)
    cid = add_contract(session_factory, "CTR-LATE", end=end)
    fake_slack.fail_next("chat.postMessage")
    run(session_factory, fake_slack, settings, D0)  # 30-day alert fails
    run(session_factory, fake_slack, settings, end - timedelta(days=10))  # next sweep: 14 is now due
    assert posted(session_factory) == {(cid, end.isoformat(), 14)}
    assert len(posts(fake_slack)) == 2  # one failed attempt, one post
    run(session_factory, fake_slack, settings, end - timedelta(days=9))
    assert len(posts(fake_slack)) == 2


def test_dry_run_records_nothing_and_posts_nothing(session_factory: sessionmaker[Session], settings: Settings,
                                                   fake_slack: FakeSlack) -> None:
    due = add_contract(session_factory, "CTR-DUE", end=D0 + timedelta(days=5))
    ended = add_contract(session_factory, "CTR-ENDED", end=D0 - timedelta(days=1), renewal="auto", term="1mo")
    before = contract_row(session_factory, ended)

    report = run(session_factory, fake_slack, settings, D0, dry_run=True)

    assert ("CTR-ENDED", "tacit_renewal") in report.rolled
    assert {p.reference: p.threshold for p in report.planned}["CTR-DUE"] == 7
    assert fake_slack.calls("chat.postMessage") == []
    assert ledger(session_factory) == {}
    after = contract_row(session_factory, ended)
    assert (after.end_date, after.renewals_since_anchor, after.status) == (
        before.end_date, before.renewals_since_anchor, before.status)
    assert history(session_factory, ended) == ["create"]
    assert history(session_factory, due) == ["create"]
    # the control: the same run, not dry, records the roll and posts the alert
    real = run(session_factory, fake_slack, settings, D0)
    assert ("CTR-ENDED", "tacit_renewal") in real.rolled
    assert any("CTR-DUE" in post["text"] for post in posts(fake_slack))
    assert (due, (D0 + timedelta(days=5)).isoformat(), 7) in posted(session_factory)
    assert history(session_factory, ended) != ["create"]
    assert len(posts(fake_slack)) >= 1 and (due, (D0 + timedelta(days=5)).isoformat(), 7) in posted(session_factory)


def test_a_snoozed_contract_stays_quiet_then_gets_only_the_most_urgent(
        session_factory: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack) -> None:
    end = D0 + timedelta(days=15)
    cid = add_contract(session_factory, "CTR-SNOOZE", end=end, channel="C0TEAM001")
    run(session_factory, fake_slack, settings, D0)  # 15 days left: the 30-day alert
    assert len(posts(fake_slack)) == 1
    until = at_nine(D0) + timedelta(days=10)
    with session_factory.begin() as session:
        contract = contracts.get_by_id(session, contract_id=cid)
        assert contract is not None
        contract.alerts_snoozed_until = until
    for offset in range(1, 10):  # 14 days left (day 1) and 7 days left (day 8) pass in silence
        run(session_factory, fake_slack, settings, D0 + timedelta(days=offset))
    assert len(posts(fake_slack)) == 1
    run(session_factory, fake_slack, settings, D0 + timedelta(days=10))  # the snooze has ended
    assert len(posts(fake_slack)) == 2
    assert ledger(session_factory) == {
        (cid, end.isoformat(), 90): "superseded", (cid, end.isoformat(), 60): "superseded",
        (cid, end.isoformat(), 30): "posted", (cid, end.isoformat(), 14): "superseded",
        (cid, end.isoformat(), 7): "posted",
    }
    run(session_factory, fake_slack, settings, D0 + timedelta(days=11))
    assert len(posts(fake_slack)) == 2
    fake_slack.assert_valid_messages()


def test_tacit_renewal_rolls_the_end_by_its_term_without_drift(
        session_factory: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack) -> None:
    cid = add_contract(session_factory, "CTR-AUTO", end=date(2027, 1, 31), renewal="auto", term="1mo",
                       channel="C0TEAM001")
    run(session_factory, fake_slack, settings, date(2027, 1, 31))  # the end day itself is still in force
    assert contract_row(session_factory, cid).end_date == date(2027, 1, 31)
    assert history(session_factory, cid) == ["create"]

    report = run(session_factory, fake_slack, settings, date(2027, 2, 1))
    assert report.rolled == [("CTR-AUTO", "tacit_renewal")]
    row = contract_row(session_factory, cid)
    assert (row.end_date, row.end_anchor, row.renewals_since_anchor, row.status) == (
        date(2027, 2, 28), date(2027, 1, 31), 1, "active")
    assert row.act_by == date(2027, 2, 28) and row.notice_deadline == date(2027, 2, 28)
    with session_factory() as session:
        events = audit.get_all(session, entity_type="contract", entity_id=cid)
        assert [e.action for e in events] == ["create", "tacit_renewal"]
        assert events[-1].changes["end_date"] == ["2027-01-31", "2027-02-28"]
        assert events[-1].actor == contracts.SYSTEM_ACTOR
    # the new term gets its own alerts (27 days left: the 30-day one)
    assert (cid, "2027-02-28", 30) in posted(session_factory)

    run(session_factory, fake_slack, settings, date(2027, 3, 1))
    assert contract_row(session_factory, cid).end_date == date(2027, 3, 31)  # back to the 31st
    assert history(session_factory, cid) == ["create", "tacit_renewal", "tacit_renewal"]
    run(session_factory, fake_slack, settings, date(2027, 3, 1))
    assert history(session_factory, cid) == ["create", "tacit_renewal", "tacit_renewal"]  # rolled once
    fake_slack.assert_valid_messages()


def test_tacit_renewal_after_a_long_outage_rolls_several_terms_at_once(
        session_factory: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack) -> None:
    cid = add_contract(session_factory, "CTR-LONG", end=date(2026, 8, 31), renewal="auto", term="1mo")
    run(session_factory, fake_slack, settings, date(2027, 2, 10))
    row = contract_row(session_factory, cid)
    assert (row.end_date, row.renewals_since_anchor) == (date(2027, 2, 28), 6)
    assert history(session_factory, cid) == ["create", "tacit_renewal"]


@pytest.mark.parametrize(("renewal", "status", "action", "final"),
                         [("manual", None, "expired", "expired"), ("none", None, "expired", "expired"),
                          ("auto", "notice_given", "terminated", "terminated"),
                          ("manual", "notice_given", "terminated", "terminated")])
def test_an_ended_contract_without_tacit_renewal_closes(
        session_factory: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack, renewal: str,
        status: str | None, action: str, final: str) -> None:
    end = D0 + timedelta(days=3)
    cid = add_contract(session_factory, "CTR-END", end=end, renewal=renewal, status=status, channel="C0TEAM001")
    run(session_factory, fake_slack, settings, end)
    assert contract_row(session_factory, cid).status == (status or "active")
    report = run(session_factory, fake_slack, settings, end + timedelta(days=1))
    assert report.rolled == [("CTR-END", action)]
    row = contract_row(session_factory, cid)
    assert (row.status, row.end_date) == (final, end)
    assert history(session_factory, cid) == ["create", action]
    count = len(posts(fake_slack))
    for offset in range(2, 5):
        run(session_factory, fake_slack, settings, end + timedelta(days=offset))
    assert len(posts(fake_slack)) == count  # a closed contract gets no more alerts
    assert history(session_factory, cid) == ["create", action]
