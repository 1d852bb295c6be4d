"""Contract cards, lists, renewals and history, rendered for a language and a day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.dates import Window
from bot.deadlines import Renewal, days_left
from bot.durations import Duration
from bot.i18n import fmt_date, fmt_days, fmt_money, t
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
from bot.render.disputes import event_line
from bot.render.ids import ActionId
from bot.text import truncate


def vendor_name(contract: Any) -> str:
    vendor = getattr(contract, "vendor", None)
    return vendor.name if vendor is not None else ""


# short unit -> the catalog key of its words ("n_years": "{n} years"; "…_one" for 1)
_UNIT_WORDS = {"y": "n_years", "mo": "n_months", "w": "n_weeks", "d": "n_days", "bd": "n_business_days",
               "h": "n_hours", "min": "n_minutes"}


def duration_text(lang: str, duration: Duration) -> str:
    """The duration in words, in the unit it was written in (`12mo` → "12 months", `1y` → "1 year",
    `2w` → "2 weeks"); one built by code, in its shortest unit."""
    written = duration.written()
    digits = len(written) - len(written.lstrip("0123456789"))
    n, key = int(written[:digits]), _UNIT_WORDS[written[digits:]]
    return t(lang, f"{key}_one" if n == 1 else key, n=n)


def renewal_text(lang: str, contract: Any) -> str:
    if contract.renewal == Renewal.AUTO:
        return t(lang, "renewal_auto_term", term=duration_text(lang, contract.term))
    return t(lang, f"renewal_{contract.renewal}")


def where(channel: str | None) -> str:
    return f"<#{channel}>" if channel else "—"


def title_line(contract: Any) -> str:
    return f"{mrkdwn_escape(contract.reference)} · {mrkdwn_escape(contract.title)}"


def shown_value(value: Any) -> str:
    """A before/after value of a change line (a title, a vendor…): escaped, bounded."""
    return "—" if value is None else mrkdwn_escape(truncate(str(value), 300))


def card(lang: str, contract: Any, *, today: date, extra: list[tuple[str, str]] | None = None) -> Message:
    """One contract: every date that costs money, and who owns it."""
    left = days_left(contract.act_by, today)
    notice_value = duration_text(lang, contract.notice)
    act_by_value = f"{fmt_date(lang, contract.act_by)} ({fmt_days(lang, left)})"
    if not contract.lead.is_zero:
        act_by_value += "\n" + t(lang, "lead_included", lead=duration_text(lang, contract.lead))
    pairs = [
        (t(lang, "f_vendor"), mrkdwn_escape(vendor_name(contract))),
        (t(lang, "f_type_status"), f"{t(lang, 'type_' + contract.type)} · {t(lang, 'status_' + contract.status)}"),
        (t(lang, "f_term"), f"{fmt_date(lang, contract.start_date)} → {fmt_date(lang, contract.end_date)}"),
        (t(lang, "f_renewal"), renewal_text(lang, contract)),
        (t(lang, "f_notice"), f"{notice_value} · {t(lang, 'deadline')} {fmt_date(lang, contract.notice_deadline)}"),
        (t(lang, "f_act_by"), act_by_value),
        (t(lang, "f_value"), fmt_money(lang, contract.annual_value, contract.currency)),
        (t(lang, "f_owner"), who(contract.owner)),
    ]
    blocks = [header(title_line(contract)), fields_section(pairs)]
    if extra:
        blocks.append(fields_section(extra))
    blocks.append(context(t(lang, "channel_line", channel=where(contract.channel))))
    text_lines = [title_line(contract)] + [f"{label}: {value}" for label, value in pairs + (extra or [])]
    return Message(text="\n".join(text_lines), blocks=blocks)


@lru_cache(maxsize=64)
def _line_words(lang: str) -> tuple[str, str, str]:
    """The words every listing line repeats: ("*overdue* · ", "act by", "ends") in `lang`."""
    return f"*{t(lang, 'overdue')}* · ", t(lang, "act_by"), t(lang, "ends")


@lru_cache(maxsize=4096)
def _line_days(lang: str, days: int) -> str:
    return fmt_days(lang, days)


@lru_cache(maxsize=256)
def _line_renewal(lang: str, renewal: str, term: Duration | None, unit: str | None) -> str:
    """`unit` is part of the key: Durations are equal across units (`12mo` == `1y`), their words are not."""
    return renewal_text(lang, _Renewing(renewal, term))


@dataclass(frozen=True, slots=True)
class _Renewing:
    renewal: str
    term: Duration | None


def _line(lang: str, contract: Any, today: date) -> str:
    """One contract of a listing (200 of them for `/renewals`): the repeated words, day counts and
    renewal texts come from small caches — the same text as calling `t` for each (~1 ms a listing)."""
    left = days_left(contract.act_by, today)
    overdue_flag, act_by, ends = _line_words(lang)
    flag = overdue_flag if left < 0 and contract.end_date >= today else ""
    renewing = _line_renewal(lang, contract.renewal, contract.term, getattr(contract.term, "unit", None))
    return (f"{flag}*{mrkdwn_escape(contract.reference)}* {mrkdwn_escape(contract.title)} — {mrkdwn_escape(vendor_name(contract))}"
            f" · {act_by} {fmt_date(lang, contract.act_by)} ({_line_days(lang, left)})"
            f" · {ends} {fmt_date(lang, contract.end_date)} · {renewing}"
            f" · {fmt_money(lang, contract.annual_value, contract.currency)}")


def _listing(lang: str, title: str, contracts: Sequence[Any], total: int, today: date, empty: str) -> Message:
    if not contracts:
        return Message(text=f"{title}\n{empty}", blocks=[header(title), section(empty)])
    lines = [_line(lang, c, today) for c in contracts]
    blocks: list[Any] = [header(title)]
    blocks += lines_sections(lines, budget=MAX_BLOCKS - 3)
    shown = sum(block.text.text.count("\n") + 1 for block in blocks[1:])
    if total > shown:
        blocks.append(context(t(lang, "more_not_shown", n=total - shown)))
    plain = [title] + [line.replace("*", "") for line in lines[:shown]]
    if total > shown:
        plain.append(t(lang, "more_not_shown", n=total - shown))
    return Message(text="\n".join(plain), blocks=blocks)


def contract_list(lang: str, contracts: Sequence[Any], total: int, *, today: date) -> Message:
    return _listing(lang, t(lang, "list_title", n=total), contracts, total, today, t(lang, "list_empty"))


def renewals(lang: str, contracts: Sequence[Any], total: int, *, window: Window, today: date) -> Message:
    title = t(lang, "renewals_title", start=fmt_date(lang, window.start), end=fmt_date(lang, window.end))
    return _listing(lang, title, contracts, total, today, t(lang, "renewals_empty"))


def pick_list(lang: str, query: str, contracts: Sequence[Any], total: int) -> Message:
    """Several matches: a short list, each with a button that shows its card."""
    intro = t(lang, "pick_intro", n=total, query=mrkdwn_escape(query))
    blocks: list[Any] = [section(intro)]
    for contract in contracts[:10]:
        blocks.append(section(f"*{mrkdwn_escape(contract.reference)}* {mrkdwn_escape(contract.title)} — "
                              f"{mrkdwn_escape(vendor_name(contract))} · {t(lang, 'status_' + contract.status)}"))
    blocks.append(ActionsBlock(elements=[
        ButtonElement(text=mrkdwn_escape(c.reference)[:75], action_id=f"{ActionId.SHOW_CONTRACT}:{i}", value=c.reference)
        for i, c in enumerate(contracts[:5])
    ]))
    if total > len(contracts[:10]):
        blocks.append(context(t(lang, "more_not_shown", n=total - len(contracts[:10]))))
    plain = [intro] + [f"{mrkdwn_escape(c.reference)} {mrkdwn_escape(c.title)} — {mrkdwn_escape(vendor_name(c))}"
                       for c in contracts[:10]]
    return Message(text="\n".join(plain), blocks=blocks)


def not_found(lang: str, query: str, suggestions: Sequence[str]) -> Message:
    text = t(lang, "not_found", query=mrkdwn_escape(query))
    if suggestions:
        text += "\n" + t(lang, "closest", refs=mrkdwn_escape(", ".join(suggestions)))
    return Message(text=text, blocks=[section(text)])


def history(lang: str, contract: Any, events: Sequence[Any], *, tz: Any) -> Message:
    title = t(lang, "history_title", ref=mrkdwn_escape(contract.reference))
    lines = []
    for event in events:
        if event.entity_type == "dispute":
            lines.append(event_line(lang, event, tz, with_number=True))
            continue
        when = event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        actor = who(event.actor) if event.actor[:1] in "UW" and event.actor[1:].isalnum() else mrkdwn_escape(
            event.actor)
        parts = [f"{k}: {shown_value(before)} → {shown_value(after)}" for k, (before, after) in event.changes.items()]
        if event.action == "create":
            parts = []
        line = f"`{when}` *{t(lang, 'action_' + event.action)}* · {actor}"
        if parts:
            line += "\n    " + "; ".join(parts)
        if event.note:
            line += f"\n    _{mrkdwn_escape(event.note)}_"
        lines.append(line)
    blocks: list[Any] = [header(title)] + lines_sections(lines, budget=MAX_BLOCKS - 1)
    return Message(text="\n".join([title] + [line.replace("*", "") for line in lines]), blocks=blocks)


def changed(lang: str, action: str, contract: Any, changes: dict[str, tuple[Any, Any]], actor: str, *,
            today: date) -> Message:
    """A write confirmed in the channel: what changed, by whom, and the new deadlines."""
    head = t(lang, f"done_{action}", ref=mrkdwn_escape(contract.reference), title=mrkdwn_escape(contract.title),
             user=who(actor))
    parts = [f"• {k}: {shown_value(a)} → {shown_value(b)}" for k, (a, b) in changes.items() if action != "create"]
    left = days_left(contract.act_by, today)
    summary = t(lang, "dates_summary", end=fmt_date(lang, contract.end_date),
                notice=fmt_date(lang, contract.notice_deadline), act_by=fmt_date(lang, contract.act_by),
                left=fmt_days(lang, left))
    body = "\n".join([head, *parts, summary])
    return Message(text=body.replace("*", ""), blocks=[section(body)])
