"""What each `contractbot` sub-command does (argument parsing is in bot.cli).

Each sub-command imports what only it runs inside its function, on purpose: every `contractbot`
call then loads just its own part (Bolt and every listener, the HTTP server, the scheduler and every
job, the CSV readers…), which keeps each call's start-up near the bare minimum (about 0.5–1 s saved
per call; the end-to-end tests make hundreds). Module-level: only what every sub-command needs.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bot.cli_support import CliError, job_context, parse_at
from bot.clock import SystemClock
from bot.settings import Settings
from storage.db import open_database

logger = logging.getLogger("contractbot")

__all__ = ["CliError", "cmd_db", "cmd_demo", "cmd_export", "cmd_import", "cmd_jobs", "cmd_run", "cmd_serve",
           "cmd_shell", "cmd_socket"]


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if settings.has_socket_credentials:
        return cmd_socket(settings, argparse.Namespace(no_scheduler=False))
    if settings.has_http_credentials:
        return cmd_serve(settings, argparse.Namespace(port=None, host="0.0.0.0", no_scheduler=False))
    print("No Slack credentials set: starting the local shell with the demo portfolio.", file=sys.stderr)
    return cmd_shell(settings, argparse.Namespace(no_demo=False))


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.has_http_credentials:
        raise CliError("HTTP mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
    from bot.serving import run_server  # only this mode loads the HTTP server (module docstring)

    return run_server(settings, host=args.host, port=args.port or settings.port, scheduler=not args.no_scheduler)


def cmd_socket(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.has_socket_credentials:
        raise CliError("Socket Mode needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN")
    # Only this mode loads Bolt, the listeners and the websocket client (module docstring).
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app
    from bot.lifecycle import Lifecycle, become_ready
    from jobs.registry import build_scheduler
    from storage.db import make_engine, make_session_factory

    # Like `serve`: connect to Slack at once, without waiting for the database. The schema upgrade is
    # retried in the background (bot.lifecycle.become_ready) and the scheduler starts once it succeeded;
    # meanwhile commands, DMs and buttons are answered "temporarily unavailable".
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    clock = SystemClock()
    life = Lifecycle(ready=False)
    app, runtime = create_app(settings, factory, clock, request_verification=False, lifecycle=life)
    jobs = None
    if not args.no_scheduler:
        ctx = job_context(settings, factory, clock)
        ctx.metrics = runtime.metrics
        jobs = build_scheduler(ctx, sweep_at_start=True)
    threading.Thread(target=become_ready, args=(engine, life, jobs), name="startup", daemon=True).start()
    assert settings.slack_app_token is not None
    SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    return 0


def cmd_shell(settings: Settings, args: argparse.Namespace) -> int:
    from bot.shell import run_shell  # only this mode loads Bolt and the listeners (module docstring)

    return run_shell(settings, load_demo=not args.no_demo)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import load_demo  # the demo portfolio: only for this sub-command (module docstring)

    _engine, factory = open_database(settings.database_url)
    with factory.begin() as session:
        count = load_demo(session, settings=settings, now=SystemClock().now(), reset=args.reset)
    print(f"demo portfolio: {count} contracts loaded")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    if args.what == "index":
        from bot.index_import import import_index  # price indices: only for this sub-command

        return import_index(settings, args)
    from bot.csv_io import ImportRejected, import_contracts, import_sla  # the CSV readers (module docstring)
    from storage import contracts

    if not args.file.is_file():
        raise CliError(f"cannot read {args.file}: no such file")
    _engine, factory = open_database(settings.database_url)
    now = SystemClock().now()
    try:
        with factory.begin() as session:
            if args.what == "sla":
                count = import_sla(session, args.file.read_text(encoding="utf-8"), now=now)
                summary = f"imported: {count} SLA term(s) set"
            else:
                defaults = contracts.Defaults(currency=settings.currency, lead=settings.default_lead)
                # Streamed: a big file is never held in memory whole (utf-8-sig drops a BOM).
                with args.file.open(encoding="utf-8-sig", newline="") as stream, _bulk_gc():
                    report = import_contracts(session, stream, defaults=defaults, tz=settings.tz, now=now)
                summary = f"imported: {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    except ImportRejected as exc:
        for line, reason in exc.errors:
            print(f"{args.file}:{line}: {reason}", file=sys.stderr)
        print(f"import refused: {len(exc.errors)} bad row(s); nothing was imported", file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {args.file}: {exc}") from None
    print(summary)
    return 0


@contextmanager
def _bulk_gc() -> Iterator[None]:
    """A bulk import allocates millions of short-lived containers (rows, values) and makes no garbage
    cycles of its own: the cyclic collector runs its young generation every 50,000 allocations instead
    of 700 while it lasts (collections were ~13 % of a 100,000-row import's CPU; docs/performance.md).
    Memory stays bounded: reference counting frees every row as before."""
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    # The writers of every export (module docstring).
    from bot.csv_io import export_contracts, export_disputes, export_obligations
    from storage import contracts

    _engine, factory = open_database(settings.database_url)
    with factory.begin() as session:
        if args.what == "disputes":
            sys.stdout.write(export_disputes(session)[0])
        elif args.what == "obligations":
            today = SystemClock().now().astimezone(settings.tz).date()
            sys.stdout.write(export_obligations(session, today=today, thresholds=settings.obligation_thresholds)[0])
        elif args.format == "ics":
            from bot.render.calendar import calendar_feed  # the iCalendar writer: only this format (docstring)

            sys.stdout.write(calendar_feed(contracts.iter_all(session), now=SystemClock().now()))
        else:
            sys.stdout.write(export_contracts(session)[0])
    return 0


def cmd_jobs(settings: Settings, args: argparse.Namespace) -> int:
    from jobs.registry import JOBS, build_scheduler, run_job  # the scheduler and every job (module docstring)

    if args.jobs_command == "list":
        _engine, factory = open_database(settings.database_url)
        scheduler = build_scheduler(job_context(settings, factory, SystemClock()))
        scheduler.start(paused=True)
        for job in scheduler.get_jobs():
            print(f"{job.id:<12} next run {job.next_run_time.isoformat()}  ({job.name})")
        scheduler.shutdown(wait=False)
        return 0
    if args.name not in JOBS:
        raise CliError(f"unknown job {args.name!r}; jobs: {', '.join(JOBS)}")
    try:
        clock = parse_at(args.at, settings)
    except ValueError:
        raise CliError(f"--at {args.at!r} is not an ISO datetime such as 2027-01-15T09:00") from None
    if settings.slack_bot_token is None and not args.dry_run:
        raise CliError("SLACK_BOT_TOKEN is not set: nothing can be posted (use --dry-run to see what would be)")
    _engine, factory = open_database(settings.database_url)
    ctx = job_context(settings, factory, clock)
    lines = run_job(args.name, ctx, now=clock.now(), dry_run=args.dry_run)
    prefix = "[dry run] " if args.dry_run else ""
    for line in lines or ["nothing due"]:
        print(prefix + line)
    return 0


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    open_database(settings.database_url)
    print("database schema is up to date")
    return 0
