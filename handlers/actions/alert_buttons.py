"""Acting on an alert in place: acknowledge, snooze 7 days, renewed (opens the renew form), give notice.

Each records who did it (the audit trail for contract changes) and updates the alert message.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.i18n import fmt_date, t
from bot.render.common import mrkdwn_escape, notice, who
from bot.render.modals import renew_modal
from handlers.deliver import caller_from
from handlers.runtime import Caller, Runtime
from jobs.alert_messages import render_alert
from storage import alerts, audit, contracts

logger = logging.getLogger(__name__)
SNOOZE = timedelta(days=7)


def _alert_id(body: dict) -> int:
    return int(body["actions"][0]["value"])


def _tell(respond: Respond, text: str) -> None:
    respond(**notice(text).to_dict(), response_type="ephemeral", replace_original=False)


def refresh_alert_message(runtime: Runtime, client: WebClient, alert_id: int, *, settled: str | None = None) -> None:
    """Re-render a posted alert after a button changed its state (chat.update)."""
    with runtime.session_factory.begin() as session:
        alert = alerts.get(session, alert_id=alert_id)
        if alert is None or not alert.ts:
            return
        if settled:
            alert.detail = {**alert.detail, "settled": settled}
        message = render_alert(session, alert, settings=runtime.settings, now=runtime.now())
        channel, ts = alert.channel, alert.ts
    if message is None:
        return
    try:
        client.chat_update(channel=channel, ts=ts, **message.to_dict())
    except SlackApiError as exc:
        logger.warning("could not update alert %s: %s", alert_id, exc.response.get("error"))


def _alert_and_contract(session, alert_id: int):  # type: ignore[no-untyped-def]
    """The alert and its contract, or None when either is gone."""
    alert = alerts.get(session, alert_id=alert_id)
    contract = contracts.get_by_id(session, contract_id=alert.contract_id) if alert and alert.contract_id else None
    return (alert, contract) if alert is not None and contract is not None else None


def _manager_only(runtime: Runtime, caller: Caller, respond: Respond) -> bool:
    if runtime.settings.is_manager(caller.user_id):
        return True
    _tell(respond, t(caller.lang, "err_forbidden"))
    return False


def _owner_or_manager(runtime: Runtime, caller: Caller, contract: object) -> bool:
    """Acknowledge and Snooze: the contract's owner (whom the alert is for) or a manager (spec, Alerts)."""
    return runtime.settings.is_manager(caller.user_id) or (
        bool(caller.user_id) and getattr(contract, "owner", None) == caller.user_id)


def on_acknowledge(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    alert_id, now = _alert_id(body), runtime.now()
    with runtime.session_factory.begin() as session:
        alert = alerts.get(session, alert_id=alert_id)
        if alert is None:
            return _tell(respond, t(caller.lang, "err_alert_gone"))
        if alert.kind == "deadline":  # a deadline is the owner's decision; SLA alerts are everyone's
            found = _alert_and_contract(session, alert_id)
            if found is not None and not _owner_or_manager(runtime, caller, found[1]):
                return _tell(respond, t(caller.lang, "err_ack_forbidden"))
        alerts.acknowledge(session, alert=alert, user=caller.user_id, now=now)
        audit.record(session, actor=caller.user_id, entity_type="alert", entity_id=alert.id, action="acknowledge",
                     now=now)
    refresh_alert_message(runtime, client, alert_id)


def on_snooze(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    alert_id, now = _alert_id(body), runtime.now()
    until = now + SNOOZE
    with runtime.session_factory.begin() as session:
        found = _alert_and_contract(session, alert_id)
        if found is None:
            return _tell(respond, t(caller.lang, "err_alert_gone"))
        alert, contract = found
        if not _owner_or_manager(runtime, caller, contract):
            return _tell(respond, t(caller.lang, "err_snooze_forbidden"))
        before = contract.alerts_snoozed_until
        contract.alerts_snoozed_until = until
        alert.detail = {**alert.detail, "snoozed_by": caller.user_id,
                        "snoozed_until": until.astimezone(runtime.settings.tz).date().isoformat()}
        audit.record(session, actor=caller.user_id, entity_type="contract", entity_id=contract.id,
                     action="snooze", changes={"alerts_snoozed_until": (before, until)}, now=now)
    refresh_alert_message(runtime, client, alert_id)


def on_renewed(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    if not _manager_only(runtime, caller, respond):
        return
    alert_id = _alert_id(body)
    with runtime.session_factory.begin() as session:
        found = _alert_and_contract(session, alert_id)
        if found is None:
            return _tell(respond, t(caller.lang, "err_alert_gone"))
        reference = found[1].reference
    client.views_open(trigger_id=body["trigger_id"], view=renew_modal(caller.lang, reference=reference,
                                                                      alert_id=alert_id))


def on_give_notice(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    if not _manager_only(runtime, caller, respond):
        return
    alert_id, now = _alert_id(body), runtime.now()
    today = now.astimezone(runtime.settings.tz).date()
    with runtime.session_factory.begin() as session:
        found = _alert_and_contract(session, alert_id)
        if found is None:
            return _tell(respond, t(caller.lang, "err_alert_gone"))
        contract = found[1]
        try:
            contracts.terminate(session, contract=contract, on=None, note=t(caller.lang, "note_from_alert"),
                                actor=caller.user_id, now=now, today=today)
        except contracts.ContractRuleError:
            return _tell(respond, t(caller.lang, "err_already_closed", ref=mrkdwn_escape(contract.reference),
                                    status=contract.status))
        settled = t(runtime.settings.language, "alert_notice_given", user=who(caller.user_id),
                    end=fmt_date(runtime.settings.language, contract.end_date))
    refresh_alert_message(runtime, client, alert_id, settled=settled)
