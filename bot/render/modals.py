"""Modals: the add-contract form (same fields as `/contract add`) and the renew form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ChannelSelectElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot import bounds
from bot.contract_input import RENEWALS, TYPES
from bot.i18n import t
from bot.render.ids import BlockId, CallbackId


def _text(block_id: str, label: str, *, optional: bool = False, placeholder: str | None = None,
          multiline: bool = False, max_length: int | None = None) -> InputBlock:
    element = PlainTextInputElement(action_id=block_id, multiline=multiline, max_length=max_length,
                                    placeholder=PlainTextObject(text=placeholder) if placeholder else None)
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional)


def _select(lang: str, block_id: str, label: str, values: tuple[str, ...], prefix: str, initial: str) -> InputBlock:
    options = [Option(value=v, label=t(lang, prefix + v)) for v in values]
    initial_option = next(o for o in options if o.value == initial)
    return InputBlock(block_id=block_id, label=label, optional=True,
                      element=StaticSelectElement(action_id=block_id, options=options, initial_option=initial_option))


def add_contract_modal(lang: str) -> dict[str, Any]:
    blocks = [
        _text(BlockId.REFERENCE, t(lang, "m_reference"), placeholder="CTR-2027-001", max_length=bounds.MAX_REFERENCE),
        _text(BlockId.TITLE, t(lang, "m_title"), max_length=bounds.MAX_TITLE),
        _text(BlockId.VENDOR, t(lang, "m_vendor"), max_length=bounds.MAX_VENDOR),
        InputBlock(block_id=BlockId.END, label=t(lang, "m_end"), element=DatePickerElement(action_id=BlockId.END)),
        InputBlock(block_id=BlockId.START, label=t(lang, "m_start"), optional=True,
                   element=DatePickerElement(action_id=BlockId.START)),
        _select(lang, BlockId.TYPE, t(lang, "m_type"), TYPES, "type_", "other"),
        _select(lang, BlockId.RENEWAL, t(lang, "m_renewal"), RENEWALS, "renewal_", "manual"),
        _text(BlockId.NOTICE, t(lang, "m_notice"), optional=True, placeholder="90d, 3mo"),
        _text(BlockId.TERM, t(lang, "m_term"), optional=True, placeholder="12mo"),
        _text(BlockId.LEAD, t(lang, "m_lead"), optional=True, placeholder="30d"),
        _text(BlockId.VALUE, t(lang, "m_value"), optional=True, placeholder="120k"),
        _text(BlockId.CURRENCY, t(lang, "m_currency"), optional=True, placeholder="EUR"),
        InputBlock(block_id=BlockId.OWNER, label=t(lang, "m_owner"), optional=True,
                   element=UserSelectElement(action_id=BlockId.OWNER)),
        InputBlock(block_id=BlockId.CHANNEL, label=t(lang, "m_channel"), optional=True,
                   element=ChannelSelectElement(action_id=BlockId.CHANNEL)),
    ]
    view = View(type="modal", callback_id=CallbackId.ADD_CONTRACT, title=t(lang, "m_add_title"),
                submit=t(lang, "m_submit"), close=t(lang, "m_cancel"), blocks=blocks, private_metadata=lang)
    return view.to_dict()


def renew_modal(lang: str, *, reference: str, alert_id: int | None) -> dict[str, Any]:
    blocks = [
        InputBlock(block_id=BlockId.UNTIL, label=t(lang, "m_until"), optional=True,
                   element=DatePickerElement(action_id=BlockId.UNTIL)),
        _text(BlockId.TERM, t(lang, "m_renew_term"), optional=True, placeholder="12mo"),
        _text(BlockId.NOTE, t(lang, "m_note"), optional=True, multiline=True, max_length=bounds.MAX_NOTE),
    ]
    metadata = json.dumps({"reference": reference, "alert_id": alert_id, "lang": lang})
    view = View(type="modal", callback_id=CallbackId.RENEW_CONTRACT, title=t(lang, "m_renew_title"),
                submit=t(lang, "m_submit"), close=t(lang, "m_cancel"), blocks=blocks, private_metadata=metadata)
    return view.to_dict()


@dataclass(frozen=True, slots=True)
class RenewFormContext:
    reference: str
    alert_id: int | None
    lang: str | None


def read_renew_metadata(raw: str | None) -> RenewFormContext | None:
    """The renew form's private metadata (JSON, so a reference may hold any character); None if unreadable."""
    try:
        data = json.loads(raw or "")
        alert_id = data.get("alert_id")
        return RenewFormContext(reference=str(data["reference"]), alert_id=int(alert_id) if alert_id else None,
                                lang=str(data["lang"]) if data.get("lang") else None)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """Flatten a view submission's state into {block_id: text} (dates ISO, selects by value)."""
    out: dict[str, str] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for element in actions.values():
            value = (element.get("value") or element.get("selected_date") or element.get("selected_user")
                     or element.get("selected_channel") or (element.get("selected_option") or {}).get("value"))
            if value:
                out[block_id] = str(value)
    return out
