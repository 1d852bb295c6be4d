"""What listeners need, built once by the app factory and handed to them through Bolt's context."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, FixedClock
from bot.i18n import language_of
from bot.metrics import Metrics
from bot.settings import Settings
from handlers.acking import AfterAck
from storage.db import database_unavailable

logger = logging.getLogger(__name__)
LOCALE_TTL_SECONDS = 3600
RECENT_EVENT_SECONDS, RECENT_EVENTS_KEPT = 3600, 20_000


class RecentEvents:
    """Event ids this process answered in the last hour, in memory: with the database down the
    `slack_events` ledger cannot say whether an event is a re-delivery (Slack retries after 1 and 5
    minutes), and an event answered just before an outage must not be answered again during it."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def seen(self, event_id: str) -> bool:
        with self._lock:
            expires = self._seen.get(event_id)
            return expires is not None and expires > time.monotonic()

    def remember(self, event_id: str) -> bool:
        """True the first time this process sees `event_id` (within the hour)."""
        now = time.monotonic()
        with self._lock:
            if self._seen.get(event_id, 0.0) > now:
                return False
            if len(self._seen) >= RECENT_EVENTS_KEPT:
                self._seen = {k: v for k, v in self._seen.items() if v > now}
                while len(self._seen) >= RECENT_EVENTS_KEPT:  # still full: forget the oldest
                    self._seen.pop(next(iter(self._seen)))
            self._seen[event_id] = now + RECENT_EVENT_SECONDS
            return True


@dataclass
class Runtime:
    settings: Settings
    session_factory: sessionmaker[Session]
    clock: Clock
    metrics: Metrics
    # Work done after the ack runs one light command at a time: Python threads share one interpreter
    # lock, and answers computed in parallel delay the acks of other requests (bench/bench_http.py).
    work_slot: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(1))
    # Heavy commands (exports, reports: handlers.lanes.HEAVY) have their own lane, so a light command
    # never waits behind one; `serve` runs that lane in a child process (handlers.lanes.ProcessLane),
    # so a heavy answer does not hold this process's interpreter lock either.
    heavy_slot: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(1))
    heavy_lane: Any = None  # a handlers.lanes.ProcessLane, or None to run heavy work in this process
    light_lane: Any = None  # a handlers.lanes.LightLane (serve), or None: light work stays in this process
    # Where listeners go on after their ack (handlers.acking.ack_first); None: inline (the shell, tests).
    after_ack: AfterAck | None = None
    recent_events: RecentEvents = field(default_factory=RecentEvents)  # shared by `at()` copies
    # Set once the schema is at head (bot.lifecycle.become_ready); None: always (the shell, tests).
    schema_ready: threading.Event | None = None
    _languages: dict[str, tuple[float, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def starting(self) -> bool:
        """The start-up upgrade has not brought the schema to head yet (bot.lifecycle.become_ready)."""
        return self.schema_ready is not None and not self.schema_ready.is_set()

    def unavailable(self, error: BaseException) -> bool:
        """True when `error` means "the database cannot serve yet": unreachable, or reachable while the
        start-up upgrade has not brought its schema to head (a missing table is not a bug then)."""
        return database_unavailable(error) or self.starting

    def at(self, now: datetime) -> Runtime:
        """This runtime for one request or job run: its clock says `now` throughout (read once at the
        edge), so one request never sees two "today"s across midnight. Shares every slot and cache."""
        return replace(self, clock=FixedClock(now))

    def language_for(self, client: WebClient | None, user_id: str | None) -> str:
        """The user's Slack locale when it is English or French, else CONTRACTBOT_LANGUAGE (cached)."""
        default = self.settings.language
        if client is None or not user_id:
            return default
        with self._lock:
            cached = self._languages.get(user_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        lang = default
        try:
            user = client.users_info(user=user_id, include_locale=True).get("user") or {}
            lang = language_of(user.get("locale"), default)
        except SlackApiError as exc:
            logger.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
        except Exception:  # network trouble must not stop the answer
            logger.warning("users.info failed for %s", user_id, exc_info=True)
        with self._lock:
            self._languages[user_id] = (time.monotonic() + LOCALE_TTL_SECONDS, lang)
        return lang


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asked, where, in which language, and how to answer."""

    user_id: str
    channel_id: str | None
    lang: str
    trigger_id: str | None = None
    response_url: str | None = None
