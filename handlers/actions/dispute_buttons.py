"""The stale-dispute reminder's buttons: "Add an update" (opens the form) and "Snooze 7 days".

Both may be pressed by the contract's owner (the reminder is for them) or a contract manager.
"""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.disputes import SNOOZE
from bot.i18n import fmt_date, t
from bot.render import disputes as render
from bot.render.common import notice, who
from handlers.actions.alert_buttons import settle_and_refresh
from handlers.deliver import caller_from
from handlers.runtime import Caller, Runtime
from storage import disputes
from storage.models import Dispute


def parse_value(value: str) -> tuple[int, int | None]:
    """`<dispute id>:<alert id>` → the two ids (the alert id may be empty)."""
    dispute_id, _, alert_id = value.partition(":")
    return int(dispute_id), int(alert_id) if alert_id.isdigit() else None


def may_act(runtime: Runtime, user: str, dispute: Dispute) -> bool:
    return runtime.settings.is_manager(user) or user == dispute.contract.owner


def _tell(respond: Respond, text: str) -> None:
    respond(**notice(text).to_dict(), response_type="ephemeral", replace_original=False)


def _checked(runtime: Runtime, caller: Caller, respond: Respond, session, dispute_id: int):
    dispute = disputes.get_by_id(session, dispute_id=dispute_id)
    if dispute is None:
        _tell(respond, t(caller.lang, "err_dispute_unknown", number=f"DSP-{dispute_id}"))
        return None
    if not may_act(runtime, caller.user_id, dispute):
        _tell(respond, t(caller.lang, "err_dispute_not_yours"))
        return None
    return dispute


def on_add_update(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    dispute_id, alert_id = parse_value(body["actions"][0]["value"])
    with runtime.session_factory.begin() as session:
        dispute = _checked(runtime, caller, respond, session, dispute_id)
        if dispute is None:
            return
        view = render.update_modal(caller.lang, dispute, alert_id=alert_id)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_snooze(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    dispute_id, alert_id = parse_value(body["actions"][0]["value"])
    now = runtime.now()
    until = now + SNOOZE
    with runtime.session_factory.begin() as session:
        dispute = _checked(runtime, caller, respond, session, dispute_id)
        if dispute is None:
            return
        disputes.snooze(session, dispute=dispute, until=until, actor=caller.user_id, now=now)
    if alert_id is not None:
        lang = runtime.settings.language
        settled = t(caller.lang or lang, "dsp_reminder_snoozed", user=who(caller.user_id),
                    until=fmt_date(caller.lang, until.astimezone(runtime.settings.tz).date()))
        settle_and_refresh(runtime, client, alert_id, settled=settled, now=now)
