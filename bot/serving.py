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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bot.app import create_app, web_client
from bot.clock import SystemClock
from bot.edge import SlackEdge, replay_engine
from bot.lifecycle import Lifecycle, become_ready
from bot.settings import Settings
from bot.web import create_server, make_wsgi
from handlers.lanes import LightLane, ProcessLane
from handlers.runtime import Runtime
from jobs.context import JobContext
from storage.db import make_engine, make_session_factory

logger = logging.getLogger(__name__)

DRAIN_SECONDS = 25.0


@dataclass
class HttpService:
    """What `contractbot serve` runs, built but not running: the waitress server (bound, not yet
    serving), the engines, the app's runtime (lanes, metrics), the lifecycle and the scheduler, if any.
    `run_server` runs it in the main thread with the process-wide settings of a server process
    (signals, GIL slices); the end-to-end tests run the same parts in a thread
    (tests/support/inproc_server.py)."""

    server: Any
    engine: Engine
    replay_engine: Engine
    runtime: Runtime
    life: Lifecycle
    jobs: Any = None
    startup: threading.Thread | None = None

    def start(self) -> None:
        """Bring the schema to head and start the scheduler in the background (`/healthz`: 503 until then)."""
        self.startup = threading.Thread(target=become_ready, args=(self.engine, self.life, self.jobs),
                                        name="startup", daemon=True)
        self.startup.start()

    def drain(self) -> None:
        """Wait for the requests being answered, the answers Bolt computes after the ack and the running
        sweeps (at most DRAIN_SECONDS in all). `life.draining` is set already: new requests get 503."""
        deadline = time.monotonic() + DRAIN_SECONDS
        life, jobs = self.life, self.jobs
        if not life.in_flight.wait_idle(DRAIN_SECONDS):
            logger.warning("stopping with %d request(s) still in flight after %.0f s", life.in_flight.count,
                           DRAIN_SECONDS)
        if jobs is not None and jobs.running:
            stopper = threading.Thread(target=jobs.shutdown, kwargs={"wait": True}, daemon=True)
            stopper.start()
            stopper.join(max(0.0, deadline - time.monotonic()))
            if stopper.is_alive():
                logger.warning("a sweep was still running after %.0f s; stopping anyway", DRAIN_SECONDS)

    def close(self) -> None:
        """After the server stopped: the lanes' children, then the database connections."""
        if self.runtime.light_lane is not None:
            self.runtime.light_lane.shutdown()
        self.runtime.heavy_lane.shutdown()
        self.engine.dispose()
        self.replay_engine.dispose()


def build_service(settings: Settings, *, host: str, port: int, scheduler: bool) -> HttpService:
    """The parts of `contractbot serve` (see HttpService); the server is bound to host:port (0: any free port)."""
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
    replay = replay_engine(settings.database_url)
    edge = SlackEdge(signing_secret=settings.slack_signing_secret.get_secret_value(),
                     session_factory=make_session_factory(replay), clock=clock, metrics=runtime.metrics)
    jobs: Any = None
    if scheduler:
        # The scheduler and every job are imported only with a scheduler to run (~0.06 s of start-up CPU that
        # `serve --no-scheduler` replicas and the end-to-end tests' servers do not pay).
        from jobs.registry import build_scheduler

        ctx = JobContext(settings=settings, session_factory=factory, client=web_client(settings, runtime.metrics),
                         clock=clock, metrics=runtime.metrics)
        jobs = build_scheduler(ctx, sweep_at_start=True)
    server = create_server(make_wsgi(app, engine=engine, metrics=runtime.metrics, edge=edge, lifecycle=life),
                           host=host, port=port)
    return HttpService(server=server, engine=engine, replay_engine=replay, runtime=runtime, life=life,
                       jobs=jobs)


def run_server(settings: Settings, *, host: str, port: int, scheduler: bool) -> int:
    service = build_service(settings, host=host, port=port, scheduler=scheduler)
    # Shorter GIL time slices: an ack waiting behind a thread computing an answer gets the lock sooner
    # (bench/bench_http.py). Process-wide, so set here, by `serve` only: the CLI, the shell and the jobs
    # keep Python's default.
    sys.setswitchinterval(0.001)
    service.start()
    signal.signal(signal.SIGTERM, lambda _sig, _frame: _start_drain(service))
    # The drain ends waitress's loop with KeyboardInterrupt (`_thread.interrupt_main`), which does nothing
    # where SIGINT is ignored — as it is in a script's background job (`contractbot serve &`): Python's own
    # handler, whatever the parent left. Ctrl-C stops the server the same way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    logger.info("contractbot listening on http://%s:%d/slack/events", host, port)
    try:
        service.server.run()  # returns when the drain interrupts it
    finally:
        service.close()
    logger.info("contractbot stopped")
    return 0


def _start_drain(service: HttpService) -> None:
    if service.life.draining.is_set():
        return
    service.life.draining.set()
    threading.Thread(target=_drain, args=(service,), name="drain", daemon=True).start()


def _drain(service: HttpService) -> None:
    logger.info("SIGTERM: finishing %d request(s) in flight, then stopping", service.life.in_flight.count)
    service.drain()
    _thread.interrupt_main()  # waitress's loop ends on KeyboardInterrupt, after its own clean-up
