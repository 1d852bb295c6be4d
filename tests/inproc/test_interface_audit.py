"""Promises of the outside interface (the spec's "Slash commands" section) that the audit of 2026-12-01
found differing or untested, checked through the real app (`app.dispatch`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.render.ids import ActionId
from jobs.sla import sweep as sla_sweep
from storage.models import Alert
from tests.inproc.conftest import InProcess
from tests.inproc.test_alert_listeners import OWNER, STRANGER, _posted_alert, _press

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

COMMANDS = ("/contract", "/renewals", "/incident", "/sla", "/dispute", "/obligation", "/index")


@pytest.mark.parametrize("word", ["help", "aide", "HELP"])
def test_every_command_answers_help_and_aide_with_its_usage_and_examples(inproc: InProcess, word: str) -> None:
    """"Every command answers `help` … with its usage and examples" — and `aide`, its French, the same
    everywhere (`/contract aide` was read as a search for a contract called "aide")."""
    for command in COMMANDS:
        answer = inproc.command(word, command=command)
        assert answer.get("response_type", "ephemeral") == "ephemeral", command
        assert f"`{command}" in answer["text"], (command, answer["text"])
        assert "Examples" in answer["text"], (command, answer["text"])
        assert "No contract found" not in answer["text"], command


@pytest.mark.parametrize("command", ["/renewals", "/index"])
def test_an_empty_text_answers_with_the_usage_and_examples_after_the_default_answer(inproc: InProcess,
                                                                                    command: str) -> None:
    """"Every command answers `help` (and an empty text) with its usage and examples": `/renewals` and `/index`
    keep their default answer (the 90-day window, the indices known) and end with the usage and examples."""
    inproc.command("add CTR-EMPTY title:Empty vendor:Acme end:2026-08-01")
    answer = inproc.command("", command=command)
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    help_text = inproc.command("help", command=command)["text"]
    usage, examples = help_text.split("\n\nExamples\n")
    assert usage in answer["text"] and examples in answer["text"], answer["text"]
    footer = answer["blocks"][-1]
    assert footer["type"] == "context" and "Examples" in footer["elements"][0]["text"]
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    for part in (usage.strip(), examples.strip()):  # each once, not twice
        assert shown.count(json.dumps(part, ensure_ascii=False)[1:-1]) == 1 and answer["text"].count(part) == 1
    if command == "/renewals":
        assert "CTR-EMPTY" in answer["text"]  # the default 90-day window is still answered


WRITES = [
    ("/contract", "add CTR-PUB title:\"Public test\" vendor:Acme end:2027-03-31 notice:1mo value:12k"),
    ("/contract", "amend CTR-PUB value:13k note:\"avenant 1\""),
    ("/sla", "set CTR-PUB P1 response:30min resolve:4h clock:24x7 credit:5"),
    ("/incident", "CTR-PUB P1 \"ERP down\""),
    ("/incident", "ack INC-1"),
    ("/dispute", "open CTR-PUB \"Credits\" amount:1k"),
    ("/dispute", "update DSP-1 negotiating"),
    ("/obligation", "add CTR-PUB \"Insurance certificate\" due:2026-09-30"),
    ("/index", "set syntec 2026-01 300"),
    ("/contract", "renew CTR-PUB term:1y"),
]
QUERIES = [
    ("/contract", "status CTR-PUB"), ("/contract", "CTR-PUB"), ("/contract", "list"), ("/contract", "history CTR-PUB"),
    ("/renewals", "next 400 days"), ("/incident", "list"), ("/incident", "show INC-1"), ("/sla", "CTR-PUB"),
    ("/sla", "breaches"), ("/dispute", "list"), ("/dispute", "show DSP-1"), ("/obligation", "list"),
    ("/obligation", "show OBL-1"), ("/index", "syntec"), ("/contract", "report"),
]


def test_queries_are_ephemeral_unless_public_and_writes_confirm_in_the_channel(inproc: InProcess) -> None:
    """"Query answers are ephemeral unless the user adds `public`; writes confirm in the channel." """
    for command, text in WRITES:
        answer = inproc.command(text, command=command)
        assert answer.get("response_type") == "in_channel", (command, text, answer["text"])
    for command, text in QUERIES:
        private = inproc.command(text, command=command)
        assert private.get("response_type", "ephemeral") == "ephemeral", (command, text)
        assert ":warning:" not in str(private.get("blocks")), (command, text, private["text"])
        shown = inproc.command(f"{text} public", command=command)
        assert shown.get("response_type") == "in_channel", (command, text, shown["text"])
        assert shown["text"] == private["text"], (command, text)


def test_acknowledge_is_for_the_owner_or_a_manager_and_renewed_for_managers(inproc: InProcess) -> None:
    """"Acknowledge and Snooze may be pressed by the contract's owner or a manager …; Renewed and give notice
    change the contract and are for managers. Acknowledge records who acknowledged and updates the alert
    message to say so." (Snooze by a stranger is tested in test_alert_listeners.py.)"""
    alert_id, message = _posted_alert(inproc)
    refused = _press(inproc, ActionId.ALERT_ACK, alert_id, message, user=STRANGER, tag="a1")
    assert len(refused) == 1 and refused[0]["response_type"] == "ephemeral"
    assert "may acknowledge" in refused[0]["text"]
    assert inproc.fake.calls("chat.update") == []
    with inproc.session_factory() as session:
        assert session.get(Alert, alert_id).acknowledged_by is None

    refused = _press(inproc, ActionId.ALERT_RENEWED, alert_id, message, user=OWNER, tag="a2")
    assert len(refused) == 1 and refused[0]["response_type"] == "ephemeral", refused
    assert inproc.fake.calls("views.open") == []

    assert _press(inproc, ActionId.ALERT_ACK, alert_id, message, user=OWNER, tag="a3") == []
    with inproc.session_factory() as session:
        assert session.get(Alert, alert_id).acknowledged_by == OWNER
    [update] = inproc.fake.calls("chat.update")
    assert f"<@{OWNER}>" in update["args"]["text"] and "cknowledged" in update["args"]["text"]


def test_an_sla_alert_carries_snooze_which_keeps_the_incident_quiet_for_seven_days(inproc: InProcess) -> None:
    """"Alerts mention the contract owner and carry buttons (acknowledge, snooze 7 days, …)"; "A snoozed alert
    stays quiet for 7 days, then the next due alert comes." The `sla` alerts had acknowledge only."""
    inproc.settings.managers = ["U0BOSS01"]
    start = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
    inproc.set_now(start)
    inproc.command(f"add CTR-SLA title:Network vendor:Acme end:2027-06-30 owner:<@{OWNER}> channel:<#C1>",
                   user="U0BOSS01")
    inproc.command("set CTR-SLA P2 response:1d resolve:30d clock:24x7", command="/sla", user="U0BOSS01")
    inproc.command("CTR-SLA P2 \"Printer fleet down\"", command="/incident", user=OWNER)
    client = WebClient(base_url=inproc.fake.url, token="xoxb-x")

    def run(at: datetime) -> list[dict]:
        mark = len(inproc.fake.calls("chat.postMessage"))
        sla_sweep(inproc.session_factory, client, settings=inproc.settings, now=at)
        return [c["args"] for c in inproc.fake.calls("chat.postMessage")[mark:]]

    [at_risk] = run(start + timedelta(hours=19))  # 75 % of the 1-day response target
    inproc.set_now(start + timedelta(hours=19, minutes=5))  # the owner snoozes it 5 minutes later
    assert "AT RISK" in at_risk["text"] and f"<@{OWNER}>" in at_risk["text"]
    buttons = [e["action_id"] for b in at_risk["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "alert_ack" in buttons and "alert_snooze" in buttons
    with inproc.session_factory() as session:
        alert = session.scalars(select(Alert).where(Alert.kind == "sla")).one()
        message = {**at_risk, "ts": alert.ts}
    refused = _press(inproc, ActionId.ALERT_ACK, alert.id, message, user=STRANGER, tag="z0")
    assert len(refused) == 1 and "may acknowledge" in refused[0]["text"]  # the owner's or a manager's, as a deadline
    refused = _press(inproc, ActionId.ALERT_SNOOZE, alert.id, message, user=STRANGER, tag="z1")
    assert len(refused) == 1 and "may snooze" in refused[0]["text"]
    assert _press(inproc, ActionId.ALERT_SNOOZE, alert.id, message, user=OWNER, tag="z2") == []
    [update] = inproc.fake.calls("chat.update")
    assert f"<@{OWNER}>" in update["args"]["text"] and "Snoozed" in update["args"]["text"]

    assert run(start + timedelta(days=1, hours=1)) == []  # breached, but snoozed: quiet
    assert run(start + timedelta(days=7, hours=1)) == []  # still inside the 7 days
    [breached] = run(start + timedelta(days=8, hours=1))  # the 7 days are over: the next due alert comes
    assert "BREACHED" in breached["text"]
    assert run(start + timedelta(days=8, hours=2)) == []  # once


def test_an_sla_alert_whose_detail_cannot_be_read_never_stops_the_sweep(inproc: InProcess) -> None:
    """One bad row never stops a job: a posted `sla` alert whose detail no alert writes (a bad script, a
    manual edit) is taken as not snoozed, and the sweep posts the incident's next level."""
    start = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
    inproc.set_now(start)
    inproc.command(f"add CTR-BAD title:Network vendor:Acme end:2027-06-30 owner:<@{OWNER}> channel:<#C1>")
    inproc.command("set CTR-BAD P2 response:1d resolve:30d clock:24x7", command="/sla")
    inproc.command("CTR-BAD P2 \"Printer fleet down\"", command="/incident", user=OWNER)
    client = WebClient(base_url=inproc.fake.url, token="xoxb-x")
    sla_sweep(inproc.session_factory, client, settings=inproc.settings, now=start + timedelta(hours=19))
    with inproc.session_factory.begin() as session:
        session.execute(update(Alert).where(Alert.kind == "sla").values(detail={"no_such_key": 1}))
    mark = len(inproc.fake.calls("chat.postMessage"))
    sla_sweep(inproc.session_factory, client, settings=inproc.settings, now=start + timedelta(days=1, hours=1))
    [breached] = [c["args"] for c in inproc.fake.calls("chat.postMessage")[mark:]]
    assert "BREACHED" in breached["text"]
