"""App Home: a small dashboard for management — what must be decided in the next 30 days and the
open incidents — published when someone opens the bot's Home tab."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.dates import Window
from bot.i18n import t
from bot.render import contracts as render_contracts
from bot.render import incidents as render_incidents
from handlers.runtime import Runtime
from storage import contracts, incidents

logger = logging.getLogger(__name__)
HOME_DAYS = 30


def on_app_home_opened(ack: Ack, event: dict, client: WebClient, runtime: Runtime) -> None:
    ack()
    if event.get("tab") not in (None, "home"):
        return
    user = event.get("user") or ""
    lang = runtime.language_for(client, user)
    now = runtime.now()
    today = now.astimezone(runtime.settings.tz).date()
    with runtime.session_factory.begin() as session:
        rows, total = contracts.due_for_renewal(session, window=Window(today, today + timedelta(days=HOME_DAYS)),
                                                today=today, limit=20)
        deadlines = render_contracts.renewals(lang, rows, total, window=Window(today, today + timedelta(days=HOME_DAYS)),
                                              today=today)
        open_rows, open_total = incidents.get_all(session, open_only=True, limit=15)
        open_list = render_incidents.listing(lang, open_rows, open_total, runtime.settings.tz,
                                             title=t(lang, "inc_list_open", n=open_total, ref=""), now=now)
    blocks = (deadlines.blocks + open_list.blocks)[:100]
    try:
        client.views_publish(user_id=user, view=View(type="home", blocks=blocks).to_dict())
    except SlackApiError as exc:
        logger.warning("could not publish App Home for %s: %s", user, exc.response.get("error"))
