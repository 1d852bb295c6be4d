"""A listener that failed answers the person, with the correlation id of the logged error: a
button in its thread (ephemeral), a form in the form itself (or by DM once it was closed), App
Home on the Home tab. Called by the app's error handler; never raises."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.render.common import notice

logger = logging.getLogger(__name__)


def _first_input_block(view: dict[str, Any]) -> str | None:
    return next((b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"
                 and b.get("block_id")), None)


def tell_failure(body: dict[str, Any], *, text: str, respond: Respond | None, client: WebClient | None,
                 can_answer: bool) -> BoltResponse | None:
    """Say `text` to whoever's request failed. When the HTTP answer is still ours to give (`can_answer`:
    Bolt has not sent an ack yet), a form gets `text` in the form, and anything else a plain 200 since
    the person was told; the BoltResponse returned becomes that answer."""
    message = notice(text)
    kind = body.get("type")
    user = (body.get("user") or {}).get("id") or (body.get("event") or {}).get("user")
    answered = BoltResponse(status=200, body="") if can_answer else None
    try:
        if kind == "view_submission":
            block_id = _first_input_block(body.get("view") or {})
            if can_answer and block_id:
                return BoltResponse(status=200, body=json.dumps({"response_action": "errors",
                                                                 "errors": {block_id: text}}),
                                    headers={"content-type": "application/json"})
            if client is not None and user:
                client.chat_postMessage(channel=user, **message.to_dict())
        elif kind == "event_callback" and (body.get("event") or {}).get("type") == "app_home_opened":
            if client is not None and user:
                client.views_publish(user_id=user, view=View(type="home", blocks=message.within_limit()))
        elif respond is not None and (body.get("response_url") or body.get("response_urls")):
            respond(**message.to_dict(), response_type="ephemeral", replace_original=False)
        elif client is not None and user:
            client.chat_postMessage(channel=user, **message.to_dict())
    except Exception:
        logger.warning("could not tell the person about a failed %s request", kind, exc_info=True)
        return None
    return answered
