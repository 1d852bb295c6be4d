"""The scheduled jobs: names, schedules (in the organisation's time zone) and entry points.

The schedule lives in code and the state in the database, so every replica may run the same
scheduler: each alert is claimed in the ledger before it is posted (see storage.alerts).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from jobs import deadlines, digest, disputes, obligations, revisions, sla, sla_report
from jobs.context import JobContext
from storage.db import database_unavailable

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    cron: dict[str, str]
    describe: str
    run: Callable[[JobContext, datetime, bool], list[str]]
    #: Also runs once as soon as a serving process's scheduler starts (see `build_scheduler`).
    at_start: bool = False


def run_deadlines(ctx: JobContext, now: datetime, dry_run: bool) -> list[str]:
    report = deadlines.sweep(ctx.session_factory, ctx.client, settings=ctx.settings, now=now, dry_run=dry_run,
                             metrics=ctx.metrics, pending=ctx.pending)
    count_alerts(ctx, "deadlines", report.outcomes)
    return deadlines.describe(report, today=now.astimezone(ctx.settings.tz).date())


def run_sla(ctx: JobContext, now: datetime, dry_run: bool) -> list[str]:
    report = sla.sweep(ctx.session_factory, ctx.client, settings=ctx.settings, now=now, dry_run=dry_run,
                       metrics=ctx.metrics, pending=ctx.pending)
    count_alerts(ctx, "sla", report.outcomes)
    return sla.describe(report)


def run_sla_report(ctx: JobContext, now: datetime, dry_run: bool) -> list[str]:
    report = sla_report.sweep(ctx.session_factory, ctx.client, settings=ctx.settings, now=now, dry_run=dry_run,
                              metrics=ctx.metrics, pending=ctx.pending)
    count_alerts(ctx, "sla-report", report.outcomes)
    return sla_report.describe(report)


def run_disputes(ctx: JobContext, now: datetime, dry_run: bool) -> list[str]:
    report = disputes.sweep(ctx.session_factory, ctx.client, settings=ctx.settings, now=now, dry_run=dry_run,
                            metrics=ctx.metrics, pending=ctx.pending)
    return disputes.describe(report)


def run_obligations(ctx: JobContext, now: datetime, dry_run: bool) -> list[str]:
    report = obligations.sweep(ctx.session_factory, ctx.client, settings=ctx.settings, now=now, dry_run=dry_run,
                               metrics=ctx.metrics, pending=ctx.pending)
    return obligations.describe(report, today=now.astimezone(ctx.settings.tz).date())


def run_revisions(ctx: JobContext, now: datetime, dry_run: bool) -> list[str]:
    report = revisions.sweep(ctx.session_factory, ctx.client, settings=ctx.settings, now=now, dry_run=dry_run,
                             metrics=ctx.metrics, pending=ctx.pending)
    return revisions.describe(report)


def run_digest(ctx: JobContext, now: datetime, dry_run: bool) -> list[str]:
    report = digest.sweep(ctx.session_factory, ctx.client, settings=ctx.settings, now=now, dry_run=dry_run,
                          metrics=ctx.metrics, pending=ctx.pending)
    return digest.describe(report)


JOBS: dict[str, JobSpec] = {
    "deadlines": JobSpec("deadlines", {"hour": "9", "minute": "0"}, "daily 09:00: notice deadline alerts",
                         run_deadlines),
    "sla": JobSpec("sla", {"minute": "*"}, "every minute: SLA at risk (75 %) and breached (100 %)", run_sla,
                   at_start=True),
    "sla-report": JobSpec("sla-report", {"day": "1", "hour": "8", "minute": "0"},
                          "1st of the month 08:00: last month's SLA compliance and credits", run_sla_report),
    "disputes": JobSpec("disputes", {"hour": "9", "minute": "0"},
                        "daily 09:00: DM reminder for disputes with no update for 14 days", run_disputes),
    "obligations": JobSpec("obligations", {"hour": "9", "minute": "0"},
                           "daily 09:00: obligation alerts and weekly overdue reminders", run_obligations),
    "revisions": JobSpec("revisions", {"hour": "9", "minute": "0"},
                         "daily 09:00: price revisions 30 days ahead, with an Apply button", run_revisions),
    "digest": JobSpec("digest", {"day_of_week": "mon", "hour": "9", "minute": "0"},
                      "Monday 09:00: the weekly digest to the alert channel, once per ISO week", run_digest),
}


def count_alerts(ctx: JobContext, job: str, outcomes: list) -> None:
    """Every outcome of a sweep is an alert it claimed, then posted or failed to post."""
    posted = sum(1 for o in outcomes if o.posted)
    for outcome, n in (("claimed", len(outcomes)), ("posted", posted), ("failed", len(outcomes) - posted)):
        if n:
            ctx.metrics.job_alerts.labels(job, outcome).inc(n)


def run_job(name: str, ctx: JobContext, *, now: datetime | None = None, dry_run: bool = False) -> list[str]:
    """Run one job as if the clock said `now` (default: the real clock)."""
    spec = JOBS[name]
    when = now or ctx.clock.now()
    started = time.monotonic()
    try:
        if not dry_run:  # marks this process could not write during an outage go first (jobs.recovery)
            ctx.pending.write(ctx.session_factory)
        lines = spec.run(ctx, when, dry_run)
    except Exception:
        ctx.metrics.job_runs.labels(name, "error").inc()
        raise
    finally:
        ctx.metrics.job_seconds.labels(name).observe(time.monotonic() - started)
    ctx.metrics.job_runs.labels(name, "ok").inc()
    ctx.metrics.job_last_success.labels(name).set(time.time())
    return lines


def scheduled_entry(name: str, ctx: JobContext) -> None:
    """What APScheduler calls: take `now` from the clock, run, never let an exception kill the thread."""
    try:
        for line in run_job(name, ctx):
            logger.info("%s: %s", name, line)
    except Exception as exc:
        if database_unavailable(exc):  # nothing was claimed, so nothing is lost: the next run posts it
            logger.warning("job %s skipped: database unavailable (%s)", name, type(exc).__name__)
        else:
            logger.exception("job %s failed", name)


def build_scheduler(ctx: JobContext, *, sweep_at_start: bool = False) -> BackgroundScheduler:
    """Jobs with explicit ids (replace_existing), one instance each, coalesced after a pause, and a
    generous misfire grace so a sweep delayed by a busy process still runs.

    `sweep_at_start` (the serving processes): the jobs marked `at_start` — the every-minute SLA sweep —
    also run the moment the scheduler starts, so an incident that reached 75 % or 100 % while the bot was
    down (a deployment, a database outage) is announced at once rather than at the next minute. The
    daily jobs keep their hour: an alert at 03:00 after a night restart would reach nobody. The claim
    ledger makes the extra run harmless to the other replicas."""
    # APScheduler is imported by the processes that schedule, not by every `jobs run` (start-up cost).
    from apscheduler.events import EVENT_SCHEDULER_STARTED, SchedulerEvent
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BackgroundScheduler(timezone=ctx.settings.tz, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
    for spec in JOBS.values():
        scheduler.add_job(scheduled_entry, CronTrigger(timezone=ctx.settings.tz, **spec.cron), args=[spec.name, ctx],
                          id=spec.name, name=spec.describe, replace_existing=True)
    if sweep_at_start:
        def run_at_start(_event: SchedulerEvent) -> None:
            for spec in JOBS.values():
                if spec.at_start:
                    scheduler.modify_job(spec.name, next_run_time=ctx.clock.now())

        scheduler.add_listener(run_at_start, EVENT_SCHEDULER_STARTED)
    return scheduler
