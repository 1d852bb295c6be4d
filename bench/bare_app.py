"""The baseline for bench_http and bench_sla: a Bolt app whose `/contract`, `/renewals` and `/sla` listeners
only ack().

Same server stack as `contractbot serve` (slack_bolt.adapter.wsgi.SlackRequestHandler on waitress,
8 threads, request signing checked with the same secret), no database, no work after the ack.

    python bench/bare_app.py --port 3001 --slack-api-url http://127.0.0.1:PORT/api/
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any, Callable, Iterable

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def make_wsgi(app: App) -> Callable[..., Iterable[bytes]]:
    slack = SlackRequestHandler(app)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/slack/events" and environ.get("REQUEST_METHOD") == "POST":
            return slack(environ, start_response)
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "15")])
            return [b'{"status":"ok"}']
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slack-api-url", required=True, help="the FakeSlack (Bolt calls auth.test once)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (contractbot uses 8)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    app = App(
        client=WebClient(token=os.environ.get("SLACK_BOT_TOKEN", "xoxb-test-token"), base_url=args.slack_api_url,
                         timeout=10),
        signing_secret=os.environ.get("SLACK_SIGNING_SECRET", "test-signing-secret"),
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )

    def just_ack(ack: Ack) -> None:
        ack()

    app.command("/contract")(just_ack)
    app.command("/renewals")(just_ack)
    app.command("/sla")(just_ack)

    from waitress import serve

    serve(make_wsgi(app), host=args.host, port=args.port, threads=args.threads, ident="bare", _quiet=True)


if __name__ == "__main__":
    main()
