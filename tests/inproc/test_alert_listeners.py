"""Alert buttons, the renew form and App Home, in process with a fixed clock: each listener makes
one service call (`storage.alert_actions`), refusals change nothing, and a listener that fails
answers the person with the correlation id of the logged error (a button ephemerally, a form in the
form, App Home on the tab) instead of leaving them with nothing."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func, select, text

from bot.render.ids import ActionId, CallbackId
from bot.render.modals import renew_modal
from jobs.deadlines import sweep
from storage import alert_state
from storage.models import Alert, AuditEvent, Contract
from tests.inproc.conftest import InProcess
from tests.support.fake_slack import validate_blocks

NOW = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # 09:00 in Paris
OWNER, MANAGER, STRANGER = "U0OWNER1", "U0BOSS01", "U0OTHER1"
REFERENCE = re.compile(r"reference ([0-9a-f]{8})")


def _posted_alert(inproc: InProcess) -> tuple[int, dict[str, Any]]:
    """A contract whose act-by is 10 days away, and the deadline alert the sweep posted for it."""
    inproc.settings.managers = [MANAGER]
    inproc.set_now(NOW)
    added = inproc.command(f"add CTR-ALERT title:Alerting vendor:Acme end:2026-07-05 owner:<@{OWNER}> channel:<#C1>",
                           user=MANAGER)
    assert added["response_type"] == "in_channel", added["text"]
    sweep(inproc.session_factory, WebClient(base_url=inproc.fake.url, token="xoxb-x"), settings=inproc.settings,
          now=NOW)
    posts = inproc.fake.calls("chat.postMessage")
    assert len(posts) == 1, posts
    with inproc.session_factory() as session:
        alert = session.scalars(select(Alert).where(Alert.kind == "deadline", Alert.state == "posted")).one()
        return alert.id, {**posts[0]["args"], "ts": alert.ts}


def _press(inproc: InProcess, action: ActionId, alert_id: int, message: dict[str, Any], *, user: str,
           tag: str) -> list[dict[str, Any]]:
    payload = {
        "type": "block_actions", "team": {"id": "T1", "domain": "test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T1"},
        "api_app_id": "A1", "token": "t", "trigger_id": f"T.{tag}",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": "C1", "is_ephemeral": False},
        "channel": {"id": "C1", "name": "contracts"},
        "message": {"type": "message", "user": "UBOT", "ts": message["ts"], "text": message["text"],
                    "blocks": message.get("blocks", [])},
        "state": {"values": {}}, "response_url": inproc.fake.response_url(tag),
        "actions": [{"action_id": str(action), "block_id": "b", "value": str(alert_id), "type": "button",
                     "action_ts": "1.0", "text": {"type": "plain_text", "text": "x"}}],
    }
    response = inproc.action(payload)
    assert response.status == 200, (response.status, response.body)
    return inproc.answers(tag)


def _contract(inproc: InProcess) -> Contract:
    with inproc.session_factory() as session:
        return session.scalars(select(Contract).where(Contract.reference == "CTR-ALERT")).one()


def _audit_count(inproc: InProcess, action: str) -> int:
    with inproc.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)))


def _corrupt_alert(inproc: InProcess, alert_id: int) -> None:
    """A row the typed alert record refuses (a key no version of the bot wrote): reading it fails."""
    with inproc.session_factory.begin() as session:
        session.execute(text("UPDATE alerts SET detail = :d WHERE id = :id"),
                        {"d": json.dumps({"threshold": 14, "snoozd_by": "U1"}), "id": alert_id})


def test_snooze_by_a_stranger_is_refused_and_by_the_owner_is_recorded(inproc: InProcess) -> None:
    alert_id, message = _posted_alert(inproc)
    refused = _press(inproc, ActionId.ALERT_SNOOZE, alert_id, message, user=STRANGER, tag="s1")
    assert len(refused) == 1 and refused[0]["response_type"] == "ephemeral"
    assert "Only the contract's owner or a contract manager may snooze" in refused[0]["text"]
    assert _contract(inproc).alerts_snoozed_until is None and _audit_count(inproc, "snooze") == 0
    assert inproc.fake.calls("chat.update") == []

    assert _press(inproc, ActionId.ALERT_SNOOZE, alert_id, message, user=OWNER, tag="s2") == []
    assert _contract(inproc).alerts_snoozed_until == NOW + timedelta(days=7)
    assert _audit_count(inproc, "snooze") == 1
    with inproc.session_factory() as session:
        record = alert_state.read(session.get(Alert, alert_id))
    assert (record.snoozed_by, record.snoozed_until) == (OWNER, "2026-06-22")
    [update] = inproc.fake.calls("chat.update")
    validate_blocks(update["args"]["blocks"])
    assert f"<@{OWNER}>" in update["args"]["text"] and "22" in update["args"]["text"]


def test_give_notice_settles_the_alert_once(inproc: InProcess) -> None:
    alert_id, message = _posted_alert(inproc)
    assert _press(inproc, ActionId.ALERT_GIVE_NOTICE, alert_id, message, user=MANAGER, tag="g1") == []
    assert _contract(inproc).status == "notice_given"
    [update] = inproc.fake.calls("chat.update")
    validate_blocks(update["args"]["blocks"])
    assert not [b for b in update["args"]["blocks"] if b["type"] == "actions"]  # settled: the buttons are gone
    with inproc.session_factory() as session:
        assert alert_state.read(session.get(Alert, alert_id)).settled
    assert _audit_count(inproc, "terminate") == 1
    refused = _press(inproc, ActionId.ALERT_GIVE_NOTICE, alert_id, message, user=OWNER, tag="g2")  # not a manager
    assert len(refused) == 1 and refused[0]["response_type"] == "ephemeral"
    assert "manager" in refused[0]["text"].lower()
    assert _audit_count(inproc, "terminate") == 1


def test_a_failing_button_answers_with_the_correlation_id_and_changes_nothing(inproc: InProcess) -> None:
    alert_id, message = _posted_alert(inproc)
    _corrupt_alert(inproc, alert_id)
    answers = _press(inproc, ActionId.ALERT_SNOOZE, alert_id, message, user=OWNER, tag="f1")
    assert len(answers) == 1 and answers[0]["response_type"] == "ephemeral"
    assert REFERENCE.search(answers[0]["text"]), answers[0]["text"]
    assert "Traceback" not in json.dumps(answers)
    assert _contract(inproc).alerts_snoozed_until is None and _audit_count(inproc, "snooze") == 0


def _submit_renewal(inproc: InProcess, alert_id: int, until: str) -> Any:
    view = renew_modal("en", reference="CTR-ALERT", alert_id=alert_id)
    payload = {
        "type": "view_submission", "team": {"id": "T1", "domain": "test"},
        "user": {"id": MANAGER, "username": "boss", "name": "boss", "team_id": "T1"},
        "api_app_id": "A1", "token": "t", "trigger_id": "T.view",
        "view": {**view, "id": "V1", "team_id": "T1", "app_id": "A1", "bot_id": "BBOT", "hash": "h1",
                 "state": {"values": {"until": {"until": {"type": "datepicker", "selected_date": until}}}}},
        "response_urls": [], "is_enterprise_install": False,
    }
    assert view["callback_id"] == CallbackId.RENEW_CONTRACT
    return inproc.action(payload)


def test_a_failing_form_answers_in_the_form_with_the_correlation_id(inproc: InProcess) -> None:
    alert_id, _ = _posted_alert(inproc)
    _corrupt_alert(inproc, alert_id)
    response = _submit_renewal(inproc, alert_id, "2027-07-25")
    assert response.status == 200
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors"
    assert REFERENCE.search(answer["errors"]["until"]), answer
    assert _contract(inproc).end_date.isoformat() == "2026-07-05"  # the renewal was rolled back


def test_the_renew_form_renews_and_settles_the_alert(inproc: InProcess) -> None:  # positive control of the above
    alert_id, _ = _posted_alert(inproc)
    response = _submit_renewal(inproc, alert_id, "2027-07-25")
    assert response.status == 200 and "errors" not in (response.body or "")
    assert _contract(inproc).end_date.isoformat() == "2027-07-25"
    with inproc.session_factory() as session:
        assert "Renewed" in (alert_state.read(session.get(Alert, alert_id)).settled or "")


def test_a_failing_app_home_shows_the_correlation_id_on_the_tab(inproc: InProcess) -> None:
    _posted_alert(inproc)
    opened = {"type": "app_home_opened", "user": OWNER, "channel": "D1", "tab": "home", "event_ts": "1.0"}
    assert inproc.event(opened).status == 200
    [home] = inproc.fake.calls("views.publish")
    assert "CTR-ALERT" in json.dumps(home["args"])  # positive control: the Home lists the decision
    with inproc.session_factory.begin() as session:  # a schema this code does not expect (say, a replica behind)
        session.execute(text("ALTER TABLE obligations RENAME TO obligations_elsewhere"))
    assert inproc.event(opened).status == 200
    publishes = inproc.fake.calls("views.publish")
    assert len(publishes) == 2
    view = publishes[1]["args"]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    validate_blocks(view["blocks"])
    assert REFERENCE.search(json.dumps(view)), view
