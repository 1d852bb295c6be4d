"""During a database outage every person still hears back: a DM question gets "temporarily unavailable"
in the asker's language (once, even when Slack re-delivers the event), the App Home says the dashboard is
unavailable, and Socket Mode starts, answers and recovers by itself like HTTP mode."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import SECRET
from tests.e2e.socket_fake import SocketFakeSlack, SocketModeServer
from tests.e2e.test_faults import UNAVAILABLE, health, own_postgres  # noqa: F401 - own_postgres: a fixture
from tests.e2e.test_socket_mode import APP_TOKEN, SocketBot, assert_clean
from tests.support.fake_slack import FakeSlack
from tests.support.postgres import PostgresServer
from tests.support.server import Serve, contractbot_env, free_port
from tests.support.signed import post_event

INDISPONIBLE = "momentanément indisponible"


def _unreachable(backend: str, tmp_path: Path) -> str:
    return (f"sqlite:///{tmp_path / 'no-such-directory' / 'contractbot.db'}" if backend == "sqlite"
            else f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere")


def _envelope(event: dict, event_id: str) -> dict:
    return {"token": "verification-token", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event": event, "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]}


def _dm(user: str, text: str) -> dict:
    return {"type": "message", "channel_type": "im", "channel": f"D{user}", "user": user, "text": text,
            "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}"}


def _replies(fake: FakeSlack, channel: str) -> list[dict]:
    return [c["args"] for c in fake.calls("chat.postMessage") if c["args"].get("channel") == channel]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_dm_during_an_outage_is_told_once_in_the_askers_language(backend: str, fake_slack: FakeSlack,
                                                                    tmp_path: Path) -> None:
    fake_slack.locales["U0FR0001"] = "fr-FR"
    serve = Serve(contractbot_env(_unreachable(backend, tmp_path), fake_slack.url), healthy=False)
    try:
        assert health(serve)[0] == 503
        question = _envelope(_dm("U0FR0001", "quels contrats arrivent à échéance en mars ?"), "EvOUTFR1")
        assert post_event(serve.events_url, SECRET, question)[0] == 200
        [reply] = [c["args"] for c in fake_slack.wait_for("chat.postMessage", timeout=30,
                                                          predicate=lambda c: c["args"]["channel"] == "DU0FR0001")]
        assert INDISPONIBLE in reply["text"] and "Rien n'a été modifié" in reply["text"], reply
        assert reply["blocks"], reply  # Block Kit with its plain-text fallback

        # Slack re-delivers the event (no ack seen in time), signed anew: acked, not answered again
        assert post_event(serve.events_url, SECRET, question, retry_num=1, timestamp=int(time.time()) + 2)[0] == 200
        english = _envelope(_dm("U0EN0001", "when does the Oracle contract end?"), "EvOUTEN1")
        assert post_event(serve.events_url, SECRET, english)[0] == 200
        [reply] = [c["args"] for c in fake_slack.wait_for("chat.postMessage", timeout=30,
                                                          predicate=lambda c: c["args"]["channel"] == "DU0EN0001")]
        assert UNAVAILABLE in reply["text"] and "Nothing was changed" in reply["text"], reply
        time.sleep(0.5)  # the re-delivery, sent before the English DM, had its chance to answer
        assert len(_replies(fake_slack, "DU0FR0001")) == 1, _replies(fake_slack, "DU0FR0001")

        home = _envelope({"type": "app_home_opened", "user": "U0FR0001", "channel": "DU0FR0001", "tab": "home",
                          "event_ts": f"{time.time():.6f}"}, "EvOUTHOME1")
        assert post_event(serve.events_url, SECRET, home)[0] == 200
        [published] = fake_slack.wait_for("views.publish", timeout=30)
        view = published["args"]["view"]
        assert view["type"] == "home" and INDISPONIBLE in str(view["blocks"]), view
        fake_slack.assert_valid_messages()
        out = serve.output()
        assert "Traceback" not in out and " ERROR " not in out, out[-3000:]
    finally:
        serve.stop()


# --- Socket Mode ---

@pytest.fixture
def links() -> Iterator[SocketModeServer]:
    with SocketModeServer() as server:
        yield server
    assert server.errors == [], server.errors


@pytest.fixture
def fake(links: SocketModeServer) -> Iterator[SocketFakeSlack]:
    with SocketFakeSlack(links) as fake:
        yield fake


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    """An unreachable database URL and what brings it back: a SQLite file whose directory is missing (made
    later), or a PostgreSQL server of this test, stopped (started again)."""
    if request.param == "sqlite":
        url = _unreachable("sqlite", tmp_path)
        yield url, lambda: (tmp_path / "no-such-directory").mkdir()
        return
    server: PostgresServer = request.getfixturevalue("own_postgres")
    url = server.create_database("socket_outage")
    server.pause()
    yield url, server.resume


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_socket_mode_starts_without_the_database_answers_unavailable_and_recovers_by_itself(
        database: tuple[str, Callable[[], None]], links: SocketModeServer, fake: SocketFakeSlack,
        tmp_path: Path) -> None:
    url, bring_back = database
    fake.locales["U0FR0002"] = "fr-FR"
    bot = SocketBot(["socket"], contractbot_env(url, fake.url, SLACK_APP_TOKEN=APP_TOKEN), tmp_path / "app.log",
                    links, fake)
    try:
        link = bot.link()  # connected to Slack although the database does not answer
        answer = bot.command(link, 'add SOCK-OUT-1 title:"Outage" vendor:Acme end:2030-01-31')
        assert UNAVAILABLE in answer["text"] and "Nothing was changed" in answer["text"], answer
        assert answer.get("response_type") == "ephemeral"
        bot.dm(link, "quels contrats arrivent à échéance en mars ?", user="U0FR0002", event_id="EvSOCKOUT1")
        reply = bot.wait_for("chat.postMessage", lambda c: c["args"].get("channel") == "DU0FR0002", timeout=30)
        assert INDISPONIBLE in reply["text"], reply

        bring_back()
        deadline = time.monotonic() + 90
        while True:  # the background upgrade retries with backoff; nobody restarts the process
            answer = bot.command(link, 'add SOCK-OUT-1 title:"Outage" vendor:Acme end:2030-01-31')
            if UNAVAILABLE not in answer["text"]:
                break
            assert time.monotonic() < deadline, bot.output()[-3000:]
            time.sleep(1)
        assert answer["response_type"] == "in_channel" and "SOCK-OUT-1" in answer["text"], answer
        card = bot.command(link, "status SOCK-OUT-1")
        assert "SOCK-OUT-1" in card["text"] and UNAVAILABLE not in card["text"], card
        assert "retrying in" in bot.output()
        assert_clean(bot, fake)
    finally:
        bot.stop()
