"""App Home: the person's own contracts needing a decision (act-by in the next 30 days, overdue first),
their open disputes and open incidents, their obligations due, and the portfolio's indicators — published when they open it."""

from __future__ import annotations

import logging
import uuid

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.dates import parse_period
from bot.i18n import t
from bot.render import digest as parts
from bot.render.common import Message, notice
from bot.render.home import home
from handlers.runtime import Runtime
from storage import attention, indicators

logger = logging.getLogger(__name__)
HOME_DAYS = 30


def home_message(runtime: Runtime, *, user: str, lang: str) -> Message:
    now = runtime.now()
    tz = runtime.settings.tz
    today = now.astimezone(tz).date()
    with runtime.session_factory.begin() as session:
        rows, total = attention.decisions_due(session, today=today, days=HOME_DAYS, owner=user)
        decisions = parts.decisions(lang, rows, total, today=today, title_key="home_decisions",
                                    empty_key="home_decisions_none", command="/renewals next 30 days")
        rows, total = attention.open_disputes(session, owner=user)
        disputes = parts.disputes(lang, rows, total, stake={}, now=now,
                                  title_key="home_disputes", empty_key="home_disputes_none")
        rows, total = attention.open_incidents(session, owner=user)
        incidents = parts.incidents(lang, rows, total, tz=tz)
        rows, total = attention.obligations_due(session, today=today, days=HOME_DAYS, owner=user)
        obligations = parts.obligations(lang, rows, total, today=today, title_key="home_obligations",
                                        empty_key="home_obligations_none")
        period = parse_period("last 12 months", tz=tz, now=now)
        figures = indicators.portfolio(session, period=period, now=now, tz=tz)
        portfolio = parts.indicators(lang, figures, title_key="home_portfolio")
    return home(lang, [decisions, disputes, incidents, obligations, portfolio])


def on_app_home_opened(ack: Ack, event: dict, client: WebClient, runtime: Runtime) -> None:
    ack()
    if event.get("tab") not in (None, "home"):
        return
    user = event.get("user") or ""
    lang = runtime.language_for(client, user)
    try:
        message = home_message(runtime, user=user, lang=lang)
    except Exception as exc:  # the person sees the failure and its reference on the tab, not an empty Home
        if runtime.unavailable(exc):
            logger.warning("App Home for %s: database unavailable (%s)", user, type(exc).__name__)
            message = notice(t(lang, "home_unavailable"))
        else:
            message = _failed(user, lang)
    try:
        client.views_publish(user_id=user, view=View(type="home", blocks=message.within_limit()).to_dict())
    except SlackApiError as exc:
        logger.warning("could not publish App Home for %s: %s", user, exc.response.get("error"))


def _failed(user: str, lang: str) -> Message:
    """Called in the except block: the log line carries the traceback and the id the person sees."""
    correlation = uuid.uuid4().hex[:8]
    logger.exception("could not build the App Home for %s [%s]", user, correlation,
                     extra={"correlation_id": correlation})
    return notice(t(lang, "internal_error", id=correlation))
