"""Self-tests of tests/support/inproc.py: a `contractbot` command run in the test process says what the
real process says, exits as it does, and leaves this process's environment, logging and database
connections as they were."""

from __future__ import annotations

import gc
import logging
import os
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import write_csv
from tests.support.inproc import cli_here
from tests.support.server import contractbot_env, run_cli


def test_the_same_command_says_the_same_here_and_in_a_real_process(sqlite_url: str, tmp_path: Path) -> None:
    env = contractbot_env(sqlite_url, "http://127.0.0.1:9/api/")
    rows = [{"reference": "IP-1", "title": "Here", "vendor": "Acme", "end_date": "2027-01-25"}]
    imported = cli_here(["import", "contracts", str(write_csv(tmp_path / "a.csv", rows))], env)
    assert imported.stdout == "imported: 1 created, 0 updated, 0 unchanged\n", imported
    args = ["jobs", "run", "deadlines", "--at", "2027-01-15T09:00", "--dry-run"]
    here, there = cli_here(args, env), run_cli(args, env)
    assert (here.returncode, here.stdout) == (there.returncode, there.stdout) == (0, there.stdout)
    assert "IP-1" in here.stdout and here.stdout.startswith("[dry run] ")


def test_exit_codes_and_errors_are_the_entry_points(sqlite_url: str) -> None:
    env = contractbot_env(sqlite_url, "http://127.0.0.1:9/api/")
    unknown = cli_here(["jobs", "run", "nope"], env, expect=2)
    assert "unknown job 'nope'" in unknown.stderr
    assert cli_here(["no-such-command"], env, expect=2).returncode == 2  # argparse's refusal
    with pytest.raises(AssertionError, match="returned 2, expected 0"):
        cli_here(["jobs", "run", "nope"], env)


def test_the_environment_logging_and_connections_are_left_as_they_were(db_url: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTRACTBOT_LANGUAGE", "fr")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    env = contractbot_env(db_url, "http://127.0.0.1:9/api/")
    assert "database schema is up to date" in cli_here(["db", "upgrade"], env).stdout
    assert os.environ.get("CONTRACTBOT_LANGUAGE") == "fr" and "DATABASE_URL" not in os.environ
    assert (root.handlers, root.level) == (handlers, level)
    # The command's connections were closed: an open one found by the collector warns (an error here).
    gc.collect()
