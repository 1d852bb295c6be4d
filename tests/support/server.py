"""Start a real `contractbot serve` process on loopback, wired to a FakeSlack, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Callable, Iterator, Mapping

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def contractbot_env(db_url: str, slack_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `contractbot` child process: this one's, with the database, the fake Slack and
    test secrets. PYTHONDONTWRITEBYTECODE is cleared (an empty value turns it off): the first child compiles
    our modules into `__pycache__` (git-ignored) and the hundreds after it read them (~0.15–0.25 s of CPU
    less per process; docs/performance.md, "The test suite")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CONTRACTBOT_", "DATABASE_URL"))}
    env.update({
        "DATABASE_URL": db_url, "SLACK_API_URL": slack_url, "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret", "CONTRACTBOT_TIMEZONE": "Europe/Paris",
        "PYTHONPATH": str(ROOT), "CONTRACTBOT_LOG_LEVEL": "WARNING", "PYTHONDONTWRITEBYTECODE": "",
    })
    env.update(extra)
    return env


def run_cli(args: list[str], env: Mapping[str, str], *, input_text: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=dict(env), cwd=ROOT, capture_output=True,
                          text=True, input=input_text, timeout=timeout)


def stop_process(process: subprocess.Popen[bytes], log: IO[str] | None = None) -> None:
    """Terminate a child process (kill it after 10 s) and close its log."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if log is not None:
        log.close()


def wait_until_up(base: str, *, healthy: bool = True, alive: Callable[[], bool] = lambda: True,
                  timeout: float = 60) -> None:
    """Until `base`/healthz answers 200 — or, with `healthy=False`, answers at all; RuntimeError when the server
    is no longer `alive` or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("exited early")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as err:
            err.close()
            if not healthy:
                return
            time.sleep(0.1)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("did not start")


class Serve:
    """`contractbot serve --port N --no-scheduler` in a subprocess: for the tests of the process itself (its
    signals, restarts, start on an unreachable or empty database, the log it writes, Socket Mode, several
    processes at once). The other end-to-end modules serve the same parts in the test process
    (tests/support/inproc_server.py, `ServeHere`)."""

    def __init__(self, env: Mapping[str, str], *, scheduler: bool = False, healthy: bool = True,
                 sigint_ignored: bool = False) -> None:
        """Start and wait until /healthz answers 200 — or, with `healthy=False`, answers at all.
        `sigint_ignored`: started as a script's background job is (`contractbot serve &`), through a shell
        that ignores SIGINT before it execs the server, which inherits that."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if not scheduler:
            args.append("--no-scheduler")
        if sigint_ignored:
            args = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *args]
        self.log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"contractbot-serve-{self.port}.log", "w+")
        self.process = subprocess.Popen(args, env=dict(env), cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(self.base, healthy=healthy, alive=lambda: self.process.poll() is None)
        except RuntimeError as exc:
            output = self.output()
            self.stop()
            raise RuntimeError(f"serve {exc}:\n{output}") from None

    @property
    def events_url(self) -> str:
        return f"{self.base}/slack/events"

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        stop_process(self.process, self.log)


def serving(env: Mapping[str, str]) -> Iterator[Serve]:
    server = Serve(env)
    try:
        yield server
    finally:
        server.stop()
