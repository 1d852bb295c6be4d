"""Block Kit rendering: pure functions that return slack_sdk models, with a plain-text fallback."""

from bot.render.common import Message

__all__ = ["Message"]
