"""`contractbot`: run, serve, socket, shell, demo, import, export, jobs, db."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bot import commands_cli
from bot.logs import configure_logging
from bot.settings import Settings
from storage.db import database_unavailable

logger = logging.getLogger("contractbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="contractbot", description="A Slack bot for IT contract managers.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="pick the mode from the environment (Socket Mode, HTTP, or the local shell)")
    serve = sub.add_parser("serve", help="HTTP mode: Bolt app and scheduler in one process")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--no-scheduler", action="store_true")
    socket = sub.add_parser("socket", help="Socket Mode")
    socket.add_argument("--no-scheduler", action="store_true")
    shell = sub.add_parser("shell", help="a local terminal session, replies rendered as text")
    shell.add_argument("--no-demo", action="store_true", help="do not load the demo portfolio into an empty database")
    demo = sub.add_parser("demo", help="load a realistic demo portfolio")
    demo.add_argument("--reset", action="store_true", help="delete everything first")
    imp = sub.add_parser("import", help="bulk import, all-or-nothing")
    imp.add_argument("what", choices=["contracts", "sla", "index"])
    imp.add_argument("file", type=Path, help="the CSV file (for `import index`: the index NAME, then the file)")
    imp.add_argument("index_file", type=Path, nargs="?", help=argparse.SUPPRESS)
    exp = sub.add_parser("export", help="export to stdout")
    exp.add_argument("what", choices=["contracts", "disputes", "obligations"])
    exp.add_argument("--format", choices=["csv", "ics"], default="csv")
    jobs = sub.add_parser("jobs", help="scheduled jobs")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_sub.add_parser("list", help="the scheduled jobs and their next run")
    run = jobs_sub.add_parser("run", help="run one job now, or as if the clock said --at")
    run.add_argument("name")
    run.add_argument("--at", default=None, help="ISO datetime; without an offset it is read in CONTRACTBOT_TIMEZONE")
    run.add_argument("--dry-run", action="store_true", help="print what would be posted; record nothing")
    db = sub.add_parser("db", help="database")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations (Alembic)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging()
    try:
        settings = Settings()
    except ValidationError as exc:
        for err in exc.errors():
            print(f"configuration error: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}", file=sys.stderr)
        return 2
    handler = getattr(commands_cli, f"cmd_{args.command}")
    try:
        return int(handler(settings, args) or 0)
    except commands_cli.CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        print(f"error: the database is unreachable ({type(exc).__name__}); nothing was done, try again later",
              file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
