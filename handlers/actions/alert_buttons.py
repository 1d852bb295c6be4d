"""Acting on an alert in place: acknowledge, snooze 7 days, renewed (opens the renew form), give notice.

Each listener parses, makes one service call (`storage.alert_actions`: who may act, the write, the
audit record), then re-renders the alert message (`bot.render.alert_messages`, read-only).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from bot.i18n import fmt_date, t
from bot.render.alert_messages import render_alert
from bot.render.common import notice, who
from bot.render.modals import renew_modal
from handlers.deliver import caller_from
from handlers.errors import explain
from handlers.runtime import Caller, Runtime
from storage import alert_actions, alerts

logger = logging.getLogger(__name__)
SNOOZE = timedelta(days=7)


def _alert_id(body: dict) -> int:
    return int(body["actions"][0]["value"])


def _tell(respond: Respond, text: str) -> None:
    respond(**notice(text).to_dict(), response_type="ephemeral", replace_original=False)


def refresh_alert_message(runtime: Runtime, client: WebClient, alert_id: int, *, today: date) -> None:
    """Re-render a posted alert after a button changed its state (chat.update); writes nothing."""
    with runtime.session_factory() as session:
        alert = alerts.get(session, alert_id=alert_id)
        if alert is None or not alert.ts or not alert.channel:
            return
        message = render_alert(session, alert, settings=runtime.settings, today=today)
        channel, ts = alert.channel, alert.ts
    if message is None:
        return
    try:
        client.chat_update(channel=channel, ts=ts, **message.to_dict())
    except SlackApiError as exc:
        logger.warning("could not update alert %s: %s", alert_id, exc.response.get("error"))


def settle_and_refresh(runtime: Runtime, client: WebClient, alert_id: int, *, settled: str, now: datetime) -> None:
    """Mark the alert settled (its buttons go), then re-render it."""
    with runtime.session_factory.begin() as session:
        alert_actions.settle(session, alert_id=alert_id, settled=settled)
    refresh_alert_message(runtime, client, alert_id, today=runtime.settings.today(now))


def _manager_only(runtime: Runtime, caller: Caller, respond: Respond) -> bool:
    if runtime.settings.is_manager(caller.user_id):
        return True
    _tell(respond, t(caller.lang, "err_forbidden"))
    return False


def on_acknowledge(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    alert_id, now = _alert_id(body), runtime.now()
    try:
        with runtime.session_factory.begin() as session:
            alert_actions.acknowledge(session, alert_id=alert_id, actor=caller.user_id,
                                      is_manager=runtime.settings.is_manager(caller.user_id), now=now)
    except DomainError as exc:
        return _tell(respond, explain(caller.lang, exc))
    refresh_alert_message(runtime, client, alert_id, today=runtime.settings.today(now))


def on_snooze(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    alert_id, now = _alert_id(body), runtime.now()
    try:
        with runtime.session_factory.begin() as session:
            alert_actions.snooze(session, alert_id=alert_id, actor=caller.user_id,
                                 is_manager=runtime.settings.is_manager(caller.user_id),
                                 until=now + SNOOZE, tz=runtime.settings.tz, now=now)
    except DomainError as exc:
        return _tell(respond, explain(caller.lang, exc))
    refresh_alert_message(runtime, client, alert_id, today=runtime.settings.today(now))


def on_renewed(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    if not _manager_only(runtime, caller, respond):
        return
    alert_id = _alert_id(body)
    try:
        with runtime.session_factory() as session:
            reference = alert_actions.get_deadline(session, alert_id=alert_id)[1].reference
    except DomainError as exc:
        return _tell(respond, explain(caller.lang, exc))
    client.views_open(trigger_id=body["trigger_id"], view=renew_modal(caller.lang, reference=reference,
                                                                      alert_id=alert_id))


def on_give_notice(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    if not _manager_only(runtime, caller, respond):
        return
    alert_id, now, lang = _alert_id(body), runtime.now(), runtime.settings.language
    try:
        with runtime.session_factory.begin() as session:
            contract = alert_actions.give_notice(session, alert_id=alert_id, actor=caller.user_id,
                                                 note=t(caller.lang, "note_from_alert"), now=now,
                                                 today=runtime.settings.today(now))
            alert_actions.settle(session, alert_id=alert_id, settled=t(
                lang, "alert_notice_given", user=who(caller.user_id), end=fmt_date(lang, contract.end_date)))
    except DomainError as exc:
        return _tell(respond, explain(caller.lang, exc))
    refresh_alert_message(runtime, client, alert_id, today=runtime.settings.today(now))
