"""Report benchmarks (issue 8): `/contract report` and the weekly `digest` over the seeded portfolio.

    PYTHONPATH=. python bench/bench_report.py [--n 100000] [--m 5]

1. Seed. A copy of bench/out/contracts-N.db (bench/seed.py makes it if missing) gets, with SQLAlchemy
   Core `insert()` executemany: 3,000 value changes in the audit trail (amendments over the last two
   years, so the trajectory has corrections to apply), 2,000 disputes (a third closed, some `from:sla`),
   5,000 incidents over the last 12 months (a fifth P1, a quarter of them late).
2. `/contract report` (default period: the last 12 months) through signed HTTP into a real `contractbot
   serve --no-scheduler`, with a FakeSlack on loopback: M requests one after the other; the time until
   the answer reaches the response_url (target < 2 s), and until the chart's upload completes. Then the
   server's peak RSS (VmHWM; target < 200 MB).
3. The `digest` job (jobs.digest.sweep, as the scheduler runs it) in a child process: a dry run, the real
   run (claims, posts, uploads the chart) and a second real run (already posted): wall and CPU time
   (target < 5 s) and peak RSS (ru_maxrss; target < 200 MB).
Results: stdout and bench/out/report-contracts-N.json. Figures only; nothing fails on a slow result.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    DEFAULT_N,
    OUT,
    ROOT,
    SECRET,
    copy_db,
    db_path,
    mb,
    percentile,
    secs,
    sqlite_url,
    table,
    vm_hwm_kib,
    write_result,
)

TARGET_REPORT_S = 2.0
TARGET_DIGEST_S = 5.0
TARGET_PEAK_KIB = 200 * 1024


def enrich(url: str, *, seed: int = 8) -> dict[str, int]:
    """Value changes, disputes and incidents on top of the seeded contracts (Core inserts, in batches)."""
    from sqlalchemy import func, insert, select

    from storage.db import open_database
    from storage.models import AuditEvent, Contract, Dispute, Incident

    rng = random.Random(seed)
    engine, factory = open_database(url)
    now = datetime.now(UTC)
    with factory.begin() as s:
        if s.scalar(select(func.count()).select_from(Dispute)):
            return {}
        rows = s.execute(select(Contract.id, Contract.annual_value, Contract.currency)
                         .where(Contract.annual_value.is_not(None)).limit(20_000)).all()
        picks = rng.sample(rows, 3_000)
        s.execute(insert(AuditEvent), [
            {"at": now - timedelta(days=rng.randint(1, 700)), "actor": "U0BENCH", "entity_type": "contract",
             "entity_id": cid, "action": "amend", "note": None,
             "changes": {"annual_value": [str((value or Decimal(1000)) * Decimal("0.9")), str(value)]}}
            for cid, value, _ in picks])
        disputes = []
        for cid, _value, currency in rng.sample(rows, 2_000):
            opened = now - timedelta(days=rng.randint(1, 500))
            closed = rng.random() < 0.33
            claimed = Decimal(rng.randint(1_000, 200_000))
            disputes.append({"contract_id": cid, "summary": "bench dispute", "currency": currency,
                             "status": "closed" if closed else rng.choice(["open", "negotiating", "escalated"]),
                             "amount_claimed": claimed, "from_sla": rng.random() < 0.2,
                             "amount_recovered": claimed * Decimal("0.6") if closed else None,
                             "opened_at": opened, "opened_by": "U0BENCH", "updated_at": opened,
                             "last_activity_at": opened, "closed_at": opened + timedelta(days=30) if closed else None,
                             "version": 1})
        s.execute(insert(Dispute), disputes)
        incidents = []
        for cid, _value, _currency in rng.choices(rows[:3_000], k=5_000):
            opened = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
            late = rng.random() < 0.25
            due = opened + timedelta(hours=4)
            resolved = due + timedelta(hours=2) if late else opened + timedelta(hours=1)
            incidents.append({"contract_id": cid, "priority": "P1" if rng.random() < 0.2 else "P3",
                              "summary": "bench incident", "status": "resolved", "opened_at": opened,
                              "opened_by": "U0BENCH", "resolved_at": resolved, "resolve_due_at": due,
                              "credit_pct": Decimal(5), "clock": "24x7", "created_at": opened, "updated_at": opened,
                              "version": 1})
        s.execute(insert(Incident), incidents)
    engine.dispose()
    return {"value_changes": 3_000, "disputes": 2_000, "incidents": 5_000}


def bench_report(url: str, m: int) -> dict[str, Any]:
    from tests.support.fake_slack import FakeSlack
    from tests.support.server import Serve, contractbot_env
    from tests.support.signed import post_command

    answers, charts = [], []
    with FakeSlack() as fake:
        server = Serve(contractbot_env(url, fake.url, CONTRACTBOT_ALERT_CHANNEL="C0DIGEST"))
        try:
            for i in range(m):
                tag = f"rep{i}"
                wall0 = time.time()
                status, _ = post_command(server.events_url, SECRET, "/contract", "report", user_id="U0BENCH",
                                         channel_id=f"C0REP{i}", response_url=fake.response_url(tag))
                assert status == 200, status
                [call] = fake.wait_for("response_url", timeout=60, predicate=lambda c, t=tag: c["path"] == f"/response/{t}")
                answers.append(call["at"] - wall0)
                [done] = fake.wait_for("files.completeUploadExternal", timeout=60,
                                       predicate=lambda c, ch=f"C0REP{i}": c["args"].get("channel_id") == ch)
                charts.append(done["at"] - wall0)
                assert "Portfolio report" in call["args"]["text"]
            peak = vm_hwm_kib(server.process.pid)
        finally:
            server.stop()
    return {"answers": answers, "charts": charts, "answer_p50": percentile(answers, 50), "answer_max": max(answers),
            "chart_p50": percentile(charts, 50), "serve_vmhwm_kib": peak}


def digest_child(url: str, mode: str) -> int:
    """One digest run in this process; prints one JSON line."""
    from slack_sdk import WebClient

    from bot.settings import Settings
    from jobs import digest
    from storage.db import open_database
    from tests.support.fake_slack import FakeSlack

    with FakeSlack() as fake:
        settings = Settings(database_url=url, slack_bot_token="xoxb-bench", slack_api_url=fake.url,
                            timezone="Europe/Paris", alert_channel="C0DIGEST")  # type: ignore[arg-type]
        _engine, factory = open_database(url)
        client = WebClient(token="xoxb-bench", base_url=fake.url)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu0, t0, wall0 = time.process_time(), time.perf_counter(), time.time()
        report = digest.sweep(factory, client, settings=settings, now=datetime.now(UTC), dry_run=mode == "dry")
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        posts = len(fake.calls("chat.postMessage"))
        text_s = fake.calls("chat.postMessage")[0]["at"] - wall0 if posts else None
        blocks = max((len(c["args"].get("blocks") or []) for c in fake.calls("chat.postMessage")), default=0)
    print(json.dumps({"mode": mode, "seconds": seconds, "text_posted_s": text_s, "cpu_s": cpu, "posted": posts, "blocks": blocks,
                      "chart": report.chart, "lines": digest.describe(report)[:1], "rss_before_kib": rss_before,
                      "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    return 0


def bench_digest(url: str) -> list[dict[str, Any]]:
    runs = []
    for label, mode in (("dry run", "dry"), ("real run (posts)", "real"), ("real run again (already posted)", "real")):
        out = subprocess.run([sys.executable, __file__, "--child", mode, "--url", url], cwd=ROOT, capture_output=True,
                             text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
        line = next((x for x in out.stdout.splitlines() if x.startswith("{")), None)
        if line is None:
            print(out.stdout[-2000:], out.stderr[-4000:])
            runs.append({"label": label, "error": out.returncode})
            continue
        runs.append({"label": label, **json.loads(line)})
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="/contract report and the digest over the seeded portfolio")
    parser.add_argument("--n", type=int, default=DEFAULT_N)
    parser.add_argument("--m", type=int, default=5, help="report requests")
    parser.add_argument("--child", choices=["dry", "real"], default=None)
    parser.add_argument("--url", default=None)
    args = parser.parse_args(argv)
    if args.child:
        return digest_child(args.url, args.child)
    source = db_path(args.n)
    if not source.exists():
        subprocess.run([sys.executable, str(Path(__file__).parent / "seed.py"), "--n", str(args.n)], cwd=ROOT,
                       check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    target = OUT / f"report-{source.stem}.db"
    copy_db(source, target)
    url = sqlite_url(target)
    load = os.getloadavg()[0]
    added = enrich(url)
    print(f"seeded on top of {source.name}: {added}; load average {load:.1f}", flush=True)
    report = bench_report(url, args.m)
    digests = bench_digest(url)
    rows = [["/contract report (last 12 months): answer at response_url p50 / max",
             f"{secs(report['answer_p50'])} / {secs(report['answer_max'])}", f"< {TARGET_REPORT_S:.0f} s",
             "OK" if report["answer_max"] < TARGET_REPORT_S else "MISSED"],
            ["  chart upload completed, p50", secs(report["chart_p50"]), "", ""],
            ["serve peak RSS (VmHWM) after the reports", mb(report["serve_vmhwm_kib"]), "< 200 MB",
             "OK" if (report["serve_vmhwm_kib"] or 0) < TARGET_PEAK_KIB else "MISSED"]]
    for run in digests:
        if "seconds" not in run:
            rows.append([f"digest: {run['label']}", "error", "", "MISSED"])
            continue
        rows.append([f"digest: {run['label']}", f"{secs(run['seconds'])} (CPU {secs(run['cpu_s'])}), "
                     f"{run['posted']} posted, {run['blocks']} blocks", f"< {TARGET_DIGEST_S:.0f} s",
                     "OK" if run["seconds"] < TARGET_DIGEST_S else "MISSED"])
        if run.get("text_posted_s") is not None:
            rows.append(["  of which until the text was posted (the chart is drawn and uploaded after)",
                         secs(run["text_posted_s"]), "", ""])
        rows.append(["  digest process peak RSS (ru_maxrss)", mb(run["maxrss_kib"]), "< 200 MB",
                     "OK" if run["maxrss_kib"] < TARGET_PEAK_KIB else "MISSED"])
    print(table(rows, ["figure", "value", "target", ""]))
    write_result(f"report-{source.stem}", {"report": report, "digest": digests, "loadavg": load,
                                           "busy": load > 1.5, "seeded": added})
    return 0


if __name__ == "__main__":
    sys.exit(main())
