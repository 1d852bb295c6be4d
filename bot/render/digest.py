"""The weekly digest and the App Home: lists of what needs attention, then the portfolio's indicators.

Pure: rows in (read by attribute), Block Kit out. Each section is a `Part` (blocks and plain lines);
a long list ends with "and N more" and the command that lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block, DividerBlock

from bot.deadlines import days_left
from bot.i18n import fmt_date, fmt_days, fmt_money, t
from bot.render.common import MAX_BLOCKS, Message, context, header, lines_sections, mrkdwn_escape, section
from bot.render.report import indicator_blocks, money_list, top_vendor_blocks
from bot.text import truncate

SUMMARY = 120  # characters of a summary or title shown in a list line


@dataclass(slots=True)
class Part:
    blocks: list[Block] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _list(title: str, empty: str, lines: list[str], more: str | None) -> Part:
    if not lines:
        return Part([section(empty)], [empty])
    part = Part([section(title)], [title])
    part.blocks += lines_sections(lines, budget=2)
    part.lines += lines
    if more:
        part.blocks.append(context(more))
        part.lines.append(more)
    return part


def more_line(lang: str, shown: int, total: int, command: str) -> str | None:
    return t(lang, "dg_more", n=total - shown, command=command) if total > shown else None


def _short(text: str | None) -> str:
    return mrkdwn_escape(truncate(" ".join((text or "").split()), SUMMARY))


def decisions(lang: str, rows: Sequence[Any], total: int, *, today: date, title_key: str = "dg_decisions",
              empty_key: str = "dg_decisions_none", command: str = "/renewals next 30 days") -> Part:
    lines = []
    for c in rows:
        left = days_left(c.act_by, today)
        lines.append(t(lang, "dg_decision_line", overdue=f"*{t(lang, 'overdue')}* · " if left < 0 else "",
                       ref=mrkdwn_escape(c.reference), title=_short(c.title), vendor=_short(c.vendor.name),
                       act_by=fmt_date(lang, c.act_by), days=fmt_days(lang, left),
                       value=fmt_money(lang, c.annual_value, c.currency)))
    return _list(t(lang, title_key, n=total), t(lang, empty_key), lines, more_line(lang, len(rows), total, command))


def tacit_renewals(lang: str, rows: Sequence[Any], total: int) -> Part:
    lines = [t(lang, "dg_tacit_line", ref=mrkdwn_escape(c.reference), title=_short(c.title),
               end=fmt_date(lang, c.end_date), value=fmt_money(lang, c.annual_value, c.currency)) for _event, c in rows]
    return _list(t(lang, "dg_tacit", n=total), t(lang, "dg_tacit_none"), lines,
                 more_line(lang, len(rows), total, "/contract history <REF>"))


def sla(lang: str, rows: Sequence[Any], total: int, credits: dict[str, Decimal]) -> Part:
    lines = [t(lang, "dg_sla_line", id=i.id, priority=i.priority, ref=mrkdwn_escape(i.contract.reference),
               summary=_short(i.summary)) for i in rows]
    return _list(t(lang, "dg_sla", n=total, credits=money_list(lang, credits)),
                 t(lang, "dg_sla_none", credits=money_list(lang, credits)), lines,
                 more_line(lang, len(rows), total, "/sla breaches last 7 days"))


def disputes(lang: str, rows: Sequence[Any], total: int, *, stake: dict[str, Decimal], now: datetime,
             title_key: str = "dg_disputes", empty_key: str = "dg_disputes_none") -> Part:
    lines = [t(lang, "dg_dispute_line", id=d.id, ref=mrkdwn_escape(d.contract.reference), summary=_short(d.summary),
               status=mrkdwn_escape(d.status), days=max((now - d.opened_at).days, 0),
               amount=fmt_money(lang, d.amount_claimed, d.currency)) for d in rows]
    return _list(t(lang, title_key, n=total, stake=money_list(lang, stake)), t(lang, empty_key), lines,
                 more_line(lang, len(rows), total, "/dispute list"))


def obligations(lang: str, rows: Sequence[Any], total: int, *, today: date, title_key: str = "dg_obligations",
                empty_key: str = "dg_obligations_none") -> Part:
    lines = []
    for o in rows:
        left = days_left(o.due_on, today)
        lines.append(t(lang, "dg_obligation_line", overdue=f"*{t(lang, 'overdue')}* · " if left < 0 else "", id=o.id,
                       ref=mrkdwn_escape(o.contract.reference), what=_short(o.what), due=fmt_date(lang, o.due_on),
                       days=fmt_days(lang, left)))
    return _list(t(lang, title_key, n=total), t(lang, empty_key), lines,
                 more_line(lang, len(rows), total, "/obligation list due"))


def revisions(lang: str, computations: Sequence[Any], total: int, *, today: date) -> Part:
    """Each revision due with its computed result, or the index value it still needs; one whose date has
    passed without being applied is marked overdue."""
    lines = []
    for comp in computations:
        overdue = f"*{t(lang, 'overdue')}* · " if comp.effective_on < today else ""
        contract, currency = comp.contract, comp.contract.currency
        before = fmt_money(lang, comp.current, currency)
        if comp.outcome is not None:
            change = t(lang, "dg_revision_change", before=before, after=fmt_money(lang, comp.outcome.new_value, currency))
        else:
            missing = ", ".join(f"{comp.clause.index_name} {m:%Y-%m}" for m in comp.missing)
            change = t(lang, "dg_revision_missing", before=before, missing=mrkdwn_escape(missing))
        lines.append(overdue + t(lang, "dg_revision_line", ref=mrkdwn_escape(contract.reference), title=_short(contract.title),
                       index=mrkdwn_escape(comp.clause.index_name), on=fmt_date(lang, comp.effective_on), change=change))
    return _list(t(lang, "dg_revisions", n=total), t(lang, "dg_revisions_none"), lines,
                 more_line(lang, len(computations), total, "/contract revise <REF>"))


def incidents(lang: str, rows: Sequence[Any], total: int, *, tz: ZoneInfo) -> Part:
    lines = [t(lang, "home_incident_line", id=i.id, priority=i.priority, ref=mrkdwn_escape(i.contract.reference),
               summary=_short(i.summary), since=fmt_date(lang, i.opened_at.astimezone(tz).date())) for i in rows]
    return _list(t(lang, "home_incidents", n=total), t(lang, "home_incidents_none"), lines,
                 more_line(lang, len(rows), total, "/incident list"))


def indicators(lang: str, ind: Any, *, title_key: str = "dg_indicators") -> Part:
    """The indicators of `/contract report`, compact: the figures, this month's committed spend against a
    year earlier and in twelve months, the top vendors."""
    title = t(lang, title_key)
    blocks, lines = indicator_blocks(lang, ind, explain=False)
    part = Part([section(title), *blocks], [title, *lines])
    trend = _trend(lang, ind)
    if trend:
        part.blocks.append(section(trend))
        part.lines.append(trend)
    vendor_blocks, vendor_lines = top_vendor_blocks(lang, ind)
    part.blocks += vendor_blocks[:1]
    part.lines += vendor_lines[:6]
    return part


def _trend(lang: str, ind: Any) -> str:
    points = ind.trajectory.points
    current = next((p for p in reversed(points) if p.past), None)
    if current is None:
        return ""
    last = points[-1]
    out = []
    for currency in ind.trajectory.currencies[:3]:
        out.append(t(lang, "dg_trend", currency=currency,
                     now=fmt_money(lang, current.amounts.get(currency, Decimal(0)), currency),
                     before=fmt_money(lang, current.year_before.get(currency, Decimal(0)), currency),
                     later=fmt_money(lang, last.amounts.get(currency, Decimal(0)), currency)))
    return "\n".join(out)


def assemble(title: str, parts: Sequence[Part]) -> Message:
    """A header, then each part after a divider, within Slack's 50 blocks."""
    blocks: list[Block] = [header(title)]
    lines = [title]
    for part in parts:
        if len(blocks) + 1 + len(part.blocks) > MAX_BLOCKS:
            break
        blocks += [DividerBlock(), *part.blocks]
        lines += ["", *part.lines]
    return Message(text="\n".join(lines), blocks=blocks)
