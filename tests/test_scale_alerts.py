"""Scale of the alert sweeps (issue 6): one grouped message when many alerts are due for one
destination, exactly once in the ledger; pacing per channel; Retry-After and 5xx retries; a contract
or incident that cannot be read or rolled is named and counted, and every other alert still goes out.

Real database (SQLite and PostgreSQL), real slack_sdk clients against the fake Slack Web API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot import slack_retry
from bot.durations import parse_duration
from bot.metrics import Metrics
from bot.render.alert_groups import SHOWN
from bot.render.alert_messages import render_alert
from jobs import deadlines
from jobs.context import JobContext
from jobs.registry import run_job
from storage import alerts
from tests.conftest import make_settings
from tests.support.fake_slack import FakeSlack, validate_blocks
from tests.test_deadlines_job import D0, OWNER, add_contract, at_nine, client_for

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

OTHER_OWNER = "U0OTHER02"


def due_in_30(factory: sessionmaker[Session], count: int, *, prefix: str = "GRP", channel: str | None = "CDEST",
              owner: str | None = OWNER) -> list[int]:
    """`count` contracts whose act-by is 30 days after D0 (the 30-day threshold is due on D0)."""
    return [add_contract(factory, f"{prefix}-{i:03d}", end=D0 + timedelta(days=30 + i % 3), channel=channel,
                         owner=owner if i % 4 else OTHER_OWNER)
            for i in range(count)]


def posts(fake: FakeSlack, channel: str | None = None) -> list[dict]:
    return [c["args"] for c in fake.calls("chat.postMessage") if channel is None or c["args"].get("channel") == channel]


def deadline_states(factory: sessionmaker[Session]) -> dict[str, tuple[str, str | None]]:
    with factory() as session:
        return {a.key: (a.state, a.ts) for a in alerts.get_all(session, kind="deadline")}


@pytest.mark.parametrize("lang, header", [("en", "14 contracts need a decision"),
                                          ("fr", "14 contrats attendent une décision")])
def test_many_alerts_for_one_channel_go_out_as_one_grouped_message(session_factory, fake_slack, db_url, lang, header):
    settings = make_settings(db_url, fake_slack.url, language=lang, post_interval=0)
    due_in_30(session_factory, 14)
    add_contract(session_factory, "ALONE-1", end=D0 + timedelta(days=30), channel="CSOLO")

    report = deadlines.sweep(session_factory, client_for(fake_slack), settings=settings, now=at_nine(D0))

    assert len(posts(fake_slack, "CDEST")) == 1 and len(posts(fake_slack, "CSOLO")) == 1
    message = posts(fake_slack, "CDEST")[0]
    validate_blocks(message["blocks"])
    assert len(message["blocks"]) <= 50
    assert header in message["text"] and message["blocks"][0]["text"]["text"] == header
    assert f"<@{OWNER}>" in message["text"] and f"<@{OTHER_OWNER}>" in message["text"]  # owners mentioned
    assert "/renewals next 32 days" in message["text"]
    assert ("and 4 more" if lang == "en" else "et 4 de plus") in message["text"]
    # most urgent first: the contracts ending 30 days out come before those ending 31 and 32 days out
    shown = [line for line in message["text"].splitlines() if "GRP-" in line]
    assert len(shown) == SHOWN and all(f"GRP-{i:03d}" in shown[n] for n, i in enumerate([0, 3, 6, 9, 12]))
    # every contract is still its own alert in the ledger, all posted in that one message
    states = deadline_states(session_factory)
    posted = {k: v for k, v in states.items() if v[0] == alerts.POSTED}
    assert len(posted) == 15 and len({ts for _s, ts in posted.values()}) == 2
    assert report.groups == [("CDEST", 14)]
    assert sum(1 for o in report.outcomes if o.posted) == 15

    again = deadlines.sweep(session_factory, client_for(fake_slack), settings=settings, now=at_nine(D0))
    assert again.planned == [] and len(posts(fake_slack)) == 2


def test_buttons_of_a_grouped_message_act_on_their_own_contract(session_factory, fake_slack, db_url):
    settings = make_settings(db_url, fake_slack.url, post_interval=0)
    ids = due_in_30(session_factory, 7)
    deadlines.sweep(session_factory, client_for(fake_slack), settings=settings, now=at_nine(D0))
    message = posts(fake_slack, "CDEST")[0]
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {b["action_id"] for b in buttons} >= {"alert_ack", "alert_snooze"} or len(buttons) == 7 * 4
    values = {int(b["value"]) for b in buttons}
    with session_factory.begin() as session:
        by_alert = {a.id: a.contract_id for a in alerts.get_all(session, kind="deadline") if a.state == alerts.POSTED}
        assert values == set(by_alert) and set(by_alert.values()) == set(ids)
        first = alerts.get(session, alert_id=min(values))
        alerts.acknowledge(session, alert=first, user=OTHER_OWNER, now=at_nine(D0))
    with session_factory() as session:
        rerendered = render_alert(session, alerts.get(session, alert_id=min(values)), settings=settings,
                                  today=settings.today(at_nine(D0)))
    assert rerendered is not None and rerendered.text.startswith("7 contracts need a decision")
    assert f"Acknowledged by <@{OTHER_OWNER}>" in rerendered.text
    validate_blocks(rerendered.to_dict()["blocks"])


def test_a_failed_grouped_post_is_retried_whole_by_the_next_sweep_never_doubled(session_factory, fake_slack,
                                                                                 db_url):
    settings = make_settings(db_url, fake_slack.url, post_interval=0)
    due_in_30(session_factory, 9)
    fake_slack.fail_next("chat.postMessage", 1, error="channel_not_found")
    first = deadlines.sweep(session_factory, client_for(fake_slack), settings=settings, now=at_nine(D0))
    assert not any(o.posted for o in first.outcomes)
    assert {state for state, _ts in deadline_states(session_factory).values()} >= {alerts.FAILED}

    second = deadlines.sweep(session_factory, client_for(fake_slack), settings=settings,
                             now=at_nine(D0) + timedelta(minutes=5))
    assert sum(1 for o in second.outcomes if o.posted) == 9
    third = deadlines.sweep(session_factory, client_for(fake_slack), settings=settings,
                            now=at_nine(D0) + timedelta(minutes=10))
    assert third.outcomes == []
    assert len(posts(fake_slack)) == 2  # the refused one and the one that went out
    states = deadline_states(session_factory)
    assert sum(1 for s, _ in states.values() if s == alerts.POSTED) == 9


def test_posts_to_one_channel_are_paced(session_factory, fake_slack, db_url):
    settings = make_settings(db_url, fake_slack.url, post_interval=0.4)
    due_in_30(session_factory, 3, channel="CPACE")
    due_in_30(session_factory, 2, prefix="OTH", channel="COTHER")
    deadlines.sweep(session_factory, client_for(fake_slack), settings=settings, now=at_nine(D0))
    times = [c["at"] for c in fake_slack.calls("chat.postMessage") if c["args"]["channel"] == "CPACE"]
    assert len(times) == 3
    assert all(b - a >= 0.35 for a, b in zip(times, times[1:], strict=False))  # a lower bound only: never flaky under load


def test_retry_after_is_honoured_and_5xx_retried_without_doubling(session_factory, fake_slack, db_url):
    settings = make_settings(db_url, fake_slack.url, post_interval=0)
    due_in_30(session_factory, 2, channel="CRETRY")
    client = slack_retry.web_client("xoxb-x", fake_slack.url)
    fake_slack.fail_status("chat.postMessage", 1, status=429)  # with Retry-After: 1
    fake_slack.fail_status("chat.postMessage", 1, status=503)
    report = deadlines.sweep(session_factory, client, settings=settings, now=at_nine(D0))
    calls = fake_slack.calls("chat.postMessage")
    assert [o.posted for o in report.outcomes] == [True, True]
    assert len(calls) == 4 and calls[1]["at"] - calls[0]["at"] >= 1.0  # waited the Retry-After
    with session_factory() as session:
        sent = [a for a in alerts.get_all(session, kind="deadline") if a.state != alerts.SUPERSEDED]
        assert len(sent) == 2 and all(a.state == alerts.POSTED and a.attempts == 1 for a in sent)


def test_an_answer_at_the_response_url_is_retried_after_a_server_error(fake_slack):
    fake_slack.fail_status("response_url", 1, status=500)
    answer = slack_retry.webhook(fake_slack.response_url("t1")).send_dict({"text": "hello"})
    assert answer.status_code == 200
    assert len(fake_slack.calls("response_url")) == 2


def test_a_poisoned_contract_is_named_and_counted_and_every_other_alert_goes_out(session_factory, fake_slack,
                                                                                 db_url):
    settings = make_settings(db_url, fake_slack.url, post_interval=0)
    good = [add_contract(session_factory, f"OK-{i}", end=D0 + timedelta(days=30), channel=f"C{i}") for i in range(3)]
    unreadable = add_contract(session_factory, "BAD-DATE", end=D0 + timedelta(days=30), channel="CBAD")
    overflow = add_contract(session_factory, "BAD-TERM", end=D0 - timedelta(days=3), channel="CBAD",
                            renewal="auto")
    with session_factory.begin() as session:  # behind the input checks' back, as a bad migration or script would
        session.execute(text("UPDATE contracts SET end_date = '102025-01-01' WHERE id = :id"), {"id": unreadable})
        # a term no parser reads, past the CHECK on the column (which the bot's own writes never meet)
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("PRAGMA ignore_check_constraints = ON"))
        else:
            session.execute(text("ALTER TABLE contracts DROP CONSTRAINT ck_contracts_term"))
        session.execute(text("UPDATE contracts SET term = '100000y' WHERE id = :id"), {"id": overflow})
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("PRAGMA ignore_check_constraints = OFF"))
    metrics = Metrics()
    ctx = JobContext(settings=settings, session_factory=session_factory, client=client_for(fake_slack), clock=None,
                     metrics=metrics)  # type: ignore[arg-type]
    lines = run_job("deadlines", ctx, now=at_nine(D0))

    assert {c["args"]["channel"] for c in fake_slack.calls("chat.postMessage")} == {"C0", "C1", "C2"}
    failed = [line for line in lines if "FAILED (deadlines" in line]
    assert any(line.startswith("BAD-DATE:") for line in failed), lines
    assert any(line.startswith("BAD-TERM:") for line in failed), lines
    assert metrics.sweep_failures.labels("deadlines")._value.get() == len(failed) >= 2
    assert b'contractbot_sweep_failures_total{job="deadlines"}' in metrics.exposition()
    assert len(good) == 3


def test_a_poisoned_incident_contract_does_not_silence_the_sla_sweep(session_factory, fake_slack, db_url):
    from storage import incidents

    settings = make_settings(db_url, fake_slack.url, post_interval=0)
    opened = at_nine(D0)
    refs = {}
    for ref in ("SLA-OK", "SLA-BAD"):
        contract_id = add_contract(session_factory, ref, end=D0 + timedelta(days=300), channel=f"C{ref}")
        with session_factory.begin() as session:
            from storage import contracts as contract_store
            from storage.sla_terms import TermInput, set_term

            contract = contract_store.get_by_id(session, contract_id=contract_id)
            term = TermInput("P1", parse_duration("1h"), parse_duration("4h"), "24x7", None)
            set_term(session, contract=contract, term=term, actor="U1",
                     now=opened)
            incident = incidents.create(session, contract=contract, priority="P1", summary="down", opened_at=opened,
                                        actor="U1", now=opened, calendar=settings.calendar)
            refs[ref] = incident.number
    with session_factory.begin() as session:
        session.execute(text("UPDATE contracts SET end_date = '102025-01-01' WHERE reference = 'SLA-BAD'"))
    metrics = Metrics()
    ctx = JobContext(settings=settings, session_factory=session_factory, client=client_for(fake_slack), clock=None,
                     metrics=metrics)  # type: ignore[arg-type]
    lines = run_job("sla", ctx, now=opened + timedelta(hours=2))
    assert {c["args"]["channel"] for c in fake_slack.calls("chat.postMessage")} == {"CSLA-OK"}
    assert any(line.startswith(f"{refs['SLA-BAD']}: FAILED (sla") for line in lines), lines
    assert metrics.sweep_failures.labels("sla")._value.get() >= 1


def test_a_dry_run_says_which_alerts_would_be_grouped_and_posts_nothing(session_factory, fake_slack, db_url):
    settings = make_settings(db_url, fake_slack.url, post_interval=0)
    due_in_30(session_factory, 6)
    report = deadlines.sweep(session_factory, client_for(fake_slack), settings=settings, now=at_nine(D0),
                             dry_run=True)
    lines = deadlines.describe(report, today=D0)
    assert "CDEST: 6 deadline alerts in one grouped message" in lines
    assert fake_slack.calls("chat.postMessage") == [] and deadline_states(session_factory) == {}
    # the control: the same sweep, not dry, posts that one grouped message
    deadlines.sweep(session_factory, client_for(fake_slack), settings=settings, now=at_nine(D0))
    assert len(posts(fake_slack, "CDEST")) == 1
    assert [state for state, _ts in deadline_states(session_factory).values()].count("posted") == 6
