"""HTTP mode: one WSGI app serving `/slack/events` (Bolt), `/healthz` and `/metrics`, on waitress.

Before Bolt sees a request to `/slack/events`, the edge (bot.edge) bounds its size, checks its
signature and timestamp, refuses a replay, and refuses a body that is not what Slack sends.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text
from waitress.server import create_server as waitress_server

from bot.edge import MAX_BODY, SlackEdge
from bot.lifecycle import Lifecycle
from bot.metrics import Metrics

logger = logging.getLogger(__name__)
StartResponse = Callable[..., Any]


def make_wsgi(app: App, *, engine: Engine, metrics: Metrics, edge: SlackEdge | None = None,
              lifecycle: Lifecycle | None = None) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(app)
    life = lifecycle or Lifecycle()

    def healthz(start_response: StartResponse) -> list[bytes]:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            database = True
        except Exception as exc:  # the point is to answer, whatever the database does
            logger.warning("health check: database unreachable: %s", type(exc).__name__)
            database = False
        metrics.database_up.set(1 if database else 0)
        if life.draining.is_set():
            status, body = "503 Service Unavailable", {"status": "stopping", "database": "ok" if database else
                                                       "unreachable"}
        elif database and life.ready.is_set():
            status, body = "200 OK", {"status": "ok", "database": "ok"}
        elif database:
            status, body = "503 Service Unavailable", {"status": "starting", "database": "ok"}
        else:
            status, body = "503 Service Unavailable", {"status": "unavailable", "database": "unreachable"}
        payload = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]

    def events(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if life.draining.is_set():
            payload = b'{"error": "stopping"}'
            start_response("503 Service Unavailable", [("Content-Type", "application/json"),
                                                       ("Content-Length", str(len(payload)))])
            return [payload]
        if edge is None:
            return slack(environ, start_response)
        refusal = edge.check(environ)
        if refusal is not None:
            return refusal.respond(start_response)
        return slack(environ, start_response)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        with life.in_flight:
            if path == "/slack/events" and method == "POST":
                return events(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            return healthz(start_response)
        if path == "/metrics" and method == "GET":
            payload = metrics.exposition()
            start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
                                      ("Content-Length", str(len(payload)))])
            return [payload]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


def create_server(wsgi: Callable[..., Iterable[bytes]], *, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server; it refuses a body over MAX_BODY with 413 before buffering it."""
    return waitress_server(wsgi, host=host, port=port, threads=threads, ident="contractbot",
                           max_request_body_size=MAX_BODY)


def serve(wsgi: Callable[..., Iterable[bytes]], *, host: str, port: int, threads: int = 8) -> None:
    server = create_server(wsgi, host=host, port=port, threads=threads)
    logger.info("contractbot listening on http://%s:%d/slack/events", host, port)
    server.run()
