"""The heavy lane: exports and reports answered in a child process, one at a time.

Python threads share one interpreter lock. A 100k-contract export computed in a thread of the
serving process slows every other thread — the acks and the light answers — for its whole
duration. In a child process, at a lower scheduling priority (nice 10), it only competes for a CPU,
and yields it to the serving process. The child (spawned, not forked: the
parent has threads) opens its own engine on the same database and runs the same command code.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from bot.clock import SystemClock
from bot.logs import configure_logging
from bot.metrics import Metrics
from bot.settings import Settings
from handlers.dispatch import execute, internal_error
from handlers.runtime import Caller, Runtime
from storage.db import make_engine, make_session_factory

logger = logging.getLogger(__name__)

CHILD_NICENESS = 10
_child: Runtime | None = None


def _start_child(settings: Settings) -> None:
    """Initializer of the child process: logging, an engine without migrations."""
    global _child
    configure_logging()
    try:  # below the serving process: when both want a CPU, the light answers get it first
        os.nice(CHILD_NICENESS)
    except (AttributeError, OSError):
        pass
    factory = make_session_factory(make_engine(settings.database_url))
    _child = Runtime(settings=settings, session_factory=factory, clock=SystemClock(), metrics=Metrics())


def _run_in_child(caller: Caller, name: str, text: str, now: datetime | None) -> tuple[Any, str]:
    assert _child is not None, "the lane's initializer did not run"
    return execute(_child.at(now) if now is not None else _child, caller, name, text)


class ProcessLane:
    """A one-process pool for heavy commands; a pool that broke (the child died) is rebuilt."""

    def __init__(self, settings: Settings, *, workers: int = 1) -> None:
        # A fresh copy without cached properties (the business calendar holds lambdas): the pool
        # pickles it again for every child it starts.
        self._settings = type(settings).model_validate(settings.model_dump())
        self._workers = workers
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # One command per child: a 100k export peaks at ~420 MB, which a process that lives on would
        # keep; the pool starts a fresh child (~90 MB) in its place at once.
        return ProcessPoolExecutor(max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_child, initargs=(self._settings,), max_tasks_per_child=1)

    def run(self, caller: Caller, name: str, text: str, *, now: datetime | None = None) -> tuple[Any, str]:
        """Run a heavy command in the child, at the request's `now` (its one clock reading)."""
        with self._lock:
            pool = self._pool
        try:
            return pool.submit(_run_in_child, caller, name, text, now).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = self._new_pool()
            return internal_error(caller.lang, f"command {name}: the heavy lane's process died"), "error"
        except Exception:
            return internal_error(caller.lang, f"command {name} failed in the heavy lane"), "error"

    def warm_up(self) -> None:
        """Start the child now rather than at the first export (it imports the whole bot, ~1 s)."""
        self._pool.submit(int).result()  # that child is then replaced by a fresh one, ready

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
