"""The app factory: `create_app(settings, session_factory, clock)` builds a Bolt app and its runtime.

No module-level App: the CLI, the shell and every test build their own.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse, Respond
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.i18n import t
from bot.lifecycle import Lifecycle, TrackedExecutor
from bot.metrics import Metrics
from bot.render.common import notice
from bot.settings import Settings
from bot.slack_client import web_client
from handlers import register_listeners
from handlers.acking import AfterAck
from handlers.failures import tell_failure
from handlers.runtime import Runtime
from storage.db import refuse_sessions_until

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    session_factory: sessionmaker[Session],
    clock: Clock,
    *,
    metrics: Metrics | None = None,
    request_verification: bool = True,
    process_before_response: bool = False,
    lifecycle: Lifecycle | None = None,
) -> tuple[App, Runtime]:
    runtime = Runtime(settings=settings, session_factory=session_factory, clock=clock, metrics=metrics or Metrics(),
                      schema_ready=lifecycle.ready if lifecycle is not None else None)
    if lifecycle is not None:  # nothing read or written before the start-up upgrade is done
        refuse_sessions_until(session_factory, lifecycle.ready)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    # Listeners run in this pool and keep running after their ack (handlers.acking); the pool counts
    # that work so a stopping process waits for it. Wide enough that commands waiting for the heavy lane
    # never hold up the light ones.
    executor = TrackedExecutor((lifecycle or Lifecycle()).in_flight, max_workers=16)
    # Bolt always processes "before the response": each listener, registered through
    # handlers.acking.ack_first, then returns the ack as soon as it is called (not at Bolt's next 10 ms
    # poll) and goes on in `executor`; with `process_before_response` (the shell, in-process tests) the
    # listener runs inline and the answer is out when `dispatch` returns.
    app = App(
        # The name Bolt would give itself (this file's name), given so that it does not read the source of
        # every frame of the stack to find it (inspect.stack(): ~0.1 s of CPU at each start).
        name="app.py",
        client=web_client(settings, runtime.metrics),
        listener_executor=executor,
        signing_secret=secret,
        request_verification_enabled=request_verification,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("slack_bolt"),
    )

    @app.middleware
    def inject_runtime(context: BoltContext, next: Any) -> None:  # noqa: A002 - Bolt's name
        # the clock is read once per request, here at the edge; the listener's runtime says that `now`
        context["runtime"] = runtime.at(runtime.clock.now())
        next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Respond | None = None,
                 client: WebClient | None = None, response: BoltResponse | None = None) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            return None
        if runtime.unavailable(error):
            logger.warning("a %s request was not handled: database unavailable (%s)",
                           body.get("type") or body.get("command"), type(error).__name__)
            if respond is not None and body.get("response_url"):  # a button: say so, like a command would
                try:
                    respond(**notice(t(settings.language, "http_unavailable")).to_dict(), response_type="ephemeral",
                            replace_original=False)
                except Exception:
                    logger.warning("could not tell the person the database is unavailable", exc_info=True)
            return None
        correlation = uuid.uuid4().hex[:8]
        logger.error("unhandled error [%s] for a %s request", correlation, body.get("type") or body.get("command"),
                     exc_info=error, extra={"correlation_id": correlation})
        # the person hears of it too, with the id that finds this log line (a form before its ack: in the form)
        return tell_failure(body, text=t(settings.language, "internal_error", id=correlation), respond=respond,
                            client=client, can_answer=response is not None)

    if not process_before_response:
        def after_ack_error(error: BaseException, kwargs: dict[str, Any]) -> None:
            if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit: not a listener's failure
                raise error
            on_error(error, kwargs.get("body") or {}, respond=kwargs.get("respond"), client=kwargs.get("client"))

        runtime.after_ack = AfterAck(executor, on_error=after_ack_error)
    register_listeners(app)
    return app, runtime
