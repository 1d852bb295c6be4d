"""Faults end to end: `serve` started while the database is unreachable (an unreachable URL, and a real
PostgreSQL stopped then started again), a sweep during an outage, and SIGTERM with an answer in flight."""

from __future__ import annotations

import json
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient

from bot.clock import SystemClock
from bot.metrics import Metrics
from bot.settings import Settings
from jobs.context import JobContext
from jobs.registry import scheduled_entry
from storage import contracts as contract_store
from storage import incidents as incident_store
from storage.db import make_engine, make_session_factory, open_database
from tests.conftest import SECRET, TOKEN
from tests.e2e.cli_helpers import cli, day, posts, write_csv
from tests.support.fake_slack import FakeSlack
from tests.support.inproc import cli_here
from tests.support.postgres import PostgresServer, find_bindir
from tests.support.server import Serve, contractbot_env, free_port
from tests.support.signed import post_action, post_command

UNAVAILABLE = "temporarily unavailable"
PARIS = ZoneInfo("Europe/Paris")


def health(serve: Serve) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(serve.base + "/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.loads(err.read())


def command(serve: Serve, fake: FakeSlack, text: str, tag: str) -> dict:
    status, body = post_command(serve.events_url, SECRET, "/contract", text, response_url=fake.response_url(tag))
    assert status == 200, body
    return fake.wait_for("response_url", timeout=30, predicate=lambda c: c["path"] == f"/response/{tag}")[-1]["args"]


def wait_healthy(serve: Serve, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while health(serve)[0] != 200:
        assert time.monotonic() < deadline, f"serve did not recover:\n{serve.output()[-3000:]}"
        assert serve.process.poll() is None, serve.output()
        time.sleep(0.2)


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test only: it is stopped and started again."""
    if find_bindir() is None:
        pytest.skip("no PostgreSQL binaries on this machine (CI installs them)")
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_serve_starts_on_an_unreachable_database_answers_503_and_says_nothing_changed(
        backend: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    url = (f"sqlite:///{tmp_path / 'no-such-directory' / 'contractbot.db'}" if backend == "sqlite"
           else f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere")
    serve = Serve(contractbot_env(url, fake_slack.url), scheduler=True, healthy=False)
    try:
        status, body = health(serve)
        assert status == 503 and body["database"] == "unreachable", body
        answer = command(serve, fake_slack, 'add DOWN-1 title:"Down" vendor:Acme end:2030-01-31', "down-1")
        assert UNAVAILABLE in answer["text"] and "Nothing was changed" in answer["text"], answer
        assert answer.get("response_type") == "ephemeral"
        assert "Something went wrong" not in answer["text"]
        status, body = post_command(serve.events_url, SECRET, "/contract", "status DOWN-1",
                                    response_url=fake_slack.response_url("down-2"))
        assert status == 200
        click = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "api_app_id": "A1",
                 "token": "verification-token", "trigger_id": "T.btn", "channel": {"id": "C1"},
                 "container": {"type": "message", "channel_id": "C1", "message_ts": "1.1"},
                 "response_url": fake_slack.response_url("down-btn"),
                 "actions": [{"action_id": "alert_ack", "block_id": "b", "value": "1", "type": "button",
                              "action_ts": "1.2"}]}
        assert post_action(serve.events_url, SECRET, click)[0] == 200
        told = fake_slack.wait_for("response_url", timeout=30, predicate=lambda c: c["path"] == "/response/down-btn")
        assert UNAVAILABLE in told[-1]["args"]["text"]
        assert serve.process.poll() is None  # still serving
        out = serve.output()
        assert "Traceback" not in out, out[-3000:]
        assert "retrying in" in out
    finally:
        serve.stop()


def test_serve_recovers_by_itself_when_postgresql_comes_back(own_postgres: PostgresServer, fake_slack: FakeSlack
                                                              ) -> None:
    url = own_postgres.create_database("faults")
    own_postgres.pause()
    serve = Serve(contractbot_env(url, fake_slack.url), scheduler=True, healthy=False)
    try:
        assert health(serve)[0] == 503
        answer = command(serve, fake_slack, 'add BACK-1 title:"Back" vendor:Acme end:2030-01-31', "back-0")
        assert UNAVAILABLE in answer["text"]

        own_postgres.resume()
        wait_healthy(serve)  # the background upgrade retried and succeeded: nobody restarted serve
        answer = command(serve, fake_slack, 'add BACK-1 title:"Back" vendor:Acme end:2030-01-31', "back-1")
        assert answer.get("response_type") == "in_channel" and "BACK-1" in answer["text"], answer

        own_postgres.pause()  # down again while serving
        answer = command(serve, fake_slack, "status BACK-1", "back-2")
        assert UNAVAILABLE in answer["text"], answer
        assert health(serve)[0] == 503
        own_postgres.resume()
        wait_healthy(serve)
        answer = command(serve, fake_slack, "status BACK-1", "back-3")
        assert "BACK-1" in answer["text"] and UNAVAILABLE not in answer["text"], answer
        assert "Traceback" not in serve.output()
    finally:
        serve.stop()


def test_a_sweep_during_an_outage_posts_nothing_and_the_next_one_posts_what_was_due(
        own_postgres: PostgresServer, fake_slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = own_postgres.create_database("sweep_outage")
    env = contractbot_env(url, fake_slack.url)
    rows = [{"reference": "OUT-1", "title": "Outage", "vendor": "Acme", "end_date": day(10).isoformat(),
             "channel": "C0OUT0001"}]
    cli_here(["import", "contracts", str(write_csv(tmp_path / "a.csv", rows))], env)

    settings = Settings(database_url=url, slack_bot_token=TOKEN, slack_api_url=fake_slack.url,
                        timezone="Europe/Paris")
    engine = make_engine(url)
    ctx = JobContext(settings=settings, session_factory=make_session_factory(engine),
                     client=WebClient(token=TOKEN, base_url=fake_slack.url, timeout=10),
                     clock=SystemClock(), metrics=Metrics())
    try:
        own_postgres.pause()
        scheduled_entry("deadlines", ctx)  # what the scheduler calls: it must neither raise nor post
        assert posts(fake_slack, "C0OUT0001") == []
        assert any("database unavailable" in r.getMessage() for r in caplog.records)
        own_postgres.resume()
        scheduled_entry("deadlines", ctx)
        [post] = posts(fake_slack, "C0OUT0001")
        assert "OUT-1" in post["args"]["text"]
    finally:
        engine.dispose()
    assert "nothing due" in cli_here(["jobs", "run", "deadlines"], env).stdout  # posted once, not lost nor doubled


def test_cli_commands_on_an_unreachable_database_say_so_without_a_traceback(fake_slack: FakeSlack) -> None:
    env = contractbot_env(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere", fake_slack.url)
    done = cli(["jobs", "run", "deadlines"], env, expect=3, process=True)
    assert "database is unreachable" in done.stderr and "Traceback" not in done.stderr


def test_sigterm_lets_the_answer_in_flight_finish_then_exits_0(db_url: str, fake_slack: FakeSlack) -> None:
    url = db_url  # a fresh database at head, on each backend
    serve = Serve(contractbot_env(url, fake_slack.url), scheduler=True)
    try:
        slow = fake_slack.hold("users.info")  # the command's answer waits on Slack: it is in flight
        status, _ = post_command(serve.events_url, SECRET, "/contract", 'add SIG-1 title:"Sig" vendor:Acme '
                                 "end:2030-01-31", response_url=fake_slack.response_url("sig"), user_id="USIG")
        assert status == 200  # acked at once
        fake_slack.wait_for("users.info", timeout=30)
        serve.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while health(serve)[0] != 503:  # draining: not ready any more, but still running
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert serve.process.poll() is None and not fake_slack.calls("response_url")
        threading.Timer(0.2, slow.set).start()
        assert serve.process.wait(timeout=40) == 0
        [answer] = fake_slack.calls("response_url")
        assert "SIG-1" in answer["args"]["text"] and answer["args"].get("response_type") == "in_channel"
        assert "Traceback" not in serve.output()
    finally:
        serve.stop()


def test_sigterm_stops_a_server_whose_parent_left_it_ignoring_sigint(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """A background job of a script (`contractbot serve &`) starts with SIGINT ignored. The drain ends
    waitress's loop by raising KeyboardInterrupt in the main thread, which an ignored SIGINT would turn into
    nothing: the server kept running after SIGTERM until it was killed."""
    serve = Serve(contractbot_env(f"sqlite:///{tmp_path / 'contractbot.db'}", fake_slack.url,
                                  CONTRACTBOT_LOG_LEVEL="INFO"), sigint_ignored=True)
    try:
        assert health(serve)[0] == 200
        serve.process.send_signal(signal.SIGTERM)
        assert serve.process.wait(timeout=30) == 0
        log = serve.output()
        assert "SIGTERM: finishing 0 request(s)" in log and "contractbot stopped" in log and "Traceback" not in log
    finally:
        serve.stop()


def test_sigterm_lets_a_running_sweep_finish_its_post_then_exits_0(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """The `sla` job of serve's own scheduler — its sweep at start — is posting when SIGTERM comes."""
    url = f"sqlite:///{tmp_path / 'contractbot.db'}"
    env = contractbot_env(url, fake_slack.url)
    rows = [{"reference": "SWP-1", "title": "Sweep", "vendor": "Acme", "end_date": "2030-01-31",
             "channel": "C0SWP0001"}]
    cli_here(["import", "contracts", str(write_csv(tmp_path / "c.csv", rows))], env)
    sla_csv = tmp_path / "sla.csv"
    sla_csv.write_text("reference,priority,response,resolution,clock,credit_pct\nSWP-1,P1,30min,1h,24x7,5\n")
    cli_here(["import", "sla", str(sla_csv)], env)
    now = datetime.now(UTC)
    engine, factory = open_database(url)
    with factory.begin() as session:  # opened two hours ago: both targets breached while no bot was running
        incident_store.create(session, contract=contract_store.get_by_reference(session, reference="SWP-1"),
                              priority="P1", summary="Core switch down", opened_at=now - timedelta(hours=2),
                              actor="U1", now=now, calendar=Settings(database_url=url).calendar)
    engine.dispose()

    slow = fake_slack.hold("chat.postMessage")
    serve = Serve(env, scheduler=True)
    try:
        # The sweep at start posts the breach alerts; the first post waits on the held Slack.
        fake_slack.wait_for("chat.postMessage", timeout=60, predicate=lambda c: c["args"].get("channel") == "C0SWP0001")
        serve.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while health(serve)[0] != 503:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert serve.process.poll() is None  # the sweep holds the exit
        threading.Timer(0.2, slow.set).start()
        assert serve.process.wait(timeout=40) == 0
        assert "Traceback" not in serve.output()
    finally:
        serve.stop()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        states = [state for (state,) in conn.execute(sa.text("SELECT state FROM alerts WHERE kind = 'sla'"))]
    engine.dispose()
    # Both breaches posted (their at-risk levels superseded): finished, none left claimed for a double post.
    assert sorted(states) == ["posted", "posted", "superseded", "superseded"], states
