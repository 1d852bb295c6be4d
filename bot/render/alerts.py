"""Deadline alerts: who must act, by when, what happens otherwise, and buttons to act in place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject, PlainTextObject

from bot.deadlines import Renewal, days_left
from bot.i18n import fmt_date, fmt_days, fmt_money, t
from bot.render.common import Message, context, section, who
from bot.render.contracts import duration_text, mrkdwn_escape, vendor_name
from bot.render.ids import ActionId


@dataclass(frozen=True, slots=True)
class AlertState:
    """What has happened to a posted alert since (shown under it; buttons go once it is settled)."""

    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    snoozed_by: str | None = None
    snoozed_until: date | None = None
    settled: str | None = None  # a line saying the contract was renewed or notice was given


def deadline(lang: str, contract: Any, *, threshold: int, alert_id: int, today: date,
             state: AlertState = AlertState()) -> Message:
    left = days_left(contract.act_by, today)
    name = f"*{mrkdwn_escape(contract.reference)} · {mrkdwn_escape(contract.title)}* ({mrkdwn_escape(vendor_name(contract))})"
    lead_key = "alert_overdue" if left < 0 else "alert_due"
    first = t(lang, lead_key, owner=who(contract.owner), name=name, act_by=fmt_date(lang, contract.act_by),
              left=fmt_days(lang, left))
    if contract.renewal == Renewal.AUTO:
        consequence = t(lang, "alert_auto", end=fmt_date(lang, contract.end_date),
                        term=duration_text(lang, contract.term), notice=fmt_date(lang, contract.notice_deadline))
    else:
        consequence = t(lang, "alert_ends", end=fmt_date(lang, contract.end_date),
                        notice=fmt_date(lang, contract.notice_deadline))
    value = t(lang, "alert_value", value=fmt_money(lang, contract.annual_value, contract.currency))
    body = f"{first}\n{consequence}\n{value}"
    blocks: list[Any] = [section(body)]
    notes = []
    if state.acknowledged_by:
        notes.append(t(lang, "alert_acked", user=who(state.acknowledged_by)))
    if state.snoozed_by and state.snoozed_until:
        notes.append(t(lang, "alert_snoozed", user=who(state.snoozed_by), until=fmt_date(lang, state.snoozed_until)))
    if state.settled:
        notes.append(state.settled)
    if not state.settled:
        blocks.append(actions(lang, alert_id, deadline=True))
    if notes:
        blocks.append(context("\n".join(notes)))
    plain = "\n".join([body.replace("*", ""), *notes])
    return Message(text=plain, blocks=blocks)


def actions(lang: str, alert_id: int, *, deadline: bool) -> ActionsBlock:
    value = str(alert_id)
    buttons = [
        ButtonElement(text=t(lang, "btn_ack"), action_id=ActionId.ALERT_ACK, value=value),
        ButtonElement(text=t(lang, "btn_snooze"), action_id=ActionId.ALERT_SNOOZE, value=value),
    ]
    if deadline:
        buttons.append(ButtonElement(text=t(lang, "btn_renewed"), action_id=ActionId.ALERT_RENEWED, value=value,
                                     style="primary"))
        buttons.append(ButtonElement(
            text=t(lang, "btn_give_notice"), action_id=ActionId.ALERT_GIVE_NOTICE, value=value, style="danger",
            confirm=ConfirmObject(
                title=PlainTextObject(text=t(lang, "confirm_notice_title")),
                text=t(lang, "confirm_notice_text"),
                confirm=PlainTextObject(text=t(lang, "confirm_notice_yes")),
                deny=PlainTextObject(text=t(lang, "confirm_notice_no")),
            ),
        ))
    return ActionsBlock(elements=buttons)
