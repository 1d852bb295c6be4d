"""`/contract report [period]`: the portfolio's indicators for a period (default: the last 12 months),
with the trajectory chart uploaded after the text."""

from __future__ import annotations

import re

from bot import grammar
from bot.dates import DateError, Period, parse_period, strip_accents
from bot.i18n import t
from bot.render import report as render
from bot.render.chart import trajectory_png
from handlers.commands.common import only_options, take_public
from handlers.dispatch import Reply
from handlers.errors import UserError
from handlers.runtime import Caller, Runtime
from storage import indicators

DEFAULT_PERIOD = "last 12 months"
_FR_LAST = re.compile(r"^(?:les |sur les )?(\d+) derni(?:er|ere)s (mois|jours|semaines|ans|annees)$")
_FR_UNITS = {"mois": "months", "jours": "days", "semaines": "weeks", "ans": "years", "annees": "years"}


def read_period(text: str, rt: Runtime) -> Period:
    """A period as `/sla` reads it, plus `les 12 derniers mois`; empty → the last 12 months."""
    raw = strip_accents(" ".join(text.lower().split())) or DEFAULT_PERIOD
    raw = _FR_LAST.sub(lambda m: f"last {m.group(1)} {_FR_UNITS[m.group(2)]}", raw)
    try:
        return parse_period(raw, tz=rt.settings.tz, now=rt.now())
    except DateError:
        raise UserError("err_bad_report_period", text=text[:80]) from None


def report(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    only_options(parsed, set())
    period = read_period(parsed.rest, rt)
    with rt.session_factory.begin() as session:
        figures = indicators.portfolio(session, period=period, now=rt.now(), tz=rt.settings.tz)
    message = render.report(caller.lang, figures)

    def chart() -> tuple[str, bytes, str] | None:  # drawn once the text is out: it never delays the answer
        png = trajectory_png(caller.lang, figures.trajectory)
        name = f"trajectory-{period.first_day}-{period.last_day}.png"
        return (name, png, t(caller.lang, "rep_chart_file")) if png else None

    return Reply(message, public=public, image=chart)
