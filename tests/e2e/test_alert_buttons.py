"""The buttons of a deadline alert, end to end: `serve` (managers: UBOSS; in the test process, see
tests/e2e/helpers.py) and a FakeSlack;
alerts posted by `jobs run deadlines` (bot.cli.main, in the test process) on the same database; signed block_actions and
view_submission payloads as Slack sends them. One serve per backend for the whole module."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import SECRET
from tests.e2e.cli_helpers import (
    block_actions,
    buttons,
    day,
    en_date,
    ledger,
    ledger_for,
    posts,
    updates,
    view_submission,
)
from tests.e2e.helpers import Stack, serve_stack
from tests.support.inproc import cli_here
from tests.support.signed import post_action, post_command

MANAGER = "UBOSS"
OWNER = "U0OWNER1"
ALERT_BUTTONS = {"alert_ack", "alert_snooze", "alert_renewed", "alert_give_notice"}
_tags = itertools.count(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from serve_stack(request, tmp_path_factory, "ab", CONTRACTBOT_MANAGERS=MANAGER)


@dataclass
class PostedAlert:
    reference: str
    channel: str
    alert_id: str
    ts: str
    args: dict[str, Any]


def command(stack: Stack, text: str, *, user: str = MANAGER) -> dict[str, Any]:
    """A signed `/contract TEXT` from `user`; the answer Slack got through the response_url."""
    tag = f"cmd-{next(_tags)}"
    status, _ = post_command(stack.serve.events_url, SECRET, "/contract", text, user_id=user,
                             response_url=stack.fake.response_url(tag))
    assert status == 200
    return stack.fake.wait_for("response_url", predicate=lambda c: c["path"].endswith("/" + tag))[-1]["args"]


def add_due_contract(stack: Stack, reference: str, channel: str, *, act_by_in: int = 10) -> date:
    """A contract with no notice period whose act-by date (= its end) is `act_by_in` days away."""
    end = day(act_by_in)
    answer = command(stack, f'add {reference} title:"Service desk {reference}" vendor:Acme end:{end.isoformat()} '
                            f"owner:<@{OWNER}> channel:<#{channel}>")
    assert reference in answer["text"] and answer["response_type"] == "in_channel", answer
    return end


def run_deadlines(stack: Stack, *extra: str) -> str:
    """`contractbot jobs run deadlines` through its entry point, in this process (its real processes:
    test_exactly_once.py, test_cli.py)."""
    return cli_here(["jobs", "run", "deadlines", *extra], stack.env).stdout


def post_alert(stack: Stack, reference: str, channel: str) -> PostedAlert:
    """Create a contract due for its 14-day alert, run the deadlines job, and return the posted alert."""
    add_due_contract(stack, reference, channel)
    mark = len(stack.fake.calls())
    output = run_deadlines(stack)
    assert f"{reference}: deadline alert 14d" in output, output
    assert "FAILED" not in output, output
    sent = posts(stack.fake, channel, mark)
    assert len(sent) == 1, (f"{len(sent)} alert(s) posted for {reference}; job output:\n{output}\nledger: "
                            f"{[(r.key, r.state) for r in ledger_for(stack.url, reference)]}")
    [post] = sent
    args = post["args"]
    assert reference in args["text"] and f"<@{OWNER}>" in args["text"]  # the owner is mentioned
    found = buttons(args)
    assert set(found) == ALERT_BUTTONS, found
    assert len(set(found.values())) == 1  # every button carries the alert id
    alert_id = found["alert_ack"]
    [row] = [r for r in ledger_for(stack.url, reference) if r.state == "posted"]
    assert (str(row.id), row.threshold, row.channel) == (alert_id, 14, channel)
    assert row.ts
    return PostedAlert(reference, channel, alert_id, row.ts, args)


def click(stack: Stack, alert: PostedAlert, action_id: str, *, user: str = MANAGER,
          trigger_id: str = "13345224609.738474920.8088930838d88f008e0") -> str:
    """Click a button of the alert message; returns the response_url tag of the payload."""
    tag = f"act-{next(_tags)}"
    payload = block_actions(stack.fake, user=user, action_id=action_id, value=alert.alert_id, channel=alert.channel,
                            message_ts=alert.ts, message=alert.args, tag=tag, trigger_id=trigger_id)
    status, _ = post_action(stack.serve.events_url, SECRET, payload)
    assert status == 200
    return tag


def wait_update(stack: Stack, alert: PostedAlert, count: int = 1) -> dict[str, Any]:
    calls = stack.fake.wait_for("chat.update", count=count, timeout=30,
                                predicate=lambda c: c["args"].get("channel") == alert.channel
                                and c["args"].get("ts") == alert.ts)
    return calls[-1]["args"]


def test_acknowledge_says_who_in_the_alert(stack: Stack) -> None:
    alert = post_alert(stack, "ACK-1", "C0ACK0001")
    click(stack, alert, "alert_ack")
    updated = wait_update(stack, alert)
    assert f"Acknowledged by <@{MANAGER}>" in updated["text"]
    assert set(buttons(updated)) == ALERT_BUTTONS  # still to be decided: the buttons stay
    [row] = [r for r in ledger_for(stack.url, "ACK-1") if r.state == "posted"]
    assert row.acknowledged_by == MANAGER
    stack.fake.assert_valid_messages()


def test_snooze_keeps_the_contract_quiet_for_seven_days_then_posts_the_most_urgent(stack: Stack) -> None:
    snoozed = post_alert(stack, "SNZ-1", "C0SNZ0001")
    control = post_alert(stack, "SNZ-2", "C0SNZ0002")
    before = day(7)
    click(stack, snoozed, "alert_snooze")
    updated = wait_update(stack, snoozed)
    assert f"Snoozed by <@{MANAGER}> until" in updated["text"]
    # until a week from now (either side of midnight, should the click straddle it)
    assert en_date(before) in updated["text"] or en_date(day(7)) in updated["text"], updated["text"]

    # Four days later (6 days left: the 7-day threshold is due) — the snoozed contract stays quiet.
    mark = len(stack.fake.calls())
    output = run_deadlines(stack, "--at", f"{day(4).isoformat()}T09:00")
    assert "SNZ-2: deadline alert 7d" in output, output
    assert "SNZ-1" not in output
    assert len(posts(stack.fake, control.channel, mark)) == 1
    assert posts(stack.fake, snoozed.channel, mark) == []

    # After the 7 days (1 day left): one alert, the most urgent due one; the 7-day one is not sent as well.
    mark = len(stack.fake.calls())
    output = run_deadlines(stack, "--at", f"{day(9).isoformat()}T09:00")
    assert "SNZ-1: deadline alert 1d" in output, output
    [late] = posts(stack.fake, snoozed.channel, mark)
    assert "SNZ-1" in late["args"]["text"] and "1 day left" in late["args"]["text"]
    states = {r.threshold: r.state for r in ledger_for(stack.url, "SNZ-1")}
    assert states[14] == "posted" and states[1] == "posted" and states[7] == "superseded", states
    stack.fake.assert_valid_messages()


def test_give_notice_records_it_and_settles_the_alert(stack: Stack) -> None:
    alert = post_alert(stack, "GVN-1", "C0GVN0001")
    click(stack, alert, "alert_give_notice")
    updated = wait_update(stack, alert)
    assert f"Notice given by <@{MANAGER}>" in updated["text"]
    assert buttons(updated) == {}  # settled: no more buttons
    card = command(stack, "status GVN-1")
    assert "notice given" in card["text"].lower()
    trail = command(stack, "history GVN-1")["text"]
    assert "notice given" in trail.lower() and f"<@{MANAGER}>" in trail
    stack.fake.assert_valid_messages()


def test_renewed_opens_the_renew_form_and_its_submission_renews(stack: Stack) -> None:
    alert = post_alert(stack, "RNW-1", "C0RNW0001")
    trigger = "13345224609.738474920.renew0000001"
    click(stack, alert, "alert_renewed", trigger_id=trigger)
    opened = stack.fake.wait_for("views.open", predicate=lambda c: c["args"].get("trigger_id") == trigger)[-1]
    view = opened["args"]["view"]
    assert view["callback_id"] == "contract_renew_modal"
    metadata = json.loads(view["private_metadata"])
    assert (metadata["reference"], str(metadata["alert_id"])) == ("RNW-1", str(alert.alert_id))
    assert "until" in {b.get("block_id") for b in view["blocks"]}

    until = day(10) + timedelta(days=365)
    payload = view_submission(user=MANAGER, view=view, values={
        "until": {"until": {"type": "datepicker", "selected_date": until.isoformat()}}})
    status, body = post_action(stack.serve.events_url, SECRET, payload)
    assert status == 200
    assert "errors" not in body, body  # the form was accepted
    updated = wait_update(stack, alert)
    assert f"Renewed by <@{MANAGER}> until {en_date(until)}" in updated["text"]
    assert buttons(updated) == {}
    stack.fake.wait_for("chat.postMessage", predicate=lambda c: c["args"].get("channel") == alert.channel
                        and "renewed" in c["args"].get("text", "").lower())
    card = command(stack, "status RNW-1")
    assert en_date(until) in card["text"]
    assert "active" in card["text"].lower()
    stack.fake.assert_valid_messages()


def test_give_notice_by_a_non_manager_is_refused_and_changes_nothing(stack: Stack) -> None:
    alert = post_alert(stack, "MGR-1", "C0MGR0001")
    tag = click(stack, alert, "alert_give_notice", user="U1")
    answer = stack.fake.wait_for("response_url", predicate=lambda c: c["path"].endswith("/" + tag))[-1]["args"]
    assert answer.get("response_type") == "ephemeral"
    assert "managers" in answer["text"].lower() and "nothing was changed" in answer["text"].lower()
    assert updates(stack.fake, alert.channel) == []  # the alert keeps its buttons
    card = command(stack, "status MGR-1", user="U1")
    assert "active" in card["text"].lower() and "notice given" not in card["text"].lower()
    trail = command(stack, "history MGR-1", user="U1")["text"]
    assert "notice given" not in trail.lower() and "<@U1>" not in trail
    assert all(r.state != "claimed" for r in ledger(stack.url))
