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
from jobs import recovery
from jobs.pacing import Pacer
from storage import alert_state, alerts
from storage.db import database_unavailable
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


def _error(exc: SlackApiError | OSError) -> str:
    return str(exc.response.get("error", "error")) if isinstance(exc, SlackApiError) else type(exc).__name__


def retry_after(headers: dict | None) -> float:
    """Seconds from a Retry-After header (urllib gives a list per header, any case); 1 when absent."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return float(value)
            except (TypeError, ValueError):
                return 1.0
    return 1.0


def _post(client: WebClient, channel: str, message: Message, pacer: Pacer | None, metadata: dict):
    """chat.postMessage, paced per channel; a 429 left after slack_sdk's retries backs the channel off.
    `metadata` names the alerts (jobs.recovery), so a post whose mark was lost is found, not doubled."""
    if pacer is not None:
        pacer.wait(channel)
    try:
        return client.chat_postMessage(channel=channel, **message.to_dict(), unfurl_links=False, metadata=metadata)
    except SlackApiError as exc:
        if pacer is not None and exc.response.status_code == 429:
            pacer.retry_after(channel, retry_after(exc.response.headers))
        raise
    finally:
        if pacer is not None:
            pacer.posted(channel)


def _mark_posted(factory: sessionmaker[Session], *, alert_ids: list[int], worker: str, channel: str, ts: str,
                 now: datetime, pending: recovery.PendingMarks | None) -> None:
    """Mark posted; when the database dropped since the post, keep the mark for the next run (in `pending`,
    the job context's) and re-raise."""
    try:
        with factory.begin() as session:
            alerts.mark_posted_many(session, alert_ids=alert_ids, channel=channel, ts=ts, now=now)
    except Exception as exc:
        if database_unavailable(exc) and pending is not None:
            pending.remember(alert_ids=alert_ids, worker=worker, channel=channel, ts=ts, now=now)
        raise


def post_claimed(
    factory: sessionmaker[Session],
    client: WebClient,
    *,
    alert: Alert,
    channel: str,
    message: Message,
    now: datetime,
    metrics: Metrics | None = None,
    pacer: Pacer | None = None,
    pending: recovery.PendingMarks | None = None,
) -> Outcome:
    """Post an alert this worker has claimed; the claim must already be committed. A claim taken over from
    a process that went away is first looked for in Slack (jobs.recovery): found, it is only marked."""
    if alert_state.read(alert).stale_claim and recovery.settle_stale(
            factory, client, kind=alert.kind, destination=channel, alert_ids=[alert.id], now=now, metrics=metrics):
        return Outcome(alert.key, channel, message.text, True)
    try:
        response = _post(client, channel, message, pacer,
                         recovery.alert_metadata([alert.key], alerts.claim_token(alert.claimed_by, alert.claimed_at)))
    except (SlackApiError, OSError) as exc:
        error = _error(exc)
        with factory.begin() as session:
            alerts.mark_failed(session, alert_id=alert.id, error=error)
        logger.warning("alert %s not posted (%s); it will be retried on the next sweep", alert.key, error)
        if metrics:
            metrics.alerts.labels(alert.kind, "failed").inc()
        return Outcome(alert.key, channel, message.text, False, error)
    _mark_posted(factory, alert_ids=[alert.id], worker=alert.claimed_by, channel=response["channel"],
                 ts=response["ts"], now=now, pending=pending)
    if metrics:
        metrics.alerts.labels(alert.kind, "posted").inc()
    return Outcome(alert.key, channel, message.text, True)


def post_group(
    factory: sessionmaker[Session],
    client: WebClient,
    *,
    kind: str,
    keys: dict[str, int],
    channel: str,
    message: Message,
    now: datetime,
    metrics: Metrics | None = None,
    pacer: Pacer | None = None,
    pending: recovery.PendingMarks | None = None,
) -> list[Outcome]:
    """Post one grouped message for many claimed alerts (key → id, claims committed): all are then
    posted, or all failed (and retried together by the next sweep)."""
    ids = list(keys.values())
    worker = worker_name()  # the claims were made by this worker at `now` (claim_many)
    try:
        response = _post(client, channel, message, pacer,
                         recovery.alert_metadata(list(keys), alerts.claim_token(worker, now)))
    except (SlackApiError, OSError) as exc:
        error = _error(exc)
        with factory.begin() as session:
            alerts.mark_failed_many(session, alert_ids=ids, error=error)
        logger.warning("grouped message of %d %s alerts to %s not posted (%s); retried on the next sweep",
                       len(ids), kind, channel, error)
        if metrics:
            metrics.alerts.labels(kind, "failed").inc(len(ids))
        return [Outcome(key, channel, message.text, False, error) for key in keys]
    _mark_posted(factory, alert_ids=ids, worker=worker, channel=response["channel"], ts=response["ts"], now=now,
                 pending=pending)
    if metrics:
        metrics.alerts.labels(kind, "posted").inc(len(ids))
    return [Outcome(key, channel, message.text, True) for key in keys]
