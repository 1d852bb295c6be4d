"""The app factory: `create_app(settings, session_factory, clock)` builds a Bolt app and its runtime.

No module-level App: the CLI, the shell and every test build their own.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, BoltContext
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot import slack_retry
from bot.clock import Clock
from bot.metrics import Metrics
from bot.settings import Settings
from handlers import register_listeners
from handlers.runtime import Runtime

logger = logging.getLogger(__name__)


def web_client(settings: Settings) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return slack_retry.web_client(token, settings.slack_api_url)  # 429 / 5xx / connection errors retried


def create_app(
    settings: Settings,
    session_factory: sessionmaker[Session],
    clock: Clock,
    *,
    metrics: Metrics | None = None,
    request_verification: bool = True,
    process_before_response: bool = False,
) -> tuple[App, Runtime]:
    runtime = Runtime(settings=settings, session_factory=session_factory, clock=clock, metrics=metrics or Metrics())
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    app = App(
        client=web_client(settings),
        signing_secret=secret,
        request_verification_enabled=request_verification,
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("slack_bolt"),
    )

    @app.middleware
    def inject_runtime(context: BoltContext, next: Any) -> None:  # noqa: A002 - Bolt's name
        context["runtime"] = runtime
        next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        if isinstance(error, BoltUnhandledRequestError):
            return
        correlation = uuid.uuid4().hex[:8]
        logger.error("unhandled error [%s] for a %s request", correlation, body.get("type") or body.get("command"),
                     exc_info=error)

    register_listeners(app)
    return app, runtime
