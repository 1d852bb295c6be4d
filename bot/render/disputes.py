"""Disputes: the confirmation of each write, the dispute card with its timeline, lists with totals,
the stale reminder with its buttons, and the update form. Everything a person typed is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.disputes import allowed_moves, written_off
from bot.i18n import fmt_money, fmt_pct, t
from bot.render.common import (
    MAX_BLOCKS,
    Message,
    context,
    fields_section,
    header,
    lines_sections,
    mrkdwn_escape,
    section,
    who,
)
from bot.render.ids import ActionId, BlockId, CallbackId
from bot.render.incidents import when
from bot.text import truncate


def status_name(lang: str, status: str) -> str:
    return t(lang, f"dsp_status_{status}")


def _money(lang: str, amount: Decimal | None, currency: str) -> str:
    return fmt_money(lang, amount, currency)


def _plain(body: str) -> str:
    return body.replace("*", "")


def _title(dispute: Any) -> str:
    return f"{dispute.number} · {dispute.contract.reference} {dispute.contract.title}"


def amounts_line(lang: str, dispute: Any) -> str:
    currency = dispute.currency
    text = t(lang, "dsp_amounts", claimed=_money(lang, dispute.amount_claimed, currency),
             recovered=_money(lang, dispute.amount_recovered, currency))
    if dispute.status == "closed":
        text += " · " + t(lang, "dsp_written_off",
                          amount=_money(lang, written_off(dispute.amount_claimed, dispute.amount_recovered), currency))
    return text


def credit_lines(lang: str, dispute: Any) -> list[str]:
    """The explanation of each service credit a `from:sla` dispute was opened from."""
    if not dispute.from_sla:
        return []
    currency = dispute.currency
    last = dispute.sla_period_end
    lines = [t(lang, "dsp_from_sla", start=str(dispute.sla_period_start),
               end=str(last.fromordinal(last.toordinal() - 1)) if last else "—")]
    for item in dispute.credit_detail or []:
        money = {k: _money(lang, Decimal(item[k]), currency) for k in ("amount", "monthly_fee", "cap", "before_cap")
                 if item.get(k) is not None}
        pct = {k: fmt_pct(lang, Decimal(item[k])) for k in ("credit_pct", "target", "availability", "cap_pct")
               if item.get(k) not in (None, "None")}
        kind = item.get("kind")
        if kind == "incidents":
            lines.append("• " + t(lang, "dsp_credit_incidents", priority=item.get("priority"),
                                  n=item.get("breached_incidents"), **pct, **money))
        elif kind == "availability":
            lines.append("• " + t(lang, "dsp_credit_availability", **pct, **money))
        elif kind == "cap":
            lines.append("• " + t(lang, "dsp_credit_cap", **pct, **money))
    return lines


def recorded(lang: str, dispute: Any, incidents: Sequence[Any]) -> Message:
    head = t(lang, "dsp_opened", number=dispute.number, ref=dispute.contract.reference,
             title=mrkdwn_escape(dispute.contract.title), user=who(dispute.opened_by),
             summary=mrkdwn_escape(dispute.summary))
    lines = [head, amounts_line(lang, dispute)]
    if incidents:
        lines.append(t(lang, "dsp_incidents", numbers=", ".join(i.number for i in incidents)))
    lines += credit_lines(lang, dispute)
    body = "\n".join(lines)
    return Message(text=_plain(body), blocks=[section(body)])


def changed(lang: str, dispute: Any, *, kind: str, before: str, actor: str, note: str | None) -> Message:
    """A status move, a reopening, a note or a closing, confirmed in the channel."""
    values = dict(number=dispute.number, ref=dispute.contract.reference, user=who(actor),
                  before=status_name(lang, before), after=status_name(lang, dispute.status))
    lines = [t(lang, f"dsp_done_{kind}", **values)]
    if kind == "close":
        if dispute.outcome:
            lines.append(t(lang, "dsp_outcome", outcome=mrkdwn_escape(dispute.outcome)))
        lines.append(amounts_line(lang, dispute))
    if note:
        lines.append(f"_{mrkdwn_escape(note)}_")
    body = "\n".join(lines)
    return Message(text=_plain(body), blocks=[section(body)])


def _value(value: Any, lang: str = "en", tz: ZoneInfo | None = None) -> str:
    if value is None or value == "":
        return "—"
    if tz is not None and isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            return when(lang, datetime.fromisoformat(value), tz)  # an instant recorded in the trail
        except ValueError:
            pass
    return mrkdwn_escape(truncate(str(value), 200))


def _field(lang: str, key: str) -> str:
    try:
        return t(lang, "dsp_field_" + key)
    except KeyError:  # a field recorded by a later version: its name
        return mrkdwn_escape(key)


def event_line(lang: str, event: Any, tz: ZoneInfo, *, with_number: bool) -> str:
    """One timeline entry: when, what, who; before → after; the note."""
    at = event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    actor = who(event.actor) if event.actor[:1] in "UW" and event.actor[1:].isalnum() else mrkdwn_escape(event.actor)
    what = t(lang, "action_" + event.action)
    if with_number:
        what = f"DSP-{event.entity_id} {what}"
    line = f"`{at}` *{what}* · {actor}"
    parts = []
    for key, (before, after) in (event.changes or {}).items():
        if key == "status":
            before = status_name(lang, before) if before else None
            after = status_name(lang, after) if after else None
        if before is None:
            parts.append(f"{_field(lang, key)}: {_value(after, lang, tz)}")
        else:
            parts.append(f"{_field(lang, key)}: {_value(before, lang, tz)} → {_value(after, lang, tz)}")
    if parts:
        line += "\n    " + "; ".join(parts)
    if event.note:
        line += f"\n    _{mrkdwn_escape(truncate(event.note, 500))}_"
    return line


def card(lang: str, dispute: Any, incidents: Sequence[Any], events: Sequence[Any], tz: ZoneInfo) -> Message:
    currency = dispute.currency
    pairs = [
        (t(lang, "f_status"), status_name(lang, dispute.status)),
        (t(lang, "f_opened"), f"{when(lang, dispute.opened_at, tz)} · {who(dispute.opened_by)}"),
        (t(lang, "dsp_f_claimed"), _money(lang, dispute.amount_claimed, currency)),
        (t(lang, "dsp_f_recovered"), _money(lang, dispute.amount_recovered, currency)),
        (t(lang, "dsp_f_last_change"), when(lang, dispute.last_activity_at, tz)),
    ]
    if dispute.status == "closed":
        pairs.append((t(lang, "dsp_f_written_off"),
                      _money(lang, written_off(dispute.amount_claimed, dispute.amount_recovered), currency)))
        pairs.append((t(lang, "dsp_f_outcome"), _value(dispute.outcome)))
    extra = credit_lines(lang, dispute)
    extra.append(t(lang, "dsp_incidents", numbers=", ".join(
        f"{i.number} ({i.priority}, {mrkdwn_escape(truncate(i.summary, 60))})" for i in incidents))
        if incidents else t(lang, "dsp_no_incidents"))
    timeline_title = t(lang, "dsp_timeline")
    lines = [event_line(lang, e, tz, with_number=False) for e in events]
    blocks: list[Any] = [header(mrkdwn_escape(_title(dispute))), section(mrkdwn_escape(dispute.summary)),
                         fields_section(pairs),
                         context("\n".join(extra)), section(f"*{timeline_title}*")]
    blocks += lines_sections(lines, budget=MAX_BLOCKS - len(blocks))
    text = "\n".join([mrkdwn_escape(_title(dispute)), mrkdwn_escape(dispute.summary)]
                     + [f"{a}: {_plain(b)}" for a, b in pairs]
                     + [_plain(x) for x in extra] + [timeline_title] + [_plain(x) for x in lines])
    return Message(text=text, blocks=blocks)


def _totals(lang: str, amounts: dict[str, Decimal]) -> str:
    return " + ".join(_money(lang, v, c) for c, v in amounts.items()) or _money(lang, Decimal(0), "EUR")


def listing(lang: str, found: Any, *, title: str, tz: ZoneInfo, now: datetime) -> Message:
    totals = t(lang, "dsp_totals", claimed=_totals(lang, found.claimed), recovered=_totals(lang, found.recovered))
    if not found.rows:
        empty = t(lang, "dsp_list_empty")
        return Message(text=f"{title}\n{empty}", blocks=[header(title), section(empty)])
    lines = []
    for d in found.rows:
        days = (now - d.last_activity_at).days
        lines.append(f"*{d.number}* · {d.contract.reference} · {mrkdwn_escape(truncate(d.summary, 120))} · "
                     f"{status_name(lang, d.status)} · {_money(lang, d.amount_claimed, d.currency)} · "
                     + t(lang, "dsp_age", opened=when(lang, d.opened_at, tz), days=days))
    blocks: list[Any] = [header(title)] + lines_sections(lines, budget=MAX_BLOCKS - 3)
    if found.total > len(found.rows):
        blocks.append(context(t(lang, "more_not_shown", n=found.total - len(found.rows))))
    blocks.append(context(totals))
    return Message(text="\n".join([title] + [_plain(x) for x in lines] + [_plain(totals)]), blocks=blocks)


def card_fields(lang: str, summary: Any, currency: str) -> list[tuple[str, str]]:
    """The contract card's line: open disputes and the amount at stake."""
    if not summary.count:
        return [(t(lang, "dsp_f_open_disputes"), "0")]
    return [(t(lang, "dsp_f_open_disputes"),
             t(lang, "dsp_card_open", n=summary.count, amount=_money(lang, summary.at_stake, currency)))]


def stale_reminder(lang: str, dispute: Any, *, alert_id: int, recipient: str | None, now: datetime, tz: ZoneInfo,
                   settled: str | None = None) -> Message:
    days = (now - dispute.last_activity_at).days
    body = t(lang, "dsp_stale", user=who(recipient), number=dispute.number, ref=dispute.contract.reference,
             title=mrkdwn_escape(dispute.contract.title), summary=mrkdwn_escape(truncate(dispute.summary, 300)),
             status=status_name(lang, dispute.status), days=days, last=when(lang, dispute.last_activity_at, tz),
             claimed=_money(lang, dispute.amount_claimed, dispute.currency))
    blocks: list[Any] = [section(body)]
    value = f"{dispute.id}:{alert_id}"
    if settled:
        blocks.append(context(settled))
    else:
        blocks.append(ActionsBlock(elements=[
            ButtonElement(text=t(lang, "dsp_btn_update"), action_id=ActionId.DISPUTE_UPDATE, value=value,
                          style="primary"),
            ButtonElement(text=t(lang, "btn_snooze"), action_id=ActionId.DISPUTE_SNOOZE, value=value),
        ]))
    return Message(text="\n".join([_plain(body)] + ([settled] if settled else [])), blocks=blocks)


def update_modal(lang: str, dispute: Any, *, alert_id: int | None) -> dict[str, Any]:
    """The "Add an update" form: a note (required) and a status (optional: only the allowed moves)."""
    note = InputBlock(block_id=BlockId.NOTE, label=t(lang, "m_note"),
                      element=PlainTextInputElement(action_id=BlockId.NOTE, multiline=True, max_length=3000))
    blocks: list[Any] = [section(t(lang, "dsp_m_intro", number=dispute.number, ref=dispute.contract.reference,
                                   status=status_name(lang, dispute.status))), note]
    moves = [s for s in allowed_moves(dispute.status) if s != "open"]
    if moves:
        blocks.append(InputBlock(block_id=BlockId.STATUS, label=t(lang, "dsp_m_status"), optional=True,
                                 element=StaticSelectElement(action_id=BlockId.STATUS, options=[
                                     Option(value=s, label=status_name(lang, s)) for s in moves])))
    view = View(type="modal", callback_id=CallbackId.DISPUTE_UPDATE, title=t(lang, "dsp_m_title"),
                submit=t(lang, "m_submit"), close=t(lang, "m_cancel"), blocks=blocks,
                private_metadata=f"{dispute.id}|{alert_id or ''}|{lang}")
    return view.to_dict()
