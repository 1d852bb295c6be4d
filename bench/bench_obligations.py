"""The `obligations` sweep over 100,000 contracts with 200,000 obligations: time and peak memory.

    PYTHONPATH=. python bench/bench_obligations.py [--n 100000] [--per 2] [--force]

Seeds bench/out/obligations-N.db once (the contracts of bench/seed.py, then 2 obligations per contract,
bulk-inserted: due dates from 60 days ago to 400 days ahead, a third recurring, half with their own owner)
*as it stands after yesterday's sweep*: every alert level due by yesterday is in the ledger (the most urgent
posted, the others superseded) and `next_alert_on` says when the next one comes. On a fresh copy, with a
FakeSlack on loopback, each run of jobs.obligations.sweep happens in its own child process:

1. dry run; 2. first real run — today's alerts (a day's worth, ~2 % of the obligations), posted to the fake;
3.–5. real runs in the steady state: nothing due is left, nothing is posted (target < 2 s, RSS < 200 MB);
6. dry run in the steady state.

The sweep selects what is due through the index on `obligations.next_alert_on`; it never loads every
obligation. Results go to stdout and bench/out/obligations-N.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import DEFAULT_N, OUT, ROOT, copy_db, mb, secs, sqlite_url, table, write_result  # noqa: E402

TARGET_STEADY_S = 2.0
TARGET_PEAK_KIB = 200 * 1024
STEADY = "steady state"
PHASES = [("dry run", "dry"), ("first real run (today's alerts)", "real"), (STEADY, "real"),
          (STEADY + " again", "real"), (STEADY + " 3rd", "real"), ("dry run, steady state", "dry")]
THRESHOLDS = [30, 7, 0]
WHAT = ["Insurance certificate", "GDPR DPA review", "Disaster recovery test", "Security plan delivery",
        "Steering committee", "Audit window", "Reversibility plan", "Quality assurance plan (PAQ) update"]


def db_for(n: int) -> Path:
    return OUT / f"obligations-{n}.db"


def seed_obligations(path: Path, *, n: int, per: int, today: date) -> None:
    from seed import seed
    from sqlalchemy import func, insert, select

    from bot import obligations as rules
    from bot.durations import Duration
    from storage.db import open_database
    from storage.models import Alert, Contract, Obligation
    from storage.obligations import KIND, alert_key

    seed(sqlite_url(path), n=n, today=today)
    engine, factory = open_database(sqlite_url(path))
    rng = random.Random(20261201)
    now = datetime.now(UTC)
    yesterday = today - timedelta(days=1)
    with factory.begin() as session:
        max_id = session.scalar(select(func.max(Contract.id))) or 0
        obligation_rows, alert_rows = [], []
        oid = 0
        for contract_id in range(1, max_id + 1):
            for _ in range(per):
                oid += 1
                due = today + timedelta(days=rng.randint(-60, 400))
                decision = rules.decide(due, yesterday, THRESHOLDS, set())
                handled = set()
                if decision.post is not None:
                    handled = {decision.post, *decision.superseded}
                    for level in sorted(handled):
                        alert_rows.append(dict(key=alert_key(oid, due, level), kind=KIND, contract_id=contract_id,
                                               subject_id=oid, state="posted" if level == decision.post else
                                               "superseded", due_on=due, detail={"level": level, "due": due.isoformat()},
                                               claimed_at=now, claimed_by="seed", attempts=1, posted_at=now,
                                               channel="C0SEED", ts="1.0"))
                obligation_rows.append(dict(
                    id=oid, contract_id=contract_id, what=rng.choice(WHAT), party=rng.choice(["vendor", "us"]),
                    owner=f"U0OWN{rng.randint(0, 59):04d}" if rng.random() < 0.5 else None,
                    evidence_required=rng.random() < 0.4, every=rng.choice([None, None, Duration(months=12),
                                                                               Duration(months=6), Duration(months=3)]),
                    due_anchor=due, occurrence=0, due_on=due, state="open",
                    next_alert_on=rules.next_alert_on(due, THRESHOLDS, handled), created_at=now, created_by="seed",
                    updated_at=now, version=1))
        for start in range(0, len(obligation_rows), 5000):
            session.execute(insert(Obligation), obligation_rows[start:start + 5000])
        for start in range(0, len(alert_rows), 5000):
            session.execute(insert(Alert), alert_rows[start:start + 5000])
    engine.dispose()
    print(f"  seeded {len(obligation_rows):,} obligations and {len(alert_rows):,} ledger rows in {path.name}")


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _rss_kib() -> int:
    return _status_kib("VmRSS")


def child(mode: str) -> int:
    from sqlalchemy import text
    from sqlalchemy.orm import configure_mappers

    from bot.app import web_client
    from bot.clock import SystemClock
    from bot.logs import configure_logging
    from bot.metrics import Metrics
    from bot.settings import Settings
    from jobs.obligations import sweep
    from storage.db import open_database

    configure_logging()
    settings = Settings()
    engine, factory = open_database(settings.database_url)
    client = web_client(settings) if mode == "real" else None
    configure_mappers()  # as in the long-running serve process whose scheduler runs the sweep
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    now = SystemClock().now()
    rss_before = _rss_kib()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    report = sweep(factory, client, settings=settings, now=now, dry_run=(mode == "dry"), metrics=Metrics())
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    engine.dispose()
    print("RESULT " + json.dumps({
        "mode": mode, "seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime - cpu_before,
        "planned": len(report.planned), "posted": sum(1 for o in report.outcomes if o.posted),
        "failed": len(report.failed) + sum(1 for o in report.outcomes if not o.posted),
        # VmHWM, not ru_maxrss: Linux carries the parent's high-water mark across fork + exec into ru_maxrss
        "rss_before_kib": rss_before, "maxrss_kib": _status_kib("VmHWM"), "ru_maxrss_kib": usage.ru_maxrss}),
        flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="time and peak memory of the obligations sweep")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="contracts (default 100,000)")
    parser.add_argument("--per", type=int, default=2, help="obligations per contract (default 2: 200,000)")
    parser.add_argument("--force", action="store_true", help="seed again")
    parser.add_argument("--phase-timeout", type=float, default=600.0)
    parser.add_argument("--child", choices=["dry", "real"], help=argparse.SUPPRESS)
    parser.add_argument("--seed-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    if args.seed_only:
        seed_obligations(args.seed_only, n=args.n, per=args.per, today=date.today())
        return 0

    from tests.support.fake_slack import FakeSlack
    from tests.support.server import contractbot_env

    OUT.mkdir(parents=True, exist_ok=True)
    source = db_for(args.n)
    stamp = OUT / f"obligations-{args.n}.day"
    today = date.today()
    if args.force or not source.exists() or not stamp.exists() or stamp.read_text() != today.isoformat():
        source.unlink(missing_ok=True)
        print(f"bench_obligations: seeding {args.n:,} contracts × {args.per} obligations (as of yesterday's sweep)")
        # in a child process, so this one (whose children are measured) stays small
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--seed-only", str(source), "--n", str(args.n),
                        "--per", str(args.per)], cwd=ROOT, check=True)
        stamp.write_text(today.isoformat())
    work_db = OUT / "obligations-sweep.db"
    copy_db(source, work_db)
    print(f"bench_obligations: obligations sweep over {source.name} (a fresh copy: {work_db.name})")
    results: list[dict[str, Any]] = []
    load_before = os.getloadavg()[0]
    t_start = time.perf_counter()
    with FakeSlack() as fake:
        env = contractbot_env(sqlite_url(work_db), fake.url, CONTRACTBOT_LOG_LEVEL="WARNING",
                              CONTRACTBOT_TIMEZONE="UTC", CONTRACTBOT_ALERT_CHANNEL="C0ALERTS")
        for index, (label, mode) in enumerate(PHASES):
            with open(OUT / f"obligations-{index + 1}-{mode}.log", "w") as log:
                try:
                    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", mode], env=env,
                                          cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
                                          timeout=args.phase_timeout)
                except subprocess.TimeoutExpired:
                    print(f"  {label}: killed after {args.phase_timeout:.0f} s")
                    results.append({"label": label, "timeout": True})
                    continue
            line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if done.returncode != 0 or line is None:
                print(f"  {label}: failed (exit {done.returncode}); see {log.name}")
                results.append({"label": label, "failed": True})
                continue
            figures = json.loads(line[len("RESULT "):]) | {"label": label}
            results.append(figures)
            print(f"  {label:<34} {secs(figures['seconds'])} (CPU {secs(figures['cpu_s'])})  planned "
                  f"{figures['planned']:,}, posted {figures['posted']:,}, failed {figures['failed']:,}; "
                  f"peak RSS {mb(figures['maxrss_kib'])}", flush=True)
            fake.clear()
    total = time.perf_counter() - t_start
    rows = []
    for r in results:
        if "seconds" not in r:
            rows.append([r["label"], "timeout" if r.get("timeout") else "failed", "", "", "", "", ""])
            continue
        target = ""
        if r["label"].startswith(STEADY):
            target = f"< 2 s: {'OK' if r['seconds'] < TARGET_STEADY_S else 'MISSED'}"
        rows.append([r["label"], secs(r["seconds"]), secs(r["cpu_s"]), f"{r['planned']:,}", f"{r['posted']:,}",
                     mb(r["maxrss_kib"]) + ("" if r["maxrss_kib"] < TARGET_PEAK_KIB else " (> 200 MB)"), target])
    print()
    print(table(rows, ["sweep", "time", "CPU", "planned", "posted", "peak RSS", "target"]))
    steady = [r for r in results if r["label"].startswith(STEADY) and "seconds" in r]
    peaks = [r["maxrss_kib"] for r in results if "maxrss_kib" in r]
    median = statistics.median(r["seconds"] for r in steady) if steady else None
    if median is not None:
        print(f"\n  steady-state obligations sweep: median {secs(median)} over {len(steady)} runs — target < 2 s: "
              f"{'OK' if median < TARGET_STEADY_S else 'MISSED'}")
    if peaks:
        print(f"  peak RSS of a sweep process: {mb(max(peaks))} — target < 200 MB: "
              f"{'OK' if max(peaks) < TARGET_PEAK_KIB else 'MISSED'}")
    busy = any(r["seconds"] > 1.15 * r["cpu_s"] for r in steady)
    print(f"  took {total:.0f} s; load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on "
          f"{os.cpu_count()} CPUs{' (other work was running: wall times include waiting for a CPU)' if busy else ''}")
    write_result(f"obligations-{args.n}", {"runs": results, "seconds": total, "steady_median_s": median,
                                          "peak_kib": max(peaks) if peaks else None, "loadavg": load_before,
                                          "busy": busy})
    return 0


if __name__ == "__main__":
    sys.exit(main())
