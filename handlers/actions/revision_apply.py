"""The Apply button of a revision alert (managers): records the revision and updates the alert in place."""

from __future__ import annotations

import logging

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from bot.i18n import fmt_money, t
from bot.render import revisions as render
from bot.render.common import notice, who
from handlers.deliver import caller_from
from handlers.errors import explain
from handlers.runtime import Runtime
from storage import alert_actions, alert_state, alerts, contracts, revisions

logger = logging.getLogger(__name__)


def _tell(respond: Respond, text: str) -> None:
    respond(**notice(text).to_dict(), response_type="ephemeral", replace_original=False)


def on_apply(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    if not runtime.settings.is_manager(caller.user_id):
        return _tell(respond, t(caller.lang, "err_forbidden"))
    alert_id, now, lang = int(body["actions"][0]["value"]), runtime.now(), runtime.settings.language
    today = now.astimezone(runtime.settings.tz).date()
    try:
        with runtime.session_factory.begin() as session:
            alert = alerts.get(session, alert_id=alert_id)
            contract = contracts.get_by_id(session, contract_id=alert.contract_id) if alert and alert.contract_id else None
            clause = revisions.get_clause(session, contract_id=contract.id) if contract else None
            if alert is None or contract is None or clause is None:
                return _tell(respond, t(caller.lang, "err_alert_gone"))
            effective = alert_state.read(alert).effective_date
            if effective is None:  # a revision alert always records its effective date
                return _tell(respond, t(caller.lang, "err_alert_gone"))
            comp = revisions.compute(session, contract=contract, clause=clause, at=effective)
            row = revisions.apply(session, comp=comp, actor=caller.user_id, now=now)
            settled = t(lang, "rev_alert_settled", user=who(caller.user_id),
                        before=fmt_money(lang, row.before_value, row.currency),
                        after=fmt_money(lang, row.after_value, row.currency))
            alert_actions.settle(session, alert_id=alert_id, settled=settled)
            message = render.alert(lang, comp, alert_id=alert_id, today=today, settled=settled)
            confirmation = render.applied(caller.lang, contract, row, caller.user_id)
            channel, ts = alert.channel, alert.ts
    except DomainError as exc:
        return _tell(respond, explain(caller.lang, exc))
    _tell(respond, confirmation.text)
    if channel and ts:
        try:
            client.chat_update(channel=channel, ts=ts, **message.to_dict())
        except SlackApiError as exc:
            logger.warning("could not update revision alert %s: %s", alert_id, exc.response.get("error"))
