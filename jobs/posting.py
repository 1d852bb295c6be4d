"""Posting a claimed alert: claim (committed) → post → mark posted, or mark failed for a retry."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.metrics import Metrics
from bot.render.common import Message
from storage import alerts
from storage.models import Alert

logger = logging.getLogger(__name__)


def destination(channel: str | None, owner: str | None, alert_channel: str | None) -> str | None:
    """Where an alert goes: the contract's channel, else CONTRACTBOT_ALERT_CHANNEL, else a DM to the owner."""
    return channel or alert_channel or owner


def warn_unroutable(kind: str, names: list[str]) -> None:
    """One line per sweep, not one per alert: these come back every run until someone sets a channel."""
    if names:
        shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
        logger.warning("%d %s alert(s) not posted: no channel, alert channel or owner (%s)", len(names), kind, shown)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(slots=True)
class Outcome:
    key: str
    channel: str
    text: str
    posted: bool
    error: str | None = None


def post_claimed(
    factory: sessionmaker[Session],
    client: WebClient,
    *,
    alert: Alert,
    channel: str,
    message: Message,
    now: datetime,
    metrics: Metrics | None = None,
) -> Outcome:
    """Post an alert this worker has claimed; the claim must already be committed."""
    try:
        response = client.chat_postMessage(channel=channel, **message.to_dict(), unfurl_links=False)
    except (SlackApiError, OSError) as exc:
        error = exc.response.get("error", "error") if isinstance(exc, SlackApiError) else type(exc).__name__
        with factory.begin() as session:
            alerts.mark_failed(session, alert_id=alert.id, error=str(error))
        logger.warning("alert %s not posted (%s); it will be retried on the next sweep", alert.key, error)
        if metrics:
            metrics.alerts.labels(alert.kind, "failed").inc()
        return Outcome(alert.key, channel, message.text, False, str(error))
    with factory.begin() as session:
        alerts.mark_posted(session, alert_id=alert.id, channel=response["channel"], ts=response["ts"], now=now)
    if metrics:
        metrics.alerts.labels(alert.kind, "posted").inc()
    return Outcome(alert.key, channel, message.text, True)
