"""Every alert is posted exactly once: several `jobs run deadlines` processes at once on one PostgreSQL,
a failed post retried by the next run, restarts, the scheduled run then a hand-run one; and the real
scheduler's job registrations (ids, cron triggers, the organisation's time zone)."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from slack_sdk import WebClient

from bot.clock import SystemClock
from bot.metrics import Metrics
from bot.settings import Settings
from jobs.context import JobContext
from jobs.registry import build_scheduler
from storage.db import open_database
from tests.conftest import TOKEN
from tests.e2e.cli_helpers import PARIS, cli, day, ledger, ledger_for, posts, write_csv
from tests.support.fake_slack import FakeSlack
from tests.support.postgres import PostgresServer
from tests.support.server import ROOT, contractbot_env

PORTFOLIO = 30


def _portfolio(path: Path) -> Path:
    # Act-by dates from 1 to 30 days after 15 Jan 2027: every contract has one alert due at --at 2027-01-15.
    return write_csv(path, [{"reference": f"EO-{n:03d}", "title": f"Contract {n}", "vendor": f"Vendor {n % 7}",
                             "end_date": (date(2027, 1, 15) + timedelta(days=n)).isoformat(),
                             "channel": f"C0EO{n:05d}"} for n in range(1, PORTFOLIO + 1)])


def test_three_processes_at_once_post_every_alert_exactly_once(postgres: PostgresServer | None, fake_slack: FakeSlack,
                                                               tmp_path: Path) -> None:
    if postgres is None:
        pytest.skip("no PostgreSQL binaries on this machine (CI installs them)")
    url = postgres.create_database("eo_" + uuid.uuid4().hex[:12])
    env = contractbot_env(url, fake_slack.url)
    assert "30 created" in cli(["import", "contracts", str(_portfolio(tmp_path / "portfolio.csv"))], env).stdout

    args = [sys.executable, "-m", "bot.cli", "jobs", "run", "deadlines", "--at", "2027-01-15T09:00"]
    procs = [subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0 and "Traceback" not in out + err, out + err
        assert "FAILED" not in out, out

    refs = [f"EO-{n:03d}" for n in range(1, PORTFOLIO + 1)]
    per_channel = Counter(c["args"]["channel"] for c in fake_slack.calls("chat.postMessage"))
    per_ref = {ref: per_channel[f"C0EO{n:05d}"] for n, ref in enumerate(refs, start=1)}
    assert per_ref == {ref: 1 for ref in refs}, {r: k for r, k in per_ref.items() if k != 1}
    assert sum(per_channel.values()) == PORTFOLIO
    for n, ref in enumerate(refs, start=1):
        [post] = posts(fake_slack, f"C0EO{n:05d}")
        assert ref in post["args"]["text"]
    # Each alert is reported "posted" by exactly one of the three processes.
    assert sum(out.count(": posted") for out, _ in outputs) == PORTFOLIO

    rows = ledger(url)
    posted = Counter(r.reference for r in rows if r.state == "posted")
    assert posted == Counter({ref: 1 for ref in refs}), posted
    assert not [r for r in rows if r.state in ("claimed", "failed")]
    assert len({r.key for r in rows}) == len(rows)
    assert len({r.ts for r in rows if r.state == "posted"}) == PORTFOLIO

    again = cli(["jobs", "run", "deadlines", "--at", "2027-01-15T09:00"], env).stdout
    assert "nothing due" in again, again
    assert len(fake_slack.calls("chat.postMessage")) == PORTFOLIO


def test_failed_post_is_retried_once_and_never_doubled(db_url: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    env = contractbot_env(db_url, fake_slack.url)
    rows = [{"reference": "RTY-1", "title": "Retried", "vendor": "Acme", "end_date": day(10).isoformat(),
             "channel": "C0RTY0001"}]
    cli(["import", "contracts", str(write_csv(tmp_path / "a.csv", rows))], env)

    fake_slack.fail_next("chat.postMessage")
    failed = cli(["jobs", "run", "deadlines"], env).stdout
    assert "FAILED" in failed and "internal_error" in failed, failed  # the run says so
    assert len(posts(fake_slack, "C0RTY0001")) == 1  # the attempt that failed
    [row] = [r for r in ledger_for(db_url, "RTY-1") if r.threshold == 14]
    assert row.state == "failed"

    retried = cli(["jobs", "run", "deadlines"], env).stdout
    assert "posted" in retried and "FAILED" not in retried, retried
    assert len(posts(fake_slack, "C0RTY0001")) == 2  # posted once more, not twice
    [row] = [r for r in ledger_for(db_url, "RTY-1") if r.threshold == 14]
    assert (row.state, row.attempts) == ("posted", 2)

    restarted = cli(["jobs", "run", "deadlines"], env).stdout  # a new process: nothing to post again
    assert "nothing due" in restarted, restarted
    assert len(posts(fake_slack, "C0RTY0001")) == 2
    assert [r.state for r in ledger_for(db_url, "RTY-1") if r.state in ("posted", "claimed", "failed")] == ["posted"]


def test_hand_run_after_the_scheduled_run_posts_nothing_new(db_url: str, fake_slack: FakeSlack,
                                                           tmp_path: Path) -> None:
    env = contractbot_env(db_url, fake_slack.url)
    rows = [{"reference": "SCH-1", "title": "Scheduled", "vendor": "Acme", "end_date": day(10).isoformat(),
             "channel": "C0SCH0001"},
            {"reference": "SCH-2", "title": "Scheduled too", "vendor": "Acme", "end_date": day(3).isoformat(),
             "channel": "C0SCH0002"}]
    cli(["import", "contracts", str(write_csv(tmp_path / "a.csv", rows))], env)

    # The scheduled run: the real scheduler of a serving process, its deadlines job fired now.
    settings = Settings(database_url=db_url, slack_bot_token=TOKEN, slack_api_url=fake_slack.url,
                        timezone="Europe/Paris")
    engine, factory = open_database(db_url)
    ctx = JobContext(settings=settings, session_factory=factory,
                     client=WebClient(token=TOKEN, base_url=fake_slack.url, timeout=10), clock=SystemClock(),
                     metrics=Metrics())
    scheduler = build_scheduler(ctx)
    done = threading.Event()
    scheduler.add_listener(lambda event: done.set() if event.job_id == "deadlines" else None,
                           mask=EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        scheduler.modify_job("deadlines", next_run_time=datetime.now(PARIS))
        assert done.wait(30), "the scheduled deadlines job did not run"
    finally:
        scheduler.shutdown(wait=True)
        engine.dispose()
    assert [len(posts(fake_slack, c)) for c in ("C0SCH0001", "C0SCH0002")] == [1, 1]

    hand = cli(["jobs", "run", "deadlines"], env).stdout
    assert "nothing due" in hand, hand
    assert [len(posts(fake_slack, c)) for c in ("C0SCH0001", "C0SCH0002")] == [1, 1]
    states = Counter(r.state for r in ledger(db_url))
    assert states["posted"] == 2 and states["claimed"] == states["failed"] == 0, states


# Every job of the spec, its trigger, time zone and fire times: tests/test_scheduler_spec.py (against a table
# written from the spec, not the product's own registry).
