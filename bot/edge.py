"""The HTTP edge of `/slack/events`: what a request must be before Bolt sees it.

In order: at most MAX_BODY bytes (413, read no further); Slack's signature headers present, the
timestamp a number within the 5-minute window and the HMAC right (401); a body that parses as
Slack sends it — JSON, or a form whose `payload` is JSON (400); and a signature not seen before in
the window (401, like a stale request). Seen signatures are claimed in the database (table
`seen_requests`, insert-or-conflict), so a replay is refused whichever replica it reaches.

A refused request is logged with its size and reason only, never its body.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.metrics import Metrics
from storage import seen_requests
from storage.db import database_unavailable, make_engine

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
WINDOW_SECONDS = 300
PURGE_EVERY_SECONDS = 60


def replay_engine(url: str) -> Engine:
    """The replay ledger's own engine, whose commits do not wait for the disk.

    A seen signature matters for 5 minutes and a lost one after a machine crash only re-opens that
    window for requests already accepted, so the ledger's commits skip the fsync (SQLite
    `synchronous=OFF` on these connections, PostgreSQL `synchronous_commit=off` per transaction):
    with it, the insert added 15–20 ms to every answer on a busy SQLite (bench/bench_lanes.py).
    """
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _no_fsync(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.close()
    return engine


@dataclass(frozen=True, slots=True)
class Refusal:
    status: str
    reason: str
    error: str

    def respond(self, start_response: Callable[..., Any]) -> Iterable[bytes]:
        payload = json.dumps({"error": self.error}).encode()
        start_response(self.status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]


UNAUTHORIZED = "401 Unauthorized"
BAD_REQUEST = "400 Bad Request"
TOO_LARGE = "413 Payload Too Large"


class SlackEdge:
    def __init__(self, *, signing_secret: str, session_factory: sessionmaker[Session], clock: Clock,
                 metrics: Metrics, max_body: int = MAX_BODY) -> None:
        self._secret = signing_secret.encode()
        self._factory = session_factory
        self._clock = clock
        self._metrics = metrics
        self._max_body = max_body
        self._lock = threading.Lock()
        self._next_purge = 0.0
        self._memory: dict[str, float] = {}  # used only while the database is unreachable

    def check(self, environ: dict[str, Any]) -> Refusal | None:
        """None when Bolt may handle the request (its body is put back for Bolt to read), else why not."""
        length_text = environ.get("CONTENT_LENGTH") or ""
        try:
            length = int(length_text) if length_text else None
        except ValueError:
            return self._refuse(BAD_REQUEST, "bad_length", 0, "bad request")
        if length is not None and length > self._max_body:
            return self._refuse(TOO_LARGE, "too_large", length, "request too large")
        body = environ["wsgi.input"].read(self._max_body + 1 if length is None else length)
        if len(body) > self._max_body:
            return self._refuse(TOO_LARGE, "too_large", len(body), "request too large")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        if body == b"ssl_check=1" or body.startswith(b"ssl_check=1&"):
            return None  # Slack's certificate check is not signed; Bolt answers it with an empty 200
        return self._verify(environ, body)

    def _verify(self, environ: dict[str, Any], body: bytes) -> Refusal | None:
        timestamp = (environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "").strip()
        signature = (environ.get("HTTP_X_SLACK_SIGNATURE") or "").strip()
        if not timestamp or not signature:
            return self._refuse(UNAUTHORIZED, "unsigned", len(body), "invalid request")
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            return self._refuse(UNAUTHORIZED, "bad_timestamp", len(body), "invalid request")
        now = self._clock.now()
        if abs(now.timestamp() - int(timestamp)) > WINDOW_SECONDS:
            return self._refuse(UNAUTHORIZED, "stale", len(body), "invalid request")
        expected = "v0=" + hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + body,
                                    hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.encode(errors="replace")):
            return self._refuse(UNAUTHORIZED, "bad_signature", len(body), "invalid request")
        if not _parses(body, environ.get("CONTENT_TYPE") or ""):
            return self._refuse(BAD_REQUEST, "bad_body", len(body), "bad request")
        if not self._first_time(signature, now):
            return self._refuse(UNAUTHORIZED, "replay", len(body), "invalid request")
        return None

    def _first_time(self, signature: str, now: Any) -> bool:
        try:
            with self._factory.begin() as session:
                if session.get_bind().dialect.name == "postgresql":
                    session.execute(text("SET LOCAL synchronous_commit TO OFF"))
                first = seen_requests.remember(session, signature=signature[3:], now=now)
                if first and time.monotonic() >= self._next_purge:
                    self._next_purge = time.monotonic() + PURGE_EVERY_SECONDS
                    seen_requests.delete_older_than(session, before=now - timedelta(seconds=2 * WINDOW_SECONDS))
            return first
        except Exception as exc:
            # Database down (or its schema not migrated yet, just after a start): remember in this
            # process, so the command gets its "temporarily unavailable" answer once and a replay to
            # this replica is still refused. The signature and timestamp were checked already.
            reason = "database unavailable" if database_unavailable(exc) else "database error"
            logger.warning("replay check in memory only: %s (%s)", reason, type(exc).__name__)
            with self._lock:
                clock = time.monotonic()
                self._memory = {k: v for k, v in self._memory.items() if v > clock}
                if signature in self._memory:
                    return False
                self._memory[signature] = clock + 2 * WINDOW_SECONDS
                return True

    def _refuse(self, status: str, reason: str, size: int, error: str) -> Refusal:
        self._metrics.requests_refused.labels(reason).inc()
        logger.warning("refused a request to /slack/events: %s (%d bytes, %s)", reason, size, status[:3])
        return Refusal(status, reason, error)


def _parses(body: bytes, content_type: str) -> bool:
    """The body is what Slack sends: JSON for events, a form (with a JSON `payload`) for the rest."""
    try:
        text = body.decode("utf-8")
        if content_type.split(";")[0].strip().lower() == "application/json":
            return isinstance(json.loads(text), dict)
        form = parse_qs(text, keep_blank_values=True)
        if "payload" in form:
            return isinstance(json.loads(form["payload"][0]), dict)
        return bool(form)
    except (UnicodeDecodeError, ValueError):
        return False
