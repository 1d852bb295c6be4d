"""The serving process's life: ready (schema at head), draining (SIGTERM received), work in flight.

`InFlight` counts what must finish before the process exits: HTTP requests being answered and the
work Bolt runs after the ack (answers sent through response_url), through `TrackedExecutor`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from storage.db import database_unavailable, upgrade

logger = logging.getLogger(__name__)
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0


class InFlight:
    """A counter of work in progress that one can wait to reach zero (`with in_flight: …`)."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    def __enter__(self) -> InFlight:
        with self._idle:
            self._count += 1
        return self

    def __exit__(self, *_exc: object) -> None:
        with self._idle:
            self._count -= 1
            if self._count == 0:
                self._idle.notify_all()

    @property
    def count(self) -> int:
        with self._idle:
            return self._count

    def wait_idle(self, timeout: float) -> bool:
        """True once nothing is in flight; False when `timeout` seconds passed first."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True


class Lifecycle:
    def __init__(self, *, ready: bool = True) -> None:
        self.ready = threading.Event()
        if ready:
            self.ready.set()
        self.draining = threading.Event()
        self.in_flight = InFlight()


class TrackedExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, counting each task in `in_flight` until it is done."""

    def __init__(self, in_flight: InFlight, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._in_flight = in_flight

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self._in_flight.__enter__()

        def tracked() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                self._in_flight.__exit__()

        try:
            return super().submit(tracked)
        except BaseException:
            self._in_flight.__exit__()
            raise


def become_ready(engine: Any, life: Lifecycle, jobs: Any) -> None:
    """Bring the schema to head, retrying with backoff (1 s doubling to 30 s) while the database is
    unreachable, then start the scheduler (`jobs`, if any) and say ready. Run in a thread, by `serve` and
    Socket Mode alike: the process answers ("temporarily unavailable") while this waits."""
    delay = BACKOFF_FIRST
    while not life.draining.is_set():
        try:
            upgrade(engine)
            break
        except Exception as exc:
            if not database_unavailable(exc):
                logger.exception("database upgrade failed; retrying in %.0f s", delay)
            else:
                logger.warning("database unreachable (%s); retrying in %.0f s", type(exc).__name__, delay)
            life.draining.wait(delay)
            delay = min(delay * 2, BACKOFF_MAX)
    if life.draining.is_set():
        return
    life.ready.set()  # first: the jobs share the app's sessions, which refuse to begin until then
    if jobs is not None:
        jobs.start()
    logger.info("database schema at head; serving%s", " with the scheduler" if jobs is not None else "")
