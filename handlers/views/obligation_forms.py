"""The Done form of an obligation alert: evidence and note, then the same service as `/obligation done`.
Refusals (evidence missing, not allowed, already done) go back into the form (response_action: errors)."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.i18n import t
from bot.render.ids import BlockId
from bot.render.modals import submitted_values
from bot.render.obligations import settled_line
from handlers.actions.alert_buttons import settle_and_refresh
from handlers.commands.obligation import complete
from handlers.errors import explain
from handlers.runtime import Runtime
from storage import obligations


def on_done_submitted(ack: Ack, body: dict, view: dict, client: WebClient, runtime: Runtime) -> None:
    obligation_id, alert_id, lang = ((view.get("private_metadata") or "") + "||").split("|")[:3]
    user = body["user"]["id"]
    lang = lang or runtime.language_for(client, user)
    values = submitted_values(view)
    try:
        with runtime.session_factory.begin() as session:
            obligation = obligations.get_by_id(session, obligation_id=int(obligation_id or 0))
            if obligation is None:
                ack(response_action="errors", errors={BlockId.EVIDENCE: t(lang, "err_alert_gone")})
                return
            reply = complete(runtime, user, lang, obligation, session=session, evidence=values.get(BlockId.EVIDENCE),
                             note=values.get(BlockId.NOTE))
            channel = obligation.contract.channel or user
    except DomainError as exc:
        ack(response_action="errors", errors={BlockId.EVIDENCE: explain(lang, exc)})
        return
    ack()
    if alert_id:
        settle_and_refresh(runtime, client, int(alert_id), settled=settled_line(runtime.settings.language, "done", user),
                           now=runtime.now())
    if reply.message is not None:
        client.chat_postMessage(channel=channel, **reply.message.to_dict())
