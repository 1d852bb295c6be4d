"""The real scheduler, built and started paused, against the spec's table of jobs (`interface.md`, "Alerts
(scheduled jobs)"): every job by name, its trigger and its time zone, and the times it fires — walked through
a daylight-saving change and a month's end — against a reference written from the spec and computed with
the standard library only, never from the product's own schedule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.clock import FixedClock, SystemClock
from bot.metrics import Metrics
from bot.settings import Settings
from jobs.context import JobContext
from jobs.registry import build_scheduler
from storage.db import open_database

UTC = ZoneInfo("UTC")

# Written from the spec: job → (how often, weekday or day of month, hour, minute), in the organisation's zone.
SPEC = {
    "deadlines": ("daily", None, 9, 0),
    "sla": ("every minute", None, None, None),
    "disputes": ("daily", None, 9, 0),
    "digest": ("weekly", 0, 9, 0),  # Monday
    "sla-report": ("monthly", 1, 8, 0),  # the 1st of the month
    "obligations": ("daily", None, 9, 0),
    "revisions": ("daily", None, 9, 0),
}


def expected_fires(name: str, after: datetime, tz: ZoneInfo, count: int) -> list[datetime]:
    """The spec's next `count` fire times strictly after `after`, by walking the calendar day by day (or
    minute by minute in UTC for the every-minute job)."""
    how, which, hour, minute = SPEC[name]
    out: list[datetime] = []
    if how == "every minute":
        moment = after.astimezone(UTC).replace(second=0, microsecond=0)
        while len(out) < count:
            moment += timedelta(minutes=1)
            out.append(moment)
        return out
    day = after.astimezone(tz).date()
    while len(out) < count:
        if (how == "daily" or (how == "weekly" and day.weekday() == which)
                or (how == "monthly" and day.day == which)):
            local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
            if local > after:
                out.append(local)
        day += timedelta(days=1)
    return out


def trigger_fires(trigger: CronTrigger, after: datetime, count: int) -> Iterator[datetime]:
    previous = None
    now = after + timedelta(microseconds=1)
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, now)
        assert fire is not None
        yield fire
        previous, now = fire, fire + timedelta(microseconds=1)


@pytest.fixture(params=["Europe/Paris", "America/New_York"])
def scheduled(request: pytest.FixtureRequest, sqlite_head_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CONTRACTBOT_TIMEZONE", request.param)
    settings = Settings(database_url=sqlite_head_url)
    engine, factory = open_database(sqlite_head_url)
    ctx = JobContext(settings=settings, session_factory=factory, client=None, clock=SystemClock(), metrics=Metrics())
    scheduler = build_scheduler(ctx)
    scheduler.start(paused=True)
    try:
        yield ZoneInfo(request.param), {job.id: job for job in scheduler.get_jobs()}, scheduler
    finally:
        scheduler.shutdown(wait=False)
        engine.dispose()


def test_every_job_of_the_spec_is_scheduled_and_nothing_else(scheduled) -> None:  # type: ignore[no-untyped-def]
    tz, jobs, scheduler = scheduled
    assert sorted(jobs) == sorted(SPEC)
    assert str(scheduler.timezone) == str(tz)
    for name, job in jobs.items():
        assert isinstance(job.trigger, CronTrigger), (name, job.trigger)
        assert str(job.trigger.timezone) == str(tz), name  # the organisation's time zone, not the server's
        assert job.args[0] == name  # the entry point runs the job it is named after
        assert job.max_instances == 1 and job.coalesce, name
        assert job.next_run_time is not None and job.next_run_time.tzinfo is not None, name


# Starts just before the spring change of each zone (Paris 28 Mar 2027, New York 14 Mar 2027), and a month's end.
STARTS = [datetime(2027, 3, 10, 10, 30), datetime(2027, 3, 26, 8, 59, 30), datetime(2027, 1, 31, 23, 58)]


@pytest.mark.parametrize("name", sorted(SPEC))
def test_each_job_fires_when_the_spec_says(scheduled, name: str) -> None:  # type: ignore[no-untyped-def]
    tz, jobs, _ = scheduled
    count = 180 if SPEC[name][0] == "every minute" else 40
    for start in STARTS:
        after = start.replace(tzinfo=tz)
        fires = list(trigger_fires(jobs[name].trigger, after, count))
        assert [f.astimezone(UTC) for f in fires] == [e.astimezone(UTC) for e in expected_fires(name, after, tz, count)], \
            (name, start)


def test_the_spec_table_itself_reads_as_the_spec_says() -> None:
    """The reference walker, checked by hand on a few dates, so a mistake in it cannot hide one in the product."""
    paris = ZoneInfo("Europe/Paris")
    after = datetime(2027, 3, 27, 12, 0, tzinfo=paris)  # a Saturday, the day before the clocks change
    assert expected_fires("deadlines", after, paris, 2) == [datetime(2027, 3, 28, 9, 0, tzinfo=paris),
                                                             datetime(2027, 3, 29, 9, 0, tzinfo=paris)]
    assert [d.astimezone(UTC).hour for d in expected_fires("deadlines", after, paris, 2)] == [7, 7]
    assert expected_fires("digest", after, paris, 1) == [datetime(2027, 3, 29, 9, 0, tzinfo=paris)]
    assert expected_fires("sla-report", after, paris, 2) == [datetime(2027, 4, 1, 8, 0, tzinfo=paris),
                                                              datetime(2027, 5, 1, 8, 0, tzinfo=paris)]
    assert len(expected_fires("sla", after, paris, 60)) == 60
    assert date(2027, 3, 29).weekday() == 0


def test_a_serving_scheduler_sweeps_sla_once_at_start_and_keeps_the_daily_jobs_at_their_hour(
        sqlite_head_url: str) -> None:
    """`serve` and `socket` build the scheduler with `sweep_at_start`: the every-minute SLA sweep is due the
    moment the scheduler starts (an incident breached while the bot was down is told at once); every other
    job keeps the spec's hour. `jobs list` builds it without, and shows the cron's next run for all."""
    tz = ZoneInfo("Europe/Paris")
    started = datetime(2027, 3, 10, 10, 30, 17, tzinfo=UTC)  # not on a minute: the cron could never say it
    engine, factory = open_database(sqlite_head_url)
    try:
        ctx = JobContext(settings=Settings(database_url=sqlite_head_url, timezone="Europe/Paris"),
                         session_factory=factory, client=None, clock=FixedClock(started), metrics=Metrics())
        next_runs = {}
        for at_start in (True, False):
            scheduler = build_scheduler(ctx, sweep_at_start=at_start)
            scheduler.start(paused=True)
            next_runs[at_start] = {job.id: job.next_run_time for job in scheduler.get_jobs()}
            scheduler.shutdown(wait=False)
    finally:
        engine.dispose()
    assert next_runs[True]["sla"] == started
    assert next_runs[False]["sla"] != started and next_runs[False]["sla"].second == 0
    for name in sorted(set(SPEC) - {"sla"}):
        local = next_runs[True][name].astimezone(tz)
        assert (local.hour, local.minute) == (SPEC[name][2], SPEC[name][3]), name
