"""Events: direct messages and mentions (questions in English or French, deduplicated on event_id),
and the App Home dashboard."""

from __future__ import annotations

from slack_bolt import App

from handlers.acking import ack_first
from handlers.events import app_home, messages


def register(app: App) -> None:
    app.event("app_mention")(ack_first(messages.on_mention))
    app.event("app_home_opened")(ack_first(app_home.on_app_home_opened))
    app.event({"type": "message", "channel_type": "im"})(ack_first(messages.on_direct_message))
    app.event("message")(messages.ignore_other_messages)
