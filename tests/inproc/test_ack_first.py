"""Acknowledge first (handlers.acking): as `serve` runs the app, the ack goes back to Slack while the
answer is still being made, and a failure after the ack still reaches the person."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.clock import FixedClock
from bot.lifecycle import Lifecycle
from handlers.acking import AfterAck, ack_first
from handlers.runtime import Runtime
from tests.conftest import make_settings
from tests.inproc.conftest import InProcess
from tests.support.fake_slack import FakeSlack

GUARD = 30  # seconds: only a hung test waits this long


@pytest.fixture
def served(session_factory: sessionmaker[Session], db_url: str) -> Iterator[tuple[InProcess, Runtime]]:
    """The app as `serve` builds it (listeners go on after their ack), without waiting for that work."""
    with FakeSlack() as fake:
        settings = make_settings(db_url, fake.url)
        clock = FixedClock(datetime(2026, 6, 15, 10, 0, tzinfo=UTC))
        life = Lifecycle()
        app, runtime = create_app(settings, session_factory, clock, lifecycle=life)
        yield InProcess(app, fake, clock, session_factory, settings), runtime
        assert life.in_flight.wait_idle(GUARD)


def _in_thread(call: Any) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    return thread, result


def test_the_ack_goes_back_while_the_answer_is_still_on_its_way(served: tuple[InProcess, Runtime]) -> None:
    inproc, _ = served
    held = inproc.fake.hold("response_url")  # Slack is slow to take the answer
    dispatch, result = _in_thread(lambda: inproc.send_command("help"))
    dispatch.join(GUARD)
    # Had the ack waited for the answer, dispatch would still be blocked behind the held response_url.
    assert not dispatch.is_alive(), "the ack waited for the answer"
    [(response, tag)] = result
    assert response.status == 200
    inproc.fake.wait_for("response_url", timeout=GUARD)  # the listener did get as far as answering
    held.set()
    [answer] = inproc.answers(tag)
    assert "/contract" in answer["text"]


def test_inline_the_answer_is_out_when_dispatch_returns(session_factory: sessionmaker[Session],
                                                        db_url: str) -> None:
    """The local shell's mode (and the positive control of the test above): nothing left running."""
    with FakeSlack() as fake:
        app, runtime = create_app(make_settings(db_url, fake.url), session_factory,
                                  FixedClock(datetime(2026, 6, 15, 10, 0, tzinfo=UTC)), process_before_response=True)
        assert runtime.after_ack is None
        inproc = InProcess(app, fake, FixedClock(datetime(2026, 6, 15, tzinfo=UTC)), session_factory, runtime.settings)
        response, tag = inproc.send_command("help")
        assert response.status == 200 and len(inproc.answers(tag)) == 1


def _probe_app(on_error: Any, listener: Any) -> tuple[App, Runtime]:
    """A bare Bolt app whose one command is `listener`, registered as contractbot registers its own."""
    app = App(signing_secret="s", request_verification_enabled=False, process_before_response=True,
              authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-t",
                                                    bot_user_id="UB", bot_id="B"))
    after = AfterAck(ThreadPoolExecutor(2), on_error=on_error, ack_seconds=GUARD)
    runtime: Any = type("R", (), {"after_ack": after})()

    @app.middleware
    def inject(context: Any, next: Any) -> None:  # noqa: A002
        context["runtime"] = runtime
        next()

    app.command("/probe")(ack_first(listener))
    return app, runtime


def _dispatch(app: App) -> BoltResponse:
    body = "command=%2Fprobe&text=x&team_id=T1&user_id=U1&channel_id=C1&response_url=http%3A%2F%2F127.0.0.1%3A9&trigger_id=1"
    return app.dispatch(BoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]}))


def test_a_failure_before_the_ack_is_bolts_to_answer_and_one_after_it_goes_to_the_error_handler() -> None:
    errors: list[tuple[BaseException, dict[str, Any]]] = []
    handled = threading.Event()

    def on_error(error: BaseException, kwargs: dict[str, Any]) -> None:
        errors.append((error, kwargs))
        handled.set()

    def fails_before(ack: Ack, runtime: Any) -> None:
        raise ValueError("before")

    def fails_after(ack: Ack, body: dict, runtime: Any) -> None:
        ack(text="on it")
        raise ValueError("after")

    app, _ = _probe_app(on_error, fails_before)
    assert _dispatch(app).status == 500  # Bolt's own answer to a listener that failed without acking
    assert errors == []

    app, _ = _probe_app(on_error, fails_after)
    response = _dispatch(app)
    assert (response.status, response.body) == (200, "on it")
    assert handled.wait(GUARD)
    [(error, kwargs)] = errors
    assert str(error) == "after" and kwargs["body"]["command"] == "/probe"  # what the handler needs to answer
