"""Every alert is posted exactly once: several `jobs run deadlines` processes at once on one PostgreSQL,
a failed post retried by the next run, restarts, the scheduled run then a hand-run one; and the real
scheduler's job registrations (ids, cron triggers, the organisation's time zone).

Processes at once and restarts are real `python -m bot.cli` processes; the other steps (imports, runs in
one process's life) run `contractbot` through its entry point in the test process (tests/support/inproc.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from slack_sdk import WebClient

from bot.clock import FixedClock, SystemClock
from bot.metrics import Metrics
from bot.settings import Settings
from jobs.context import JobContext
from jobs.registry import build_scheduler, run_job
from storage.db import open_database
from tests.conftest import TOKEN
from tests.e2e.cli_helpers import PARIS, cli, day, ledger, ledger_for, posts, write_csv
from tests.support.fake_slack import FakeSlack
from tests.support.inproc import cli_here
from tests.support.server import ROOT, contractbot_env

PORTFOLIO = 30


def _portfolio(path: Path) -> Path:
    # Act-by dates from 1 to 30 days after 15 Jan 2027: every contract has one alert due at --at 2027-01-15.
    return write_csv(path, [{"reference": f"EO-{n:03d}", "title": f"Contract {n}", "vendor": f"Vendor {n % 7}",
                             "end_date": (date(2027, 1, 15) + timedelta(days=n)).isoformat(),
                             "channel": f"C0EO{n:05d}"} for n in range(1, PORTFOLIO + 1)])


def test_three_processes_at_once_post_every_alert_exactly_once(pg_head_url: str, fake_slack: FakeSlack,
                                                               tmp_path: Path) -> None:
    url = pg_head_url
    env = contractbot_env(url, fake_slack.url)
    assert "30 created" in cli_here(["import", "contracts", str(_portfolio(tmp_path / "portfolio.csv"))], env).stdout

    args = [sys.executable, "-m", "bot.cli", "jobs", "run", "deadlines", "--at", "2027-01-15T09:00"]
    procs = [subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
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
    cli_here(["import", "contracts", str(write_csv(tmp_path / "a.csv", rows))], env)

    fake_slack.fail_next("chat.postMessage")
    failed = cli_here(["jobs", "run", "deadlines"], env).stdout
    assert "FAILED" in failed and "internal_error" in failed, failed  # the run says so
    assert len(posts(fake_slack, "C0RTY0001")) == 1  # the attempt that failed
    [row] = [r for r in ledger_for(db_url, "RTY-1") if r.threshold == 14]
    assert row.state == "failed"

    retried = cli_here(["jobs", "run", "deadlines"], env).stdout
    assert "posted" in retried and "FAILED" not in retried, retried
    assert len(posts(fake_slack, "C0RTY0001")) == 2  # posted once more, not twice
    [row] = [r for r in ledger_for(db_url, "RTY-1") if r.threshold == 14]
    assert (row.state, row.attempts) == ("posted", 2)

    restarted = cli(["jobs", "run", "deadlines"], env, process=True).stdout  # a new process: nothing to post again
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
    cli_here(["import", "contracts", str(write_csv(tmp_path / "a.csv", rows))], env)

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

    hand = cli_here(["jobs", "run", "deadlines"], env).stdout
    assert "nothing due" in hand, hand
    assert [len(posts(fake_slack, c)) for c in ("C0SCH0001", "C0SCH0002")] == [1, 1]
    states = Counter(r.state for r in ledger(db_url))
    assert states["posted"] == 2 and states["claimed"] == states["failed"] == 0, states


# Every job of the spec, its trigger, time zone and fire times: tests/test_scheduler_spec.py (against a table
# written from the spec, not the product's own registry).


# ---- replicas through a simulated day ------------------------------------------------------------

DAY = datetime(2027, 1, 15, tzinfo=PARIS)
STEPS = [DAY.replace(hour=8) + timedelta(hours=k) for k in range(10)]  # 08:00 … 17:00, hourly sweeps
DEADLINE_STEPS = {DAY.replace(hour=9), DAY.replace(hour=12)}  # the daily run, then a hand-run one
OPENED = [DAY.replace(hour=8) + timedelta(minutes=20 * k) for k in range(4)]  # 08:00 … 09:00
#: The step whose sla hand runs are real `jobs run` processes at once: four levels of three incidents come due
#: at once then (the deadlines run's processes at once: test_three_processes_at_once_post_every_alert_exactly_once).
WIRE_STEP = DAY.replace(hour=12)
# response 4h (at risk at 3h), resolution 8h (at risk at 6h), 24x7: each level's instant lies in a
# different hourly step, so every level is posted by itself, at the first step at or after it.
LEVELS = {("response", "at_risk"): timedelta(hours=3), ("response", "breached"): timedelta(hours=4),
          ("resolution", "at_risk"): timedelta(hours=6), ("resolution", "breached"): timedelta(hours=8)}


def _sla_ledger(url: str) -> Counter:  # type: ignore[type-arg]
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT key, state FROM alerts WHERE kind = 'sla'")).all()
    finally:
        engine.dispose()
    return Counter((key, state) for key, state in rows)


def _hand_runs_at_once(url: str, slack_url: str, name: str, at: datetime, n: int) -> list[list[str]]:
    """`n` hand runs of job `name` as if the clock said `at`, all at once: each with its own engine (its own
    connections to the database), its own Slack client and the job's real entry point (`run_job`), in
    threads of this process that race on the ledger's claims as `jobs run` processes do."""
    settings = Settings(database_url=url, slack_bot_token=TOKEN, slack_api_url=slack_url, timezone="Europe/Paris",
                        post_interval=0)
    opened = [open_database(url) for _ in range(n)]
    contexts = [JobContext(settings=settings, session_factory=factory,
                           client=WebClient(token=TOKEN, base_url=slack_url, timeout=10), clock=FixedClock(at),
                           metrics=Metrics()) for _engine, factory in opened]
    start = threading.Barrier(n)

    def run(ctx: JobContext) -> list[str]:
        start.wait(timeout=60)
        return run_job(name, ctx, now=at)

    try:
        with ThreadPoolExecutor(max_workers=n) as pool:
            return list(pool.map(run, contexts))
    finally:
        for engine, _factory in opened:
            engine.dispose()


@pytest.mark.slow
def test_three_replicas_and_concurrent_hand_runs_through_a_simulated_day_post_every_alert_once(
        pg_head_url: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    """Three real `serve` replicas with their schedulers (sla every minute, on the real clock) share one
    PostgreSQL all along, while three hand runs at once sweep each hour of a simulated day (and the daily
    deadlines run twice). The sla hand runs of one step are real `jobs run` processes at once (the wire); the
    others run the job's entry point (`run_job`, as `jobs run` does) in threads of the test process, each
    with its own engine, racing on the same claims without paying a new interpreter per run (issue 7)."""
    from storage import contracts as contract_store
    from storage import incidents as incident_store
    from tests.support.server import Serve

    url = pg_head_url
    # No pause between two posts to one channel (a second by default; tests/test_scale_alerts.py): the
    # levels of a step all go to one channel, and the pauses were a third of this test's time.
    env = contractbot_env(url, fake_slack.url, CONTRACTBOT_POST_INTERVAL="0")
    assert "30 created" in cli_here(["import", "contracts", str(_portfolio(tmp_path / "portfolio.csv"))], env).stdout
    sla_csv = tmp_path / "sla.csv"
    sla_csv.write_text("reference,priority,response,resolution,clock,credit_pct\nEO-001,P2,4h,8h,24x7,5\n")
    cli_here(["import", "sla", str(sla_csv)], env)
    settings = Settings(database_url=url, timezone="Europe/Paris")
    engine, factory = open_database(url)
    with factory.begin() as session:
        contract = contract_store.get_by_reference(session, reference="EO-001")
        incident_ids = [incident_store.create(session, contract=contract, priority="P2", summary=f"Outage {k}",
                                              opened_at=opened, actor="U1", now=opened,
                                              calendar=settings.calendar).id
                        for k, opened in enumerate(OPENED)]
    engine.dispose()

    # Three real replicas with their schedulers (on the real clock) share the database all along; they
    # start (and stop) at once, as a deployment's replicas do.
    with ThreadPoolExecutor(max_workers=3) as pool:
        starting = [pool.submit(Serve, env, scheduler=True) for _ in range(3)]
    replicas = [f.result() for f in starting if f.exception() is None]
    if len(replicas) < 3:
        for replica in replicas:
            replica.stop()
        raise next(f.exception() for f in starting if f.exception() is not None)
    expected_before: set[str] = set()
    try:
        for step in STEPS:
            at = step.strftime("%Y-%m-%dT%H:%M")
            names = ["sla"] + (["deadlines"] if step in DEADLINE_STEPS else [])
            if step == WIRE_STEP:  # the sla runs of this step: processes at once
                procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "jobs", "run", "sla", "--at", at],
                                          env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True) for _ in range(3)]
                said = []
                for proc in procs:
                    out, err = proc.communicate(timeout=180)
                    assert proc.returncode == 0 and "Traceback" not in out + err and "FAILED" not in out, out + err
                    said += [line for line in out.splitlines() if line.endswith(": posted")]
                names.remove("sla")
            for name in names:
                for lines in _hand_runs_at_once(url, fake_slack.url, name, step, 3):
                    assert not [line for line in lines if "FAILED" in line], lines
            # The independent expectation at this instant: every level whose time has come, once.
            expected = {f"sla:{iid}:{target}:{level}"
                        for iid, opened in zip(incident_ids, OPENED, strict=True)
                        for (target, level), after in LEVELS.items() if opened + after <= step}
            if step == WIRE_STEP:  # each level that came due is named by exactly one of the processes
                assert sorted(line.removesuffix(": posted") for line in said) == sorted(expected - expected_before), said
            expected_before = expected
            ledger_now = _sla_ledger(url)
            assert {key for (key, state) in ledger_now if state == "posted"} == expected, step
            assert all(n == 1 for n in ledger_now.values()) and len(ledger_now) == len(expected), step
            assert len([c for c in posts(fake_slack, "C0EO00001") if "INC-" in c["args"]["text"]]) == len(expected)
        for replica in replicas:
            assert replica.process.poll() is None, replica.output()
            assert "Traceback" not in replica.output()
    finally:
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(Serve.stop, replicas))

    assert len(expected) == len(OPENED) * len(LEVELS)
    deadline_posts = [c for c in fake_slack.calls("chat.postMessage") if "INC-" not in c["args"]["text"]]
    per_channel = Counter(c["args"]["channel"] for c in deadline_posts)
    assert per_channel == Counter({f"C0EO{n:05d}": 1 for n in range(1, PORTFOLIO + 1)}), per_channel
