"""`/contract report [period]`: the portfolio's indicators for a period (default: the last 12 months),
with the trajectory chart uploaded after the text."""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bot import grammar
from bot.dates import DateError, Period, month_period, parse_period
from bot.i18n import t
from bot.render import report as render
from bot.render.chart import trajectory_png
from bot.text import fold
from handlers.commands.common import only_options, take_public
from handlers.errors import UserError
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime
from storage import indicators

DEFAULT_PERIOD = "last 12 months"
_FR_LAST = re.compile(r"^(?:les |sur les )?(\d+) derni(?:er|ere)s (mois|jours|semaines|ans|annees)$")
_QUARTER = re.compile(r"^(?:[qt]([1-4])\s*(\d{4})|(\d{4})\s*-?\s*[qt]([1-4]))$")
_FR_UNITS = {"mois": "months", "jours": "days", "semaines": "weeks", "ans": "years", "annees": "years"}


def read_period(text: str, *, tz: ZoneInfo, now: datetime) -> Period:
    """A period as `/sla` reads it, plus `les 12 derniers mois` and quarters (`Q1 2026`, `T1 2026`,
    `2026-Q1`); empty → the last 12 months."""
    raw = fold(" ".join(text.lower().split())) or DEFAULT_PERIOD
    raw = _FR_LAST.sub(lambda m: f"last {m.group(1)} {_FR_UNITS[m.group(2)]}", raw)
    quarter = _QUARTER.match(raw)
    if quarter:
        number, year = quarter.group(1) or quarter.group(4), quarter.group(2) or quarter.group(3)
        first_month = 3 * (int(number) - 1) + 1
        start, end = month_period(int(year), first_month, tz), month_period(int(year), first_month + 2, tz)
        return Period(start.start, end.end, start.first_day, end.last_day)
    try:
        return parse_period(raw, tz=tz, now=now)
    except DateError:
        raise UserError("err_bad_report_period", text=text[:80]) from None


def report(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    only_options(parsed, set())
    period = read_period(parsed.rest, tz=rt.settings.tz, now=rt.now())
    with rt.session_factory.begin() as session:
        figures = indicators.portfolio(session, period=period, now=rt.now(), tz=rt.settings.tz)
    message = render.report(caller.lang, figures)
    # Drawn once the text is out, so it never delays the answer. A partial of a module-level function,
    # not a closure: the reply may come back from the heavy lane's child process, pickled.
    chart = partial(draw_chart, caller.lang, figures.trajectory, f"trajectory-{period.first_day}-{period.last_day}.png")
    return Reply(message, public=public, image=chart)


def draw_chart(lang: str, trajectory: Any, name: str) -> tuple[str, bytes, str] | None:
    png = trajectory_png(lang, trajectory)
    return (name, png, t(lang, "rep_chart_file")) if png else None
