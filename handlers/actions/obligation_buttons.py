"""The buttons of an obligation alert: Done (opens the evidence form) and Snooze 7 days.

Both are for a manager or the obligation's owner (else the contract's). The form's submission runs the
same service as `/obligation done` (handlers.views.obligation_forms)."""

from __future__ import annotations

from datetime import timedelta

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.i18n import t
from bot.render import obligations as render
from bot.render.common import notice
from handlers.actions.alert_buttons import refresh_alert_message
from handlers.commands.obligation import may_write
from handlers.deliver import caller_from
from handlers.runtime import Runtime
from storage import alert_actions, alert_state, alerts, obligations

SNOOZE = timedelta(days=7)


def _tell(respond: Respond, text: str) -> None:
    respond(**notice(text).to_dict(), response_type="ephemeral", replace_original=False)


def _found(session, body: dict):
    try:
        alert = alerts.get(session, alert_id=int(body["actions"][0]["value"]))
    except (KeyError, IndexError, ValueError):
        return None
    if alert is None or alert.kind != obligations.KIND or alert.subject_id is None:
        return None
    obligation = obligations.get_by_id(session, obligation_id=alert.subject_id)
    return (alert, obligation) if obligation is not None else None


def on_done(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    with runtime.session_factory.begin() as session:
        found = _found(session, body)
        if found is None:
            return _tell(respond, t(caller.lang, "err_alert_gone"))
        alert, obligation = found
        if not may_write(runtime, caller.user_id, obligation):
            return _tell(respond, t(caller.lang, "err_obl_forbidden", number=obligation.number))
        if obligation.state != "open" or obligation.due_on != alert_state.read(alert).due_date:
            return _tell(respond, t(caller.lang, "err_obl_closed", number=obligation.number,
                                    status=t(caller.lang, "obl_status_fulfilled")))
        view = render.done_modal(caller.lang, obligation, alert_id=alert.id)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_snooze(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    now = runtime.now()
    until = now + SNOOZE
    with runtime.session_factory.begin() as session:
        found = _found(session, body)
        if found is None:
            return _tell(respond, t(caller.lang, "err_alert_gone"))
        alert, obligation = found
        if not may_write(runtime, caller.user_id, obligation):
            return _tell(respond, t(caller.lang, "err_obl_forbidden", number=obligation.number))
        if obligation.state != "open":
            return _tell(respond, t(caller.lang, "err_obl_closed", number=obligation.number,
                                    status=t(caller.lang, "obl_status_" + obligation.state)))
        alert_actions.snooze_obligation(session, alert=alert, obligation=obligation, actor=caller.user_id,
                                        until=until, tz=runtime.settings.tz, now=now,
                                        thresholds=runtime.settings.obligation_thresholds)
        alert_id = alert.id
    refresh_alert_message(runtime, client, alert_id, today=runtime.settings.today(now))
