"""The add-contract and renew forms. Validation errors go back into the form (response_action)."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.contract_input import InputError, read_contract_fields, read_renewal
from bot.errors import DomainError
from bot.i18n import fmt_date, t
from bot.render import contracts as render
from bot.render.contracts import who
from bot.render.ids import BlockId
from bot.render.modals import read_renew_metadata, submitted_values
from handlers.actions.alert_buttons import refresh_alert_message
from handlers.commands.contract import create_contract
from handlers.errors import UserError, explain
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime
from storage import alert_actions, contracts


def _caller(runtime: Runtime, client: WebClient, body: dict, lang: str | None = None) -> Caller:
    user = body["user"]["id"]
    return Caller(user_id=user, channel_id=None, lang=lang or runtime.language_for(client, user))


def _post(client: WebClient, reply: Reply, channel: str) -> None:
    if reply.message is not None:
        client.chat_postMessage(channel=channel, **reply.message.to_dict())


def on_add_submitted(ack: Ack, body: dict, view: dict, client: WebClient, runtime: Runtime) -> None:
    caller = _caller(runtime, client, body, view.get("private_metadata") or None)
    if not runtime.settings.is_manager(caller.user_id):
        ack(response_action="errors", errors={BlockId.REFERENCE: t(caller.lang, "err_forbidden")})
        return
    values = submitted_values(view)
    try:
        fields = read_contract_fields(values, tz=runtime.settings.tz, now=runtime.now())
        reply = create_contract(runtime, caller, fields)
    except InputError as exc:
        block = exc.field if exc.field in values or exc.field in ("reference", "title", "vendor", "end") else "reference"
        ack(response_action="errors", errors={block: explain(caller.lang, exc)})
        return
    except UserError as exc:
        ack(response_action="errors", errors={BlockId.REFERENCE: explain(caller.lang, exc)})
        return
    ack()
    _post(client, reply, fields.channel or caller.user_id)


def on_renew_submitted(ack: Ack, body: dict, view: dict, client: WebClient, runtime: Runtime) -> None:
    form = read_renew_metadata(view.get("private_metadata"))
    caller = _caller(runtime, client, body, form.lang if form else None)
    if form is None:
        ack(response_action="errors", errors={BlockId.UNTIL: t(caller.lang, "err_form_expired")})
        return
    reference, alert_id = form.reference, form.alert_id
    if not runtime.settings.is_manager(caller.user_id):
        ack(response_action="errors", errors={BlockId.UNTIL: t(caller.lang, "err_forbidden")})
        return
    values = submitted_values(view)
    now = runtime.now()
    try:
        until, term = read_renewal(values, tz=runtime.settings.tz, now=now)
    except InputError as exc:
        ack(response_action="errors", errors={exc.field: explain(caller.lang, exc)})
        return
    today = now.astimezone(runtime.settings.tz).date()
    with runtime.session_factory.begin() as session:
        contract = contracts.get_by_reference(session, reference=reference)
        if contract is None:
            ack(response_action="errors", errors={BlockId.UNTIL: t(caller.lang, "err_unknown_reference",
                                                                     ref=reference)})
            return
        try:
            changes = contracts.renew(session, contract=contract, until=until, term=term, note=values.get(BlockId.NOTE),
                                      actor=caller.user_id, now=now)
        except contracts.ContractRuleError:
            ack(response_action="errors", errors={BlockId.UNTIL: t(caller.lang, "err_renew_not_later",
                                                                     ref=reference, end=str(contract.end_date))})
            return
        except DomainError as exc:  # the new end would pass 2200-12-31
            ack(response_action="errors", errors={BlockId.UNTIL: explain(caller.lang, exc)})
            return
        message = render.changed(caller.lang, "renew", contract, changes, caller.user_id, today=today)
        if alert_id:
            alert_actions.settle(session, alert_id=alert_id, settled=t(
                runtime.settings.language, "alert_renewed", user=who(caller.user_id),
                end=fmt_date(runtime.settings.language, contract.end_date)))
        channel = contract.channel or caller.user_id
    ack()
    if alert_id:
        refresh_alert_message(runtime, client, alert_id, today=today)
    client.chat_postMessage(channel=channel, **message.to_dict())
