"""Answers at a slash command's `response_url`, over kept-alive connections, retried without doubling.

slack_sdk's WebhookClient (urllib) opens a new connection for every answer; this keeps a few idle
connections per host (scheme, host, port) and reuses them. Retries, with the same limits as
`bot.slack_retry` (3 attempts in all):

- 429: after its Retry-After (plus jitter); 5xx: after a backoff. Slack answered: it did not take it.
- No connection, or the request could not be written whole: after a backoff, on a new connection.
  Slack cannot act on a request it did not receive whole.
- Written whole, then no answer (reset, closed, timed out): **not resent**. Slack may have posted it,
  and a second POST would answer twice; the failure is returned (and logged by the caller).

The one case where that would lose answers routinely is a kept-alive connection the server closed
while idle: an idle connection is not reused after KEEP_IDLE_SECONDS, nor when the server already
closed it (its socket is readable: end of file), and then the request goes on a new connection.

With a proxy configured in the environment (HTTPS_PROXY / HTTP_PROXY, as slack_sdk reads them),
answers go through slack_sdk's WebhookClient as before. Imports nothing of ours but bot.slack_retry.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.proxy_env_variable_loader import load_http_proxy_from_env
from slack_sdk.web.internal_utils import get_user_agent
from slack_sdk.webhook.internal_utils import _build_body

from bot import slack_retry

logger = logging.getLogger(__name__)

KEEP_IDLE_SECONDS = 15.0  # below the idle timeouts of common servers and load balancers (60 s and more)
KEEP_PER_HOST = 8
MAX_BODY = 64 * 1024  # of Slack's answer read (it says "ok" or a short error); a longer one ends the connection
USER_AGENT = get_user_agent()
HEADERS = {"Content-Type": "application/json;charset=utf-8", "User-Agent": USER_AGENT}

Key = tuple[str, str, int]


@dataclass(frozen=True, slots=True)
class Answered:
    """What Slack said: its HTTP status and body; status 0 when no HTTP answer came."""

    status_code: int
    body: str
    attempts: int = 1


class NotSent(Exception):
    """The request did not leave whole (no connection, or writing it failed): safe to send again."""


class ResponsePoster:
    """POSTs answers to response_urls; one per process (`POSTER`), safe to share between threads."""

    def __init__(self, *, timeout: float = slack_retry.TIMEOUT, retries: int = slack_retry.RETRIES,
                 backoff: BackoffRetryIntervalCalculator = slack_retry.BACKOFF,
                 keep_idle: float = KEEP_IDLE_SECONDS, sleep: Callable[[float], None] = time.sleep) -> None:
        self._timeout = timeout
        self._retries = retries
        self._backoff = backoff
        self._keep_idle = keep_idle
        self._sleep = sleep
        self._idle: dict[Key, list[tuple[float, http.client.HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None
        self.connections_opened = 0  # for tests and benchmarks: how many answers needed a new connection

    def send(self, url: str, body: dict[str, Any]) -> Answered:
        """POST `body` as JSON (the bytes slack_sdk's WebhookClient sends) to `url`."""
        if load_http_proxy_from_env(logger) is not None:
            answer = slack_retry.webhook(url).send_dict(body)
            return Answered(answer.status_code, answer.body)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("a response_url that is not an http(s) URL")  # the URL itself is never logged
        key = (parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        data = json.dumps(_build_body(body)).encode("utf-8")
        attempt = 0
        while True:
            attempt += 1
            last = attempt > self._retries
            try:
                status, text, retry_after = self._post_once(key, target, data)
            except NotSent as exc:
                if last:
                    return Answered(0, f"not sent: {exc}", attempt)
                logger.info("answer not sent (%s); trying again", exc)
                self._sleep(self._backoff.calculate_sleep_duration(attempt - 1))
                continue
            except _NoAnswer as exc:
                return Answered(0, f"sent, no answer ({exc}): not sent again, it may have reached Slack", attempt)
            if status == 429 and not last:
                self._sleep(retry_after + random.random())
            elif status >= 500 and not last:
                self._sleep(self._backoff.calculate_sleep_duration(attempt - 1))
            else:
                return Answered(status, text, attempt)

    def _post_once(self, key: Key, target: str, data: bytes) -> tuple[int, str, float]:
        conn = self._take(key)
        try:
            if conn.sock is None:
                try:
                    conn.connect()
                    # the headers and the body are two writes: without this, on a kept-alive connection
                    # the body waits for the server's delayed ACK of the headers (40 ms on Linux)
                    sock: socket.socket = conn.sock  # type: ignore[assignment]  # connect() set it
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError as exc:
                    conn.close()
                    raise NotSent(f"connect: {type(exc).__name__}: {exc}") from exc
                self.connections_opened += 1
            try:
                # http.client writes the headers, then the body (sendall each): when it returns, all of
                # the request was handed to the network; when it raises, the body is not all there, and
                # a server cannot act on a request shorter than its Content-Length
                conn.request("POST", target, body=data, headers=HEADERS)
            except (OSError, http.client.HTTPException) as exc:
                raise NotSent(f"write: {type(exc).__name__}") from exc
            try:
                response = conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                raise _NoAnswer(type(exc).__name__) from exc
            try:
                text = response.read(MAX_BODY).decode("utf-8", errors="replace")
                reusable_body = response.isclosed()  # read whole: what is left unread would poison the next
                reusable = reusable_body and not response.will_close and conn.sock is not None
            except (OSError, http.client.HTTPException):
                text, reusable = "", False  # the status says what Slack did; the body is a courtesy
        except BaseException:
            conn.close()
            raise
        if reusable:
            self._give_back(key, conn)
        else:
            conn.close()
        return response.status, text, _seconds(response.getheader("Retry-After"))

    def _take(self, key: Key) -> http.client.HTTPConnection:
        now = time.monotonic()
        with self._lock:
            idle = self._idle.get(key) or []
            while idle:
                since, conn = idle.pop()
                if now - since <= self._keep_idle and _idle_ok(conn):
                    return conn
                conn.close()
        scheme, host, port = key
        if scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            return http.client.HTTPSConnection(host, port, timeout=self._timeout, context=self._tls)
        return http.client.HTTPConnection(host, port, timeout=self._timeout)

    def _give_back(self, key: Key, conn: http.client.HTTPConnection) -> None:
        now = time.monotonic()
        with self._lock:
            for other, kept in list(self._idle.items()):  # forget what expired, for every host
                while kept and now - kept[0][0] > self._keep_idle:
                    kept.pop(0)[1].close()
                if not kept and other != key:
                    del self._idle[other]
            idle = self._idle.setdefault(key, [])
            idle.append((now, conn))
            if len(idle) > KEEP_PER_HOST:
                idle.pop(0)[1].close()

    def close(self) -> None:
        with self._lock:
            for idle in self._idle.values():
                for _since, conn in idle:
                    conn.close()
            self._idle.clear()


class _NoAnswer(Exception):
    """The whole request was written, then no HTTP answer came."""


def _idle_ok(conn: http.client.HTTPConnection) -> bool:
    """An idle connection the server has not closed: nothing to read on it (a readable idle socket
    means end of file, or bytes nobody asked for — either way, not reusable)."""
    sock = conn.sock
    if sock is None:
        return False
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        readable, _, _ = select.select([sock], [], [], 0)
        return not readable
    except (OSError, ValueError):
        return False


def _seconds(value: str | None) -> float:
    try:
        return max(0.0, float(int(value))) if value is not None else 1.0
    except ValueError:
        return 1.0


POSTER = ResponsePoster()
