"""The HTTP edge end to end (issue 6: logs, replays, malformed requests), against a real `serve` at
DEBUG with JSON logs: oversize and unsigned bodies never reach a log line, a body cannot forge one,
response_urls and tokens are never logged, a signed request replayed in the window is refused (401,
nothing done twice) while Slack's own event retries still work, and malformed timestamps or bodies
get 401/400 rather than 500."""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import SECRET, TOKEN
from tests.e2e.helpers import BACKENDS, Bot, raw_post, start_bot, uid
from tests.support.fake_slack import FakeSlack
from tests.support.signed import post_action, post_command, post_event, sign


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    # A real process: what is tested is the log it writes (the tier: tests/e2e/helpers.py).
    yield from start_bot(request, tmp_path_factory, process=True, CONTRACTBOT_LOG_LEVEL="DEBUG",
                         CONTRACTBOT_LOG_FORMAT="json")


@pytest.fixture
def fake_slack(bot: Bot) -> Iterator[FakeSlack]:
    bot.fake.clear()
    yield bot.fake


def log_lines(bot: Bot) -> list[dict[str, Any]]:
    """Every line the server wrote, each parsed as one JSON object (fails on any other line)."""
    out = []
    for line in bot.server.output().splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


def metric(bot: Bot, name: str, **labels: str) -> float:
    _, _, text = bot.get("/metrics")
    wanted = "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
    for line in text.splitlines():
        if line.startswith(name + wanted + " "):
            return float(line.split()[-1])
    return 0.0


# ---- size and logs ---------------------------------------------------------------------------------


def post_announcing(bot: Bot, length: int, first: bytes, headers: dict[str, str]) -> int:
    """POST announcing `length` bytes but send only `first`: the answer must come without the rest."""
    with socket.create_connection(("127.0.0.1", bot.server.port), timeout=10) as conn:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        conn.sendall((f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n"
                      f"{head}\r\n").encode() + first)
        answer = conn.recv(4096).decode(errors="replace")
    return int(answer.split()[1])


def test_a_10_mb_unsigned_post_is_refused_413_and_never_logged(bot: Bot, fake_slack: FakeSlack) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert post_announcing(bot, 10 * 1024 * 1024, b"A" * 65536, form) == 413
    assert post_announcing(bot, 2_000_000, b"command=%2Fcontract&text=" + b"B" * 65536,
                           {**form, **sign(SECRET, "x")}) == 413
    out = bot.server.output()
    assert "AAAAAAAAAA" not in out and "BBBBBBBBBB" not in out
    assert max(len(line) for line in out.splitlines()) < 25_000
    assert bot.get("/healthz")[0] == 200  # and the server still answers


def test_an_unsigned_body_with_newlines_forges_no_log_line_and_is_not_logged(bot: Bot, fake_slack: FakeSlack) -> None:
    body = "text=hi\n2026-12-01 00:00:00,000 ERROR forged-line: admin logged in\nresponse_url=http://evil/x"
    status, _ = raw_post(bot.server.events_url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401
    status, _ = post_command(bot.server.events_url, "not-the-secret", "/contract", "status X\nforged-line-2",
                             response_url=bot.fake.response_url("bad-sig"))
    assert status == 401
    entries = log_lines(bot)  # every line is still one JSON object
    dumped = json.dumps(entries)
    assert "forged-line" not in dumped and "evil" not in dumped
    reasons = [e["message"] for e in entries if e["message"].startswith("refused a request")]
    assert any("unsigned" in r and f"({len(body)} bytes" in r for r in reasons), reasons
    assert any("bad_signature" in r for r in reasons), reasons


def test_debug_logs_never_show_response_urls_or_tokens(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"LOG-{uid()}"
    status, _, tag = bot.send_command(f"add {ref} title:\"Logged\" vendor:Acme end:2030-01-31")
    assert status == 200
    assert ref in bot.answer(tag)["text"]
    answer = bot.command(f"status {ref}")
    assert ref in answer["text"]
    entries = log_lines(bot)
    assert any(e["level"] == "DEBUG" and e["logger"].startswith("slack_") for e in entries)  # DEBUG is on
    dumped = json.dumps(entries)
    assert f"/response/{tag}" not in dumped and "/response/r" not in dumped
    assert TOKEN not in dumped and SECRET not in dumped


# ---- malformed requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("timestamp", ["abc", "1e9", "-5", "", "\u00b9\u00b2\u00b3", "9" * 40, "1 2"])
def test_a_non_numeric_timestamp_is_401(bot: Bot, fake_slack: FakeSlack, timestamp: str) -> None:
    body = urllib.parse.urlencode({"command": "/contract", "text": "help", "user_id": "U1"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": sign(SECRET, body)["X-Slack-Signature"]}
    status, _ = raw_post(bot.server.events_url, body, headers)
    assert status == 401
    assert not fake_slack.calls()


@pytest.mark.parametrize("body,content_type", [
    ('{"type": "event_callback", "event": ', "application/json"),
    ("[1, 2]", "application/json"),
    ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    ("payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
])
def test_a_signed_but_unparseable_body_is_400(bot: Bot, fake_slack: FakeSlack, body: str, content_type: str) -> None:
    status, _ = raw_post(bot.server.events_url, body, {"Content-Type": content_type, **sign(SECRET, body)})
    assert status == 400
    assert not fake_slack.calls()
    assert bot.get("/healthz")[0] == 200


# ---- replays ---------------------------------------------------------------------------------------


def _incident_count(bot: Bot, ref: str) -> int:
    return bot.command(f"list {ref} all", command="/incident")["text"].count("INC-")


def test_a_replayed_slash_command_runs_once(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"RPL-{uid()}"
    bot.add(ref, "title:\"Replayed\" vendor:Acme end:2030-01-31")
    tag, ts = f"replay-{uid()}", int(time.time())
    refused_before = metric(bot, "contractbot_requests_refused_total", reason="replay")
    statuses = [post_command(bot.server.events_url, SECRET, "/incident", f"{ref} P3 Printer down",
                             response_url=bot.fake.response_url(tag), timestamp=ts)[0] for _ in range(3)]
    assert statuses == [200, 401, 401]
    bot.answer(tag)
    assert _incident_count(bot, ref) == 1
    assert len(fake_slack.calls("response_url", )) >= 1
    assert len([c for c in fake_slack.calls("response_url") if c["path"] == f"/response/{tag}"]) == 1
    assert metric(bot, "contractbot_requests_refused_total", reason="replay") == refused_before + 2
    # The same command sent again by the person (a new timestamp, so a new signature) runs.
    status, _ = post_command(bot.server.events_url, SECRET, "/incident", f"{ref} P3 Printer down",
                             response_url=bot.fake.response_url(tag + "b"), timestamp=ts + 1)
    assert status == 200
    bot.answer(tag + "b")
    assert _incident_count(bot, ref) == 2


def test_a_replayed_button_payload_runs_once(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"BTN-{uid()}"
    bot.add(ref, "title:\"Button\" vendor:Acme end:2030-01-31")
    tag, ts = f"btn-{uid()}", int(time.time())
    payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "api_app_id": "A1",
               "token": "verification-token", "trigger_id": "T.btn", "channel": {"id": "C1"},
               "container": {"type": "message", "channel_id": "C1", "message_ts": "1.1"},
               "response_url": bot.fake.response_url(tag),
               "actions": [{"action_id": "contract_show", "block_id": "pick", "value": ref, "type": "button",
                            "action_ts": "1.2"}]}
    statuses = [post_action(bot.server.events_url, SECRET, payload, timestamp=ts)[0] for _ in range(3)]
    assert statuses == [200, 401, 401]
    assert ref in bot.answer(tag)["text"]
    time.sleep(0.5)  # room for a wrongly accepted replay's answer to arrive (it must not)
    assert len([c for c in fake_slack.calls("response_url") if c["path"] == f"/response/{tag}"]) == 1


def test_slack_event_retries_still_work_and_are_answered_once(bot: Bot, fake_slack: FakeSlack) -> None:
    event_id, channel = f"EvRetry{uid()}", f"D{uid()}"
    envelope = {"token": "verification-token", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                "event": {"type": "message", "channel_type": "im", "channel": channel, "user": "U1",
                          "text": "hello there", "ts": f"{time.time():.6f}"},
                "event_id": event_id, "event_time": int(time.time()),
                "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]}
    ts = int(time.time())
    assert post_event(bot.server.events_url, SECRET, envelope, timestamp=ts)[0] == 200
    # Slack's retry: the same body, a new timestamp and so a new signature — accepted, deduplicated.
    assert post_event(bot.server.events_url, SECRET, envelope, timestamp=ts + 2, retry_num=1)[0] == 200
    # A replay of the first delivery (same timestamp and signature) — refused.
    assert post_event(bot.server.events_url, SECRET, envelope, timestamp=ts)[0] == 401
    bot.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel") == channel)
    time.sleep(0.5)  # room for a duplicate answer to arrive (it must not)
    assert len([c for c in fake_slack.calls("chat.postMessage") if c["args"].get("channel") == channel]) == 1
