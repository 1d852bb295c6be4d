"""/obligation end to end: signed slash commands into `serve` (managers: UBOSS; in the test process,
see tests/e2e/helpers.py), the `obligations` job run by `jobs run` (bot.cli.main, in the test process)
on the same database, its Done / Snooze buttons and the evidence form as signed payloads, the contract card and history, the CSV export — English and French, both backends."""

from __future__ import annotations

import csv
import io
import itertools
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import SECRET
from tests.e2e.cli_helpers import block_actions, buttons, cli, day, en_date, ledger, posts, view_submission
from tests.e2e.helpers import Stack, section_texts, serve_stack
from tests.support.inproc import cli_here
from tests.support.signed import post_action, post_command, post_event

MANAGER, OWNER, STRANGER, FRENCH = "UBOSS", "U0OBLOWN1", "U0STRANGE", "U0FRANCE1"
_tags = itertools.count(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from serve_stack(request, tmp_path_factory, "obl", locales={FRENCH: "fr-FR"}, CONTRACTBOT_MANAGERS=MANAGER)


def command(stack: Stack, text: str, *, name: str = "/obligation", user: str = MANAGER) -> dict[str, Any]:
    tag = f"obl-{next(_tags)}"
    status, body = post_command(stack.serve.events_url, SECRET, name, text, user_id=user,
                                response_url=stack.fake.response_url(tag))
    assert status == 200 and "Traceback" not in body
    return stack.fake.wait_for("response_url", predicate=lambda c: c["path"].endswith("/" + tag))[-1]["args"]


def refused(answer: dict[str, Any], *needles: str) -> None:
    assert answer.get("response_type") == "ephemeral", answer
    for needle in needles:
        assert needle.lower() in answer["text"].lower(), answer["text"]
    assert "/obligation add" in answer["text"]  # with the usage


def contract(stack: Stack, reference: str, channel: str) -> None:
    answer = command(stack, f'add {reference} title:"Managed services {reference}" vendor:Atos '
                            f"end:{day(400).isoformat()} owner:<@{MANAGER}> channel:<#{channel}>", name="/contract")
    assert answer["response_type"] == "in_channel", answer


def add_obligation(stack: Stack, text: str, *, user: str = MANAGER) -> str:
    answer = command(stack, "add " + text, user=user)
    assert answer["response_type"] == "in_channel", answer
    [number] = [w.strip("*") for w in answer["text"].split() if w.strip("*").startswith("OBL-")][:1]
    return number


def alerts_for(stack: Stack, number: str) -> list[Any]:
    oid = number.split("-")[1]
    return [r for r in ledger(stack.url) if r.key.startswith(f"obligation:{oid}:")]


def run_job(stack: Stack, *extra: str) -> str:
    """`contractbot jobs run obligations` through its entry point, in this process (a step of a timeline)."""
    return cli_here(["jobs", "run", "obligations", *extra], stack.env).stdout


def click(stack: Stack, row: Any, args: dict[str, Any], action_id: str, *, user: str, trigger: str = "T.obl") -> str:
    tag = f"act-{next(_tags)}"
    payload = block_actions(stack.fake, user=user, action_id=action_id, value=str(row.id), channel=row.channel,
                            message_ts=row.ts, message=args, tag=tag, trigger_id=trigger)
    status, _ = post_action(stack.serve.events_url, SECRET, payload)
    assert status == 200
    return tag


def ephemeral(stack: Stack, tag: str) -> dict[str, Any]:
    return stack.fake.wait_for("response_url", predicate=lambda c: c["path"].endswith("/" + tag))[-1]["args"]


def test_add_list_show_done_waive_and_the_contract_card(stack: Stack) -> None:
    contract(stack, "OBL-CTR-1", "C0OBL0001")
    due = day(40)
    number = add_obligation(stack, f'OBL-CTR-1 "Insurance certificate <b>&" due:{due.isoformat()} every:1mo '
                                   f"owner:<@{OWNER}> evidence:required")
    once = add_obligation(stack, f'OBL-CTR-1 "Reversibility plan" due:"{day(-2).strftime("%d/%m/%Y")}" party:us')
    listing = command(stack, "list OBL-CTR-1")
    assert listing["response_type"] == "ephemeral"
    text = listing["text"]
    assert text.index(once) < text.index(number)  # soonest first
    assert "overdue" in text and "pending" in text and "&lt;b&gt;" in section_texts(listing)  # escaped
    assert once in command(stack, "list overdue")["text"] and number not in command(stack, "list overdue")["text"]

    card = command(stack, "status OBL-CTR-1", name="/contract")["text"]
    assert f"Next obligation: {once}" in card and "Overdue obligations: 1" in card

    # the owner marks it done, with evidence; the next due date is counted from the due date
    done = command(stack, f"done {number} evidence:https://docs.example/cert.pdf note:\"on time\"", user=OWNER)
    assert done["response_type"] == "in_channel" and "Next due" in done["text"], done
    shown = command(stack, f"show {number}")["text"]
    assert "https://docs.example/cert.pdf" in shown and "obligation done" in shown and "obligation added" in shown
    assert en_date(due) in shown  # the fulfilment of that due date

    # a manager waives the one-off, with its reason
    waived = command(stack, f'waive {once} note:"Replaced by the exit plan"')
    assert waived["response_type"] == "in_channel" and "Replaced by the exit plan" in waived["text"]
    assert "Overdue obligations: 0" in command(stack, "status OBL-CTR-1", name="/contract")["text"]
    trail = command(stack, "history OBL-CTR-1", name="/contract")["text"]
    assert "obligation added" in trail and "obligation done" in trail and "obligation waived" in trail
    assert f"{number} · Insurance certificate" in trail

    export = cli(["export", "obligations"], stack.env).stdout
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export))}
    assert rows[number]["last_evidence"] == "https://docs.example/cert.pdf" and rows[number]["every"] == "1mo"
    assert rows[once]["status"] == "waived" and rows[number]["reference"] == "OBL-CTR-1"


def test_bad_input_is_refused_with_the_usage_and_changes_nothing(stack: Stack) -> None:
    contract(stack, "OBL-CTR-2", "C0OBL0002")
    number = add_obligation(stack, f'OBL-CTR-2 "DPA review" due:{day(20).isoformat()} evidence:required '
                                   f"owner:<@{OWNER}>")
    before = command(stack, f"show {number}")["text"]
    refused(command(stack, 'add OBL-CTR-2 "Audit window" due:someday'), "cannot read the due date")
    refused(command(stack, 'add OBL-CTR-2 "Audit window"'), "due:")
    refused(command(stack, f'add OBL-CTR-2 "Audit" due:{day(9).isoformat()} every:0d'), "not a recurrence")
    refused(command(stack, f"done {number}", user=OWNER), "needs evidence")
    refused(command(stack, "done OBL-999999"), "no obligation OBL-999999")
    refused(command(stack, f"done {number} evidence:x", user=STRANGER), "only contract managers", "nothing")
    refused(command(stack, f"waive {number} note:no", user=STRANGER), "only contract managers")
    refused(command(stack, f"waive {number}"), "say why")
    refused(command(stack, f'add OBL-CTR-2 "Sneaky" due:{day(3).isoformat()}', user=STRANGER), "only contract")
    refused(command(stack, "add NOPE-404 \"x\" due:2027-01-01"), "NOPE-404")
    assert command(stack, f"show {number}")["text"] == before
    assert "Sneaky" not in command(stack, "list all")["text"]
    help_ = command(stack, "")
    assert "/obligation done OBL-<n>" in help_["text"] and "Examples" in help_["text"]


def test_in_french(stack: Stack) -> None:
    contract(stack, "OBL-CTR-FR", "C0OBLFR01")
    number = add_obligation(stack, f'OBL-CTR-FR "Test du PRA" due:"{day(12).strftime("%d/%m/%Y")}" every:6mois',
                            user=MANAGER)
    listing = command(stack, "list OBL-CTR-FR", user=FRENCH)["text"]
    assert "Obligations à faire" in listing and "échéance proche" in listing and number in listing
    refused_fr = command(stack, f"done {number}", user=FRENCH)
    assert refused_fr["response_type"] == "ephemeral" and "Seuls les gestionnaires" in refused_fr["text"]
    bad = command(stack, 'add OBL-CTR-FR "Audit" due:jamais', user=MANAGER)
    assert "cannot read" in bad["text"]
    help_fr = command(stack, "aide", user=FRENCH)["text"]
    assert "Exemples" in help_fr and "Attestation d'assurance" in help_fr


def test_the_job_alerts_once_and_its_buttons_work(stack: Stack) -> None:
    contract(stack, "OBL-CTR-3", "C0OBL0003")
    due = day(5)
    number = add_obligation(stack, f'OBL-CTR-3 "Security plan" due:{due.isoformat()} every:1y evidence:required '
                                   f"owner:<@{OWNER}>")
    dry = run_job(stack, "--dry-run")
    assert f"{number} (OBL-CTR-3): obligation alert 7d" in dry and alerts_for(stack, number) == []
    mark = len(stack.fake.calls())
    output = run_job(stack)
    assert f"{number} (OBL-CTR-3): obligation alert 7d" in output and "FAILED" not in output, output
    assert f"{number} (OBL-CTR-3)" not in run_job(stack)  # a second run posts nothing new
    [post] = posts(stack.fake, "C0OBL0003", mark)
    args = post["args"]
    assert f"<@{OWNER}>" in args["text"] and number in args["text"] and en_date(due) in args["text"]
    assert set(buttons(args)) == {"obligation_done", "obligation_snooze"}
    [row] = [r for r in alerts_for(stack, number) if r.state == "posted"]
    states = {r.key.rsplit(":", 1)[1]: r.state for r in alerts_for(stack, number)}
    assert states == {"7": "posted", "30": "superseded"}

    # a stranger may not snooze; the owner may
    tag = click(stack, row, args, "obligation_snooze", user=STRANGER)
    assert "only contract managers" in ephemeral(stack, tag)["text"].lower()
    click(stack, row, args, "obligation_snooze", user=OWNER)
    updated = stack.fake.wait_for("chat.update", predicate=lambda c: c["args"].get("ts") == row.ts)[-1]["args"]
    assert f"Snoozed by <@{OWNER}> until {en_date(day(7))}" in updated["text"] or \
        f"Snoozed by <@{OWNER}> until {en_date(day(8))}" in updated["text"], updated["text"]

    # a stranger's Done is refused and opens no form
    tag = click(stack, row, args, "obligation_done", user=STRANGER, trigger="13345224609.738474920.stranger0001")
    assert "only contract managers" in ephemeral(stack, tag)["text"].lower()
    assert not [c for c in stack.fake.calls("views.open") if "stranger" in str(c["args"].get("trigger_id"))]

    # Done opens the evidence form; without evidence it is refused in the form, with it the obligation moves on
    trigger = "13345224609.738474920.obldone00001"
    click(stack, row, args, "obligation_done", user=OWNER, trigger=trigger)
    view = stack.fake.wait_for("views.open", predicate=lambda c: c["args"].get("trigger_id") == trigger)[-1]["args"]
    view = view["view"] if isinstance(view["view"], dict) else json.loads(view["view"])
    assert view["callback_id"] == "obligation_done_modal"
    status, body = post_action(stack.serve.events_url, SECRET, view_submission(
        user=OWNER, view=view, values={"note": {"note": {"type": "plain_text_input", "value": "late"}}}))
    assert status == 200 and "errors" in body and "needs evidence" in body, body
    assert command(stack, f"show {number}")["text"].count("obligation done") == 0
    status, body = post_action(stack.serve.events_url, SECRET, view_submission(
        user=OWNER, view=view, values={"evidence": {"evidence": {"type": "plain_text_input",
                                                                  "value": "https://docs.example/pas.pdf"}}}))
    assert status == 200 and "errors" not in body, body
    settled = stack.fake.wait_for("chat.update", count=2, predicate=lambda c: c["args"].get("ts") == row.ts)[-1]
    assert f"Done by <@{OWNER}>" in settled["args"]["text"] and buttons(settled["args"]) == {}
    shown = command(stack, f"show {number}")["text"]
    assert "https://docs.example/pas.pdf" in shown and en_date(due.replace(year=due.year + 1)) in shown
    stack.fake.assert_valid_messages()


def dm(stack: Stack, text: str, *, user: str = MANAGER) -> dict[str, Any]:
    channel = f"D{user}{next(_tags)}"
    envelope = {"token": "verification-token", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                "event": {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text,
                          "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}"},
                "event_id": f"EvOBL{uuid.uuid4().hex[:10]}", "event_time": int(time.time()),
                "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]}
    status, body = post_event(stack.serve.events_url, SECRET, envelope)
    assert status == 200, body
    return stack.fake.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel") == channel)[-1]["args"]


def test_dm_questions_get_the_obligation_list_of_a_vendors_contracts(stack: Stack) -> None:
    vendor = f"Dmvendor{uuid.uuid4().hex[:6]}"
    for ref in ("OBL-DM-1", "OBL-DM-2"):
        answer = command(stack, f'add {ref} title:"Hosting {ref}" vendor:{vendor} end:{day(400).isoformat()}',
                         name="/contract")
        assert answer["response_type"] == "in_channel", answer
    late = add_obligation(stack, f'OBL-DM-1 "Insurance certificate" due:{day(-3).isoformat()}')
    soon = add_obligation(stack, f'OBL-DM-2 "Steering committee" due:{day(10).isoformat()}')
    overdue = dm(stack, f"overdue obligations for {vendor}")
    assert overdue["text"].startswith(f"Overdue obligations — {vendor.lower()} (1)"), overdue["text"]
    assert late in overdue["text"] and soon not in overdue["text"]
    french = dm(stack, f"obligations à venir pour {vendor}", user=FRENCH)
    assert late in french["text"] and soon in french["text"] and "Obligations" in french["text"], french["text"]
    everywhere = dm(stack, "obligations en retard", user=FRENCH)
    assert late in everywhere["text"] and soon not in everywhere["text"]
