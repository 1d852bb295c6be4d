"""One grouped message when many deadline alerts are due for one destination in one sweep.

Most urgent first (overdue on top); the first SHOWN contracts each keep their line (mentioning the
owner) and their buttons, which act on that contract's own alert; the rest are counted, with the
command that lists them. Every contract in the group is still one alert in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import Block

from bot.deadlines import days_left
from bot.i18n import fmt_date, fmt_days, t
from bot.render.alerts import AlertState, actions
from bot.render.common import Message, context, header, section, who
from bot.render.contracts import mrkdwn_escape, vendor_name

SHOWN = 10  # 1 header + 2 blocks per contract shown + 1 footer: 22 blocks, well under Slack's 50


@dataclass(frozen=True, slots=True)
class GroupItem:
    alert_id: int
    contract: Any  # reference, title, vendor, owner, act_by
    state: AlertState = AlertState()


def renewals_command(last_act_by: date, today: date) -> str:
    """The /renewals window that lists every contract of the group (overdue ones are always listed)."""
    return f"/renewals next {max(days_left(last_act_by, today), 1)} days"


def deadline_group(lang: str, items: list[GroupItem], *, today: date, total: int | None = None,
                   last_act_by: date | None = None) -> Message:
    """`items` most urgent first (at least the SHOWN first ones); `total` (default len(items)) counts the
    whole group and `last_act_by` is its furthest act-by date (default: that of the items given)."""
    total = len(items) if total is None else total
    last_act_by = last_act_by or max((item.contract.act_by for item in items), default=today)
    owners = sorted({item.contract.owner for item in items if item.contract.owner})
    title = t(lang, "scale_group_header", count=total)
    blocks: list[Block] = [header(title)]
    lines = [title]
    for item in items[:SHOWN]:
        contract = item.contract
        left = days_left(contract.act_by, today)
        name = f"*{contract.reference} · {mrkdwn_escape(contract.title)}* ({mrkdwn_escape(vendor_name(contract))})"
        line = t(lang, "alert_overdue" if left < 0 else "alert_due", owner=who(contract.owner), name=name,
                 act_by=fmt_date(lang, contract.act_by), left=fmt_days(lang, left))
        notes = []
        if item.state.acknowledged_by:
            notes.append(t(lang, "alert_acked", user=who(item.state.acknowledged_by)))
        if item.state.snoozed_by and item.state.snoozed_until:
            notes.append(t(lang, "alert_snoozed", user=who(item.state.snoozed_by),
                           until=fmt_date(lang, item.state.snoozed_until)))
        if item.state.settled:
            notes.append(item.state.settled)
        body = "\n".join([line, *[f"_{note}_" for note in notes]])
        blocks.append(section(body))
        lines.append("\n".join([line.replace("*", ""), *notes]))
        if not item.state.settled:
            blocks.append(actions(lang, item.alert_id, deadline=True))
    hidden = total - min(len(items), SHOWN)
    footer = t(lang, "scale_group_more", count=hidden, command=renewals_command(last_act_by, today)) if hidden > 0 \
        else t(lang, "scale_group_all", command=renewals_command(last_act_by, today))
    if len(owners) > 1:
        footer += "\n" + t(lang, "scale_group_owners", owners=", ".join(who(o) for o in owners[:30]))
    blocks.append(context(footer))
    lines.append(footer)
    return Message(text="\n".join(lines), blocks=blocks)
