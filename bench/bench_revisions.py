"""The `revisions` sweep over 100,000 indexed contracts: time and peak memory.

    PYTHONPATH=. python bench/bench_revisions.py [--n 100000]

Builds bench/out/revisions-N.db once (every contract has a Syntec revision clause, revision dates
spread over the next 2 years, so about 1 in 24 is due within the 30-day lead; 10 years of monthly
Syntec values), then, on a fresh copy and with a FakeSlack on loopback, runs jobs.revisions.sweep in
a child process per phase (its peak memory is its own):

1. dry run: what would be posted, nothing recorded;
2. first real run: claims and posts every due alert;
3. steady state, three times: every due alert is already in the ledger, nothing is posted
   (target < 2 s, median), peak RSS (ru_maxrss) target < 200 MB.

Figures only; results on stdout and in bench/out/revisions-N.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import DEFAULT_N, OUT, ROOT, copy_db, mb, secs, sqlite_url, table, write_result  # noqa: E402

TARGET_STEADY_S = 2.0
TARGET_PEAK_KIB = 200 * 1024
STEADY = "steady state"
PHASES = [("dry run", "dry"), ("first real run", "real"), (STEADY, "real"), (STEADY + " again", "real"),
          (STEADY + " 3rd", "real")]


def seed(path: Path, n: int) -> None:
    from sqlalchemy import insert

    from bot.durations import Duration, add_months
    from storage.db import open_database
    from storage.models import Contract, IndexValue, RevisionClause, Vendor

    now = datetime.now(UTC)
    today = now.date()
    engine, factory = open_database(sqlite_url(path))
    with factory.begin() as session:
        session.execute(insert(Vendor), [{"id": 1, "name": "Capgemini", "name_key": "capgemini", "created_at": now}])
        month = add_months(today.replace(day=1), -120)
        values = []
        for i in range(121):
            values.append({"index_name": "syntec", "month": add_months(month, i), "recorded_at": now,
                           "value": Decimal(250) + Decimal(i) / 2, "published_on": None, "recorded_by": "bench"})
        session.execute(insert(IndexValue), values)
        end = date(today.year + 5, 12, 31)
        for start in range(0, n, 10_000):
            rows, clauses = [], []
            for i in range(start, min(n, start + 10_000)):
                ref = f"REV-{i:06d}"
                rows.append({"id": i + 1, "reference": ref, "reference_key": ref, "title": f"TMA {i}", "vendor_id": 1,
                             "type": "tma", "status": "active", "start_date": None, "end_date": end, "end_anchor": end,
                             "renewals_since_anchor": 0, "notice": Duration(months=3), "term": Duration(months=12),
                             "lead": Duration(),
                             "renewal": "auto", "notice_deadline": end, "act_by": end,
                             "annual_value": Decimal(100_000 + i), "currency": "EUR", "owner": None,
                             "channel": f"C{i % 500:08d}", "search_text": ref.lower(), "alerts_snoozed_until": None,
                             "created_at": now, "updated_at": now, "version": 1})
                first = today + timedelta(days=1 + i % 730)
                clauses.append({"contract_id": i + 1, "index_name": "syntec", "base_month": add_months(month, 60),
                                "base_value": Decimal(100_000 + i), "fixed": Decimal("0.15"),
                                "every": Duration(months=12),
                                "first_on": first, "mode": "chained" if i % 2 else "base", "lag": 0, "min_pct": None,
                                "cap_pct": None, "round_to": Decimal("0.01"), "next_k": 0, "next_revision_on": first,
                                "last_value": None, "last_index_month": None, "last_index_value": None,
                                "updated_at": now})
            session.execute(insert(Contract), rows)
            session.execute(insert(RevisionClause), clauses)
    engine.dispose()


def child(mode: str) -> int:
    from sqlalchemy import text
    from sqlalchemy.orm import configure_mappers

    from bot.app import web_client
    from bot.clock import SystemClock
    from bot.logs import configure_logging
    from bot.metrics import Metrics
    from bot.settings import Settings
    from jobs.revisions import sweep
    from storage.db import open_database

    configure_logging()
    settings = Settings()
    engine, factory = open_database(settings.database_url)
    client = web_client(settings) if mode == "real" else None
    configure_mappers()  # as in the long-running process whose scheduler runs the sweep
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    report = sweep(factory, client, settings=settings, now=SystemClock().now(), dry_run=(mode == "dry"),
                   metrics=Metrics())
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    engine.dispose()
    print("RESULT " + json.dumps({
        "mode": mode, "seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime - cpu_before,
        "planned": len(report.planned), "posted": sum(1 for o in report.outcomes if o.posted),
        "failed": sum(1 for o in report.outcomes if not o.posted) + len(report.failed),
        "maxrss_kib": usage.ru_maxrss}), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="time and peak memory of the revisions sweep")
    parser.add_argument("--n", type=int, default=DEFAULT_N)
    parser.add_argument("--child", choices=["dry", "real"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)

    from tests.support.fake_slack import FakeSlack
    from tests.support.server import contractbot_env

    OUT.mkdir(parents=True, exist_ok=True)
    source = OUT / f"revisions-{args.n}.db"
    if not source.exists():
        started = time.perf_counter()
        seed(source, args.n)
        print(f"seeded {source.name} in {time.perf_counter() - started:.0f} s")
    work = OUT / "revisions-work.db"
    copy_db(source, work)
    load_before = os.getloadavg()[0]
    runs: list[dict[str, Any]] = []
    with FakeSlack() as fake:
        env = contractbot_env(sqlite_url(work), fake.url, CONTRACTBOT_LOG_LEVEL="WARNING")
        for label, mode in PHASES:
            done = subprocess.run([sys.executable, __file__, "--child", mode], cwd=ROOT, env=env, capture_output=True,
                                  text=True, timeout=1800)
            line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                return 1
            runs.append({"label": label, **json.loads(line[7:])})
    steady = [r["seconds"] for r in runs if r["label"].startswith(STEADY)]
    peak = max(r["maxrss_kib"] for r in runs)
    result = {"n": args.n, "runs": runs, "steady_median_s": statistics.median(steady), "peak_kib": peak,
              "loadavg": load_before, "busy": load_before > 1.5}
    write_result(f"revisions-{args.n}", result)
    rows = [[r["label"], f"{secs(r['seconds'])} (CPU {secs(r['cpu_s'])})", f"{r['planned']:,} planned, "
             f"{r['posted']:,} posted", mb(r["maxrss_kib"])] for r in runs]
    print(table(rows, ["phase", "time", "alerts", "peak RSS"]))
    print(table([["revisions sweep steady state, median of 3", secs(result["steady_median_s"]), "< 2 s",
                  "OK" if result["steady_median_s"] < TARGET_STEADY_S else "MISSED"],
                 ["revisions sweep peak RSS (ru_maxrss)", mb(peak), "< 200 MB",
                  "OK" if peak < TARGET_PEAK_KIB else "MISSED"]], ["figure", "value", "target", ""]))
    print(f"(load average before the runs: {load_before:.1f}"
          f"{' — other work was running, wall times are inflated' if result['busy'] else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
