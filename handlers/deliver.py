"""Sending a Reply back: through response_url when Slack gave one, else the Web API."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import response_url
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime

logger = logging.getLogger(__name__)


def caller_from(runtime: Runtime, client: WebClient, body: dict[str, Any]) -> Caller:
    user = body.get("user_id") or (body.get("user") or {}).get("id") or ""
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id")
    return Caller(user_id=user, channel_id=channel, lang=runtime.language_for(client, user),
                  trigger_id=body.get("trigger_id"), response_url=body.get("response_url"))


def deliver(reply: Reply, *, caller: Caller, client: WebClient, respond: Respond | None) -> None:
    try:
        if reply.view is not None and caller.trigger_id:
            client.views_open(trigger_id=caller.trigger_id, view=reply.view)
        if reply.file is not None:
            name, text = reply.file
            channel = client.conversations_open(users=caller.user_id)["channel"]["id"]
            client.files_upload_v2(channel=channel, filename=name, content=text, title=name)
        if reply.message is not None:
            payload = reply.message.to_dict()
            if respond is not None and caller.response_url:
                # Kept-alive connections; 429 / 5xx / no connection retried, never a POST Slack may have
                # taken (bot.response_url). Bolt's respond() has neither.
                answer = response_url.POSTER.send(
                    caller.response_url, {**payload, "response_type": "in_channel" if reply.public else "ephemeral",
                                          "replace_original": False})
                if answer.status_code != 200:
                    logger.error("could not answer %s at its response_url: HTTP %s %s", caller.user_id,
                                 answer.status_code, answer.body[:200])
            elif reply.public and caller.channel_id:
                client.chat_postMessage(channel=caller.channel_id, **payload)
            elif caller.channel_id:
                client.chat_postEphemeral(channel=caller.channel_id, user=caller.user_id, **payload)
            else:
                client.chat_postMessage(channel=caller.user_id, **payload)
        for channel, message in reply.posts:
            client.chat_postMessage(channel=channel, **message.to_dict())
    except SlackApiError as exc:
        logger.error("could not deliver a reply to %s: %s", caller.user_id, exc.response.get("error"))
    if reply.image is not None:
        upload_image(reply.image, channel=caller.channel_id or caller.user_id, client=client)


def upload_image(draw: Callable[[], tuple[str, bytes, str] | None], *, channel: str, client: WebClient) -> bool:
    """Draw and upload an image after the text (files_upload_v2); a failure is logged, the text is already out."""
    name = "image"
    try:
        image = draw()
        if image is None:
            return False
        name, content, title = image
        client.files_upload_v2(channel=channel, filename=name, content=content, title=title)
        return True
    except Exception as exc:  # SlackApiError, or the upload URL not answering
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        logger.warning("could not upload %s to %s: %s", name, channel, error)
        return False
