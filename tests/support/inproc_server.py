"""`contractbot serve` inside the test process (`ServeHere`): the product's own parts
(`bot.serving.build_service`: Bolt, the edge checks, the lanes, waitress) behind a real HTTP server on
loopback, run in a thread. The requests still go over the wire (signed HTTP into waitress, the real
database, FakeSlack through SLACK_API_URL); only the interpreter is shared, so a module's server costs
what it does, not the ~2 s of CPU of a new interpreter importing everything (bolt-python's own tests run
their app the same way).

Two tiers (tests/e2e/helpers.py): the modules that test what the bot answers serve it here; those that
test the process itself keep a real `contractbot serve` (tests/support/server.py, `Serve`): SIGTERM and
the drain, restarts, a start on an unreachable or empty database, the log a real process writes,
Socket Mode, several replicas at once.

What a process would own is given back at `stop()`: the server's sockets and threads, the Bolt
listeners' pool, the lanes' children, the engines' connections, the answers' kept-alive connections
(`bot.response_url.POSTER`) and the log handler. The heavy lane's
children are forked, as in production, by the lanes' fork server, which is then one per test process
(started by the first export or report, reused by the next modules' servers). Not done here: signal
handlers (this is not the main thread) and `sys.setswitchinterval` (process-wide). Not in `output()`:
what the lanes' children log (they write to the fork server's stderr, this process's), and what is
logged while `cli_here` runs a command (tests/support/inproc.py).
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Mapping

from waitress import wasyncore

from bot import response_url
from bot.logs import NOISY_LOGGERS, make_handler
from bot.serving import build_service
from bot.settings import Settings
from tests.support.inproc import environment
from tests.support.server import wait_until_up

# The root logger is the process's: the servers alive at once share it (each captures every record).
_LOGGING = threading.Lock()
_live: list[tuple[logging.Handler, int]] = []
_saved_levels: dict[str, int] = {}


def _capture(handler: logging.Handler, level: int) -> None:
    root = logging.getLogger()
    with _LOGGING:
        if not _live:
            _saved_levels.update({name: logging.getLogger(name).level for name in ("", *NOISY_LOGGERS)})
            for name in NOISY_LOGGERS:
                logging.getLogger(name).setLevel(logging.WARNING)
        _live.append((handler, level))
        root.addHandler(handler)
        root.setLevel(min(lvl for _, lvl in _live))


def _release(handler: logging.Handler) -> None:
    root = logging.getLogger()
    with _LOGGING:
        root.removeHandler(handler)
        _live[:] = [(h, lvl) for h, lvl in _live if h is not handler]
        if _live:
            root.setLevel(min(lvl for _, lvl in _live))
        else:
            for name, level in _saved_levels.items():
                logging.getLogger(name or None).setLevel(level)
            _saved_levels.clear()
    handler.close()


class ServeHere:
    """`contractbot serve --no-scheduler` (or with the scheduler) in this process: the interface of
    `tests.support.server.Serve` (`port`, `base`, `events_url`, `output()`, `stop()`), started and
    healthy (or, with `healthy=False`, answering) when the constructor returns."""

    def __init__(self, env: Mapping[str, str], *, scheduler: bool = False, healthy: bool = True) -> None:
        # The settings, the log level and format as `contractbot serve` started with `env` reads them.
        self._log = io.StringIO()
        with environment(env):
            settings = Settings()
            level = logging.getLevelName(os.environ.get("CONTRACTBOT_LOG_LEVEL", "INFO").upper())
            handler = make_handler(self._log)
        self._handler = handler
        _capture(handler, level if isinstance(level, int) else logging.INFO)
        try:
            self._service = build_service(settings, host="127.0.0.1", port=0, scheduler=scheduler)
        except BaseException:
            _release(handler)
            raise
        self.port = int(self._service.server.effective_port)
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._service.server.run, name=f"serve-here-{self.port}",
                                        daemon=True)
        self._stopped = False
        self._service.start()
        self._thread.start()
        logging.getLogger("bot.serving").info("contractbot listening on %s/slack/events (in the test process)",
                                              self.base)
        try:
            wait_until_up(self.base, healthy=healthy, alive=self._thread.is_alive)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"serve (in process) {exc}:\n{self.output()}") from None

    @property
    def events_url(self) -> str:
        return f"{self.base}/slack/events"

    def output(self) -> str:
        """What the product logged while this server ran, as the process would write it (same handler,
        formatter and scrubbing; its level and format from CONTRACTBOT_LOG_LEVEL / CONTRACTBOT_LOG_FORMAT)."""
        return self._log.getvalue()

    def stop(self) -> None:
        """As SIGTERM would: new requests get 503, those in flight and the answers after their ack finish;
        then the server's sockets and threads, the listeners' pool, the lanes, the engines."""
        if self._stopped:
            return
        self._stopped = True
        service, server = self._service, self._service.server
        service.life.draining.set()
        try:
            service.drain()
            # Closed by the server's own loop thread (a socket closed under its select() would fail it); the
            # loop ends when nothing is left in its map.
            if self._thread.is_alive():
                server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
                self._thread.join(timeout=30)
            else:
                wasyncore.close_all(server._map)
            server.task_dispatcher.shutdown()
            if service.runtime.after_ack is not None:
                service.runtime.after_ack.executor.shutdown(wait=True)
            if service.startup is not None:
                service.startup.join(timeout=30)
            service.close()
            # The answers' kept-alive connections (one poster per process) would stay open to a FakeSlack
            # that stops with the module; a process's die with it. Any other user reconnects.
            response_url.POSTER.close()
        finally:
            logging.getLogger("bot.serving").info("contractbot stopped")
            _release(self._handler)
        assert not self._thread.is_alive(), "the in-process server's loop did not stop"
