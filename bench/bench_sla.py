"""SLA benchmarks (issue 3): the every-minute `sla` sweep over 10,000 open incidents, and `/sla
<contract>` over HTTP for a contract with 5,000 incidents this month, vs a bare Bolt app.

    PYTHONPATH=. python bench/bench_sla.py [--n 100000] [--m 100] [--clients 4] [--only sweep|http]
                                           [--profile auto|always|never]

1. Seed. A copy of bench/out/contracts-N.db (made by bench/seed.py if missing) gets, with SQLAlchemy
   Core `insert()` executemany in batches (as bench/seed.py does):
   - SLA terms P1–P4 for ~2,000 active contracts in three shapes (all 24x7; P1 24x7 and P2–P4 on the
     business clock; elapsed-time targets with business-day `bd` resolutions), an availability
     policy for ~70 % of them;
   - 10,000 unresolved incidents (half `open`, half `acknowledged`: --ack-share) spread over those contracts,
     opened in the last hours or days so that, on the target that still runs (response while
     unacknowledged, else resolution), ~45 % are before their 75 % warning, ~40 % between warning
     and due, ~15 % past due (a third of those so long ago that resolution is due too); the exact
     counts are recomputed from the stored instants and printed;
   - one contract with 5,000 incidents opened this month (Europe/Paris): priorities mixed, most
     acknowledged and resolved, some late (breached), some P1 outages (downtime, overlapping);
     200 of its incidents are unresolved and count among the 10,000.
   Due and warning instants come from bot.sla.deadline(...) with Settings(timezone="Europe/Paris",
   holidays="FR").calendar, exactly as storage.incidents.create computes them; terms are copied onto
   each incident as create does. (No audit rows: neither the sweep nor /sla reads them.)
2. `sla` sweep (jobs.sla.sweep) at a fixed `now` (the seeding instant: the steady-state runs then
   have exactly nothing new to post), each run in its own process on one copy of the seed, with a
   FakeSlack on loopback: dry run, first real run (posts every due alert), three steady-state real
   runs (post nothing; target < 1 s — it runs every minute), steady-state dry run. Wall and CPU
   time, peak RSS (ru_maxrss).
3. `/sla <reference>` for the 5,000-incident contract through signed HTTP into a real `contractbot
   serve --no-scheduler` vs bench/bare_app.py (bench_http's machinery): ack p50/p99 for both, the
   p99 ratio (target ≤ 1.5), the answer latency until the reply reaches the fake's response_url;
   one request at a time (the two apps interleaved), then from C closed-loop clients.

If a target is missed (`--profile auto`, the default) it profiles with cProfile: one more steady-state
sweep, and/or `/sla` in-process around handlers.dispatch.run_command; hotspots are printed.
Every loop is bounded by a count and a time limit. Results: stdout and bench/out/sla-contracts-N.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    DEFAULT_N,
    OUT,
    ROOT,
    SLACK_ACK_LIMIT,
    child_env,
    copy_db,
    db_path,
    mb,
    ms,
    secs,
    sqlite_url,
    table,
    vm_hwm_kib,
    write_result,
)

TIMEZONE, HOLIDAYS = "Europe/Paris", "FR"
N_SLA_CONTRACTS = 2_000
N_OPEN = 10_000
N_BIG = 5_000
BIG_OPEN = 200  # the big contract's unresolved incidents, part of the N_OPEN
BATCH = 5_000
TARGET_STEADY_S = 1.0
TARGET_RATIO = 1.5
TARGET_PEAK_KIB = 200 * 1024
STEADY = "steady-state real run"
PHASES = [("dry run", "dry"), ("first real run", "real"), (STEADY, "real"), (STEADY + " again", "real"),
          (STEADY + " 3rd", "real"), ("dry run, steady state", "dry")]

# Term shapes: priority -> (response, resolution, clock, credit %). Canonical duration texts, as stored.
SHAPES: dict[str, dict[str, tuple[str, str, str, Decimal | None]]] = {
    "24x7": {"P1": ("15min", "4h", "24x7", Decimal("5")), "P2": ("30min", "8h", "24x7", Decimal("2")),
             "P3": ("2h", "1d", "24x7", Decimal("1")), "P4": ("8h", "3d", "24x7", None)},
    "business": {"P1": ("15min", "4h", "24x7", Decimal("5")), "P2": ("1h", "8h", "business", Decimal("2")),
                 "P3": ("4h", "2d", "business", Decimal("1")), "P4": ("1d", "5d", "business", Decimal("0.5"))},
    "bd": {"P1": ("30min", "4h", "24x7", Decimal("4")), "P2": ("1h", "1d", "24x7", Decimal("2")),
           "P3": ("4h", "2bd", "24x7", Decimal("1")), "P4": ("8h", "5bd", "business", None)},
}
SHAPE_WEIGHTS = [("24x7", 50), ("business", 35), ("bd", 15)]
OPEN_PRIORITIES = [("P1", 5), ("P2", 20), ("P3", 40), ("P4", 35)]
BIG_PRIORITIES = [("P1", 0.5), ("P2", 10), ("P3", 45), ("P4", 44.5)]
SUMMARIES = ["Application unavailable", "Slow response times", "Login failures for some users", "Batch job failed",
             "Disk space alert on production", "VPN drops at {site}", "E-mail delivery delayed", "Printer queue stuck",
             "Database replication lag", "Certificate expired on {site} portal", "Backup did not run",
             "Network latency {site} ↔ data centre", "Licence server unreachable", "Report export times out"]
SITES = ["Paris", "Lyon", "Lille", "Nantes", "Toulouse", "Bordeaux", "Marseille"]
USERS = [f"U0OPS{i:03d}" for i in range(40)]


# ----------------------------------------------------------------------------------------------- seed

@dataclass(slots=True)
class SeedInfo:
    now: datetime
    big_id: int
    big_reference: str
    figures: dict[str, Any]


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def back_business_minutes(calendar: Any, end: datetime, minutes: float) -> datetime:
    """The instant from which `minutes` business minutes have elapsed by `end` (the bench's inverse of
    bot.business_clock.add_business_minutes, used only to place opened_at)."""
    remaining = minutes
    day = end.astimezone(calendar.tz).date() + timedelta(days=1)
    for _ in range(3700):
        for open_, close in reversed(calendar.intervals(day)):
            if open_ >= end:
                continue
            hi = min(close, end)
            available = (hi - open_).total_seconds() / 60
            if remaining <= available:
                return hi - timedelta(minutes=remaining)
            remaining -= available
        day -= timedelta(days=1)
    raise ValueError("no business time within ten years")


def seed_sla(source: Path, target: Path, *, seed_value: int = 20261123, ack_share: float = 0.5) -> SeedInfo:
    from sqlalchemy import insert, text

    from bot.durations import parse_duration
    from bot.settings import Settings
    from bot.sla import Clock, deadline, target_minutes_24x7
    from storage.db import open_database
    from storage.models import Incident, SlaPolicy, SlaTerm

    rng = random.Random(seed_value)
    settings = Settings(timezone=TIMEZONE, holidays=HOLIDAYS)
    calendar = settings.calendar
    day_minutes = sum(end - start for start, end in calendar.hours[0])  # a Monday's business minutes
    started = time.perf_counter()
    copy_db(source, target)
    engine, _factory = open_database(sqlite_url(target))  # also brings the copy's schema to head
    now = datetime.now(UTC).replace(microsecond=0)
    local_today = now.astimezone(settings.tz).date()
    month_start = datetime.combine(date(local_today.year, local_today.month, 1), datetime.min.time(),
                                   tzinfo=settings.tz).astimezone(UTC)

    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, reference, channel, owner, annual_value FROM contracts "
            "WHERE status IN ('active', 'negotiating', 'notice_given') ORDER BY id")).all()
    chosen = rng.sample(rows, N_SLA_CONTRACTS)
    big = next(r for r in chosen if r.annual_value is not None and r.channel is not None)
    info = {r.id: r for r in chosen}
    shape_of = {r.id: _pick(rng, SHAPE_WEIGHTS) for r in chosen}
    shape_of[big.id] = "business"

    durations: dict[str, Any] = {}

    def duration(text_: str) -> Any:
        if text_ not in durations:
            durations[text_] = parse_duration(text_)
        return durations[text_]

    term_rows, policy_rows = [], []
    for r in chosen:
        for priority, (response, resolution, clock, credit) in SHAPES[shape_of[r.id]].items():
            term_rows.append({"contract_id": r.id, "priority": priority, "response": duration(response),
                              "resolution": duration(resolution), "clock": clock, "credit_pct": credit, "updated_at": now})
        if r.id == big.id or rng.random() < 0.7:
            policy_rows.append({"contract_id": r.id, "availability_target": Decimal(rng.choice(["99.5", "99.9"])),
                                "availability_credit_pct": Decimal(rng.choice(["5", "10"])),
                                "cap_pct": Decimal(rng.choice(["15", "20", "25"])), "updated_at": now})

    def due_instants(contract_id: int, priority: str, opened_at: datetime) -> dict[str, Any]:
        """What storage.incidents.create copies onto an incident (terms in force, due and warn instants)."""
        response, resolution, clock, credit = SHAPES[shape_of[contract_id]][priority]
        r = deadline(opened_at, duration(response), Clock(clock), calendar)
        s = deadline(opened_at, duration(resolution), Clock(clock), calendar)
        return {"clock": clock, "credit_pct": credit, "response_target": duration(response),
                "resolution_target": duration(resolution),
                "response_due_at": r.due, "response_warn_at": r.warn, "resolve_due_at": s.due,
                "resolve_warn_at": s.warn}

    def opened_for(contract_id: int, priority: str, target: str, fraction: float) -> datetime:
        """opened_at such that `fraction` of the target has elapsed at `now` (on its own clock)."""
        response, resolution, clock, _credit = SHAPES[shape_of[contract_id]][priority]
        d = duration(response if target == "response" else resolution)
        if d.business_days or (clock == Clock.BUSINESS and d.days):
            at = back_business_minutes(calendar, now, fraction * (d.business_days or d.days) * day_minutes)
        elif clock == Clock.BUSINESS:
            at = back_business_minutes(calendar, now, fraction * d.minutes)
        else:
            at = now - timedelta(minutes=fraction * target_minutes_24x7(d))
        return at.replace(microsecond=0)

    def base_row(contract_id: int, priority: str, opened_at: datetime) -> dict[str, Any]:
        summary = rng.choice(SUMMARIES).format(site=rng.choice(SITES))
        return {"contract_id": contract_id, "priority": priority, "summary": summary, "opened_at": opened_at,
                "opened_by": rng.choice(USERS), "acked_at": None, "acked_by": None, "resolved_at": None,
                "resolved_by": None, "resolution_note": None, "channel": info[contract_id].channel, "ts": None,
                "created_at": opened_at, "updated_at": opened_at, "version": 1,
                **due_instants(contract_id, priority, opened_at)}

    bands: Counter[str] = Counter()

    def open_incident(contract_id: int) -> dict[str, Any]:
        priority = _pick(rng, OPEN_PRIORITIES)
        acknowledged = rng.random() < ack_share
        roll = rng.random()
        band, fraction = (("before warning", rng.uniform(0.05, 0.75)) if roll < 0.45 else
                          ("warning..due", rng.uniform(0.75, 1.0)) if roll < 0.85 else
                          ("past due", rng.uniform(1.0, 2.5)))
        governing = "resolution" if acknowledged or (band == "past due" and rng.random() < 1 / 3) else "response"
        bands[f"{band} ({governing})"] += 1
        row = base_row(contract_id, priority, opened_for(contract_id, priority, governing, fraction))
        if acknowledged:
            row["status"] = "acknowledged"
            latest = min(row["response_due_at"], now)
            if rng.random() < 0.1 and row["response_due_at"] < now:  # acknowledged late
                latest, earliest = now, row["response_due_at"]
            else:
                earliest = row["opened_at"]
            row["acked_at"] = (earliest + (latest - earliest) * rng.uniform(0.1, 1.0)).replace(microsecond=0)
            row["acked_by"] = rng.choice(USERS)
            row["updated_at"] = row["acked_at"]
        else:
            row["status"] = "open"
        return row

    def resolved_incident(contract_id: int) -> dict[str, Any]:
        priority = _pick(rng, BIG_PRIORITIES)
        span = max((now - timedelta(hours=2)) - month_start, timedelta(minutes=1))
        opened_at = (month_start + span * rng.random()).replace(microsecond=0)
        row = base_row(contract_id, priority, opened_at)
        late = rng.random() < 0.2
        resolved = opened_at + (row["resolve_due_at"] - opened_at) * (rng.uniform(1.0, 3.0) if late
                                                                        else rng.uniform(0.1, 1.0))
        if resolved > now:
            resolved = opened_at + (now - opened_at) * rng.uniform(0.5, 1.0)
        row.update(status="resolved", resolved_at=resolved.replace(microsecond=0), resolved_by=rng.choice(USERS),
                   resolution_note="fixed", updated_at=resolved.replace(microsecond=0))
        if rng.random() < 0.92:  # else resolved without an acknowledgement
            late_ack = rng.random() < 0.15
            acked = opened_at + (row["response_due_at"] - opened_at) * (rng.uniform(1.0, 3.0) if late_ack
                                                                          else rng.uniform(0.05, 1.0))
            if acked > row["resolved_at"]:
                acked = opened_at + (row["resolved_at"] - opened_at) * rng.uniform(0.3, 0.9)
            row.update(acked_at=acked.replace(microsecond=0), acked_by=rng.choice(USERS))
        return row

    def incident_rows() -> Iterator[dict[str, Any]]:
        others = [r.id for r in chosen if r.id != big.id]
        weights = [rng.paretovariate(1.5) for _ in others]  # a few contracts with many incidents
        for contract_id in rng.choices(others, weights=weights, k=N_OPEN - BIG_OPEN):
            yield open_incident(contract_id)
        for _ in range(BIG_OPEN):
            yield open_incident(big.id)
        for _ in range(N_BIG - BIG_OPEN):
            yield resolved_incident(big.id)

    gen_s = insert_s = 0.0
    with engine.begin() as connection:
        t0 = time.perf_counter()
        connection.execute(insert(SlaTerm.__table__), term_rows)
        connection.execute(insert(SlaPolicy.__table__), policy_rows)
        insert_s += time.perf_counter() - t0
        batch: list[dict[str, Any]] = []
        t_gen = time.perf_counter()
        for row in incident_rows():
            batch.append(row)
            if len(batch) == BATCH:
                t0 = time.perf_counter()
                gen_s += t0 - t_gen
                connection.execute(insert(Incident.__table__), batch)
                insert_s += time.perf_counter() - t0
                batch, t_gen = [], time.perf_counter()
        if batch:
            t0 = time.perf_counter()
            gen_s += t0 - t_gen
            connection.execute(insert(Incident.__table__), batch)
            insert_s += time.perf_counter() - t0
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        figures = _seed_figures(connection, now=now, month_start=month_start, big_id=big.id)
    engine.dispose()
    figures.update(terms=len(term_rows), policies=len(policy_rows), bands=dict(sorted(bands.items())),
                   total_s=time.perf_counter() - started, generate_s=gen_s, insert_s=insert_s,
                   shapes=dict(Counter(shape_of.values())))
    return SeedInfo(now, big.id, big.reference, figures)


def _seed_figures(connection: Any, *, now: datetime, month_start: datetime, big_id: int) -> dict[str, Any]:
    """Recount from the stored rows what the sweep should find at `now` (mirrors jobs.sla._due_levels)."""
    from sqlalchemy import select

    from storage.models import Contract, Incident

    stmt = (select(Incident.id, Incident.acked_at, Incident.response_warn_at, Incident.response_due_at,
                   Incident.resolve_warn_at, Incident.resolve_due_at, Contract.channel, Contract.owner)
            .join(Contract, Contract.id == Incident.contract_id).where(Incident.status != "resolved"))
    levels: Counter[str] = Counter()
    unresolved = posts = no_destination = 0
    for _id, acked, r_warn, r_due, s_warn, s_due, channel, owner in connection.execute(stmt):
        unresolved += 1
        due_targets = 0
        for target, warn, due, running in (("response", r_warn, r_due, acked is None),
                                           ("resolution", s_warn, s_due, True)):
            if not running or warn is None:
                continue
            if now >= due:
                levels[f"{target} breached"] += 1
                due_targets += 1
            elif now >= warn:
                levels[f"{target} at risk"] += 1
                due_targets += 1
        if channel or owner:
            posts += due_targets
        else:
            no_destination += due_targets
    big_month = connection.execute(select(Incident.status, Incident.priority).where(
        Incident.contract_id == big_id, Incident.opened_at >= month_start, Incident.opened_at <= now)).all()
    return {"unresolved": unresolved, "levels_due": dict(sorted(levels.items())), "expected_posts": posts,
            "due_without_destination": no_destination, "big_this_month": len(big_month),
            "big_by_status": dict(Counter(s for s, _ in big_month)),
            "big_by_priority": dict(sorted(Counter(p for _, p in big_month).items()))}


# ---------------------------------------------------------------------------------------------- sweep

def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child(mode: str, now_iso: str, profile: Path | None) -> int:
    """Run one jobs.sla.sweep in this process (as the serve scheduler does) and print one JSON line."""
    from sqlalchemy import text
    from sqlalchemy.orm import configure_mappers

    from bot.app import web_client
    from bot.logs import configure_logging
    from bot.metrics import Metrics
    from bot.settings import Settings
    from jobs.sla import sweep
    from storage.db import open_database

    configure_logging()
    settings = Settings()
    engine, factory = open_database(settings.database_url)
    client = web_client(settings) if mode == "real" else None
    configure_mappers()  # as in the long-running serve process: mappers configured, a connection pooled
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    now = datetime.fromisoformat(now_iso)
    rss_before = _rss_kib()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    report = sweep(factory, client, settings=settings, now=now, dry_run=(mode == "dry"), metrics=Metrics())
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(profile))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    engine.dispose()
    levels = Counter(f"{p.target} {p.level.replace('_', ' ')}" for p in report.planned)
    print("RESULT " + json.dumps({
        "mode": mode, "seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime - cpu_before,
        "planned": len(report.planned), "planned_levels": dict(sorted(levels.items())),
        "superseded": sum(len(p.superseded) for p in report.planned),
        "no_channel": sum(1 for p in report.planned if p.channel is None),
        "posted": sum(1 for o in report.outcomes if o.posted),
        "failed": sum(1 for o in report.outcomes if not o.posted),
        "rss_before_kib": rss_before, "maxrss_kib": usage.ru_maxrss,
    }), flush=True)
    return 0


def print_profile(source: Any, limit: int = 15, orders: tuple[str, ...] = ("tottime", "cumulative")) -> None:
    import pstats

    for order in orders:
        out = io.StringIO()
        pstats.Stats(source, stream=out).strip_dirs().sort_stats(order).print_stats(limit)
        body = out.getvalue()
        print(f"    --- top {limit} by {order}\n" + body[body.find("   ncalls"):].rstrip())


def run_sweeps(seed_db: Path, info: SeedInfo, *, timeout: float, profile: str) -> dict[str, Any]:
    from tests.support.fake_slack import FakeSlack
    from tests.support.server import contractbot_env

    work_db = OUT / "sla-sweep.db"
    copy_db(seed_db, work_db)
    now_iso = info.now.isoformat()
    print(f"\n[sweep] jobs.sla.sweep at now={now_iso} (fixed: the seeding instant), each run in its own process "
          f"on {work_db.name}", flush=True)
    results: list[dict[str, Any]] = []
    load_before = os.getloadavg()[0]
    t_start = time.perf_counter()
    with FakeSlack() as fake:
        # Unpaced: the seeded backlog puts up to ~400 due SLA alerts on one channel, which real pacing
        # (CONTRACTBOT_POST_INTERVAL, 1 post/s per channel) turns into minutes; this measures the sweep itself.
        env = contractbot_env(sqlite_url(work_db), fake.url, CONTRACTBOT_LOG_LEVEL="WARNING",
                              CONTRACTBOT_HOLIDAYS=HOLIDAYS, CONTRACTBOT_POST_INTERVAL="0")

        def one(index: int, label: str, mode: str, prof: Path | None) -> dict[str, Any]:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--now", now_iso]
            if prof:
                cmd += ["--profile-out", str(prof)]
            log_path = OUT / f"sla-sweep-{index}-{mode}.log"
            before = len(fake.calls("chat.postMessage"))
            with open(log_path, "w") as log:
                try:
                    done = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
                                          timeout=timeout)
                except subprocess.TimeoutExpired:
                    print(f"  {label}: killed after {timeout:.0f} s (see {log_path})")
                    return {"label": label, "mode": mode, "timeout": True}
            line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if done.returncode != 0 or line is None:
                print(f"  {label}: failed (exit {done.returncode}); see {log_path}")
                return {"label": label, "mode": mode, "failed": True}
            figures = json.loads(line[len("RESULT "):])
            figures.update(label=label, fake_posts=len(fake.calls("chat.postMessage")) - before)
            fake.clear()
            print(f"  {label:<30} {secs(figures['seconds'])} (CPU {secs(figures['cpu_s'])})  "
                  f"planned {figures['planned']:,} {figures['planned_levels'] or ''}, posted {figures['posted']:,}"
                  f" (fake saw {figures['fake_posts']:,}), failed {figures['failed']}, no channel "
                  f"{figures['no_channel']}, superseded {figures['superseded']:,}; peak RSS "
                  f"{mb(figures['maxrss_kib'])} (before the sweep {mb(figures['rss_before_kib'])})", flush=True)
            return figures

        for index, (label, mode) in enumerate(PHASES, start=1):
            prof = OUT / f"sla-sweep-{index}-{mode}.prof" if profile == "always" and index > 2 else None
            results.append(one(index, label, mode, prof))
            if prof and prof.exists():
                print_profile(str(prof))
        steady = [r for r in results if r["label"].startswith(STEADY) and "seconds" in r]
        median = statistics.median(r["seconds"] for r in steady) if steady else None
        profiled = None
        if profile == "auto" and median is not None and median >= TARGET_STEADY_S:
            prof = OUT / "sla-sweep-profile.prof"
            print(f"  steady state {secs(median)} ≥ {TARGET_STEADY_S:.0f} s: one more steady-state run under cProfile")
            profiled = one(len(PHASES) + 1, "steady state, cProfile", "real", prof)
            if prof.exists():
                print_profile(str(prof))
    total = time.perf_counter() - t_start
    peaks = [r["maxrss_kib"] for r in results if "maxrss_kib" in r]
    return {"runs": results, "profiled": profiled, "steady_median_s": median,
            "steady_median_cpu_s": statistics.median(r["cpu_s"] for r in steady) if steady else None,
            "peak_kib": max(peaks) if peaks else None,
            "grow_kib": max((r["maxrss_kib"] - r["rss_before_kib"] for r in results if "maxrss_kib" in r), default=None),
            "busy": any(r["seconds"] > 1.15 * r["cpu_s"] for r in steady), "loadavg": load_before, "seconds": total}


# ----------------------------------------------------------------------------------------------- http

def run_http(seed_db: Path, info: SeedInfo, *, m: int, clients: int, warmup: int, phase_timeout: float,
             modes: list[str], answer_timeout: float) -> dict[str, Any]:
    from bench_http import BareApp, Client, Phase, interleave, run_phase

    from tests.support.fake_slack import FakeSlack
    from tests.support.server import Serve, contractbot_env

    work_db = OUT / "sla-http.db"
    copy_db(seed_db, work_db)
    os.environ["TMPDIR"] = str(OUT)  # tests.support.server.Serve writes its log there
    text = info.big_reference
    print(f"\n[http] /sla {text} (this month: {info.figures['big_this_month']:,} incidents), M={m} per mode and app, "
          f"{clients} concurrent clients, warm-up {warmup}, phase timeout {phase_timeout:.0f} s; load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    phases: list[Phase] = []
    load_before = os.getloadavg()
    t_start = time.perf_counter()
    sample_answer = ""
    with FakeSlack() as fake:
        env = contractbot_env(sqlite_url(work_db), fake.url, CONTRACTBOT_LOG_LEVEL="WARNING",
                              CONTRACTBOT_HOLIDAYS=HOLIDAYS)
        server = Serve(env)
        bare = None
        try:
            bare = BareApp(fake.url)
            bot = Client("contractbot", fake, server.events_url, server.process.pid, wait_answer=True,
                         answer_timeout=answer_timeout)
            base = Client("bare Bolt", fake, bare.events_url, bare.process.pid, wait_answer=False)
            items = [("sla", "/sla", text)] * m

            def on(client: Client, work: list[tuple[str, str, str]]) -> list[tuple[Client, str, str, str]]:
                return [(client, *item) for item in work]

            first = bot.send("sla", "/sla", text, "U0MGR0000")
            answers = fake.calls("response_url")
            if answers and isinstance(answers[-1]["args"], dict):
                sample_answer = str(answers[-1]["args"].get("text", ""))
            # Warmed up as bench_http.py is: from the concurrent clients, so serve's light lane (started by
            # answers that wait for one another) is running before anything is measured.
            warm = run_phase(Phase("warm-up", ""), on(bot, items[:warmup]) + on(base, items[:warmup]),
                             clients=clients, timeout=phase_timeout)
            bad = [s for s in [first, *warm.samples] if s.status != 200 or s.error]
            print(f"  first answer after {ms(first.answer) if first.answer else 'none'}: "
                  f"{sample_answer[:160]!r}…" + (f"  — {len(bad)} warm-up errors: {bad[0].error}" if bad else ""))
            if "sequential" in modes:
                phases.append(run_phase(Phase("/sla <contract>", "sequential"),
                                        interleave(on(bot, items), on(base, items)), clients=1,
                                        timeout=phase_timeout))
                _print_phase(phases[-1], m)
            if "concurrent" in modes:
                phase = run_phase(Phase("/sla <contract>", f"{clients} clients"), on(bot, items), clients=clients,
                                  timeout=phase_timeout)
                other = run_phase(Phase("/sla <contract>", f"{clients} clients"), on(base, items), clients=clients,
                                  timeout=phase_timeout)
                phase.samples += other.samples
                phase.cpu.update(other.cpu)
                phase.stopped_early |= other.stopped_early
                phases.append(phase)
                _print_phase(phase, m)
            serve_hwm, bare_hwm = vm_hwm_kib(server.process.pid), vm_hwm_kib(bare.process.pid)
        finally:
            if bare is not None:
                bare.stop()
            server.stop()
    summaries, ratios = [], []
    for phase in phases:
        bot_s, bare_s = phase.view("contractbot").summary(), phase.view("bare Bolt").summary()
        summaries += [bot_s, bare_s]
        if bot_s["ack_p99"] and bare_s["ack_p99"]:
            ratios.append({"command": phase.name, "mode": phase.mode, "contractbot_p99": bot_s["ack_p99"],
                           "bare_p99": bare_s["ack_p99"], "ratio": bot_s["ack_p99"] / bare_s["ack_p99"]})
    # Waiting for a CPU shows as sequential answers well above the server CPU they cost (the load average
    # is no guide here: it still counts the sweep this script ran just before).
    sequential = next((s for s in summaries if s["mode"] == "sequential" and s["app"] == "contractbot"), None)
    busy = bool(sequential and sequential["cpu_per_request"] and sequential["answer_p50"]
                and sequential["answer_p50"] > 1.2 * sequential["cpu_per_request"] + 0.03)
    return {"reference": text, "m": m, "clients": clients, "phases": summaries, "ratios": ratios,
            "serve_vmhwm_kib": serve_hwm, "bare_vmhwm_kib": bare_hwm, "sample_answer": sample_answer[:500],
            "loadavg": [load_before[0], os.getloadavg()[0]], "seconds": time.perf_counter() - t_start, "busy": busy}


def _print_phase(phase: Any, m: int) -> None:
    for app in ("contractbot", "bare Bolt"):
        s = phase.view(app).summary()
        answer = f", answer p50 {ms(s['answer_p50'])} p99 {ms(s['answer_p99'])}" if s["answer_p50"] is not None else ""
        cpu = f", server CPU {ms(s['cpu_per_request'])}/req" if s["cpu_per_request"] is not None else ""
        print(f"  {phase.mode:<10} {app:<11} n={s['n']:<4} ack p50 {ms(s['ack_p50'])} p99 {ms(s['ack_p99'])}"
              f"{answer}{cpu}  errors={s['errors']}{'  (stopped at the phase timeout)' if s['n'] < m else ''}",
              flush=True)


def profile_sla_command(seed_db: Path, reference: str, *, calls: int = 10, top: int = 15) -> dict[str, Any]:
    """cProfile around handlers.dispatch.run_command('/sla', reference), in-process (no HTTP)."""
    import cProfile

    from bot.clock import SystemClock
    from bot.metrics import Metrics
    from bot.settings import Settings
    from handlers.dispatch import run_command
    from handlers.runtime import Caller, Runtime
    from storage.db import open_database

    work_db = OUT / "sla-profile.db"
    copy_db(seed_db, work_db)
    settings = Settings(database_url=sqlite_url(work_db), timezone=TIMEZONE, holidays=HOLIDAYS)
    engine, factory = open_database(settings.database_url)
    runtime = Runtime(settings=settings, session_factory=factory, clock=SystemClock(), metrics=Metrics())
    caller = Caller(user_id="U0MGR0000", channel_id="C0BENCH", lang="en")
    reply = run_command(runtime, caller, "/sla", reference)  # warm-up
    assert not reply.is_error, reply
    started = time.perf_counter()
    for _ in range(calls):
        run_command(runtime, caller, "/sla", reference)
    plain = (time.perf_counter() - started) / calls
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        run_command(runtime, caller, "/sla", reference)
    profiler.disable()
    engine.dispose()
    print(f"\n[profile] /sla {reference} in-process: {plain * 1000:.0f} ms per call ({calls} calls, no cProfile)")
    print_profile(profiler, top)
    return {"ms_per_call": plain * 1000}


# ----------------------------------------------------------------------------------------------- main

def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SLA benchmarks: the sla sweep and /sla <contract> over HTTP")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="portfolio size (picks bench/out/contracts-N.db)")
    parser.add_argument("--db", type=Path, default=None, help="the contracts seed (default bench/out/contracts-N.db)")
    parser.add_argument("--only", choices=["sweep", "http"], default=None)
    parser.add_argument("--m", type=int, default=100, help="/sla requests per mode and app (default 100)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients in the concurrent mode")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per app (from the concurrent clients)")
    parser.add_argument("--phase-timeout", type=float, default=90.0, help="seconds per HTTP phase before it stops")
    parser.add_argument("--answer-timeout", type=float, default=20.0, help="seconds to wait for one /sla answer")
    parser.add_argument("--sweep-timeout", type=float, default=300.0, help="seconds before a sweep child is killed")
    parser.add_argument("--modes", default="sequential,concurrent", help="HTTP modes (comma-separated)")
    parser.add_argument("--profile", choices=["auto", "always", "never"], default="auto",
                        help="cProfile when a target is missed (auto), always, or never")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--ack-share", type=float, default=0.5,
                        help="share of the 10,000 unresolved incidents already acknowledged (default 0.5)")
    parser.add_argument("--child", choices=["dry", "real"], help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.now, args.profile_out)

    source = (args.db or db_path(args.n)).resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    if not source.exists():
        print(f"{source} is missing: seeding it with bench/seed.py", flush=True)
        done = subprocess.run([sys.executable, str(Path(__file__).resolve().parent / "seed.py"), "--n", str(args.n),
                               "--db", str(source)], cwd=ROOT, env=child_env())
        if done.returncode:
            return done.returncode
    t_start = time.perf_counter()
    load_before = os.getloadavg()[0]
    print(f"bench_sla: {source.name}; load average {load_before:.2f} on {os.cpu_count()} CPUs", flush=True)
    seed_db = OUT / f"sla-{source.stem}.db"
    info = seed_sla(source, seed_db, seed_value=args.seed, ack_share=args.ack_share)
    f = info.figures
    print(f"[seed] {seed_db.name}: {f['terms']:,} SLA terms on {N_SLA_CONTRACTS:,} contracts {f['shapes']}, "
          f"{f['policies']:,} policies; {f['unresolved']:,} unresolved incidents; big contract {info.big_reference}: "
          f"{f['big_this_month']:,} incidents this month {f['big_by_status']} {f['big_by_priority']}; "
          f"{f['total_s']:.1f} s (generation {f['generate_s']:.1f} s, Core inserts {f['insert_s']:.1f} s)")
    print(f"  planted bands {f['bands']}")
    print(f"  due at now: {f['levels_due']}; expected posts {f['expected_posts']:,} "
          f"(+{f['due_without_destination']} with no channel or owner)", flush=True)

    sweep = http = None
    if args.only in (None, "sweep"):
        sweep = run_sweeps(seed_db, info, timeout=args.sweep_timeout, profile=args.profile)
    if args.only in (None, "http"):
        http = run_http(seed_db, info, m=args.m, clients=args.clients, warmup=args.warmup,
                        phase_timeout=args.phase_timeout, modes=args.modes.split(","),
                        answer_timeout=args.answer_timeout)
    profiled_command = None
    if http and (args.profile == "always" or (args.profile == "auto" and any(
            r["ratio"] > TARGET_RATIO for r in http["ratios"]))):
        profiled_command = profile_sla_command(seed_db, info.big_reference)

    rows: list[list[Any]] = []
    if sweep:
        for r in sweep["runs"]:
            if "seconds" not in r:
                rows.append([f"sweep: {r['label']}", "timeout" if r.get("timeout") else "failed", "", ""])
                continue
            target = f"< {TARGET_STEADY_S:.0f} s" if r["label"].startswith(STEADY) else ""
            ok = verdict(r["seconds"] < TARGET_STEADY_S) if target else ""
            rows.append([f"sweep: {r['label']}", f"{secs(r['seconds'])} (CPU {secs(r['cpu_s'])}), planned "
                         f"{r['planned']:,}, posted {r['posted']:,}", target, ok])
        if sweep["steady_median_s"] is not None:
            rows.append(["sweep steady state, median of 3", f"{secs(sweep['steady_median_s'])} (CPU "
                         f"{secs(sweep['steady_median_cpu_s'])})", f"< {TARGET_STEADY_S:.0f} s",
                         verdict(sweep["steady_median_s"] < TARGET_STEADY_S)])
        if sweep["peak_kib"] is not None:
            rows.append(["sweep process peak RSS (ru_maxrss)", f"{mb(sweep['peak_kib'])} (the sweep adds "
                         f"{mb(sweep['grow_kib'])})", "< 200 MB", verdict(sweep["peak_kib"] < TARGET_PEAK_KIB)])
    if http:
        by = {(p["mode"], p["app"]): p for p in http["phases"]}
        for r in http["ratios"]:
            bot, bare = by[(r["mode"], "contractbot")], by[(r["mode"], "bare Bolt")]
            rows.append([f"/sla, {r['mode']}: ack p50 / p99 contractbot", f"{ms(bot['ack_p50'])} / {ms(bot['ack_p99'])}",
                         f"< {SLACK_ACK_LIMIT:.0f} s", verdict(bot["ack_p99"] < SLACK_ACK_LIMIT)])
            rows.append(["  ack p50 / p99 bare Bolt", f"{ms(bare['ack_p50'])} / {ms(bare['ack_p99'])}", "", ""])
            rows.append(["  p99 ack ratio contractbot / bare", f"{r['ratio']:.2f}", f"≤ {TARGET_RATIO}",
                         verdict(r["ratio"] <= TARGET_RATIO)])
            rows.append(["  answer via response_url p50 / p99", f"{ms(bot['answer_p50'])} / {ms(bot['answer_p99'])}"
                         f" (n={bot['n']}, errors {bot['errors']}, server CPU {ms(bot['cpu_per_request'] or float('nan'))}"
                         f"/req)", "", ""])
        rows.append(["serve peak RSS (VmHWM) after the /sla load", mb(http["serve_vmhwm_kib"]), "< 200 MB",
                     verdict((http["serve_vmhwm_kib"] or 0) < TARGET_PEAK_KIB)])
    total = time.perf_counter() - t_start
    print(f"\n=== bench_sla, {source.name} ===")
    print(table(rows, ["figure", "value", "target", ""]))
    busy = bool((sweep and sweep["busy"]) or (http and http["busy"]))
    busy = busy or load_before > (os.cpu_count() or 1) / 2
    print(f"  load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs"
          f"{' — other work was running: wall times include waiting for a CPU' if busy else ''}; "
          f"bench_sla took {total:.0f} s")
    write_result(f"sla-{source.stem}", {"db": str(source), "seed": {"now": info.now.isoformat(),
                 "big_reference": info.big_reference, **info.figures}, "sweep": sweep, "http": http,
                 "profiled_command": profiled_command, "loadavg": load_before, "busy": busy, "seconds": total})
    return 0


if __name__ == "__main__":
    sys.exit(main())
