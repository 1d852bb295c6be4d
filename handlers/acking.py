"""Acknowledge as soon as the listener has called `ack()`, not at Bolt's next 10 ms poll.

With `process_before_response=False` Bolt runs a listener in its executor and polls every 10 ms for
its `ack()` (slack_bolt's ThreadListenerRunner): every acknowledgement then takes 10 ms or more,
however early the listener acks. The app therefore runs with `process_before_response=True`, and
each listener is registered through `ack_first`: the listener runs in `Runtime.after_ack`'s executor
(the one `serve` and Socket Mode count for a graceful stop), and the request thread returns as soon as
`ack()` was called — told by an event, not a poll — or the listener ended, or Slack's 3 s passed.

A listener that raises before its `ack()` raises in the request thread, where Bolt's error handler
answers as before; one that raises after it is handed to `AfterAck.on_error` (the same handler: it
logs with a correlation id and tells the person). Where `Runtime.after_ack` is None — the local shell
and the in-process tests — the listener runs inline, so `dispatch` returns once the answer is out.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

SLACK_ACK_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class AfterAck:
    """Where a listener's work after its `ack()` runs, and who hears of a failure there."""

    executor: Executor
    # (error, the listener's Bolt arguments): log it and tell the person (bot.app's error handler)
    on_error: Callable[[BaseException, dict[str, Any]], None]
    ack_seconds: float = SLACK_ACK_SECONDS


class _SignallingAck:
    """Bolt's `ack`, which also says that it was called."""

    def __init__(self, ack: Callable[..., Any], called: threading.Event) -> None:
        self._ack = ack
        self._called = called

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._ack(*args, **kwargs)
        finally:
            self._called.set()


def ack_first(listener: Callable[..., None]) -> Callable[..., None]:
    """`listener` (which takes `ack` and `runtime`) run after-ack style: see the module docstring.
    Bolt passes arguments by the names `listener` declares (it unwraps `functools.wraps`)."""

    @functools.wraps(listener)
    def run(**kwargs: Any) -> None:
        after: AfterAck | None = getattr(kwargs.get("runtime"), "after_ack", None)
        if after is None:
            listener(**kwargs)
            return
        called = threading.Event()
        lock = threading.Lock()
        state: dict[str, Any] = {"waiting": True, "error": None}

        def work() -> None:
            try:
                listener(**{**kwargs, "ack": _SignallingAck(kwargs["ack"], called)})
            except BaseException as exc:  # noqa: BLE001 - handed to the request thread or the error handler
                with lock:
                    raise_there = state["waiting"] and not called.is_set()
                    if raise_there:
                        state["error"] = exc
                if not raise_there:
                    after.on_error(exc, kwargs)
            finally:
                called.set()

        after.executor.submit(work)
        called.wait(after.ack_seconds)
        with lock:
            state["waiting"] = False  # from here on, a failure goes to the error handler
            error = state["error"]
        if error is not None:
            raise error

    return run
