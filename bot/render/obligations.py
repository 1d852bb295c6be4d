"""Obligations: confirmations, the OBL card with its history, lists, contract-card lines, alerts, the done form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot import obligations as rules
from bot.deadlines import days_left
from bot.i18n import fmt_date, fmt_days, t
from bot.render.common import MAX_BLOCKS, Message, context, fields_section, header, lines_sections, section, who
from bot.render.contracts import duration_text, mrkdwn_escape
from bot.render.ids import ActionId, BlockId, CallbackId
from bot.text import truncate


def status_text(lang: str, obligation: Any, today: date, thresholds: Sequence[int]) -> str:
    return t(lang, "obl_status_" + rules.status(obligation.state, obligation.due_on, today, thresholds))


def every_text(lang: str, obligation: Any) -> str:
    return t(lang, "obl_every", every=duration_text(lang, obligation.every)) if obligation.every else t(lang, "obl_once")


def _what(obligation: Any, limit: int = 200) -> str:
    return mrkdwn_escape(truncate(obligation.what, limit))


def _plain(body: str) -> str:
    return body.replace("*", "")


def added(lang: str, obligation: Any, actor: str, *, today: date) -> Message:
    body = t(lang, "obl_added", user=who(actor), number=obligation.number, ref=obligation.contract.reference,
             title=mrkdwn_escape(obligation.contract.title), what=_what(obligation),
             due=fmt_date(lang, obligation.due_on), left=fmt_days(lang, days_left(obligation.due_on, today)),
             every=every_text(lang, obligation))
    return Message(text=_plain(body), blocks=[section(body)])


def done(lang: str, obligation: Any, fulfilment: Any, actor: str, *, today: date) -> Message:
    values = dict(user=who(actor), number=obligation.number, ref=obligation.contract.reference, what=_what(obligation))
    if obligation.every:
        body = t(lang, "obl_done_next", was=fmt_date(lang, fulfilment.due_on), due=fmt_date(lang, obligation.due_on),
                 left=fmt_days(lang, days_left(obligation.due_on, today)), **values)
    else:
        body = t(lang, "obl_done", **values)
    if fulfilment.evidence:
        body += "\n" + t(lang, "obl_evidence_line", evidence=mrkdwn_escape(truncate(fulfilment.evidence, 500)))
    return Message(text=_plain(body), blocks=[section(body)])


def waived(lang: str, obligation: Any, actor: str) -> Message:
    body = t(lang, "obl_waived", user=who(actor), number=obligation.number, ref=obligation.contract.reference,
             what=_what(obligation), note=mrkdwn_escape(truncate(obligation.closed_note or "", 500)))
    return Message(text=_plain(body), blocks=[section(body)])


def _line(lang: str, obligation: Any, today: date, thresholds: Sequence[int]) -> str:
    return t(lang, "obl_line", number=obligation.number, status=status_text(lang, obligation, today, thresholds),
             ref=obligation.contract.reference, what=_what(obligation, 120), due=fmt_date(lang, obligation.due_on),
             left=fmt_days(lang, days_left(obligation.due_on, today)), owner=who(obligation.owner))


def listing(lang: str, rows: Sequence[Any], total: int, *, title: str, today: date,
            thresholds: Sequence[int]) -> Message:
    if not rows:
        empty = t(lang, "obl_list_empty")
        return Message(text=f"{title}\n{empty}", blocks=[header(title), section(empty)])
    lines = [_line(lang, row, today, thresholds) for row in rows]
    blocks: list[Any] = [header(title)] + lines_sections(lines, budget=MAX_BLOCKS - 2)
    shown = sum(block.text.text.count("\n") + 1 for block in blocks[1:])
    plain = [title] + [_plain(line) for line in lines[:shown]]
    if total > shown:
        more = t(lang, "more_not_shown", n=total - shown)
        blocks.append(context(more))
        plain.append(more)
    return Message(text="\n".join(plain), blocks=blocks)


def _history_lines(lang: str, events: Sequence[Any], tz: ZoneInfo) -> list[str]:
    lines = []
    for event in events:
        when = event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        parts = [f"{k}: {'—' if a is None else a} → {'—' if b is None else b}" for k, (a, b) in event.changes.items()
                 if event.action != "obligation_add"]
        line = f"`{when}` *{t(lang, 'action_' + event.action)}* · {who(event.actor)}"
        if parts:
            line += "\n    " + mrkdwn_escape("; ".join(parts))
        if event.note:
            line += f"\n    _{mrkdwn_escape(truncate(event.note, 500))}_"
        lines.append(line)
    return lines


def card(lang: str, obligation: Any, *, events: Sequence[Any], fulfilments: Sequence[Any], today: date,
         tz: ZoneInfo, thresholds: Sequence[int]) -> Message:
    contract = obligation.contract
    title = f"{obligation.number} · {truncate(obligation.what, 100)}"
    status = status_text(lang, obligation, today, thresholds)
    pairs = [
        (t(lang, "f_obl_contract"), f"{contract.reference} · {mrkdwn_escape(contract.title)}"),
        (t(lang, "f_obl_status"), status),
        (t(lang, "f_obl_due"), f"{fmt_date(lang, obligation.due_on)} ({fmt_days(lang, days_left(obligation.due_on, today))})"),
        (t(lang, "f_obl_every"), every_text(lang, obligation)),
        (t(lang, "f_obl_owner"), who(obligation.owner or contract.owner)),
        (t(lang, "f_obl_party"), t(lang, "obl_party_" + obligation.party)),
        (t(lang, "f_obl_evidence"), t(lang, "obl_evidence_required" if obligation.evidence_required
                                      else "obl_evidence_optional")),
    ]
    blocks: list[Any] = [header(mrkdwn_escape(title)), section(_what(obligation, 2000)), fields_section(pairs)]
    text = [mrkdwn_escape(title), _what(obligation, 2000)] + [f"{a}: {b}" for a, b in pairs]
    if obligation.snoozed_until and obligation.state == rules.OPEN:
        snoozed = t(lang, "obl_snoozed_line", user=who(obligation.snoozed_by),
                    until=fmt_date(lang, obligation.snoozed_until.astimezone(tz).date()))
        blocks.append(context(snoozed))
        text.append(snoozed)
    if fulfilments:
        lines = [t(lang, "obl_fulfilment_line", due=fmt_date(lang, f.due_on), done=fmt_date(lang, f.done_on),
                   user=who(f.done_by),
                   evidence=(" · " + mrkdwn_escape(truncate(f.evidence, 300))) if f.evidence else "")
                 for f in fulfilments[-20:]]
        blocks.append(section(f"*{t(lang, 'obl_fulfilments')}*\n" + "\n".join(lines)))
        text += [t(lang, "obl_fulfilments")] + lines
    history = _history_lines(lang, events, tz)
    if history:
        blocks.append(context(f"*{t(lang, 'obl_history')}*"))
        blocks += lines_sections(history, budget=MAX_BLOCKS - len(blocks))
        text += [t(lang, "obl_history")] + [_plain(line) for line in history]
    return Message(text="\n".join(text), blocks=blocks[:MAX_BLOCKS])


def card_fields(lang: str, summary: Any, *, today: date) -> list[tuple[str, str]]:
    """The contract card's obligation lines: the next one due, and how many are overdue."""
    nxt = summary.next_due
    next_text = t(lang, "card_obl_none") if nxt is None else t(
        lang, "card_obl_next", number=nxt.number, what=_what(nxt, 80), due=fmt_date(lang, nxt.due_on),
        left=fmt_days(lang, days_left(nxt.due_on, today)))
    return [(t(lang, "f_next_obligation"), next_text), (t(lang, "f_overdue_obligations"), str(summary.overdue))]


@dataclass(frozen=True, slots=True)
class AlertState:
    snoozed_by: str | None = None
    snoozed_until: date | None = None
    settled: str | None = None  # "done by …" / "waived by …": the buttons go


def alert(lang: str, obligation: Any, *, due: date, alert_id: int, today: date,
          state: AlertState = AlertState()) -> Message:
    contract = obligation.contract
    left = days_left(due, today)
    owner = obligation.owner or contract.owner
    first = t(lang, "obl_alert_overdue" if left < 0 else "obl_alert_due", owner=who(owner), number=obligation.number,
              what=_what(obligation), ref=contract.reference, title=mrkdwn_escape(contract.title),
              due=fmt_date(lang, due), left=fmt_days(lang, left))
    lines = [first, t(lang, "obl_alert_party_" + obligation.party)]
    if obligation.evidence_required:
        lines.append(t(lang, "obl_alert_evidence"))
    body = "\n".join(lines)
    blocks: list[Any] = [section(body)]
    notes = []
    if state.snoozed_by and state.snoozed_until:
        notes.append(t(lang, "obl_snoozed_until", user=who(state.snoozed_by), until=fmt_date(lang, state.snoozed_until)))
    if state.settled:
        notes.append(state.settled)
    else:
        value = str(alert_id)
        blocks.append(ActionsBlock(elements=[
            ButtonElement(text=t(lang, "btn_obl_done"), action_id=ActionId.OBLIGATION_DONE, value=value,
                          style="primary"),
            ButtonElement(text=t(lang, "btn_obl_snooze"), action_id=ActionId.OBLIGATION_SNOOZE, value=value),
        ]))
    if notes:
        blocks.append(context("\n".join(notes)))
    return Message(text="\n".join([_plain(body), *notes]), blocks=blocks)


def settled_line(lang: str, action: str, user: str) -> str:
    """Under an alert once the obligation was done or waived (its buttons go)."""
    return t(lang, "obl_alert_done" if action == "done" else "obl_alert_waived", user=who(user))


def done_modal(lang: str, obligation: Any, *, alert_id: int | None) -> dict[str, Any]:
    """The form behind an alert's Done button: the evidence (required when the obligation says so) and a note."""
    hint = t(lang, "m_obl_evidence_hint", number=obligation.number, what=truncate(obligation.what, 150))
    blocks = [
        section(mrkdwn_escape(hint)),
        InputBlock(block_id=BlockId.EVIDENCE, label=t(lang, "m_obl_evidence"), optional=not obligation.evidence_required,
                   element=PlainTextInputElement(action_id=BlockId.EVIDENCE, max_length=1000)),
        InputBlock(block_id=BlockId.NOTE, label=t(lang, "m_obl_note"), optional=True,
                   element=PlainTextInputElement(action_id=BlockId.NOTE, multiline=True, max_length=1000)),
    ]
    view = View(type="modal", callback_id=CallbackId.OBLIGATION_DONE, title=t(lang, "m_obl_done_title"),
                submit=t(lang, "m_submit"), close=t(lang, "m_cancel"), blocks=blocks,
                private_metadata=f"{obligation.id}|{alert_id or ''}|{lang}")
    return view.to_dict()
