"""What each `contractbot` sub-command does (argument parsing is in bot.cli)."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.clock import SystemClock
from bot.settings import Settings
from storage.db import open_database

logger = logging.getLogger("contractbot")


class CliError(Exception):
    """A problem the operator can fix; printed without a traceback, exit code 2."""


def _job_context(settings: Settings, factory, clock):  # type: ignore[no-untyped-def]
    from bot.app import web_client
    from bot.metrics import Metrics
    from jobs.context import JobContext

    client = web_client(settings) if settings.slack_bot_token else None
    return JobContext(settings=settings, session_factory=factory, client=client, clock=clock, metrics=Metrics())


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
    from bot.serving import run_server

    return run_server(settings, host=args.host, port=args.port or settings.port, scheduler=not args.no_scheduler)


def cmd_socket(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.has_socket_credentials:
        raise CliError("Socket Mode needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN")
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app
    from jobs.registry import build_scheduler

    _engine, factory = open_database(settings.database_url)
    clock = SystemClock()
    app, runtime = create_app(settings, factory, clock, request_verification=False)
    if not args.no_scheduler:
        ctx = _job_context(settings, factory, clock)
        ctx.metrics = runtime.metrics
        build_scheduler(ctx).start()
    assert settings.slack_app_token is not None
    SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    return 0


def cmd_shell(settings: Settings, args: argparse.Namespace) -> int:
    from bot.shell import run_shell

    return run_shell(settings, load_demo=not args.no_demo)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import load_demo

    _engine, factory = open_database(settings.database_url)
    with factory.begin() as session:
        count = load_demo(session, settings=settings, now=SystemClock().now(), reset=args.reset)
    print(f"demo portfolio: {count} contracts loaded")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    if args.what == "index":
        from bot.index_import import import_index

        return import_index(settings, args)
    from storage import contracts
    from storage.csv_io import ImportRejected, import_contracts, import_sla

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
                with args.file.open(encoding="utf-8-sig", newline="") as stream:
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


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from storage.csv_io import export_calendar, export_contracts

    _engine, factory = open_database(settings.database_url)
    with factory.begin() as session:
        if args.what == "disputes":
            from storage.disputes_csv import export_disputes

            sys.stdout.write(export_disputes(session)[0])
        elif args.what == "obligations":
            from storage.obligations import export_csv

            today = SystemClock().now().astimezone(settings.tz).date()
            sys.stdout.write(export_csv(session, today=today, thresholds=settings.obligation_thresholds)[0])
        elif args.format == "ics":
            sys.stdout.write(export_calendar(session, now=SystemClock().now()))
        else:
            sys.stdout.write(export_contracts(session)[0])
    return 0


def cmd_jobs(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import parse_at
    from jobs.registry import JOBS, build_scheduler, run_job

    if args.jobs_command == "list":
        _engine, factory = open_database(settings.database_url)
        scheduler = build_scheduler(_job_context(settings, factory, SystemClock()))
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
    ctx = _job_context(settings, factory, clock)
    lines = run_job(args.name, ctx, now=clock.now(), dry_run=args.dry_run)
    prefix = "[dry run] " if args.dry_run else ""
    for line in lines or ["nothing due"]:
        print(prefix + line)
    return 0


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    open_database(settings.database_url)
    print("database schema is up to date")
    return 0
