"""`/contract report`: the portfolio's indicators, each with how it was counted, and the trajectory table.

Pure: takes the figures (storage.indicators.Indicators, read by attribute), returns a Message. The
same indicator sections appear in the weekly digest and on the App Home.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.dates import format_date
from slack_sdk.models.blocks import Block, DividerBlock

from bot.i18n import BABEL_LOCALES, fmt_date, fmt_money, fmt_number, t
from bot.render.common import Message, context, header, lines_sections, mrkdwn_escape, section


def money_list(lang: str, amounts: dict[str, Decimal]) -> str:
    """`12 000,00 € · 3 000,00 $US` — one figure per currency, never added together."""
    if not amounts:
        return t(lang, "rep_none")
    return " · ".join(fmt_money(lang, amounts[c], c) for c in sorted(amounts))


def month_name(lang: str, month: Any) -> str:
    return format_date(month, "MMM y", locale=BABEL_LOCALES.get(lang, "en_GB"))


def _change(lang: str, now: Decimal, before: Decimal) -> str:
    if not before:
        return ""
    pct = (now - before) / before * 100
    return f", {'+' if pct >= 0 else '−'}{fmt_number(lang, abs(pct).quantize(Decimal('0.1')))} %"


def indicator_parts(lang: str, ind: Any) -> list[tuple[str, str]]:
    """(figure, how it was counted) for every indicator but the trajectory and the top vendors."""
    return [
        (t(lang, "rep_portfolio", contracts=fmt_number(lang, ind.contracts_in_force),
           vendors=fmt_number(lang, ind.vendors_in_force), spend=money_list(lang, ind.spend_in_force)),
         t(lang, "rep_portfolio_how")),
        (t(lang, "rep_amendments", n=fmt_number(lang, ind.amendments)), t(lang, "rep_amendments_how")),
        (t(lang, "rep_disputes", opened=ind.disputes_opened, closed=ind.disputes_closed, open=ind.disputes_open)
         + "\n" + t(lang, "rep_disputes_money", stake=money_list(lang, ind.at_stake),
                    recovered=money_list(lang, ind.recovered), written_off=money_list(lang, ind.written_off)),
         t(lang, "rep_disputes_how")),
        (t(lang, "rep_incidents", crises=ind.crises, resolved=ind.crises_resolved, breaches=ind.breaches),
         t(lang, "rep_incidents_how")),
        (t(lang, "rep_credits", due=money_list(lang, ind.credits_due), claimed=money_list(lang, ind.credits_claimed)),
         t(lang, "rep_credits_how")),
        (t(lang, "rep_obligations", on_time=fmt_number(lang, ind.obligations_on_time),
           late=fmt_number(lang, ind.obligations_late)), t(lang, "rep_obligations_how")),
        (t(lang, "rep_revisions", n=fmt_number(lang, ind.revisions_applied),
           effect=money_list(lang, ind.revisions_effect)), t(lang, "rep_revisions_how")),
    ]


def indicator_blocks(lang: str, ind: Any, *, explain: bool = True) -> tuple[list[Block], list[str]]:
    blocks: list[Block] = []
    lines: list[str] = []
    for figure, how in indicator_parts(lang, ind):
        blocks.append(section(figure))
        lines.append(figure)
        if explain:
            blocks.append(context(how))
            lines.append(f"  ({how})")
    return blocks, lines


def trajectory_lines(lang: str, ind: Any, currency: str) -> list[str]:
    lines = []
    for point in ind.trajectory.points:
        amount = point.amounts.get(currency, Decimal(0))
        before = point.year_before.get(currency, Decimal(0))
        marker = "" if point.past else "→ "
        lines.append(marker + t(lang, "rep_month_line", month=month_name(lang, point.month),
                                amount=fmt_money(lang, amount, currency), before=fmt_money(lang, before, currency),
                                change=_change(lang, amount, before)))
    return lines


def trajectory_blocks(lang: str, ind: Any) -> tuple[list[Block], list[str]]:
    blocks: list[Block] = []
    text: list[str] = []
    currencies = ind.trajectory.currencies
    if not currencies:
        blocks.append(section(t(lang, "rep_no_value")))
        return blocks, [t(lang, "rep_no_value")]
    for currency in currencies[:3]:
        title = t(lang, "rep_trajectory", currency=currency)
        lines = trajectory_lines(lang, ind, currency)
        blocks.append(section(title))
        blocks += lines_sections(["```" + "\n".join(lines) + "```"], budget=2)
        text += [title, *lines]
    how = t(lang, "rep_trajectory_how")
    blocks.append(context(how))
    text.append(f"({how})")
    return blocks, text


def top_vendor_blocks(lang: str, ind: Any) -> tuple[list[Block], list[str]]:
    blocks: list[Block] = []
    text: list[str] = []
    for currency in sorted(ind.top_vendors)[:3]:
        rows = [f"{n}. {mrkdwn_escape(name)} — {fmt_money(lang, amount, currency)}"
                for n, (name, amount) in enumerate(ind.top_vendors[currency], start=1)]
        title = t(lang, "rep_top_vendors", currency=currency)
        blocks.append(section(title + "\n" + "\n".join(rows)))
        text += [title, *rows]
    return blocks, text


def title(lang: str, ind: Any) -> str:
    return t(lang, "rep_title", start=fmt_date(lang, ind.period.first_day), end=fmt_date(lang, ind.period.last_day))


def report(lang: str, ind: Any) -> Message:
    heading = title(lang, ind)
    blocks: list[Block] = [header(heading)]
    text = [heading]
    parts = [indicator_blocks(lang, ind), trajectory_blocks(lang, ind), top_vendor_blocks(lang, ind)]
    for part_blocks, part_text in parts:
        blocks += [DividerBlock(), *part_blocks]
        text += ["", *part_text]
    return Message(text="\n".join(text), blocks=blocks[:50])
