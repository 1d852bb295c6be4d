"""Self-tests for tests/support: the fake Slack API, the signed-request helpers and the PostgreSQL helper."""

from __future__ import annotations

import json
import os
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import sqlalchemy as sa
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from tests.support.fake_slack import FakeSlack, validate_blocks
from tests.support.postgres import PostgresServer, find_bindir
from tests.support.signed import post_action, post_command, post_event, sign

SECRET = "test-signing-secret"
BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "Renewal due"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Acme hosting* renews on 2025-03-01"}},
    {"type": "actions", "elements": [
        {"type": "button", "action_id": "snooze", "text": {"type": "plain_text", "text": "Snooze"}, "value": "c1"},
    ]},
]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.url, token="xoxb-x")


def test_records_post_message_and_blocks_validate(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="hi", blocks=BLOCKS)
    second = client.chat_postMessage(channel="C1", text="again")
    assert first["ok"] and first["channel"] == "C1"
    assert float(second["ts"]) > float(first["ts"])
    (call,) = fake.wait_for("chat.postMessage", predicate=lambda c: "blocks" in c["args"])
    assert call["args"]["text"] == "hi" and call["args"]["blocks"] == BLOCKS
    assert call["headers"]["Authorization"] == "Bearer xoxb-x"
    validate_blocks(call["args"]["blocks"])
    fake.assert_valid_messages()


def test_form_encoded_blocks_are_decoded_and_checked(fake: FakeSlack) -> None:
    body = urllib.parse.urlencode({"channel": "C1", "blocks": json.dumps(BLOCKS)}).encode()
    with urllib.request.urlopen(urllib.request.Request(fake.url + "chat.update", data=body), timeout=5) as resp:
        assert json.load(resp)["ok"] is True
    assert fake.calls("chat.update")[0]["args"]["blocks"] == BLOCKS
    with pytest.raises(AssertionError, match="chat.update.*no non-empty text fallback"):
        fake.assert_valid_messages()


def test_fail_next_makes_next_call_raise(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C404", text="hi")
    assert err.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert len(fake.calls("chat.postMessage")) == 2


def test_fail_status_gives_http_error(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_status("users.info", 1, status=500)
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U1")
    assert err.value.response.status_code == 500
    fake.locales["U1"] = "fr-FR"
    user = client.users_info(user="U1")["user"]
    assert (user["id"], user["tz"], user["locale"]) == ("U1", "Europe/Paris", "fr-FR")


def test_invalid_blocks_are_reported(fake: FakeSlack, client: WebClient) -> None:
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    client.chat_postMessage(channel="C1", text="fallback", blocks=too_long)
    with pytest.raises(AssertionError, match=r"call #0 chat.postMessage.*3000"):
        fake.assert_valid_messages()
    with pytest.raises(AssertionError):
        validate_blocks([{"type": "no_such_block"}])
    with pytest.raises(AssertionError, match="51 blocks"):
        validate_blocks([{"type": "divider"}] * 51)


def test_other_methods_uploads_and_wait_timeout(fake: FakeSlack, client: WebClient) -> None:
    assert client.auth_test()["user_id"] == "UBOT"
    assert client.conversations_open(users="U7")["channel"]["id"] == "DU7"
    assert client.views_open(trigger_id="T.1", view={"type": "modal", "title": {"type": "plain_text", "text": "x"},
                                                     "blocks": []})["view"]["id"]
    assert client.api_call("some.unknownMethod")["ok"]
    done = client.files_upload_v2(channel="C1", filename="report.csv", content="a,b\n1,2\n", title="Report")
    file_id = done["file"]["id"]
    assert fake.uploads[file_id] == b"a,b\n1,2\n"
    with pytest.raises(SlackApiError, match="not_allowed"):
        client.api_call("apps.connections.open")
    with pytest.raises(AssertionError, match="chat.postEphemeral"):
        fake.wait_for("chat.postEphemeral", timeout=0.2)
    fake.clear()
    assert fake.calls() == [] and fake.uploads == {}


@pytest.fixture
def bolt_app(fake: FakeSlack) -> Iterator[str]:
    """A real Bolt app behind a WSGI server, talking to the fake Slack API."""
    app = App(signing_secret=SECRET, client=WebClient(base_url=fake.url, token="xoxb-x"))

    @app.command("/contract")
    def command(ack, respond, command) -> None:  # type: ignore[no-untyped-def]
        ack()
        respond(text=f"got {command['text']}", blocks=BLOCKS)

    @app.action("snooze")
    def snooze(ack, respond) -> None:  # type: ignore[no-untyped-def]
        ack()
        respond(text="snoozed")

    @app.event("app_mention")
    def mention(event, say) -> None:  # type: ignore[no-untyped-def]
        say(text="hello", channel=event["channel"])

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    handler = SlackRequestHandler(app)
    server: WSGIServer = make_server("127.0.0.1", 0, handler, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/slack/events"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_sign_matches_slack_sdk_verifier() -> None:
    headers = sign(SECRET, "a=b", timestamp=1_700_000_000)
    verifier = SignatureVerifier(SECRET, clock=type("C", (), {"now": lambda self: 1_700_000_010})())
    assert verifier.is_valid("a=b", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not verifier.is_valid("a=c", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])


def test_signed_requests_reach_a_bolt_app(fake: FakeSlack, bolt_app: str) -> None:
    status, _ = post_command(bolt_app, SECRET, "/contract", "list", response_url=fake.response_url("cmd"))
    assert status == 200
    (call,) = fake.wait_for("response_url")
    assert call["args"]["text"] == "got list" and call["path"] == "/response/cmd"

    payload = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "api_app_id": "A1",
               "trigger_id": "T.2", "response_url": fake.response_url("act"), "container": {"type": "message"},
               "channel": {"id": "C1"}, "actions": [{"type": "button", "action_id": "snooze", "value": "c1",
                                                     "block_id": "b", "action_ts": "1.2"}]}
    assert post_action(bolt_app, SECRET, payload)[0] == 200
    fake.wait_for("response_url", predicate=lambda c: c["args"].get("text") == "snoozed")

    event = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "Ev1", "event_time": 1,
             "event": {"type": "app_mention", "user": "U1", "channel": "C9", "text": "<@UBOT> hi", "ts": "1.1"}}
    assert post_event(bolt_app, SECRET, event)[0] == 200
    fake.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel") == "C9")
    fake.assert_valid_messages()

    bad_sig, _ = post_command(bolt_app, SECRET, "/contract", "x", response_url="http://x/", signature="v0=bad")
    stale, _ = post_command(bolt_app, SECRET, "/contract", "x", response_url="http://x/", timestamp=1_000_000_000)
    assert (bad_sig, stale) == (401, 401)


def test_postgres_server_select_1() -> None:
    if find_bindir() is None:
        message = "no PostgreSQL binaries (pg_config --bindir, /usr/lib/postgresql/*/bin)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " - CI must install postgresql")
        pytest.skip(message)
    server = PostgresServer()
    assert server.start()
    try:
        url = server.create_database("selftest_db")
        assert url.startswith("postgresql+psycopg://") and url.endswith("/selftest_db")
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
                assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == "selftest_db"
        finally:
            engine.dispose()
    finally:
        server.stop()
    assert server.tmpdir is None
