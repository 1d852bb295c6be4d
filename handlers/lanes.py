"""The lanes: commands answered in child processes, so their Python work does not hold the serving
process's interpreter lock (the acks, the deliveries).

- The heavy lane (`ProcessLane`): exports and reports, one at a time, each in a niced child of its
  own, forked when the command comes.
- The light lane (`LightLane`): every other slash command, in one long-lived child at normal
  priority, started only once light answers queue behind each other (see its docstring).

Python threads share one interpreter lock. A 100k-contract export computed in a thread of the
serving process slows every other thread — the acks and the light answers — for its whole
duration. In a child process, at a lower scheduling priority (nice 10), it only competes for a CPU,
and yields it to the serving process. The child opens its own engine on the same database and runs
the same command code.

The children are forked from the lanes' fork server (`lane_context`), not from the serving process
(it has threads and connections) and not spawned (a new interpreter importing the whole bot each
time): the server is started once, by the first lane that needs a child, imports the bot once
(`handlers.lane_preload`), and forks a child in ~0.07 s instead of ~0.9 s.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from multiprocessing import forkserver
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import configure_mappers

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


def lane_context() -> Any:
    """The multiprocessing context of the lanes: children forked by one fork server, which preloads the
    bot (the server is per process and starts with its first child; a server that died is started again)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["handlers.lane_preload"])
    return context


def _start_child(settings: Settings, niceness: int = CHILD_NICENESS) -> None:
    """Initializer of the child process: logging, an engine without migrations."""
    global _child
    configure_logging()
    if niceness:
        try:  # below the serving process: when both want a CPU, the light answers get it first
            os.nice(niceness)
        except (AttributeError, OSError):
            pass
    factory = make_session_factory(make_engine(settings.database_url))
    _child = Runtime(settings=settings, session_factory=factory, clock=SystemClock(), metrics=Metrics())


def _start_light_child(settings: Settings) -> None:
    """Initializer of the light lane's child: not niced; and the serving process decides when it stops
    (after its in-flight answers, on SIGTERM), so a signal sent to the whole process group must not
    stop it first."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _start_child(settings, niceness=0)


def _run_in_child(caller: Caller, name: str, text: str, now: datetime | None) -> tuple[Any, str]:
    assert _child is not None, "the lane's initializer did not run"
    return execute(_child.at(now) if now is not None else _child, caller, name, text)


class ProcessLane:
    """Heavy commands, each in a child process of its own, forked when the command comes.

    One command per child: a 100k export peaks at ~420 MB, which a process that lives on would keep.
    No child waits in advance: forked from the lanes' fork server, a child starts in ~0.07 s. The first
    heavy command also starts the server (~1 s, once per serving process). A child that died fails its
    command only; the next one gets a new child."""

    def __init__(self, settings: Settings, *, workers: int = 1) -> None:
        # A fresh copy without cached properties (the business calendar holds lambdas): it is pickled
        # again for every child.
        self._settings = type(settings).model_validate(settings.model_dump())
        self._workers = workers
        self._lock = threading.Lock()
        self._running: set[ProcessPoolExecutor] = set()

    def run(self, caller: Caller, name: str, text: str, *, now: datetime | None = None) -> tuple[Any, str]:
        """Run a heavy command in a child, at the request's `now` (its one clock reading)."""
        pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=lane_context(), initializer=_start_child,
                                   initargs=(self._settings,))
        with self._lock:
            self._running.add(pool)
        try:
            return pool.submit(_run_in_child, caller, name, text, now).result()
        except BrokenProcessPool:
            return internal_error(caller.lang, f"command {name}: the heavy lane's process died"), "error"
        except Exception:
            return internal_error(caller.lang, f"command {name} failed in the heavy lane"), "error"
        finally:
            pool.shutdown(wait=True)  # the child exits with its memory
            with self._lock:
                self._running.discard(pool)

    def warm_up(self) -> None:
        """Start the lanes' fork server now rather than with the first command (it imports the bot once)."""
        lane_context()
        forkserver.ensure_running()

    def shutdown(self) -> None:
        """Wait for the command in progress, if any (the caller bounds the drain)."""
        with self._lock:
            pools = list(self._running)
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


class LightLane:
    """Light commands (status, lists, searches, writes: all but HEAVY) in one long-lived child.

    In the serving process an answer's Python work holds the interpreter lock that the acks need,
    and answers run one at a time (`Runtime.work_slot`), so with four people asking at once each
    waits for three. In the child they use the second CPU; the serving process only acks and
    delivers. The child costs ~100 MB (and ~1 s to start the fork server, if no heavy command has), so
    it is started only when an answer
    had to wait for the work slot (people asking at once), in the background: until it is ready,
    answers run in this process as before — none waits for the child. A child that died is
    replaced the same way, at the next wait. Buttons, views and events never come here.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = type(settings).model_validate(settings.model_dump())
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._ready = threading.Event()
        self._starting = False
        self._closed = False
        self.pid: int | None = None  # the child's, once ready
        self.answered = 0  # commands answered in the child (tests, benchmarks)

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def start(self) -> None:
        """Start the child in the background (once); returns at once."""
        with self._lock:
            if self._starting or self._pool is not None or self._closed:
                return
            self._starting = True
        threading.Thread(target=self._start, name="light-lane-start", daemon=True).start()

    def _start(self) -> None:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=lane_context(), initializer=_start_light_child,
                                   initargs=(self._settings,))
        try:
            pid = pool.submit(_warm_up).result()
        except Exception:
            logger.warning("the light lane's child did not start; answers stay in this process", exc_info=True)
            pool.shutdown(wait=False, cancel_futures=True)
            with self._lock:
                self._starting = False
            return
        with self._lock:
            self._starting = False
            if self._closed:
                pool.shutdown(wait=False)
                return
            self._pool = pool
            self.pid = pid
            self._ready.set()
        logger.info("light lane ready: answers are computed in a child process")

    def run(self, caller: Caller, name: str, text: str, *,
            now: datetime | None = None) -> tuple[Any, str] | None:
        """Run a light command in the child; None when there is no child (not started, or gone since
        `ready` was read): then nothing ran, and the caller runs it here."""
        with self._lock:
            pool = self._pool
        if pool is None:
            return None
        try:
            answer = pool.submit(_run_in_child, caller, name, text, now).result()
            with self._lock:
                self.answered += 1
            return answer
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:  # the next wait for the work slot starts a new child
                    self._pool = None
                    self._ready.clear()
            pool.shutdown(wait=False)
            return internal_error(caller.lang, f"command {name}: the light lane's process died"), "error"
        except Exception:
            return internal_error(caller.lang, f"command {name} failed in the light lane"), "error"

    def shutdown(self) -> None:
        """After the in-flight answers (the caller drained them): stop the child."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
            self._ready.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _warm_up() -> int:
    """In the child: what the first command would otherwise pay (mappers, the first connection)."""
    assert _child is not None
    configure_mappers()
    with _child.session_factory() as session:
        session.execute(text("SELECT 1"))
    return os.getpid()
