"""SLA compliance and service credits, every figure explained well enough for a claim letter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.i18n import BABEL_LOCALES, fmt_date, fmt_money, fmt_number, fmt_pct, t
from bot.render.common import MAX_BLOCKS, Message, context, header, lines_sections, section
from bot.render.contracts import mrkdwn_escape
from bot.render.incidents import when


def _priority_line(lang: str, line: Any, fee: Any, currency: str) -> str:
    text = t(lang, "sla_line", priority=line.priority, n=line.incidents, rmet=line.response_met,
             rbreach=line.response_breached, smet=line.resolution_met, sbreach=line.resolution_breached)
    if line.breached_incidents and line.credit_pct is not None and fee is not None:
        text += "\n    " + t(lang, "sla_line_credit", n=line.breached_incidents, pct=fmt_pct(lang, line.credit_pct),
                                fee=fmt_money(lang, fee, currency), amount=fmt_money(lang, line.credit, currency))
    elif line.breached_incidents and line.credit_pct is None:
        text += "\n    " + t(lang, "sla_line_no_credit")
    return text


def statement_lines(lang: str, compliance: Any) -> list[str]:
    """The figures, one explained line each (shared by /sla and the monthly sla-report)."""
    contract, s = compliance.contract, compliance.statement
    currency = contract.currency
    lines = [_priority_line(lang, line, s.monthly_fee, currency) for line in s.lines if line.incidents]
    if not lines:
        lines.append(t(lang, "sla_no_incidents"))
    availability = t(lang, "sla_availability", pct=fmt_pct(lang, s.availability),
                     down=fmt_number(lang, compliance.downtime_minutes.quantize(1)),
                     total=fmt_number(lang, compliance.period_minutes.quantize(1)))
    if s.availability_target is not None:
        availability += " " + t(lang, "sla_availability_target", target=fmt_pct(lang, s.availability_target))
        if s.availability_credit:
            availability += "\n    " + t(lang, "sla_availability_credit", pct=fmt_pct(lang, s.availability_credit_pct),
                                         fee=fmt_money(lang, s.monthly_fee, currency),
                                         amount=fmt_money(lang, s.availability_credit, currency))
    lines.append(availability)
    if s.monthly_fee is None:
        lines.append(t(lang, "sla_no_value"))
        return lines
    lines.append(t(lang, "sla_fee", annual=fmt_money(lang, contract.annual_value, currency),
                   fee=fmt_money(lang, s.monthly_fee, currency)))
    total = t(lang, "sla_total", total=fmt_money(lang, s.total_before_cap, currency))
    if s.cap is not None:
        total += " " + t(lang, "sla_cap", pct=fmt_pct(lang, s.cap_pct), cap=fmt_money(lang, s.cap, currency))
        if s.capped:
            total += " " + t(lang, "sla_capped")
    lines.append(total)
    lines.append(t(lang, "sla_due", amount=fmt_money(lang, s.total_due, currency)))
    return lines


def period_label(lang: str, period: Any) -> str:
    """`November 2026` for a whole month, else `1 Nov 2026 – 23 Nov 2026`."""
    first, last = period.first_day, period.last_day
    if first.day == 1 and (last + timedelta(days=1)).day == 1 and first.month == last.month:
        return format_date(first, "LLLL y", locale=BABEL_LOCALES.get(lang, "en_GB"))
    return f"{fmt_date(lang, first)} – {fmt_date(lang, last)}"


def report(lang: str, compliance: Any, *, period: Any, tz: ZoneInfo) -> Message:
    contract = compliance.contract
    title = t(lang, "sla_title", ref=mrkdwn_escape(contract.reference), title=mrkdwn_escape(contract.title),
              period=period_label(lang, period))
    lines = statement_lines(lang, compliance)
    if not compliance.has_sla:
        lines = [t(lang, "sla_not_set", ref=mrkdwn_escape(contract.reference))] + (lines if compliance.incident_count else [])
    blocks: list[Any] = [header(title)] + lines_sections(lines, budget=MAX_BLOCKS - 2)
    blocks.append(context(t(lang, "sla_period", start=when(lang, compliance.start, tz),
                            end=when(lang, compliance.end, tz))))
    return Message(text="\n".join([title, *lines]).replace("*", ""), blocks=blocks)


def terms(lang: str, contract: Any, rows: Sequence[Any], policy: Any) -> Message:
    title = t(lang, "sla_terms_title", ref=mrkdwn_escape(contract.reference))
    lines = [t(lang, "sla_term_line", priority=r.priority, response=r.response.written(),
               resolution=r.resolution.written(),
               clock=t(lang, f"clock_{r.clock}"), credit=fmt_pct(lang, r.credit_pct)) for r in rows]
    if policy is not None and policy.availability_target is not None:
        lines.append(t(lang, "sla_policy_line", target=fmt_pct(lang, policy.availability_target),
                       credit=fmt_pct(lang, policy.availability_credit_pct), cap=fmt_pct(lang, policy.cap_pct)))
    elif policy is not None and policy.cap_pct is not None:
        lines.append(t(lang, "sla_cap_line", cap=fmt_pct(lang, policy.cap_pct)))
    if not lines:
        lines = [t(lang, "sla_not_set", ref=mrkdwn_escape(contract.reference))]
    return Message(text="\n".join([title, *lines]).replace("*", ""), blocks=[header(title), section("\n".join(lines))])


def breaches(lang: str, rows: Sequence[Any], tz: ZoneInfo, *, title: str) -> Message:
    if not rows:
        return Message(text=f"{title}\n{t(lang, 'sla_no_breaches')}",
                       blocks=[header(title), section(t(lang, "sla_no_breaches"))])
    lines = [f"*{i.number}* {i.priority} · {mrkdwn_escape(i.contract.reference)} · {mrkdwn_escape(i.summary[:100])} · "
             f"{t(lang, 'inc_opened_short', at=when(lang, i.opened_at, tz))}" for i in rows]
    blocks: list[Any] = [header(title)] + lines_sections(lines, budget=MAX_BLOCKS - 1)
    return Message(text="\n".join([title] + [x.replace("*", "") for x in lines]), blocks=blocks)


def card_fields(lang: str, summary: Any) -> list[tuple[str, str]]:
    """The contract card's incident and SLA lines."""
    month = summary.month
    s = month.statement
    if not month.has_sla:
        sla_text = t(lang, "card_sla_none")
    else:
        breached = sum(line.breached_incidents for line in s.lines)
        sla_text = t(lang, "card_sla_month", n=month.incident_count, breached=breached,
                     availability=fmt_pct(lang, s.availability))
        if s.monthly_fee is not None and s.total_due:
            sla_text += " · " + t(lang, "card_sla_credits", amount=fmt_money(lang, s.total_due, month.contract.currency))
    return [(t(lang, "f_open_incidents"), str(summary.open_incidents)), (t(lang, "f_sla_month"), sla_text)]
