"""The "Add an update" form of the stale-dispute reminder: a note, and a status if given, recorded
through the same path as `/dispute update`. Refusals go back into the form (response_action)."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.disputes import read_status
from bot.errors import DomainError
from bot.i18n import t
from bot.render.contracts import who
from bot.render.ids import BlockId
from bot.render.modals import submitted_values
from handlers.actions.alert_buttons import settle_and_refresh
from handlers.actions.dispute_buttons import may_act
from handlers.commands.dispute import MAX_NOTE, apply_update
from handlers.errors import explain
from handlers.runtime import Caller, Runtime
from storage import disputes


def on_update_submitted(ack: Ack, body: dict, view: dict, client: WebClient, runtime: Runtime) -> None:
    dispute_id, alert_id, lang = ((view.get("private_metadata") or "||").split("|") + ["", ""])[:3]
    user = body["user"]["id"]
    caller = Caller(user_id=user, channel_id=None, lang=lang or runtime.language_for(client, user))
    with runtime.session_factory.begin() as session:
        dispute = disputes.get_by_id(session, dispute_id=int(dispute_id)) if dispute_id.isdigit() else None
        if dispute is None:
            ack(response_action="errors", errors={BlockId.NOTE: t(caller.lang, "err_dispute_unknown",
                                                                    number=f"DSP-{dispute_id}")})
            return
        if not may_act(runtime, user, dispute):
            ack(response_action="errors", errors={BlockId.NOTE: t(caller.lang, "err_dispute_not_yours")})
            return
        number, channel = dispute.number, dispute.contract.channel
    values = submitted_values(view)
    note = (values.get(BlockId.NOTE) or "").strip()
    if not note:
        ack(response_action="errors", errors={BlockId.NOTE: t(caller.lang, "err_dispute_update_nothing")})
        return
    if len(note) > MAX_NOTE:
        ack(response_action="errors", errors={BlockId.NOTE: t(caller.lang, "err_too_long", field="note")})
        return
    status = read_status(values.get(BlockId.STATUS)) if values.get(BlockId.STATUS) else None
    try:
        reply = apply_update(runtime, caller, number, status, note)
    except DomainError as exc:
        ack(response_action="errors", errors={BlockId.STATUS if status else BlockId.NOTE: explain(caller.lang, exc)})
        return
    ack()
    if reply.message is not None:
        client.chat_postMessage(channel=channel or user, **reply.message.to_dict())
    for post_channel, message in reply.posts:
        if post_channel != channel:
            client.chat_postMessage(channel=post_channel, **message.to_dict())
    if alert_id.isdigit():
        settled = t(caller.lang, "dsp_reminder_updated", user=who(user))
        settle_and_refresh(runtime, client, int(alert_id), settled=settled, now=runtime.now())
