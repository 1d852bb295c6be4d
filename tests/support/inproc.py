"""Run `contractbot ARGS` inside the test process, through the composition root's own entry point
(`bot.cli.main`): the settings come from the environment `contractbot_env` built, the output is what
the command printed, the exit code what `main` returned. Each step of a long timeline then costs what
the command does, not the 1.2–1.4 s of CPU of a new interpreter importing everything again.

This is for the steps of a timeline; the wire itself (a real process: its exit code, stdout, signals,
several processes at once) keeps its subprocess tests (`tests/support/server.py::run_cli`).

A real `contractbot` process ends after one command, which releases what it opened; here the
process goes on, so the database connections the command opened are closed when it returns (the
engine's pool is left to the garbage collector, which would otherwise find them still open). The
command's connections are those opened in the calling thread while it runs (the CLI's commands open
none in other threads): an in-process server (tests/support/inproc_server.py) answering meanwhile
keeps its own. While the command runs, the root logger's handlers are the command's (as in its own
process): what an in-process server logs meanwhile goes to the command's stderr, not to the server's
`output()`.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import Any

from sqlalchemy import event
from sqlalchemy.pool import Pool

from bot.cli import main

#: The variables `contractbot_env` sets and the settings read: the rest of the environment is left as it is.
_PREFIXES = ("SLACK_", "CONTRACTBOT_", "DATABASE_URL")


def _ours(key: str) -> bool:
    return key.upper().startswith(_PREFIXES) or key.upper() == "PORT"
# The environment, sys.stdout/stderr and the root logger are the process's own: one command at a time.
_ONE_AT_A_TIME = threading.Lock()


@contextmanager
def _environment_of(env: Mapping[str, str]) -> Iterator[None]:
    """The settings' variables of `env` in os.environ (and only those), the others put back after; the
    caller holds _ONE_AT_A_TIME."""
    saved_env = {k: v for k, v in os.environ.items() if _ours(k)}
    try:
        for key in saved_env:
            del os.environ[key]
        os.environ.update({k: v for k, v in env.items() if _ours(k)})
        yield
    finally:
        for key in [k for k in os.environ if _ours(k)]:
            del os.environ[key]
        os.environ.update(saved_env)


@contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """While it lasts, os.environ carries `env`'s settings as a `contractbot` process started with `env`
    would see them (tests/support/inproc_server.py reads its settings so); one at a time with `cli_here`."""
    with _ONE_AT_A_TIME, _environment_of(env):
        yield


def cli_here(args: Sequence[str], env: Mapping[str, str], *, expect: int | None = 0
             ) -> subprocess.CompletedProcess[str]:
    """`contractbot ARGS` run by `bot.cli.main` in this process, with `env`'s settings; exit code `expect`
    unless None. An exception escaping `main` (what a real process would print as a traceback) fails the
    test where it happens."""
    with _ONE_AT_A_TIME:
        opened: list[Any] = []
        me = threading.get_ident()

        def remember(dbapi_connection: Any, _record: Any) -> None:
            if threading.get_ident() == me:  # the command's: an in-process server's threads keep theirs
                opened.append(dbapi_connection)

        root = logging.getLogger()
        saved_handlers, saved_level = root.handlers[:], root.level
        out, err = io.StringIO(), io.StringIO()
        event.listen(Pool, "connect", remember)
        try:
            with _environment_of(env), redirect_stdout(out), redirect_stderr(err):
                try:
                    code = main(list(args))
                except SystemExit as exc:  # argparse refusing the arguments
                    code = exc.code if isinstance(exc.code, int) else 2
        finally:
            event.remove(Pool, "connect", remember)
            root.handlers[:] = saved_handlers
            root.setLevel(saved_level)
            for connection in opened:
                connection.close()
    result = subprocess.CompletedProcess(["contractbot", *args], code, out.getvalue(), err.getvalue())
    if expect is not None:
        assert code == expect, f"{list(args)} returned {code}, expected {expect}:\n{result.stdout}{result.stderr}"
    return result
