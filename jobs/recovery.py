"""An alert that went out but was never marked `posted` must not go out again.

The ledger's steps are claim (committed) → post → mark posted. When the database drops between the post
and the mark, the claim stays `claimed`; ten minutes later (`storage.alerts.STALE_CLAIM`) another sweep
would reclaim it and post it a second time. Two defences, one for each way it happens:

- **The process lives on** (the database dropped, then came back): the mark it could not write is kept
  in memory (`PendingMarks`, one per job context) and written before the next run of any job claims
  anything (a few quick retries, then again at the next run; kept one day at most).
- **The process died** (or its marks were lost): every alert message carries Slack message metadata
  (`alert_metadata`: event type `contractbot_alert`, the alert keys and the claim that posted it). A
  reclaimed stale claim is first looked for in the destination's history since that claim
  (`settle_stale`: `conversations.history` with `include_all_metadata`; a DM's IM channel through
  `conversations.open`); found → marked `posted` with that message's channel and ts, not posted again.
  A Slack error while looking means: post, as before — a lost alert costs more than a double.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from storage import alerts
from storage.db import database_unavailable

logger = logging.getLogger(__name__)

EVENT_TYPE = "contractbot_alert"
LISTED_KEYS = 50  # keys listed in a message's metadata; a bigger group is recognised by its claim
HISTORY_PAGES, PAGE_SIZE = 10, 200
HISTORY_MARGIN = timedelta(minutes=1)  # clock skew between this host and Slack
PENDING_KEPT = timedelta(days=1)
PENDING_RETRIES = (0.5, 1.0)  # seconds slept between the attempts of one `PendingMarks.write`


def alert_metadata(keys: Sequence[str], claim: str) -> dict:
    """`metadata` for chat.postMessage: what makes an alert message recognisable in the history."""
    return {"event_type": EVENT_TYPE,
            "event_payload": {"claim": claim, "keys": list(keys[:LISTED_KEYS]), "count": len(keys)}}


# --- the process lives on: marks kept until the database answers again ---

@dataclass(frozen=True, slots=True)
class Mark:
    alert_ids: tuple[int, ...]
    worker: str
    channel: str
    ts: str
    now: datetime
    kept_at: float


class PendingMarks:
    """The marks this process could not write, kept until the database answers again. One per
    `JobContext` (that is, per process and database): `post_claimed`/`post_group` add to it, and
    `jobs.registry.run_job` writes it before the next run of any job claims anything."""

    def __init__(self) -> None:
        self._marks: list[Mark] = []
        self._lock = threading.Lock()

    def remember(self, *, alert_ids: Sequence[int], worker: str, channel: str, ts: str, now: datetime) -> None:
        """A post went out but its `posted` mark could not be written: keep it for `write`."""
        with self._lock:
            self._marks.append(Mark(tuple(alert_ids), worker, channel, ts, now, time.monotonic()))
        logger.warning("%d alert(s) posted to %s (ts %s) but not marked: the database is unavailable; the mark is "
                       "written as soon as it answers again", len(alert_ids), channel, ts)

    def __len__(self) -> int:
        """How many alerts wait for their mark."""
        with self._lock:
            return sum(len(mark.alert_ids) for mark in self._marks)

    def write(self, factory: sessionmaker[Session], *, sleep=time.sleep) -> int:
        """Write the kept marks (before a sweep claims anything); how many alerts were marked. Still
        unavailable after a few tries: raises, and the marks wait for the next run."""
        with self._lock:
            marks, self._marks = self._marks, []
        oldest = time.monotonic() - PENDING_KEPT.total_seconds()
        marks = [mark for mark in marks if mark.kept_at >= oldest]
        written = 0
        try:
            for attempt, pause in enumerate((*PENDING_RETRIES, None)):
                try:
                    while marks:
                        mark = marks[0]
                        with factory.begin() as session:
                            alerts.mark_posted_many(session, alert_ids=list(mark.alert_ids), channel=mark.channel,
                                                    ts=mark.ts, now=mark.now, claimed_by=mark.worker)
                        written += len(mark.alert_ids)
                        marks.pop(0)
                    break
                except Exception as exc:
                    if pause is None or not database_unavailable(exc):
                        raise
                    logger.info("pending alert marks: database still unavailable (attempt %d)", attempt + 1)
                    sleep(pause)
        finally:
            if marks:
                with self._lock:
                    self._marks[:0] = marks
        if written:
            logger.info("%d alert(s) posted during a database outage are now marked posted", written)
        return written


# --- the process died: find the post in Slack before posting again ---

def _history_channel(client: WebClient, destination: str) -> str:
    """A user id (a DM) is posted to through its IM channel, whose history is the one to read."""
    if destination[:1] in ("U", "W"):
        return str(client.conversations_open(users=destination)["channel"]["id"])
    return destination


def earlier_posts(client: WebClient, destination: str, wanted: Mapping[str, tuple[str, str]]
                  ) -> dict[str, tuple[str, str]]:
    """key → (channel, ts) of the alert messages in `destination`'s history carrying one of the `wanted`
    keys (key → (its stale claim, ISO time of its first stale claim)). {} when Slack cannot tell."""
    if not wanted:
        return {}
    since = min(datetime.fromisoformat(first) for _, first in wanted.values()) - HISTORY_MARGIN
    found: dict[str, tuple[str, str]] = {}
    try:
        channel = _history_channel(client, destination)
        cursor = None
        for _ in range(HISTORY_PAGES):
            page = client.conversations_history(channel=channel, oldest=f"{since.timestamp():.6f}",
                                                include_all_metadata=True, limit=PAGE_SIZE, cursor=cursor)
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                if metadata.get("event_type") != EVENT_TYPE or not message.get("ts"):
                    continue
                payload = metadata.get("event_payload") or {}
                listed = set(payload.get("keys") or [])
                more = int(payload.get("count") or 0) > len(listed)
                for key, (claim, _) in wanted.items():
                    if key not in found and (key in listed or (more and payload.get("claim") == claim)):
                        found[key] = (channel, str(message["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor or len(found) == len(wanted):
                break
    except (SlackApiError, OSError, KeyError, TypeError, ValueError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        logger.warning("could not read %s's history to find %d alert(s) posted before (%s); posting them", destination,
                       len(wanted), error)
        return {}
    return found


def settle_stale(factory: sessionmaker[Session], client: WebClient, *, kind: str, destination: str,
                 alert_ids: Sequence[int], now: datetime, metrics=None) -> set[int]:
    """Of these claimed alerts, those whose earlier (stale) claim already posted them: marked `posted`
    with that message's channel and ts. The caller posts only the others."""
    with factory() as session:
        stale = alerts.stale_claims(session, alert_ids=alert_ids)
    if not stale:
        return set()
    found = earlier_posts(client, destination, {key: (claim, first) for key, claim, first in stale.values()})
    by_message: dict[tuple[str, str], list[int]] = defaultdict(list)
    for alert_id, (key, _, _) in stale.items():
        if key in found:
            by_message[found[key]].append(alert_id)
    for (channel, ts), ids in by_message.items():
        with factory.begin() as session:
            alerts.mark_posted_many(session, alert_ids=ids, channel=channel, ts=ts, now=now)
        logger.info("%d alert(s) were already in %s (ts %s), posted before a claim went stale: marked posted, "
                    "not posted again", len(ids), channel, ts)
    settled = {alert_id for ids in by_message.values() for alert_id in ids}
    if metrics and settled:
        metrics.alerts.labels(kind, "recovered").inc(len(settled))
    return settled
