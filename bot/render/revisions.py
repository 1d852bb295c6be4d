"""Index values, revision clauses and price revisions, shown step by step so a person can check them by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.deadlines import days_left
from bot.i18n import fmt_date, fmt_days, fmt_money, fmt_pct, t
from bot.render.common import MAX_BLOCKS, Message, context, fields_section, header, lines_sections, section, who
from bot.render.contracts import mrkdwn_escape
from bot.render.ids import ActionId
from bot.revision import conventional_publication


def num(lang: str, value: Decimal | int | None) -> str:
    """A plain exact number (no grouping, trailing zeros dropped), with the language's decimal mark."""
    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",") if lang == "fr" else text


def money_num(lang: str, value: Decimal) -> str:
    text = format(Decimal(value).quantize(Decimal("0.01")), "f")
    return text.replace(".", ",") if lang == "fr" else text


def month_text(month: date) -> str:
    return month.strftime("%Y-%m")


def _plain(lines: Sequence[str]) -> str:
    return "\n".join(line.replace("*", "") for line in lines)


# ---- /index -------------------------------------------------------------------------------------------


def index_names(lang: str, summaries: Sequence[Any]) -> Message:
    """The indices known. `/index` alone answers this followed by its usage and examples
    (`bot.render.common.with_help`), so they are not repeated here."""
    if not summaries:
        text = t(lang, "index_names_empty")
        return Message(text=text, blocks=[section(text)])
    title = t(lang, "index_names_title", n=len(summaries))
    lines = [t(lang, "index_names_line", name=s.name, count=s.count, first=month_text(s.first),
               last=month_text(s.last)) for s in summaries]
    blocks: list[Any] = [header(title), *lines_sections(lines, budget=MAX_BLOCKS - 2)]
    return Message(text=_plain([title, *lines]), blocks=blocks)


def published_text(lang: str, month: date, published_on: date | None) -> str:
    if published_on is not None:
        return fmt_date(lang, published_on)
    return t(lang, "index_published_assumed", date=fmt_date(lang, conventional_publication(month)))


def index_values(lang: str, name: str, rows: Sequence[Any], corrections: dict[int, int]) -> Message:
    if not rows:
        text = t(lang, "index_empty", name=name)
        return Message(text=text, blocks=[section(text)])
    title = t(lang, "index_title", name=name, n=len(rows))
    lines = []
    for row in rows:
        n = corrections.get(row.id, 0)
        lines.append(t(lang, "index_line", month=month_text(row.month), value=num(lang, row.value),
                       published=published_text(lang, row.month, row.published_on),
                       corrected=t(lang, "index_corrected", n=n) if n else ""))
    blocks: list[Any] = [header(title), *lines_sections(lines, budget=MAX_BLOCKS - 1)]
    return Message(text=_plain([title, *lines]), blocks=blocks)


def index_set(lang: str, name: str, result: Any, user: str) -> Message:
    row = result.row
    values = dict(name=name, month=month_text(row.month), value=num(lang, row.value), user=who(user),
                  published=published_text(lang, row.month, row.published_on))
    if result.before is None:
        text = t(lang, "index_set_done", **values)
    elif result.changed:
        text = t(lang, "index_corrected_done", before=num(lang, result.before), **values)
    else:
        text = t(lang, "index_unchanged", **values)
    return Message(text=text.replace("*", ""), blocks=[section(text)])


# ---- the clause ---------------------------------------------------------------------------------------


def _mode(lang: str, mode: str) -> str:
    return t(lang, f"rev_mode_{mode}")


def card_fields(lang: str, clause: Any | None) -> list[tuple[str, str]]:
    """The contract card's line about price revision (nothing when the contract has no clause)."""
    if clause is None:
        return []
    return [(t(lang, "f_revision"), t(lang, "rev_card_line", index=clause.index_name,
                                      base=month_text(clause.base_month), mode=clause.mode,
                                      next=fmt_date(lang, clause.next_revision_on)))]


def clause_message(lang: str, contract: Any, clause: Any, *, set_by: str | None = None, changed: bool = True
                   ) -> Message:
    fixed = Decimal(clause.fixed)
    pct = lambda v: fmt_pct(lang, v) if v is not None else t(lang, "rev_none")  # noqa: E731
    lag = t(lang, "rev_lag_zero") if clause.lag == 0 else t(lang, "rev_lag_n", n=clause.lag)
    pairs = [
        (t(lang, "rev_f_index"), f"{clause.index_name} · {month_text(clause.base_month)}"),
        (t(lang, "rev_f_formula"), f"P = P0 × ({num(lang, fixed)} + {num(lang, 1 - fixed)} × S / S0)"),
        (t(lang, "rev_f_p0"), fmt_money(lang, clause.base_value, contract.currency)),
        (t(lang, "rev_f_every"), f"{clause.every.written()} · {fmt_date(lang, clause.first_on)}"),
        (t(lang, "rev_f_mode"), _mode(lang, clause.mode)),
        (t(lang, "rev_f_lag"), lag),
        (t(lang, "rev_f_limits"), f"{pct(clause.min_pct)} · {pct(clause.cap_pct)} · {num(lang, clause.round_to)}"),
        (t(lang, "rev_f_next"), fmt_date(lang, clause.next_revision_on)),
    ]
    if set_by is not None:
        head = t(lang, "rev_clause_set" if changed else "rev_clause_unchanged", ref=contract.reference,
                 title=mrkdwn_escape(contract.title), user=who(set_by))
    else:
        head = t(lang, "rev_clause_title", ref=contract.reference)
    blocks: list[Any] = [section(head), fields_section(pairs)]
    return Message(text=_plain([head, *[f"{label}: {value}" for label, value in pairs]]), blocks=blocks)


# ---- a revision, step by step -------------------------------------------------------------------------


def computation_lines(lang: str, comp: Any) -> list[str]:
    clause, currency = comp.clause, comp.contract.currency
    index = clause.index_name
    lines = [t(lang, "rev_p0", value=fmt_money(lang, comp.p0, currency), base=month_text(clause.base_month))]
    if comp.s0 is not None:
        lines.append(t(lang, "rev_s0", index=index, month=month_text(comp.s0.month), value=num(lang, comp.s0.value)))
    if comp.s is not None:
        lines.append(t(lang, "rev_s", index=index, month=month_text(comp.s.month), value=num(lang, comp.s.value),
                       published=published_text(lang, comp.s.month, comp.s.published_on)))
    if comp.outcome is None:
        for month in comp.missing:
            lines.append(":warning: *" + t(lang, "err_index_missing", index=index, month=month_text(month)) + "*")
        lines.append(t(lang, "rev_missing_help", index=index, month=month_text(comp.missing[0])))
        return lines
    out = comp.outcome
    if comp.chained_from is not None:
        lines.append(t(lang, "rev_pref_chained", value=fmt_money(lang, comp.p_ref, currency),
                       sref=num(lang, comp.s_ref), month=month_text(comp.chained_from)))
    fixed = Decimal(clause.fixed)
    lines.append("`" + t(lang, "rev_formula", pref=money_num(lang, comp.p_ref), fixed=num(lang, fixed),
                         var=num(lang, 1 - fixed), s=num(lang, comp.s.value), sref=num(lang, comp.s_ref),
                         raw=num(lang, out.formula_value.quantize(Decimal("0.0001")))) + "`")
    lines.append(t(lang, "rev_current", value=fmt_money(lang, comp.current, currency),
                   pct=("+" if out.change_pct > 0 else "") + fmt_pct(lang, out.change_pct, places=2)))
    effective = fmt_date(lang, comp.effective_on)
    if out.below_min:
        lines.append(t(lang, "rev_below_min", min=fmt_pct(lang, clause.min_pct)))
        lines.append(t(lang, "rev_same", value=fmt_money(lang, out.new_value, currency), date=effective))
        return lines
    if out.capped:
        lines.append(t(lang, "rev_capped", cap=fmt_pct(lang, clause.cap_pct), current=money_num(lang, comp.current),
                       sign="+" if out.change_pct > 0 else "−", value=money_num(lang, out.new_value)))
    lines.append(t(lang, "rev_rounded", step=num(lang, clause.round_to)))
    lines.append(t(lang, "rev_new", value=fmt_money(lang, out.new_value, currency), date=effective,
                   before=fmt_money(lang, comp.current, currency)))
    return lines


def computation(lang: str, comp: Any, *, hint: bool) -> Message:
    title = t(lang, "rev_title", ref=comp.contract.reference, date=fmt_date(lang, comp.effective_on))
    lines = computation_lines(lang, comp)
    blocks: list[Any] = [header(title), section("\n".join(lines))]
    if hint and comp.outcome is not None:
        blocks.append(context(t(lang, "rev_apply_hint", ref=comp.contract.reference)))
    return Message(text=_plain([title, *lines]), blocks=blocks)


def applied(lang: str, contract: Any, row: Any, user: str) -> Message:
    key = "rev_applied" if row.after_value != row.before_value else "rev_applied_same"
    text = t(lang, key, ref=contract.reference, title=mrkdwn_escape(contract.title), user=who(user),
             before=fmt_money(lang, row.before_value, row.currency), after=fmt_money(lang, row.after_value, row.currency),
             date=fmt_date(lang, row.effective_on))
    return Message(text=text.replace("*", ""), blocks=[section(text)])


def alert(lang: str, comp: Any, *, alert_id: int, today: date, settled: str | None = None) -> Message:
    contract = comp.contract
    owner = f"{who(contract.owner)} " if contract.owner else ""
    intro = t(lang, "rev_alert_intro", owner=owner, ref=contract.reference,
              title=mrkdwn_escape(contract.title), date=fmt_date(lang, comp.effective_on),
              left=fmt_days(lang, days_left(comp.effective_on, today)))
    lines = computation_lines(lang, comp)
    blocks: list[Any] = [section(intro), section("\n".join(lines))]
    if settled:
        blocks.append(context(settled))
    else:
        blocks.append(ActionsBlock(elements=[ButtonElement(text=t(lang, "btn_rev_apply"), action_id=ActionId.REVISION_APPLY,
                                                           value=str(alert_id), style="primary")]))
    return Message(text=_plain([intro, *lines, *([settled] if settled else [])]), blocks=blocks)
