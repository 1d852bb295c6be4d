"""Thin Bolt listeners: parse → one service call → render. `register_listeners(app)` wires them all."""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, events, slash, views


def register_listeners(app: App) -> None:
    slash.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
