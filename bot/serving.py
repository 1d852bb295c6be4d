"""`contractbot serve`: the process's whole life — start without waiting for the database, serve,
stop cleanly on SIGTERM.

- Start: the HTTP server listens at once. The schema upgrade runs in the background and is retried
  with backoff (1 s doubling to 30 s) while the database is unreachable; `/healthz` answers 503 until
  it succeeded, and the scheduler starts only then.
- SIGTERM: `/healthz` and new Slack requests get 503; requests being answered, the answers Bolt
  computes after the ack and the running sweeps finish (at most DRAIN_SECONDS in all); the process
  then exits 0.
"""

from __future__ import annotations

import _thread
import logging
import signal
import sys
import threading
import time
from typing import Any

from bot.app import create_app, web_client
from bot.clock import SystemClock
from bot.edge import SlackEdge, replay_session_factory
from bot.lifecycle import Lifecycle, become_ready
from bot.settings import Settings
from bot.web import create_server, make_wsgi
from handlers.lanes import LightLane, ProcessLane
from jobs.context import JobContext
from storage.db import make_engine, make_session_factory

logger = logging.getLogger(__name__)

DRAIN_SECONDS = 25.0


def run_server(settings: Settings, *, host: str, port: int, scheduler: bool) -> int:
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    clock = SystemClock()
    life = Lifecycle(ready=False)
    app, runtime = create_app(settings, factory, clock, lifecycle=life)
    # The heavy lane's child is spawned by the first export or report, not here: it imports the whole bot
    # (~1.2 s of CPU), and most `serve` processes never run a heavy command (docs/operations.md).
    runtime.heavy_lane = ProcessLane(settings)
    runtime.light_lane = LightLane(settings) if settings.light_lane else None
    assert settings.slack_signing_secret is not None
    edge = SlackEdge(signing_secret=settings.slack_signing_secret.get_secret_value(),
                     session_factory=replay_session_factory(settings.database_url), clock=clock, metrics=runtime.metrics)
    jobs: Any = None
    if scheduler:
        # The scheduler and every job are imported only with a scheduler to run (~0.06 s of start-up CPU that
        # `serve --no-scheduler` replicas and the end-to-end tests' servers do not pay).
        from jobs.registry import build_scheduler

        ctx = JobContext(settings=settings, session_factory=factory, client=web_client(settings, runtime.metrics),
                         clock=clock, metrics=runtime.metrics)
        jobs = build_scheduler(ctx, sweep_at_start=True)

    # Shorter GIL time slices: an ack waiting behind a thread computing an answer gets the lock sooner
    # (bench/bench_http.py). Process-wide, so set here, by `serve` only: the CLI, the shell and the jobs
    # keep Python's default.
    sys.setswitchinterval(0.001)
    server = create_server(make_wsgi(app, engine=engine, metrics=runtime.metrics, edge=edge, lifecycle=life),
                           host=host, port=port)
    threading.Thread(target=become_ready, args=(engine, life, jobs), name="startup",
                     daemon=True).start()
    signal.signal(signal.SIGTERM, lambda _sig, _frame: _start_drain(life, jobs))
    logger.info("contractbot listening on http://%s:%d/slack/events", host, port)
    try:
        server.run()  # returns when the drain interrupts it
    finally:
        if runtime.light_lane is not None:
            runtime.light_lane.shutdown()
        runtime.heavy_lane.shutdown()
        engine.dispose()
    logger.info("contractbot stopped")
    return 0


def _start_drain(life: Any, jobs: Any) -> None:
    if life.draining.is_set():
        return
    life.draining.set()
    threading.Thread(target=_drain, args=(life, jobs), name="drain", daemon=True).start()


def _drain(life: Any, jobs: Any) -> None:
    deadline = time.monotonic() + DRAIN_SECONDS
    logger.info("SIGTERM: finishing %d request(s) in flight, then stopping", life.in_flight.count)
    if not life.in_flight.wait_idle(DRAIN_SECONDS):
        logger.warning("stopping with %d request(s) still in flight after %.0f s", life.in_flight.count,
                       DRAIN_SECONDS)
    if jobs is not None and jobs.running:
        stopper = threading.Thread(target=jobs.shutdown, kwargs={"wait": True}, daemon=True)
        stopper.start()
        stopper.join(max(0.0, deadline - time.monotonic()))
        if stopper.is_alive():
            logger.warning("a sweep was still running after %.0f s; stopping anyway", DRAIN_SECONDS)
    _thread.interrupt_main()  # waitress's loop ends on KeyboardInterrupt, after its own clean-up
