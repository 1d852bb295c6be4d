"""The ledger remembers a claim that went stale, and a sweep recognises that claim's post in Slack's history
by its message metadata (one key, a big grouped message by its claim), or says it cannot tell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from jobs import recovery
from storage import alert_state, alerts
from tests.conftest import TOKEN, at
from tests.support.fake_slack import FakeSlack

T0 = at("2026-03-02T08:00:00")
LATER = alerts.STALE_CLAIM + timedelta(seconds=1)


def _row(key: str) -> dict:
    return dict(key=key, kind="digest", contract_id=None, due_on=None, detail=alert_state.record(week="2026-W10"))


def test_a_stale_claim_is_recorded_with_its_first_time_and_its_last_claim(session_factory: sessionmaker[Session]
                                                                          ) -> None:
    with session_factory.begin() as session:
        assert alerts.claim(session, **_row("digest:a"), worker="A", now=T0) is not None
        assert alerts.claim_many(session, rows=[_row("digest:b")], worker="A", now=T0)
    with session_factory.begin() as session:  # not stale yet: nobody takes them over
        assert alerts.claim(session, **_row("digest:a"), worker="B", now=T0 + timedelta(minutes=9)) is None
        assert alerts.claim_many(session, rows=[_row("digest:b")], worker="B", now=T0 + timedelta(minutes=9)) == {}
    with session_factory.begin() as session:
        alert = alerts.claim(session, **_row("digest:a"), worker="B", now=T0 + LATER)
        won = alerts.claim_many(session, rows=[_row("digest:b")], worker="B", now=T0 + LATER)
        assert alert is not None and list(won) == ["digest:b"]
        record = alert_state.read(alert)
        assert record.stale_claim == alerts.claim_token("A", T0) and record.stale_since == T0.isoformat()
        stale = alerts.stale_claims(session, alert_ids=[alert.id, won["digest:b"]])
        assert stale == {alert.id: ("digest:a", alerts.claim_token("A", T0), T0.isoformat()),
                         won["digest:b"]: ("digest:b", alerts.claim_token("A", T0), T0.isoformat())}
    with session_factory.begin() as session:  # B died too: C's record keeps the first time, and B's claim
        again = alerts.claim(session, **_row("digest:a"), worker="C", now=T0 + 2 * LATER)
        assert again is not None
        record = alert_state.read(again)
        assert record.stale_claim == alerts.claim_token("B", T0 + LATER) and record.stale_since == T0.isoformat()
        assert record.week == "2026-W10"  # what the alert was about is kept


def test_a_fresh_or_failed_claim_is_not_a_stale_one(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        alert = alerts.claim(session, **_row("digest:c"), worker="A", now=T0)
        assert alert is not None
        alerts.mark_failed(session, alert_id=alert.id, error="channel_not_found")
    with session_factory.begin() as session:
        retried = alerts.claim(session, **_row("digest:c"), worker="B", now=T0 + timedelta(minutes=1))
        assert retried is not None and alert_state.read(retried).stale_claim is None
        assert alerts.stale_claims(session, alert_ids=[retried.id]) == {}


def _post(client: WebClient, channel: str, keys: list[str], claim: str) -> str:
    return str(client.chat_postMessage(channel=channel, text="alert", metadata=recovery.alert_metadata(keys, claim))
               ["ts"])


def test_earlier_posts_are_found_by_key_or_by_the_claim_of_a_big_group(fake_slack: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake_slack.url)
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    big = [f"deadline:{n}:2027-01-31:30" for n in range(1, 80)]  # more keys than a message lists
    group_ts = _post(client, "C0GROUP01", big, "claim-1")
    other_ts = _post(client, "C0GROUP01", ["deadline:500:2027-01-31:30"], "claim-1b")
    client.chat_postMessage(channel="C0GROUP01", text="no metadata")
    dm_ts = _post(client, "U0OWNER01", ["obligation:3:2027-01-31:7"], "claim-2")

    wanted = {big[0]: ("claim-1", since), big[-1]: ("claim-1", since), "deadline:500:2027-01-31:30": ("x", since),
              "deadline:999:2027-01-31:30": ("claim-9", since)}
    assert recovery.earlier_posts(client, "C0GROUP01", wanted) == {
        big[0]: ("C0GROUP01", group_ts), big[-1]: ("C0GROUP01", group_ts),
        "deadline:500:2027-01-31:30": ("C0GROUP01", other_ts)}  # 999 was never posted: post it
    assert recovery.earlier_posts(client, "U0OWNER01", {"obligation:3:2027-01-31:7": ("claim-2", since)}) == {
        "obligation:3:2027-01-31:7": ("DU0OWNER01", dm_ts)}  # a DM is read in its IM channel
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert recovery.earlier_posts(client, "C0GROUP01", {big[0]: ("claim-1", later)}) == {}  # before the claim
    fake_slack.fail_next("conversations.history", error="not_in_channel")
    assert recovery.earlier_posts(client, "C0GROUP01", {big[0]: ("claim-1", since)}) == {}  # cannot tell: post
