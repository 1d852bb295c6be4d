"""Hostile input end to end (issue 6, part A): `serve` (managers: UBOSS; in the test process, see
tests/e2e/helpers.py), a FakeSlack, signed requests, and `contractbot` CLI runs (`cli`) on the same database.

- dates outside 1900–2200 and durations over 100 years are refused at every entry, with a clear
  message and the usage, and change nothing; a contract already ending 9999-12-31 gets a clear answer;
- references are letters, digits and `- _ . / :` (at most 64), at every entry;
- mentions and links typed into titles, vendors, notes and summaries are escaped wherever they are
  shown (channel confirmations, cards, lists, /renewals, history, incident posts, the job's alerts);
- exports neutralise spreadsheet formulas, and an export imports back unchanged;
- oversize text (commands and DMs) and oversize CSV cells are refused clearly;
- the contract's owner may snooze and acknowledge its alerts; a stranger may not.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from storage.db import open_database
from storage.models import Contract
from tests.e2e.cli_helpers import (
    block_actions,
    buttons,
    cli,
    day,
    ledger_for,
    posts,
    updates,
    view_submission,
    write_csv,
)
from tests.e2e.helpers import Bot, backend_url, served, text_input, uid
from tests.support.fake_slack import FakeSlack
from tests.support.server import contractbot_env

BOSS = "UBOSS"
OWNER = "U0OWNER1"
STRANGER = "U0STRANGE"
HOSTILE = "<!here> <!channel> <https://evil.example|click> & <@U0VICTIM>"
RAW = ("<!here>", "<!channel>", "<https://evil.example", "<@U0VICTIM>")
ESCAPED = "&lt;!here&gt;"


@dataclass
class Stack:
    url: str
    env: dict[str, str]
    bot: Bot

    @property
    def fake(self) -> FakeSlack:
        return self.bot.fake


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    url = backend_url(request, tmp_path_factory, "hostile")
    with FakeSlack() as fake:
        env = contractbot_env(url, fake.url, CONTRACTBOT_MANAGERS=BOSS)
        serve = served(env)
        try:
            yield Stack(url, env, Bot(serve, fake, request.param))
        finally:
            serve.stop()


@pytest.fixture
def bot(stack: Stack) -> Iterator[Bot]:
    stack.fake.clear()
    yield stack.bot
    stack.fake.assert_valid_messages()
    assert "Traceback" not in json.dumps(stack.fake.calls())


def assert_refused(answer: dict[str, Any], *phrases: str) -> None:
    text = answer["text"]
    assert answer.get("response_type") == "ephemeral", text
    for phrase in phrases:
        assert phrase in text, (phrase, text)
    assert "Usage" in text, text
    assert "Something went wrong" not in text, text


def assert_escaped(payload: Any) -> None:
    """No mention, broadcast or link typed by a person survives raw, in the text fallback or any block."""
    dumped = json.dumps(payload, ensure_ascii=False)
    for raw in RAW:
        assert raw not in dumped, (raw, dumped[:2000])


def snapshot(bot: Bot, ref: str) -> tuple[str, str]:
    return bot.command(f"status {ref}", user=BOSS)["text"], bot.command(f"history {ref}", user=BOSS)["text"]


def existing(bot: Bot, **extra: str) -> str:
    ref = f"HOS-{uid()}"
    options = " ".join(f"{k}:{v}" for k, v in extra.items())
    bot.add(ref, f"title:Existing vendor:V{uid()} start:2027-01-01 end:2030-12-31 {options}", user=BOSS)
    return ref


# ---- 1. dates 1900–2200, durations ≤ 100 years, at every entry --------------------------------------

POISON_ADDS = [
    ("term-99999y", "renewal:auto term:99999y end:2026-12-05", "durations are at most 100 years"),
    ("term-101y", "renewal:auto term:101y end:2026-12-05", "durations are at most 100 years"),
    ("notice-99999y", "notice:99999y end:2026-12-05", "durations are at most 100 years"),
    ("lead-36526d", "lead:36526d end:2026-12-05", "durations are at most 100 years"),
    ("end-0001", "end:0001-01-01", "outside the dates I accept (1900 to 2200)"),
    ("end-9999", "end:9999-12-31", "outside the dates I accept"),
    ("end-2201-dmy", "end:01/01/2201", "outside the dates I accept"),
    ("start-1899", "start:1899-12-31 end:2027-01-01", "outside the dates I accept"),
]


@pytest.mark.parametrize("options, phrase", [pytest.param(o, p, id=i) for i, o, p in POISON_ADDS])
def test_add_refuses_dates_and_durations_out_of_range(bot: Bot, options: str, phrase: str) -> None:
    ref = f"PSN-{uid()}"
    answer = bot.command(f"add {ref} title:poison vendor:v {options}", user=BOSS)
    assert_refused(answer, phrase)
    assert "No contract found" in bot.command(f"status {ref}")["text"]


def test_the_edges_of_the_range_are_accepted(bot: Bot) -> None:
    ref = f"EDGE-{uid()}"
    bot.add(ref, "title:Edges vendor:v start:1900-01-01 end:2200-12-31 renewal:auto term:100y notice:100y", user=BOSS)
    assert "2200" in bot.command(f"status {ref}")["text"]


@pytest.mark.parametrize("verb, phrase", [
    ("amend {ref} end:2201-01-01", "outside the dates I accept"),
    ("amend {ref} notice:1201mo", "durations are at most 100 years"),
    ("renew {ref} term:99999y", "durations are at most 100 years"),
    ("renew {ref} until:9999-12-31", "outside the dates I accept"),
    ("terminate {ref} on:0001-01-01", "outside the dates I accept"),
])
def test_amend_renew_terminate_refuse_out_of_range(bot: Bot, verb: str, phrase: str) -> None:
    ref = existing(bot)
    before = snapshot(bot, ref)
    assert_refused(bot.command(verb.format(ref=ref), user=BOSS), phrase)
    assert snapshot(bot, ref) == before


def test_incident_times_and_windows_out_of_range_are_refused(bot: Bot) -> None:
    ref = existing(bot)
    answer = bot.command(f"{ref} P2 disk full since:1800-01-01", command="/incident")
    assert_refused(answer, "outside the dates I accept")
    assert "INC-" not in bot.command(f"list {ref} all", command="/incident")["text"].split("\n", 1)[-1]
    for window in ("before 9999-01-01", "in december 9999", "next 99999 years"):
        answer = bot.command(window, command="/renewals")
        assert answer.get("response_type") == "ephemeral" and "Usage" in answer["text"], (window, answer["text"])
        assert "Something went wrong" not in answer["text"]


def _end_at_9999(url: str, ref: str) -> None:
    """A contract stored before dates were bounded (an old import): its end is 9999-12-31."""
    _engine, factory = open_database(url)
    with factory.begin() as session:
        session.execute(update(Contract).where(Contract.reference == ref)
                        .values(end_date=date(9999, 12, 31), end_anchor=date(9999, 12, 31),
                                notice_deadline=date(9999, 12, 31), act_by=date(9999, 12, 31)))
    _engine.dispose()


def test_a_contract_ending_9999_gets_clear_answers(stack: Stack, bot: Bot) -> None:
    ref = existing(bot)
    _end_at_9999(stack.url, ref)
    before = snapshot(bot, ref)
    answer = bot.command(f"renew {ref}", user=BOSS)
    assert_refused(answer, "2200-12-31", "Nothing was changed")
    answer = bot.command(f"renew {ref} term:1y", user=BOSS)
    assert_refused(answer, "2200-12-31")
    assert snapshot(bot, ref) == before
    ics = cli(["export", "contracts", "--format", "ics"], stack.env).stdout
    assert "BEGIN:VCALENDAR" in ics and f"Ends: {ref}" in ics
    assert ref in cli(["export", "contracts"], stack.env).stdout


def test_the_renew_form_refuses_an_end_past_2200(stack: Stack, bot: Bot) -> None:
    ref = existing(bot)
    _end_at_9999(stack.url, ref)
    view = {"callback_id": "contract_renew_modal",
            "private_metadata": json.dumps({"reference": ref, "alert_id": None, "lang": "en"})}
    status, body = bot.action(view_submission(user=BOSS, view=view, values={"term": {"term": text_input("1y")}}))
    assert "2200-12-31" in body, body
    assert status == 200
    errors = json.loads(body)["errors"]
    assert "2200-12-31" in " ".join(errors.values())


# ---- 2. references, and escaping of everything a person typed ------------------------------------------

@pytest.mark.parametrize("reference", ["<!here>", "<https://evil.example|click>", "CTR&1", "x" * 65, "CTR#1",
                                       "réf-1"])
def test_hostile_references_are_refused_and_not_echoed_raw(bot: Bot, reference: str) -> None:
    answer = bot.command(f'add "{reference}" title:T vendor:V end:2030-01-01', user=BOSS)
    assert_refused(answer, "not a valid reference", "- _ . / :")
    assert_escaped(answer)


def test_the_add_form_refuses_a_hostile_reference(bot: Bot) -> None:
    view = {"callback_id": "contract_add_modal", "private_metadata": "en"}
    values = {"reference": {"reference": text_input("<!here>")}, "title": {"title": text_input("T")},
              "vendor": {"vendor": text_input("V")}, "end": {"end": {"type": "datepicker",
                                                                    "selected_date": "2030-01-01"}}}
    status, body = bot.action(view_submission(user=BOSS, view=view, values=values))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and "not a valid reference" in answer["errors"]["reference"]
    assert_escaped(answer)


def test_a_legitimate_reference_with_every_allowed_character_is_accepted(bot: Bot) -> None:
    ref = f"ACME/2027:{uid()}_a.b-c"
    bot.add(ref, "title:Allowed vendor:V end:2030-01-01", user=BOSS)
    assert bot.command(f"status {ref}")["text"].startswith(ref)


def test_hostile_text_is_escaped_everywhere_it_is_shown(stack: Stack, bot: Bot) -> None:
    ref, channel = f"ESC-{uid()}", f"C0ESC{uid()}"
    title = f"Hostile {uid()} {HOSTILE}"
    added = bot.command(f'add {ref} title:"{title}" vendor:"Evil {HOSTILE}" end:{day(10).isoformat()} '
                        f"owner:<@{OWNER}> channel:<#{channel}>", user=BOSS)
    assert added["response_type"] == "in_channel", added["text"]
    shown = [added]
    shown.append(bot.command(f"status {ref}"))
    shown.append(bot.command(f"list owner:<@{OWNER}>"))
    shown.append(bot.command("next 30 days", command="/renewals"))
    shown.append(bot.command(f'amend {ref} title:"Renamed {HOSTILE}" note:"{HOSTILE}"', user=BOSS))
    shown.append(bot.command(f"history {ref}"))
    shown.append(bot.command("hostile", command="/contract"))  # a search: card or pick list
    incident = bot.command(f"{ref} P1 outage {HOSTILE}", command="/incident")
    shown.append(incident)
    number = incident["text"].split()[0] if incident["text"].startswith("INC-") else None
    shown += [c["args"] for c in bot.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel")
                                              == channel)]
    if number:
        shown.append(bot.command(f"show {number}", command="/incident"))
    shown.append(bot.command(f"list {ref} all", command="/incident"))
    status, _ = bot.event({"type": "app_home_opened", "user": OWNER, "channel": "D0HOME", "tab": "home"})
    assert status == 200
    [home] = bot.wait_for("views.publish", predicate=lambda c: c["args"].get("user_id") == OWNER)
    assert ref in json.dumps(home["args"])  # due in 10 days: on the Home tab
    shown.append(home["args"])
    for answer in shown:
        assert_escaped(answer)
    assert ESCAPED in added["text"] and ESCAPED in json.dumps(added["blocks"])
    amended = shown[4]["text"]
    assert "title:" in amended and ESCAPED in amended  # the change line says what the title was and is

    mark = len(stack.fake.calls())
    output = cli(["jobs", "run", "deadlines"], stack.env).stdout
    assert f"{ref}: deadline alert" in output, output
    alerts = posts(stack.fake, channel, mark)
    assert alerts, output
    for alert in alerts:
        assert_escaped(alert["args"])
        assert ESCAPED in alert["args"]["text"]


def test_a_hostile_dm_is_answered_escaped(bot: Bot) -> None:
    status, _ = bot.event({"type": "message", "channel_type": "im", "channel": "D0HOST", "user": "U1",
                           "text": f"when does {HOSTILE} end?", "ts": "1700000000.000200"})
    assert status == 200
    [reply] = bot.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel") == "D0HOST")
    assert_escaped(reply["args"])


# ---- 3. CSV formula injection --------------------------------------------------------------------------

FORMULAS = {"title": '=HYPERLINK("https://evil.example","click")', "vendor": "@SUM(A1:A9)"}


def test_exports_neutralise_formulas_and_import_back_unchanged(stack: Stack, bot: Bot, tmp_path: Path) -> None:
    ref = f"CSV-{uid()}"
    bot.add(ref, f"title:'{FORMULAS['title']}' vendor:\"{FORMULAS['vendor']}\" end:2030-01-01", user=BOSS)
    normal = existing(bot, value="120k", notice="3mo")
    text = cli(["export", "contracts"], stack.env).stdout
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows[ref]["title"] == "'" + FORMULAS["title"] and rows[ref]["vendor"] == "'" + FORMULAS["vendor"]
    assert rows[normal]["annual_value"] == "120000.00" and rows[normal]["notice"] == "3mo"
    assert not [cell for row in rows.values() for cell in row.values() if cell[:1] in ("=", "+", "@", "\t", "\r")]

    bot.command("export", user=BOSS)
    [upload] = list(stack.fake.uploads.values())[-1:]
    sent = {row["reference"]: row for row in csv.DictReader(io.StringIO(upload.decode("utf-8")))}
    assert sent[ref]["title"].startswith("'=")

    lines = text.splitlines(keepends=True)  # only these two: other tests left a contract ending 9999
    path = tmp_path / "roundtrip.csv"
    path.write_text(lines[0] + "".join(x for x in lines[1:] if x.startswith((ref + ",", normal + ","))),
                    encoding="utf-8")
    summary = cli(["import", "contracts", str(path)], stack.env).stdout
    assert "0 created, 0 updated" in summary, summary
    assert FORMULAS["title"] in bot.command(f"status {ref}")["text"]
    assert "Existing" in bot.command(f"status {normal}")["text"]


# ---- 6. oversize input gets a clear answer ------------------------------------------------------------

def test_oversize_dm_and_many_word_searches_get_clear_answers(bot: Bot) -> None:
    words = " ".join(f"w{i % 97}" for i in range(1000))  # ~1,000 words, over 3,000 characters
    status, _ = bot.event({"type": "message", "channel_type": "im", "channel": "D0LONG", "user": "U1",
                           "text": words, "ts": "1700000000.000300"})
    assert status == 200
    [reply] = bot.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel") == "D0LONG")
    assert "too long" in reply["args"]["text"] and "3000" in reply["args"]["text"]

    many = " ".join(["a"] * 1400)  # 1,400 words in 2,799 characters: under the limit, searched with a few
    answer = bot.command(f"status {many}")
    assert "Something went wrong" not in answer["text"] and answer["text"].strip()
    short_words = " ".join(f"x{i}" for i in range(900))  # a DM under 3,000 characters with 900 words
    status, _ = bot.event({"type": "message", "channel_type": "im", "channel": "D0MANY", "user": "U1",
                           "text": short_words[:2990], "ts": "1700000000.000400"})
    assert status == 200
    [reply] = bot.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel") == "D0MANY")
    assert reply["args"]["text"].strip()


@pytest.mark.parametrize("options, phrase", [
    ('vendor:V title:"' + "t" * 301 + '"', "at most 300 characters"),
    ('title:T vendor:"' + "v" * 201 + '"', "at most 200 characters"),
])
def test_option_values_over_their_column_are_refused(bot: Bot, options: str, phrase: str) -> None:
    ref = f"LONG-{uid()}"
    answer = bot.command(f"add {ref} end:2030-01-01 {options}", user=BOSS)
    assert_refused(answer, phrase)
    assert "No contract found" in bot.command(f"status {ref}")["text"]


def test_a_csv_cell_over_the_limit_is_a_bad_row_not_a_traceback(stack: Stack, tmp_path: Path) -> None:
    ref = f"HUGE-{uid()}"
    path = write_csv(tmp_path / "huge.csv", [
        {"reference": f"OK-{uid()}", "title": "fine", "vendor": "v", "end_date": "2030-01-01"},
        {"reference": ref, "title": "x" * 140_000, "vendor": "v", "end_date": "2030-01-01"},
    ])
    result = cli(["import", "contracts", str(path)], stack.env, expect=1)
    assert f"{path}:3:" in result.stderr and "longer than" in result.stderr, result.stderr
    bad = write_csv(tmp_path / "bad.csv", [
        {"reference": "<!here>", "title": "t", "vendor": "v", "end_date": "2030-01-01"},
        {"reference": f"P-{uid()}", "title": "t", "vendor": "v", "end_date": "2030-01-01", "term": "99999y"},
        {"reference": f"Q-{uid()}", "title": "t", "vendor": "v", "end_date": "0001-01-01"},
    ])
    result = cli(["import", "contracts", str(bad)], stack.env, expect=1)
    assert f"{bad}:2: reference" in result.stderr and "not a valid reference" in result.stderr, result.stderr
    assert f"{bad}:3: term" in result.stderr and "100 years" in result.stderr, result.stderr
    assert f"{bad}:4: end_date" in result.stderr and "1900 to 2200" in result.stderr, result.stderr
    assert ref not in cli(["export", "contracts"], stack.env).stdout
    sla = tmp_path / "sla.csv"
    sla.write_text("reference,priority,response,resolution\n<!here>,P1,1h,4h\n", encoding="utf-8")
    result = cli(["import", "sla", str(sla)], stack.env, expect=1)
    assert f"{sla}:2: reference" in result.stderr and "not a valid reference" in result.stderr, result.stderr


# ---- 7. the owner may snooze and acknowledge; a stranger may not --------------------------------------

def _alert(stack: Stack, bot: Bot) -> tuple[str, str, dict[str, Any], str]:
    ref, channel = f"OWN-{uid()}", f"C0OWN{uid()}"
    bot.add(ref, f"title:Owned vendor:V end:{day(10).isoformat()} owner:<@{OWNER}> channel:<#{channel}>", user=BOSS)
    mark = len(stack.fake.calls())
    cli(["jobs", "run", "deadlines"], stack.env)
    [post] = posts(stack.fake, channel, mark)
    [row] = [r for r in ledger_for(stack.url, ref) if r.state == "posted"]
    assert buttons(post["args"])["alert_snooze"] == str(row.id)
    return ref, channel, post["args"], row.ts or ""


def _click(stack: Stack, bot: Bot, user: str, action: str, ref_channel_args_ts: tuple[str, str, dict, str]) -> str:
    ref, channel, args, ts = ref_channel_args_ts
    tag = f"own-{uid()}"
    payload = block_actions(stack.fake, user=user, action_id=action, value=buttons(args)[action], channel=channel,
                            message_ts=ts, message=args, tag=tag)
    status, _ = bot.action(payload)
    assert status == 200
    return tag


def _ephemeral(bot: Bot, tag: str) -> str:
    answer = bot.wait_for("response_url", predicate=lambda c: c["path"].endswith("/" + tag))[-1]["args"]
    assert answer.get("response_type") == "ephemeral"
    return answer["text"]


def test_a_stranger_may_not_snooze_or_acknowledge_and_nothing_changes(stack: Stack, bot: Bot) -> None:
    alert = _alert(stack, bot)
    ref, channel = alert[0], alert[1]
    before = snapshot(bot, ref)
    for action, phrase in (("alert_snooze", "snooze"), ("alert_ack", "acknowledge")):
        text = _ephemeral(bot, _click(stack, bot, STRANGER, action, alert))
        assert "owner" in text and phrase in text and "Nothing was changed" in text, text
    assert updates(stack.fake, channel) == []
    assert snapshot(bot, ref) == before
    [row] = [r for r in ledger_for(stack.url, ref) if r.state == "posted"]
    assert row.acknowledged_by is None and "snoozed_by" not in row.detail


def test_the_owner_may_snooze_and_acknowledge_but_not_renew_or_give_notice(stack: Stack, bot: Bot) -> None:
    alert = _alert(stack, bot)
    ref, channel = alert[0], alert[1]
    for action in ("alert_renewed", "alert_give_notice"):
        assert "managers" in _ephemeral(bot, _click(stack, bot, OWNER, action, alert)).lower()
    _click(stack, bot, OWNER, "alert_snooze", alert)
    updated = bot.wait_for("chat.update", predicate=lambda c: c["args"].get("channel") == channel)[-1]["args"]
    assert f"<@{OWNER}>" in updated["text"] and "snooze" in updated["text"].lower(), updated["text"]
    _click(stack, bot, OWNER, "alert_ack", alert)
    bot.wait_for("chat.update", count=2, predicate=lambda c: c["args"].get("channel") == channel)
    [row] = [r for r in ledger_for(stack.url, ref) if r.state == "posted"]
    assert row.acknowledged_by == OWNER and row.detail.get("snoozed_by") == OWNER
    history = bot.command(f"history {ref}")["text"]
    assert "notice given" not in history.lower()
    assert "active" in bot.command(f"status {ref}")["text"].lower()
