"""Events, health and metrics end to end: /healthz, /metrics, direct messages and mentions answered
through chat.postMessage on the fake Slack, Slack's redeliveries answered once, url_verification."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from tests.e2e.helpers import (
    BACKENDS,
    Bot,
    assert_no_traceback,
    section_texts,
    start_bot,
    today,
    uid,
)
from tests.support.fake_slack import FakeSlack

HELP_EXAMPLE = "when does the Oracle contract end?"  # in the short help's examples (en catalogue)


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    # On an empty database, which the server migrates as it starts: the wire test of that path (healthz 200
    # below means the upgrade succeeded); the other modules start on a copy at head (helpers.backend_url).
    # A real process: it starts on an unmigrated database and migrates it (the tier: tests/e2e/helpers.py).
    yield from start_bot(request, tmp_path_factory, migrated=False, process=True)


@pytest.fixture
def fake_slack(bot: Bot) -> Iterator[FakeSlack]:
    bot.fake.clear()
    yield bot.fake
    assert_no_traceback(bot.fake)
    bot.fake.assert_valid_messages()  # the messages of this test (cleared above)


def dm(bot: Bot, text: str, *, user: str = "U1", event_id: str | None = None,
       retry_num: int | None = None) -> tuple[str, dict]:
    """Send a direct message event; return (DM channel, the event)."""
    channel = f"D{user}"
    event = {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text,
             "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}"}
    status, body = bot.event(event, event_id=event_id, retry_num=retry_num)
    assert status == 200, body
    return channel, event


def reply_in(bot: Bot, channel: str) -> dict:
    """The bot's reply in `channel` (a healthy server answers well within a second)."""
    return bot.wait_for("chat.postMessage", timeout=4.0,
                        predicate=lambda c: c["args"].get("channel") == channel)[-1]["args"]


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


# ---- health and metrics --------------------------------------------------------------------------


def test_healthz_answers_200_json(bot: Bot, fake_slack: FakeSlack) -> None:
    status, content_type, body = bot.get("/healthz")
    assert status == 200
    assert content_type.startswith("application/json")
    assert json.loads(body)["status"] == "ok"
    status, _, _ = bot.get("/nowhere")
    assert status == 404
    fake_slack.assert_valid_messages()


def test_metrics_count_commands_in_prometheus_text(bot: Bot, fake_slack: FakeSlack) -> None:
    status, content_type, before = bot.get("/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    ok_before = metric(before, "contractbot_commands_total", command="/contract", outcome="ok")
    refused_before = metric(before, "contractbot_commands_total", command="/contract", outcome="refused")

    bot.command("help")
    bot.command(f"amend NOPE-{uid()} value:1k")
    _, _, after = bot.get("/metrics")
    assert "# TYPE contractbot_commands_total counter" in after
    assert metric(after, "contractbot_commands_total", command="/contract", outcome="ok") == ok_before + 1
    assert metric(after, "contractbot_commands_total", command="/contract", outcome="refused") == refused_before + 1
    fake_slack.assert_valid_messages()


# ---- direct messages and mentions ----------------------------------------------------------------


def test_dm_question_about_a_vendor_gets_the_card(bot: Bot, fake_slack: FakeSlack) -> None:
    vendor, ref = f"Zorb{uid()}", f"DM-{uid()}"
    bot.add(ref, f'title:"Mainframe support" vendor:{vendor} end:2030-05-31 notice:3mo')
    channel, _ = dm(bot, f"when does the {vendor} contract end?")
    reply = reply_in(bot, channel)
    assert reply["text"].startswith(f"{ref} · Mainframe support"), reply["text"]
    assert "31 May 2030" in reply["text"] and "28 Feb 2030" in reply["text"]
    assert ref in section_texts(reply)
    fake_slack.assert_valid_messages()


def test_mention_in_a_channel_is_answered_in_thread(bot: Bot, fake_slack: FakeSlack) -> None:
    vendor, ref = f"Ment{uid()}", f"MEN-{uid()}"
    bot.add(ref, f"title:Mentioned vendor:{vendor} end:2030-05-31")
    ts = f"{time.time():.6f}"
    status, _ = bot.event({"type": "app_mention", "channel": "C1", "user": "U1", "ts": ts, "event_ts": ts,
                           "text": f"<@UBOT> when does the {vendor} contract end?"})
    assert status == 200
    reply = reply_in(bot, "C1")
    assert reply["text"].startswith(f"{ref} · Mentioned")
    assert reply.get("thread_ts") == ts
    fake_slack.assert_valid_messages()


def test_french_question_gets_the_renewals_list(bot: Bot, fake_slack: FakeSlack) -> None:
    t0 = today()
    year = t0.year if t0.month <= 3 else t0.year + 1
    ref = f"MARS-{uid()}"
    bot.add(ref, f'title:"Licences mars" vendor:V{uid()} end:{year}-03-31')
    french = f"UFR{uid()}"
    fake_slack.locales[french] = "fr-FR"
    channel, _ = dm(bot, "quels contrats arrivent à échéance en mars ?", user=french)
    reply = reply_in(bot, channel)
    assert "Échéances et renouvellements" in reply["text"], reply["text"]
    assert f"1 mars {year}" in reply["text"] and f"31 mars {year}" in reply["text"]
    assert ref in reply["text"]
    fake_slack.assert_valid_messages()


def test_english_question_gets_the_renewals_list(bot: Bot, fake_slack: FakeSlack) -> None:
    t0 = today()
    first_next = date(t0.year + (t0.month == 12), t0.month % 12 + 1, 1)
    ref = f"NEXTM-{uid()}"
    bot.add(ref, f"title:NextMonth vendor:V{uid()} end:{(first_next + timedelta(days=14)).isoformat()}")
    channel, _ = dm(bot, "what renews next month?")
    reply = reply_in(bot, channel)
    assert reply["text"].startswith("Renewals and deadlines"), reply["text"]
    assert ref in reply["text"]
    fake_slack.assert_valid_messages()


@pytest.mark.parametrize("text", ["???", "hello", "xyzzy plugh frobozz", "asdfgh qwerty"])
def test_anything_not_understood_gets_the_short_help_with_examples(bot: Bot, fake_slack: FakeSlack,
                                                                   text: str) -> None:
    user = f"UG{uid()}"
    channel, _ = dm(bot, text, user=user)
    reply = reply_in(bot, channel)
    assert HELP_EXAMPLE in reply["text"], reply["text"]
    assert HELP_EXAMPLE in section_texts(reply)
    fake_slack.assert_valid_messages()


def test_the_same_event_delivered_twice_is_answered_once(bot: Bot, fake_slack: FakeSlack) -> None:
    vendor, ref = f"Twice{uid()}", f"TWO-{uid()}"
    bot.add(ref, f"title:Twice vendor:{vendor} end:2030-05-31")
    user = f"UT{uid()}"
    event_id = f"EvTWICE{uid()}"
    channel, _ = dm(bot, f"when does the {vendor} contract end?", user=user, event_id=event_id)
    reply_in(bot, channel)
    dm(bot, f"when does the {vendor} contract end?", user=user, event_id=event_id, retry_num=1)
    # a different event with the same text is a new question, answered: it also proves the server has
    # processed the redelivery by the time its own answer arrives
    dm(bot, f"when does the {vendor} contract end?", user=user)
    bot.wait_for("chat.postMessage", count=2, timeout=4.0, predicate=lambda c: c["args"].get("channel") == channel)
    time.sleep(1.0)
    answers = [c for c in fake_slack.calls("chat.postMessage") if c["args"].get("channel") == channel]
    assert len(answers) == 2, [a["args"]["text"][:60] for a in answers]
    fake_slack.assert_valid_messages()


def test_bot_messages_and_edits_are_not_answered(bot: Bot, fake_slack: FakeSlack) -> None:
    channel = "DUBOTTEST"
    status, _ = bot.event({"type": "message", "channel_type": "im", "channel": channel, "user": "UBOT",
                           "bot_id": "BBOT", "text": "hello", "ts": f"{time.time():.6f}"})
    assert status == 200
    status, _ = bot.event({"type": "message", "subtype": "message_changed", "channel_type": "im",
                           "channel": channel, "ts": f"{time.time():.6f}",
                           "message": {"type": "message", "user": "U1", "text": "hello"}})
    assert status == 200
    time.sleep(1.0)
    assert [c for c in fake_slack.calls("chat.postMessage") if c["args"].get("channel") == channel] == []
    fake_slack.assert_valid_messages()


def test_url_verification_challenge_is_echoed(bot: Bot, fake_slack: FakeSlack) -> None:
    from tests.conftest import SECRET
    from tests.support.signed import post_event

    challenge = f"challenge-{uid()}"
    status, body = post_event(bot.server.events_url, SECRET,
                              {"token": "verification-token", "challenge": challenge, "type": "url_verification"})
    assert status == 200
    assert json.loads(body)["challenge"] == challenge
    fake_slack.assert_valid_messages()
