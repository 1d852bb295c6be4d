"""Buttons: show a contract from a pick list; acknowledge, snooze, renewed, give notice on alerts."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.render.ids import ActionId
from handlers.acking import ack_first
from handlers.actions import alert_buttons, dispute_buttons, obligation_buttons, revision_apply, show


def register(app: App) -> None:
    app.action(re.compile(f"^{ActionId.SHOW_CONTRACT}"))(ack_first(show.on_show_contract))
    app.action(ActionId.SHOW_INCIDENT)(ack_first(show.on_show_incident))
    app.action(ActionId.ALERT_ACK)(ack_first(alert_buttons.on_acknowledge))
    app.action(ActionId.ALERT_SNOOZE)(ack_first(alert_buttons.on_snooze))
    app.action(ActionId.ALERT_RENEWED)(ack_first(alert_buttons.on_renewed))
    app.action(ActionId.ALERT_GIVE_NOTICE)(ack_first(alert_buttons.on_give_notice))
    app.action(ActionId.DISPUTE_UPDATE)(ack_first(dispute_buttons.on_add_update))
    app.action(ActionId.DISPUTE_SNOOZE)(ack_first(dispute_buttons.on_snooze))
    app.action(ActionId.OBLIGATION_DONE)(ack_first(obligation_buttons.on_done))
    app.action(ActionId.OBLIGATION_SNOOZE)(ack_first(obligation_buttons.on_snooze))
    app.action(ActionId.REVISION_APPLY)(ack_first(revision_apply.on_apply))
