"""Disputes end to end: signed slash commands, DMs and button clicks into `contractbot serve` (in the test
process, see tests/e2e/helpers.py), the `disputes` job (steps in process through `bot.cli.main`, replicas
at once as real processes) and `export disputes` (through `bot.cli.main`) on the same database, the fake Slack
Web API at the network boundary; SQLite and PostgreSQL; English and French (by the fake's locales).
Bad input is refused with the usage and changes nothing (the tables are compared before and after)."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import SECRET
from tests.e2e.cli_helpers import block_actions, buttons, cli, cli_parallel, view_submission
from tests.e2e.helpers import Bot, assert_no_traceback, backend_url, section_texts, served, uid
from tests.support.fake_slack import FakeSlack
from tests.support.inproc import cli_here
from tests.support.inproc_server import ServeHere
from tests.support.server import Serve, contractbot_env
from tests.support.signed import post_action

pytestmark = pytest.mark.slow

PARIS = ZoneInfo("Europe/Paris")
MANAGER, FRENCH, OTHER, OWNER = "UMGR1", "UFRMGR1", "UNOBODY1", "UOWNERD1"
ROOM = "CDSPROOM"
USAGE = "/dispute update DSP-<n>"


class Stack(Bot):
    def __init__(self, server: Serve | ServeHere, fake: FakeSlack, backend: str, url: str, env: dict[str, str]) -> None:
        super().__init__(server, fake, backend)
        self.url, self.env = url, env


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    url = backend_url(request, tmp_path_factory, "dsp")
    with FakeSlack() as fake:
        fake.locales[FRENCH] = "fr-FR"
        env = contractbot_env(url, fake.url, CONTRACTBOT_MANAGERS=f"{MANAGER},{FRENCH}",
                              CONTRACTBOT_ALERT_CHANNEL="CALERTS")
        server = served(env)
        try:
            yield Stack(server, fake, request.param, url, env)
        finally:
            server.stop()


@pytest.fixture(autouse=True)
def no_traceback(bot: Stack) -> Iterator[None]:
    start = len(bot.fake.calls())
    yield
    assert_no_traceback(bot.fake)
    bot.fake.assert_valid_messages(since=start)  # the messages this test caused


def dispute(bot: Stack, text_: str, *, user: str = MANAGER, channel: str = "C1") -> dict[str, Any]:
    return bot.command(text_, command="/dispute", user=user, channel=channel)


def opened(bot: Stack, text_: str, *, user: str = MANAGER) -> str:
    answer = dispute(bot, f"open {text_}", user=user)
    assert answer.get("response_type") == "in_channel", answer["text"]
    match = re.search(r"DSP-\d+", answer["text"])
    assert match, answer["text"]
    return match.group(0)


def contract(bot: Stack, *, owner: str | None = OWNER, channel: str | None = ROOM, value: str = "120k") -> tuple[str, str]:
    ref, vendor = f"DSP-C-{uid()}", f"Vend{uid()}"
    options = f'title:"Managed network" vendor:{vendor} end:2030-06-30 value:{value}'
    options += f" owner:<@{owner}>" if owner else ""
    options += f" channel:<#{channel}>" if channel else ""
    bot.add(ref, options, user=MANAGER)
    return ref, vendor


def snapshot(url: str) -> tuple[Any, ...]:
    """Everything a dispute command may write: the disputes, their links, the audit trail, the ledger."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return (c.execute(text("SELECT * FROM disputes ORDER BY id")).all(),
                    c.execute(text("SELECT * FROM dispute_incidents ORDER BY dispute_id, incident_id")).all(),
                    c.execute(text("SELECT count(*) FROM audit_events")).scalar(),
                    c.execute(text("SELECT count(*) FROM alerts")).scalar())
    finally:
        engine.dispose()


def spaces(text_: str) -> str:
    """Babel's French amounts use (narrow) no-break spaces: `12 000,00 €`."""
    return text_.replace("\u202f", " ").replace("\xa0", " ")


def refused(answer: dict[str, Any], says: str) -> None:
    assert answer.get("response_type") == "ephemeral", answer
    assert says in answer["text"], answer["text"]
    assert "Usage" in answer["text"] and "/dispute" in answer["text"], answer["text"]


def posted_in(bot: Stack, channel: str, needle: str) -> dict[str, Any]:
    return bot.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel") == channel
                        and needle in c["args"].get("text", ""))[-1]["args"]


# ---- the life of a dispute --------------------------------------------------------------------------


def test_open_escalate_close_with_amounts_timeline_and_channel_posts(bot: Stack) -> None:
    ref, _ = contract(bot)
    incident = bot.command(f'{ref} P2 "VPN flapping"', command="/incident", user="U1")["text"]
    inc = re.search(r"INC-\d+", incident).group(0)  # type: ignore[union-attr]
    number = opened(bot, f'{ref} "Credits refused <!channel> *now*" amount:12k incident:{inc}')
    announced = posted_in(bot, ROOM, number)  # opening is posted in the contract's channel
    assert "€12,000.00" in announced["text"]
    assert "<!channel>" not in section_texts(announced) and "&lt;!channel&gt;" in section_texts(announced)

    moved = dispute(bot, f'update {number} negotiating note:"call with the account manager"')
    assert moved["response_type"] == "in_channel" and "negotiating" in moved["text"]
    escalated = dispute(bot, f"update {number} escalated")
    assert "escalated" in escalated["text"]
    posted_in(bot, ROOM, f"{number} ({ref}): negotiating → escalated")  # escalation is announced

    closed = dispute(bot, f'close {number} "credit note received" recovered:9k')
    assert closed["response_type"] == "in_channel"
    assert "recovered €9,000.00" in closed["text"] and "written off €3,000.00" in closed["text"]
    posted_in(bot, ROOM, f"{number} ({ref}) closed")

    card = dispute(bot, f"show {number}")
    assert card["response_type"] == "ephemeral"
    body = card["text"]
    for expected in ("Claimed (at stake): €12,000.00", "Recovered: €9,000.00", "Written off: €3,000.00",
                     "Outcome: credit note received", inc, "dispute opened", "status: open → negotiating",
                     "call with the account manager", "status: negotiating → escalated",
                     "status: escalated → closed", f"<@{MANAGER}>"):
        assert expected in body, (expected, body)
    assert "&lt;!channel&gt;" in section_texts(card)

    history = bot.command(f"history {ref}")["text"]
    assert f"{number} dispute opened" in history and f"{number} dispute closed" in history

    listing = dispute(bot, f"list {ref} all")["text"]
    assert number in listing and "Total claimed €12,000.00 · recovered €9,000.00" in listing
    assert number not in dispute(bot, f"list {ref}")["text"]  # open by default: the closed one is not listed

    reopened = dispute(bot, f'update {number} open note:"the credit note never came"')
    assert "reopened" in reopened["text"]
    assert number in dispute(bot, f"list {ref}")["text"]
    bot.fake.assert_valid_messages()


def test_from_sla_claims_the_credits_due_with_their_explanation(bot: Stack) -> None:
    ref, _ = contract(bot, value="120k")  # monthly fee 10,000.00
    set_terms = bot.command(f"set {ref} P1 response:30min resolve:4h credit:5", command="/sla", user=MANAGER)
    assert set_terms["response_type"] == "in_channel", set_terms["text"]
    first = datetime.now(PARIS).date().replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=2)
    since = datetime(last_month.year, last_month.month, 2, 10, 0, tzinfo=PARIS)
    recorded = bot.command(f'{ref} P1 "core router down" since:{since.isoformat(timespec="minutes")}',
                           command="/incident")["text"]
    inc = re.search(r"INC-\d+", recorded).group(0)  # type: ignore[union-attr]
    done = (since + timedelta(hours=5)).isoformat(timespec="minutes")
    bot.command(f"resolve {inc} at:{done}", command="/incident")  # 5 h for a 4 h target: breached

    number = opened(bot, f'{ref} "Credits of last month" from:sla')
    card = dispute(bot, f"show {number}")["text"]
    assert "Claimed (at stake): €500.00" in card, card
    assert "P1: 1 breached incident(s) × 5 % × monthly fee €10,000.00 = €500.00" in card, card
    assert f"Claimed from the service credits due for {last_month.replace(day=1).isoformat()}" in card

    before = snapshot(bot.url)
    answer = dispute(bot, f'open {ref} "again" from:sla period:"this month"')
    refused(answer, "No service credit is due")
    assert snapshot(bot.url) == before


def test_bad_input_is_refused_with_the_usage_and_changes_nothing(bot: Stack) -> None:
    ref, _ = contract(bot)
    number = opened(bot, f'{ref} "Invoice disputed" amount:5000')
    settled = opened(bot, f'{ref} "Settled one" amount:1000')
    dispute(bot, f"update {settled} settled")
    before = snapshot(bot.url)
    cases = [
        ("update DSP-999999 negotiating", "There is no dispute DSP-999999"),
        (f"update {settled} negotiating", "Allowed from settled: closed"),
        (f"update {number} open", "Allowed from open: negotiating, escalated, mediation, litigation, settled, closed"),
        (f"update {number} frobbed", "is not a dispute status"),
        (f'open {ref} "negative" amount:-5', "is not an amount"),
        (f'open {ref} "unreadable" amount:lots', "is not an amount"),
        (f'open {ref} "dollars" amount:"100 USD"', "the contract is in EUR"),
        (f'open NOPE-{uid()} "nobody"', "No contract"),
        (f"open {ref}", "Give the contract and a summary"),
        (f'close {number} "paid" recovered:6000', "above the amount claimed"),
        (f'close {number} "paid" recovered:abc', "is not an amount"),
        (f"close {number}", "Give the outcome"),
        ("frobnicate DSP-1", "is not a /dispute verb"),
        (f'open {ref} "x" incident:INC-999999', "There is no incident INC-999999"),
        (f'open {ref} "x" period:"last month"', "`period:` applies only with `from:sla`"),
        (f'open {ref} "{"x" * 1200}"', "is too long"),
    ]
    for command_text, says in cases:
        refused(dispute(bot, command_text), says)
    # writes are for managers
    answer = dispute(bot, f"update {number} negotiating", user=OTHER)
    refused(answer, "Only contract managers")
    assert snapshot(bot.url) == before
    # the reopening of a closed dispute needs a note
    dispute(bot, f'close {number} "paid in full" recovered:5000')
    before = snapshot(bot.url)
    refused(dispute(bot, f"update {number} open"), "needs a reason")
    assert snapshot(bot.url) == before
    # `force` accepts a recovery above the claim (late-payment interest, say)
    forced = dispute(bot, f'close {settled} "paid with interest" recovered:1200 force')
    assert "recovered €1,200.00" in forced["text"] and "written off €0.00" in forced["text"]


def test_help_and_french(bot: Stack) -> None:
    help_en = dispute(bot, "help")
    assert "/dispute open <contract>" in help_en["text"] and "Examples" in help_en["text"]
    help_fr = dispute(bot, "", user=FRENCH)
    assert "Exemples" in help_fr["text"] and "/dispute open <contrat>" in help_fr["text"]
    ref, _ = contract(bot)
    answer = dispute(bot, f'open {ref} "Pénalités non versées" amount:"12 000 €"', user=FRENCH)
    assert "ouvert sur" in answer["text"] and "12 000,00 €" in spaces(answer["text"]), answer["text"]
    number = re.search(r"DSP-\d+", answer["text"]).group(0)  # type: ignore[union-attr]
    moved = dispute(bot, f"update {number} mediation", user=FRENCH)
    assert "en médiation" in moved["text"]
    refused_fr = dispute(bot, f"update {number} open", user=FRENCH)
    assert refused_fr["response_type"] == "ephemeral" and "Possible depuis" in refused_fr["text"]
    listing = spaces(dispute(bot, f"list {ref}", user=FRENCH)["text"])
    assert "Litiges en cours (1)" in listing and "Total réclamé 12 000,00 €" in listing


# ---- the contract card, the list filter, DMs ----------------------------------------------------------


def test_contract_card_and_list_show_open_disputes(bot: Stack) -> None:
    ref, _ = contract(bot)
    calm, _ = contract(bot)
    opened(bot, f'{ref} "one" amount:1000')
    opened(bot, f'{ref} "two" amount:2500')
    card = bot.command(f"status {ref}")["text"]
    assert "Open disputes: 2 · €3,500.00 at stake" in card, card
    assert "Open disputes: 0" in bot.command(f"status {calm}")["text"]
    listed = bot.command("list disputes:open")["text"]
    assert ref in listed and calm not in listed
    refused_filter = bot.command("list disputes:maybe")
    assert refused_filter["response_type"] == "ephemeral"


def dm(bot: Stack, text_: str, *, user: str = "U1") -> dict[str, Any]:
    channel = f"D{user}{uid()}"
    event = {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text_,
             "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}"}
    status, body = bot.event(event)
    assert status == 200, body
    return bot.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel") == channel)[-1]["args"]


def test_dm_questions_get_the_dispute_and_incident_lists(bot: Stack) -> None:
    ref, vendor = contract(bot)
    other, _ = contract(bot)
    number = opened(bot, f'{ref} "Licence audit claim" amount:7000')
    elsewhere = opened(bot, f'{other} "Elsewhere" amount:100')
    answer = dm(bot, f"open disputes for {vendor}")
    assert answer["text"].startswith("Open disputes (1)") and number in answer["text"], answer["text"]
    assert elsewhere not in answer["text"]
    french = dm(bot, f"litiges ouverts pour {vendor}", user=FRENCH)
    assert french["text"].startswith("Litiges en cours (1)") and number in french["text"], french["text"]
    everything = dm(bot, "litiges en cours", user=FRENCH)
    assert number in everything["text"] and elsewhere in everything["text"]
    inc = bot.command(f'{ref} P3 "printer queue stuck"', command="/incident")["text"]
    inc_number = re.search(r"INC-\d+", inc).group(0)  # type: ignore[union-attr]
    incidents = dm(bot, f"open incidents for {vendor}")
    assert incidents["text"].startswith("Open incidents (1)") and inc_number in incidents["text"], incidents["text"]
    incidents_fr = dm(bot, f"incidents ouverts pour {vendor}", user=FRENCH)
    assert inc_number in incidents_fr["text"]


# ---- the `disputes` job, its buttons, the export ------------------------------------------------------


def backdate(url: str, number: str, days: int) -> None:
    """Make a dispute's last change `days` old (serve reads the real clock; this is test setup)."""
    engine = create_engine(url)
    try:
        with engine.begin() as c:
            c.execute(text("UPDATE disputes SET last_activity_at = :at WHERE id = :id"),
                      {"at": datetime.now(PARIS) - timedelta(days=days), "id": int(number[4:])})
    finally:
        engine.dispose()


def run_job(bot: Stack, *extra: str) -> str:
    """`contractbot jobs run disputes` through its entry point in this process (a step of a timeline);
    the real processes: test_replicas_running_the_job_at_once_send_one_reminder."""
    return cli_here(["jobs", "run", "disputes", *extra], bot.env).stdout


def reminders(bot: Stack, number: str, since: int = 0) -> list[dict[str, Any]]:
    return [c["args"] for c in bot.fake.calls()[since:] if c["method"] == "chat.postMessage"
            and re.search(rf"{number}\b", c["args"].get("text", "")) and "no update for" in c["args"]["text"]]


def click(bot: Stack, reminder: dict[str, Any], action_id: str, *, user: str, ts: str,
          trigger_id: str = "13345224609.738474920.dsp0000000001") -> str:
    tag = f"dsp-{uid()}"
    payload = block_actions(bot.fake, user=user, action_id=action_id, value=buttons(reminder)[action_id],
                            channel=reminder["channel"], message_ts=ts, message=reminder, tag=tag,
                            trigger_id=trigger_id)
    status, _ = post_action(bot.server.events_url, SECRET, payload)
    assert status == 200
    return tag


def test_stale_reminder_once_then_update_form_and_snooze(bot: Stack) -> None:
    ref, _ = contract(bot, owner=OWNER)
    orphan, _ = contract(bot, owner=None)
    number = opened(bot, f'{ref} "Stale claim" amount:3000')
    unowned = opened(bot, f'{orphan} "Nobody owns the contract" amount:10')
    fresh = opened(bot, f'{ref} "Fresh claim" amount:10')
    backdate(bot.url, number, 15)
    backdate(bot.url, unowned, 15)

    before = snapshot(bot.url)
    dry = run_job(bot, "--dry-run")
    assert f"{number}: stale since" in dry and fresh not in dry
    assert snapshot(bot.url) == before  # a dry run records nothing

    mark = len(bot.fake.calls())
    out = run_job(bot)
    run_job(bot)  # a hand run the same day: nothing more
    [reminder] = reminders(bot, number, mark)
    assert reminder["channel"] == OWNER and f"<@{OWNER}>" in reminder["text"]
    [to_opener] = reminders(bot, unowned, mark)
    assert to_opener["channel"] == MANAGER  # no owner: whoever opened it
    assert reminders(bot, fresh, mark) == []
    assert set(buttons(reminder)) == {"dispute_update", "dispute_snooze"}
    assert "FAILED" not in out

    # "Add an update": the form, then its submission records the note and the status
    message_ts = f"{time.time():.6f}"
    trigger = f"13345224609.738474920.{uid()}"
    click(bot, reminder, "dispute_update", user=OWNER, ts=message_ts, trigger_id=trigger)
    view = bot.wait_for("views.open", predicate=lambda c: c["args"].get("trigger_id") == trigger)[-1]["args"]["view"]
    assert view["callback_id"] == "dispute_update_modal"
    payload = view_submission(user=OWNER, view=view, values={
        "note": {"note": {"type": "plain_text_input", "value": "Vendor proposes 50 % <@U999>"}},
        "status": {"status": {"type": "static_select", "selected_option": {
            "value": "escalated", "text": {"type": "plain_text", "text": "escalated"}}}}})
    status, body = post_action(bot.server.events_url, SECRET, payload)
    assert status == 200 and "errors" not in body, body
    updated = bot.wait_for("chat.update", predicate=lambda c: "Update recorded by" in c["args"].get("text", ""))
    assert buttons(updated[-1]["args"]) == {}
    card = dispute(bot, f"show {number}")["text"]
    assert "Status: escalated" in card and "Vendor proposes 50 % &lt;@U999&gt;" in card, card
    posted_in(bot, ROOM, f"{number} ({ref}): open → escalated")

    # a stranger may neither update nor snooze
    tag = click(bot, to_opener, "dispute_snooze", user=OTHER, ts=message_ts)
    answer = bot.wait_for("response_url", predicate=lambda c: c["path"].endswith("/" + tag))[-1]["args"]
    assert "Only the contract's owner or a contract manager" in answer["text"]

    # "Snooze 7 days": quiet for a week, then one new reminder
    click(bot, to_opener, "dispute_snooze", user=MANAGER, ts=message_ts)
    bot.wait_for("chat.update", predicate=lambda c: "Snoozed by" in c["args"].get("text", ""))
    mark = len(bot.fake.calls())
    soon = (datetime.now(PARIS) + timedelta(days=3)).isoformat(timespec="minutes")
    run_job(bot, "--at", soon)
    assert reminders(bot, unowned, mark) == []
    later = (datetime.now(PARIS) + timedelta(days=7, hours=1)).isoformat(timespec="minutes")
    run_job(bot, "--at", later)
    run_job(bot, "--at", later)
    assert len(reminders(bot, unowned, mark)) == 1
    assert "dispute reminder snoozed" in dispute(bot, f"show {unowned}")["text"]
    bot.fake.assert_valid_messages()


def test_replicas_running_the_job_at_once_send_one_reminder(bot: Stack) -> None:
    ref, _ = contract(bot)
    number = opened(bot, f'{ref} "Raced" amount:10')
    backdate(bot.url, number, 16)
    mark = len(bot.fake.calls())
    cli_parallel([(["jobs", "run", "disputes"], bot.env, 0)] * 3)
    assert len(reminders(bot, number, mark)) == 1


def test_stale_reminder_in_french_for_a_french_owner(bot: Stack) -> None:
    ref, _ = contract(bot, owner=FRENCH)
    number = opened(bot, f'{ref} "Relance" amount:10')
    backdate(bot.url, number, 20)
    mark = len(bot.fake.calls())
    run_job(bot)
    # the DM to the owner (the channel post of the opening may land after `mark` on a loaded machine)
    [reminder] = [c["args"] for c in bot.fake.calls()[mark:] if c["method"] == "chat.postMessage"
                  and c["args"].get("channel") == FRENCH and number in c["args"].get("text", "")]
    assert "n’a pas bougé depuis 20 jours" in reminder["text"], reminder["text"]
    assert any(b.get("type") == "actions" and b["elements"][0]["text"]["text"] == "Ajouter un point"
               for b in reminder["blocks"])


def test_export_disputes_csv(bot: Stack) -> None:
    ref, _ = contract(bot)
    number = opened(bot, f'{ref} "=HYPERLINK(\\"http://evil\\")" amount:2000')
    dispute(bot, f'close {number} "half paid" recovered:1500')
    out = cli(["export", "disputes"], bot.env).stdout
    lines = out.splitlines()
    assert lines[0] == ("id,reference,summary,status,opened_at,opened_by,updated_at,amount_claimed,"
                        "amount_recovered,amount_written_off,currency,outcome")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    row = rows[number]
    assert (row["reference"], row["status"], row["opened_by"], row["amount_claimed"], row["amount_recovered"],
            row["amount_written_off"], row["currency"], row["outcome"]) == (
        ref, "closed", MANAGER, "2000.00", "1500.00", "500.00", "EUR", "half paid")
    assert row["summary"].startswith("'=")  # neutralised for spreadsheets
    assert datetime.fromisoformat(row["opened_at"]).tzinfo is not None
    assert date.fromisoformat(row["updated_at"][:10])
