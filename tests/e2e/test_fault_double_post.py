"""An alert posted, then its `posted` mark lost (the process died, or the database dropped, between the post
and the mark): the person still gets it once. The claim stays `claimed`; a sweep after the stale-claim time
finds the post in the destination's history by its message metadata (a channel, a DM, a grouped message),
and a process that lived on writes the mark it kept as soon as the database answers again.

The sweep that dies is a real `jobs run` process, killed; the steps around it (the import, the sweeps
after it) run `contractbot` through its entry point in the test process (tests/support/inproc.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.clock import SystemClock
from bot.metrics import Metrics
from bot.settings import Settings
from jobs.context import JobContext
from jobs.registry import scheduled_entry
from storage.alerts import STALE_CLAIM
from storage.db import make_engine, make_session_factory
from tests.conftest import TOKEN
from tests.e2e.cli_helpers import day, ledger, posts, write_csv
from tests.e2e.test_faults import own_postgres  # noqa: F401 - the fixture
from tests.support.fake_slack import FakeSlack
from tests.support.inproc import cli_here
from tests.support.postgres import PostgresServer
from tests.support.server import ROOT, contractbot_env

OWNER = "U0REC0OWN"
CHANNEL = "C0REC0001"
CASES = {  # destination as the sweep posts to it, the contracts, where Slack files the message
    "channel": (CHANNEL, [{"reference": "REC-1", "channel": CHANNEL}], CHANNEL),
    "dm": (OWNER, [{"reference": "REC-1", "owner": OWNER}], "D" + OWNER),
    "group": (CHANNEL, [{"reference": f"REC-{n}", "channel": CHANNEL} for n in range(1, 8)], CHANNEL),
}


def _contracts(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    return write_csv(tmp_path / "contracts.csv", [{"title": "Recovery", "vendor": "Acme", "end_date": day(10).isoformat(),
                                                   **row} for row in rows])


def _alerts(url: str) -> list:
    return [row for row in ledger(url) if row.state != "superseded"]


def _in_history(fake: FakeSlack, channel: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while not fake.history.get(channel):
        assert time.monotonic() < deadline, f"the held post never reached {channel}"
        time.sleep(0.05)
    return fake.history[channel][-1]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_post_whose_process_died_before_the_mark_is_found_not_posted_again(
        case: str, db_url: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    destination, rows, filed_in = CASES[case]
    env = contractbot_env(db_url, fake_slack.url)
    cli_here(["import", "contracts", str(_contracts(tmp_path, rows))], env)

    held = fake_slack.hold("chat.postMessage")
    sweep = subprocess.Popen([sys.executable, "-m", "bot.cli", "jobs", "run", "deadlines"], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        [first] = fake_slack.wait_for("chat.postMessage", timeout=60)
        sweep.kill()  # the process dies between the post and the mark
        sweep.wait(timeout=30)
    finally:
        held.set()
    message = _in_history(fake_slack, filed_in)  # Slack posted it all the same
    assert first["args"]["metadata"]["event_type"] == "contractbot_alert", first["args"]
    assert {row.state for row in _alerts(db_url)} == {"claimed"}

    later = (datetime.now(UTC) + STALE_CLAIM + timedelta(minutes=1)).isoformat(timespec="seconds")
    out = cli_here(["jobs", "run", "deadlines", "--at", later], env).stdout
    assert "FAILED" not in out, out
    assert len(posts(fake_slack, destination)) == 1, posts(fake_slack, destination)  # not posted again
    rows_after = _alerts(db_url)
    assert {row.state for row in rows_after} == {"posted"}, rows_after
    assert {(row.channel, row.ts) for row in rows_after} == {(filed_in, message["ts"])}
    [looked] = fake_slack.calls("conversations.history")
    assert looked["args"]["channel"] == filed_in and str(looked["args"]["include_all_metadata"]) in ("1", "True")
    assert "nothing due" in cli_here(["jobs", "run", "deadlines", "--at", later], env).stdout


def test_a_stale_claim_not_found_in_slack_is_posted_and_a_slack_error_while_looking_posts_too(
        db_url: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    """The claim's process died before its post reached Slack: nothing to find, so it is posted (a lost
    alert costs more than a double); and when the history cannot be read, the alert is posted as before."""
    env = contractbot_env(db_url, fake_slack.url)
    cli_here(["import", "contracts", str(_contracts(tmp_path, [{"reference": "REC-1", "channel": CHANNEL},
                                                          {"reference": "REC-2", "channel": "C0REC0002"}]))], env)
    fake_slack.fail_next("chat.postMessage", n=2, error="channel_not_found")
    cli_here(["jobs", "run", "deadlines"], env)  # both posts refused: failed, retried at the next run
    fake_slack.clear()
    engine = make_engine(db_url)  # the process died before posting: the claims stay `claimed`
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alerts SET state = 'claimed' WHERE state = 'failed'")
    engine.dispose()
    fake_slack.fail_next("conversations.history", n=1, error="not_in_channel")
    later = (datetime.now(UTC) + STALE_CLAIM + timedelta(minutes=1)).isoformat(timespec="seconds")
    cli_here(["jobs", "run", "deadlines", "--at", later], env)
    assert len(posts(fake_slack, CHANNEL)) == 1 and len(posts(fake_slack, "C0REC0002")) == 1
    assert len(fake_slack.calls("conversations.history")) == 2  # each looked for before posting
    assert {row.state for row in _alerts(db_url)} == {"posted"}


def test_a_mark_the_database_refused_is_written_when_it_answers_again(
        own_postgres: PostgresServer, fake_slack: FakeSlack, tmp_path: Path,  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    url = own_postgres.create_database("lost_mark")
    env = contractbot_env(url, fake_slack.url)
    cli_here(["import", "contracts", str(_contracts(tmp_path, [{"reference": "REC-1", "channel": CHANNEL}]))], env)
    settings = Settings(database_url=url, slack_bot_token=TOKEN, slack_api_url=fake_slack.url, timezone="Europe/Paris")
    engine = make_engine(url)
    ctx = JobContext(settings=settings, session_factory=make_session_factory(engine),
                     client=WebClient(token=TOKEN, base_url=fake_slack.url, timeout=10),
                     clock=SystemClock(), metrics=Metrics())
    try:
        held = fake_slack.hold("chat.postMessage")
        sweep = threading.Thread(target=scheduled_entry, args=("deadlines", ctx))
        sweep.start()
        fake_slack.wait_for("chat.postMessage", timeout=60)
        own_postgres.pause()  # the database drops while the post is on its way
        held.set()
        sweep.join(timeout=120)
        assert not sweep.is_alive()
        assert any("not marked" in r.getMessage() for r in caplog.records)
        own_postgres.resume()
        [row] = _alerts(url)
        assert row.state == "claimed"  # posted in Slack, not in the ledger yet

        scheduled_entry("sla", ctx)  # the next run of any job in this process writes the mark first
        [row] = _alerts(url)
        message = fake_slack.history[CHANNEL][-1]
        assert (row.state, row.channel, row.ts) == ("posted", CHANNEL, message["ts"])
        scheduled_entry("deadlines", ctx)
        assert len(posts(fake_slack, CHANNEL)) == 1
        assert fake_slack.calls("conversations.history") == []  # the mark sufficed, no search in Slack
    finally:
        engine.dispose()
