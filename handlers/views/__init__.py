"""Modal submissions: add a contract, renew a contract (from an alert's "Renewed" button)."""

from __future__ import annotations

from slack_bolt import App

from bot.render.ids import CallbackId
from handlers.acking import ack_first
from handlers.views import contract_forms, dispute_forms, obligation_forms


def register(app: App) -> None:
    app.view(CallbackId.ADD_CONTRACT)(ack_first(contract_forms.on_add_submitted))
    app.view(CallbackId.RENEW_CONTRACT)(ack_first(contract_forms.on_renew_submitted))
    app.view(CallbackId.DISPUTE_UPDATE)(ack_first(dispute_forms.on_update_submitted))
    app.view(CallbackId.OBLIGATION_DONE)(ack_first(obligation_forms.on_done_submitted))
