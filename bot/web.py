"""HTTP mode: one WSGI app serving `/slack/events` (Bolt), `/healthz` and `/metrics`, on waitress."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text

from bot.metrics import Metrics

logger = logging.getLogger(__name__)
StartResponse = Callable[..., Any]


def make_wsgi(app: App, *, engine: Engine, metrics: Metrics) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(app)

    def healthz(start_response: StartResponse) -> list[bytes]:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            status, body = "200 OK", {"status": "ok", "database": "ok"}
        except Exception as exc:  # the point is to answer, whatever the database does
            logger.warning("health check: database unreachable: %s", type(exc).__name__)
            status, body = "503 Service Unavailable", {"status": "unavailable", "database": "unreachable"}
        payload = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events" and method == "POST":
            return slack(environ, start_response)
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


def serve(wsgi: Callable[..., Iterable[bytes]], *, host: str, port: int, threads: int = 8) -> None:
    from waitress import serve as waitress_serve

    logger.info("contractbot listening on http://%s:%d/slack/events", host, port)
    waitress_serve(wsgi, host=host, port=port, threads=threads, ident="contractbot", _quiet=True)
