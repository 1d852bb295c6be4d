"""Bad input end to end (the spec's "Bad input" section): every malformed command, unknown reference,
impossible date, bad duration, bad amount, oversize text and forbidden write gets an ephemeral answer
that says what was wrong and shows the usage — and changes nothing. Requests that Slack did not sign
(bad signature, no signature headers, a timestamp older than 5 minutes) get 401 and change nothing.

The server runs with CONTRACTBOT_MANAGERS=UBOSS: only UBOSS may write.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.conftest import SECRET
from tests.e2e.helpers import (
    BACKENDS,
    Bot,
    assert_no_traceback,
    date_input,
    raw_post,
    section_texts,
    start_bot,
    text_input,
    today,
    uid,
    view_submission,
)
from tests.support.fake_slack import FakeSlack
from tests.support.signed import post_action, post_command, post_event

BOSS = "UBOSS"


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    yield from start_bot(request, tmp_path_factory, CONTRACTBOT_MANAGERS=BOSS)


@pytest.fixture
def fake_slack(bot: Bot) -> Iterator[FakeSlack]:
    bot.fake.clear()
    yield bot.fake
    assert_no_traceback(bot.fake)
    bot.fake.assert_valid_messages()  # the messages of this test (cleared above)


@pytest.fixture
def existing(bot: Bot, fake_slack: FakeSlack) -> str:
    """A contract (start 2027-01-01, end 2030-12-31, 120k) recorded by the manager."""
    ref = f"BAD-{uid()}"
    bot.add(ref, f"title:Existing vendor:V{uid()} start:2027-01-01 end:2030-12-31 notice:3mo value:120k", user=BOSS)
    return ref


def assert_refused(answer: dict, *expected: str, usage: str = "/contract add <REF>") -> None:
    """Ephemeral, says what was wrong, shows the usage, no stack trace."""
    text = answer["text"]
    assert answer.get("response_type") == "ephemeral", text
    for phrase in expected:
        assert phrase in text, (phrase, text)
    assert "Usage" in text and usage in text, text
    assert "Usage" in section_texts(answer)
    assert "Traceback" not in json.dumps(answer)


def snapshot(bot: Bot, ref: str) -> tuple[str, str]:
    """What a later query shows of a contract: its card and its history."""
    return bot.command(f"status {ref}")["text"], bot.command(f"history {ref}")["text"]


def assert_absent(bot: Bot, ref: str) -> None:
    assert f"No contract found for “{ref}”" in bot.command(f"status {ref}")["text"]


# (id, command text with {new} = a fresh reference and {ref} = an existing one, phrases the answer must contain)
WRITES_ON_NEW = [
    ("unclosed-quote", 'add {new} title:"Oracle vendor:X end:2030-01-01', ["A quote is not closed"]),
    ("duplicate-option", "add {new} title:A title:B vendor:X end:2030-01-01", ["`title:` is given twice"]),
    ("missing-required", "add {new} title:A vendor:X", ["`end` is required"]),
    ("unknown-type", "add {new} title:A vendor:X end:2030-01-01 type:furniture", ["“furniture” is not a contract type"]),
    ("bad-renewal", "add {new} title:A vendor:X end:2030-01-01 renewal:sometimes", ["“sometimes” is not a renewal"]),
    ("bad-owner", "add {new} title:A vendor:X end:2030-01-01 owner:marie", ["“marie” is not a Slack user"]),
    ("end-before-start", "add {new} title:A vendor:X start:2030-01-01 end:2029-12-31",
     ["The end date (2029-12-31) is before the start date"]),
    ("impossible-date", "add {new} title:A vendor:X end:2030-02-30", ["`end`: “2030-02-30” is not a date"]),
    ("unreadable-date", "add {new} title:A vendor:X end:someday", ["`end`: “someday” is not a date"]),
    ("bad-duration", "add {new} title:A vendor:X end:2030-01-01 notice:3x", ["`notice`: “3x” is not a duration"]),
    ("hours-as-notice", "add {new} title:A vendor:X end:2030-01-01 notice:4h",
     ["`notice`: “4h” must be in days, weeks, months or years"]),
    ("zero-term", "add {new} title:A vendor:X end:2030-01-01 renewal:auto term:0mo",
     ["a renewal term must be at least one day"]),
    ("bad-amount", "add {new} title:A vendor:X end:2030-01-01 value:12O", ["`value`: “12O” is not an amount"]),
    ("bad-amount-words", "add {new} title:A vendor:X end:2030-01-01 value:lots", ["“lots” is not an amount"]),
    ("bad-currency", "add {new} title:A vendor:X end:2030-01-01 value:1k currency:EURO", ["“EURO” is not a currency"]),
    ("oversize-text", 'add {new} title:"' + "x" * 3000 + '" vendor:X end:2030-01-01', ["too long"]),
]

WRITES_ON_EXISTING = [
    ("amend-nothing", "amend {ref}", ["Nothing to amend"]),
    ("amend-stray-words", "amend {ref} value:130k please", ["I did not understand “please”"]),
    ("amend-end-before-start", "amend {ref} end:2026-06-30", ["before the start date"]),
    ("amend-bad-duration", "amend {ref} notice:soon", ["`notice`: “soon” is not a duration"]),
    ("amend-bad-amount", "amend {ref} value:1O0k", ["“1O0k” is not an amount"]),
    ("amend-duplicate-option", "amend {ref} value:1k value:2k", ["`value:` is given twice"]),
    ("amend-oversize-note", 'amend {ref} value:130k note:"' + "n" * 3001 + '"', ["too long"]),
    ("renew-option-not-here", "renew {ref} on:2031-12-31", ["`on:` does not apply here"]),
    ("renew-until-and-term", "renew {ref} until:2031-12-31 term:1y", ["either `until:` or `term:`"]),
    ("renew-not-later", "renew {ref} until:2029-12-31", ["must be after the current end"]),
    ("renew-bad-date", "renew {ref} until:31/02/2031", ["“31/02/2031” is not a date"]),
    ("renew-bad-duration", "renew {ref} term:forever", ["`term`: “forever” is not a duration"]),
    ("terminate-bad-date", "terminate {ref} on:never", ["`on`: “never” is not a date"]),
    ("terminate-before-start", "terminate {ref} on:2026-01-15", ["before the start date"]),
    ("terminate-stray-words", "terminate {ref} right now", ["I did not understand “right now”"]),
]


@pytest.mark.parametrize("text, expected", [pytest.param(t, e, id=i) for i, t, e in WRITES_ON_NEW])
def test_bad_add_is_refused_with_the_usage_and_creates_nothing(bot: Bot, fake_slack: FakeSlack, text: str,
                                                               expected: list[str]) -> None:
    new = f"NEW-{uid()}"
    command = text.format(new=new)
    answer = bot.command(command, user=BOSS)
    assert_refused(answer, *expected)
    assert_absent(bot, new)
    fake_slack.assert_valid_messages()


@pytest.mark.parametrize("text, expected", [pytest.param(t, e, id=i) for i, t, e in WRITES_ON_EXISTING])
def test_bad_write_on_a_contract_is_refused_with_the_usage_and_changes_nothing(
        bot: Bot, fake_slack: FakeSlack, existing: str, text: str, expected: list[str]) -> None:
    before = snapshot(bot, existing)
    answer = bot.command(text.format(ref=existing), user=BOSS)
    assert_refused(answer, *expected)
    assert snapshot(bot, existing) == before
    fake_slack.assert_valid_messages()


@pytest.mark.parametrize("verb", ["amend {ref} value:1k", "renew {ref} term:1y", "terminate {ref}", "history {ref}"])
def test_unknown_reference_is_refused_with_closest_references_and_the_usage(bot: Bot, fake_slack: FakeSlack,
                                                                             existing: str, verb: str) -> None:
    unknown = existing + "X"
    answer = bot.command(verb.format(ref=unknown), user=BOSS)
    assert_refused(answer, f"No contract has the reference “{unknown}”", existing)
    assert_absent(bot, unknown)
    fake_slack.assert_valid_messages()


def test_a_bad_renewals_window_is_refused_with_its_usage(bot: Bot, fake_slack: FakeSlack) -> None:
    answer = bot.command("someday maybe", command="/renewals")
    assert_refused(answer, "“someday maybe” is not a window", usage="/renewals [window]")
    answer = bot.command(f"before {(today() - timedelta(days=10)).isoformat()}", command="/renewals")
    assert_refused(answer, "is not a window", usage="/renewals [window]")
    fake_slack.assert_valid_messages()


def test_oversize_query_is_refused_with_the_usage(bot: Bot, fake_slack: FakeSlack) -> None:
    answer = bot.command("status " + "oracle " * 500)
    assert_refused(answer, "too long", "3000")
    fake_slack.assert_valid_messages()


# ---- forbidden writes ----------------------------------------------------------------------------


def test_a_write_by_a_non_manager_is_refused_and_the_manager_succeeds(bot: Bot, fake_slack: FakeSlack) -> None:
    new = f"PERM-{uid()}"
    options = f"title:Guarded vendor:V{uid()} end:2030-06-30 value:10k"
    answer = bot.command(f"add {new} {options}", user="U1")
    assert_refused(answer, "Only contract managers may change contracts")
    assert_absent(bot, new)

    bot.add(new, options, user=BOSS)
    before = snapshot(bot, new)
    for write in (f"amend {new} value:20k", f"renew {new} term:1y", f"terminate {new}",
                  f"renew {new} until:2031-06-30"):
        assert_refused(bot.command(write, user="U1"), "Only contract managers may change contracts")
    assert snapshot(bot, new) == before
    # reading stays open to everybody
    assert bot.command(f"status {new}", user="U1")["text"].startswith(f"{new} · Guarded")
    answer = bot.command(f"amend {new} value:20k note:ok", user=BOSS)
    assert answer["response_type"] == "in_channel" and "10000.00 → 20000.00" in answer["text"]
    fake_slack.assert_valid_messages()


def test_the_add_modal_refuses_a_non_manager(bot: Bot, fake_slack: FakeSlack) -> None:
    view = {"type": "modal", "callback_id": "contract_add_modal", "private_metadata": "en", "blocks": [],
            "title": {"type": "plain_text", "text": "Add a contract"}}
    new = f"PERMV-{uid()}"
    status, body = bot.action(view_submission(view, {
        "reference": text_input(new), "title": text_input("x"), "vendor": text_input("y"),
        "end": date_input("2030-01-01")}, user="U1"))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert "Only contract managers" in " ".join(answer["errors"].values())
    assert_absent(bot, new)
    fake_slack.assert_valid_messages()


# ---- unsigned requests ---------------------------------------------------------------------------


def _form(text: str, tag_url: str, user: str = BOSS) -> str:
    return urllib.parse.urlencode({
        "token": "verification-token", "team_id": "T1", "team_domain": "test", "channel_id": "C1",
        "channel_name": "general", "user_id": user, "user_name": "boss", "command": "/contract", "text": text,
        "api_app_id": "A1", "response_url": tag_url, "trigger_id": "T.1",
    })


@pytest.mark.parametrize("how", ["bad-signature", "wrong-secret", "missing-headers", "old-timestamp",
                                 "future-timestamp"])
def test_unsigned_command_gets_401_and_changes_nothing(bot: Bot, fake_slack: FakeSlack, how: str) -> None:
    new = f"SIG-{uid()}"
    text = f"add {new} title:Forged vendor:V{uid()} end:2030-01-01"
    tag = f"sig-{uid()}"
    url = fake_slack.response_url(tag)
    if how == "bad-signature":
        status, body = post_command(bot.server.events_url, SECRET, "/contract", text, user_id=BOSS,
                                    response_url=url, signature="v0=" + "0" * 64)
    elif how == "wrong-secret":
        status, body = post_command(bot.server.events_url, "not-the-secret", "/contract", text, user_id=BOSS,
                                    response_url=url)
    elif how == "missing-headers":
        status, body = raw_post(bot.server.events_url, _form(text, url),
                                {"Content-Type": "application/x-www-form-urlencoded"})
    else:
        skew = -6 * 60 if how == "old-timestamp" else 6 * 60
        status, body = post_command(bot.server.events_url, SECRET, "/contract", text, user_id=BOSS,
                                    response_url=url, timestamp=int(time.time()) + skew)
    assert status == 401, (status, body)
    assert "Traceback" not in body
    assert_absent(bot, new)
    assert not [c for c in fake_slack.calls("response_url") if c["path"].endswith(tag)]
    fake_slack.assert_valid_messages()


def test_unsigned_interaction_and_event_get_401_and_change_nothing(bot: Bot, fake_slack: FakeSlack,
                                                                   existing: str) -> None:
    before = snapshot(bot, existing)
    new = f"SIGV-{uid()}"
    view = {"type": "modal", "callback_id": "contract_add_modal", "private_metadata": "en", "blocks": [],
            "title": {"type": "plain_text", "text": "Add a contract"}}
    payload = view_submission(view, {"reference": text_input(new), "title": text_input("x"),
                                     "vendor": text_input("y"), "end": date_input("2030-01-01")}, user=BOSS)
    status, _ = post_action(bot.server.events_url, SECRET, payload, timestamp=int(time.time()) - 600)
    assert status == 401
    status, _ = post_action(bot.server.events_url, "not-the-secret", payload)
    assert status == 401
    assert_absent(bot, new)

    fake_slack.clear()
    envelope = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": f"Ev{uid()}",
                "event_time": int(time.time()),
                "event": {"type": "message", "channel_type": "im", "channel": "D0BOSS", "user": BOSS,
                          "text": f"when does {existing} end?", "ts": "1700000000.000100"}}
    status, _ = post_event(bot.server.events_url, SECRET, envelope, signature="v0=" + "f" * 64)
    assert status == 401
    status, _ = post_event(bot.server.events_url, SECRET, envelope, timestamp=int(time.time()) - 301 - 60)
    assert status == 401
    time.sleep(0.5)
    assert fake_slack.calls("chat.postMessage") == []
    assert snapshot(bot, existing) == before
    # the control: the same event, signed, is answered
    status, _ = post_event(bot.server.events_url, SECRET, envelope)
    assert status == 200
    [reply] = bot.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel") == "D0BOSS")
    assert existing in reply["args"]["text"]
    fake_slack.assert_valid_messages()


def test_nothing_in_this_module_leaked_a_stack_trace(bot: Bot, fake_slack: FakeSlack) -> None:
    """A last look: odd but well-signed input still gets an answer, never a trace (and the server is alive)."""
    for text in ('"', "amend", "renew", "terminate", "history", "list foo", "list status:nope",
                 "list type:nope", "list owner:nobody", "status ''", "export now", "add A B C"):
        answer = bot.command(text, user=BOSS)
        assert "Traceback" not in json.dumps(answer), text
        assert "Something went wrong" not in answer["text"], (text, answer["text"])
    status, _, body = bot.get("/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    fake_slack.assert_valid_messages()
