"""The `deadlines` sweep over the whole seeded portfolio: time and peak memory.

    PYTHONPATH=. python bench/bench_sweep.py [--n 100000] [--profile]

On a fresh copy of the seeded database, with a FakeSlack on loopback (in this process), each run of
jobs.deadlines.sweep happens in its own child process (so its peak memory is its own):

1. dry run (dry_run=True): what would be rolled and posted, nothing recorded;
2. first real run: claims and posts every due alert to the FakeSlack (many);
3. second real run: the steady state — everything is already handled, nothing is posted
   (target < 2 s);
4. dry run again, in the steady state.

Each child reports the sweep's wall time, what it planned / posted, its RSS before the sweep and
its peak RSS (resource.getrusage ru_maxrss; target < 200 MB). `--profile` also runs cProfile
around the sweep in each child and prints the top functions (written to bench/out/sweep-*.prof).
Results go to stdout and bench/out/sweep-contracts-N.json.
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
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    DEFAULT_N,
    OUT,
    ROOT,
    copy_db,
    db_path,
    mb,
    secs,
    sqlite_url,
    table,
    write_result,
)

TARGET_STEADY_S = 2.0
TARGET_FIRST_S = 60.0  # issue 6: the first sweep after a big import, against the fake Slack
TARGET_PEAK_KIB = 200 * 1024
STEADY = "second real run (steady state)"
PHASES = [("dry run", "dry"), ("first real run", "real"), (STEADY, "real"), (STEADY + " again", "real"),
          (STEADY + " 3rd", "real"), ("dry run, steady state", "dry")]


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child(mode: str, profile: Path | None) -> int:
    """Run one sweep in this process and print one JSON line of figures."""
    from bot.app import web_client
    from bot.clock import SystemClock
    from bot.logs import configure_logging
    from bot.metrics import Metrics
    from bot.settings import Settings
    from jobs.deadlines import sweep
    from storage.db import open_database

    configure_logging()
    settings = Settings()
    engine, factory = open_database(settings.database_url)
    client = web_client(settings) if mode == "real" else None
    # As in the long-running serve process whose scheduler runs the sweep: mappers configured, a
    # pooled connection open. (`jobs run deadlines` pays ~0.1-0.3 s more, cold.)
    from sqlalchemy import text
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    now = SystemClock().now()
    rss_before = _rss_kib()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    maxrss_before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    report = sweep(factory, client, settings=settings, now=now, dry_run=(mode == "dry"), metrics=Metrics())
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(profile))
    engine.dispose()
    figures = {
        "mode": mode, "seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime - cpu_before, "rolled": len(report.rolled), "planned": len(report.planned),
        "posted": sum(1 for o in report.outcomes if o.posted),
        "failed": sum(1 for o in report.outcomes if not o.posted),
        "skipped_no_channel": len(report.skipped_no_channel),
        "rss_before_kib": rss_before, "maxrss_before_kib": maxrss_before,
        "maxrss_kib": usage.ru_maxrss,
    }
    print("RESULT " + json.dumps(figures), flush=True)
    return 0


def print_profile(path: Path, limit: int = 12) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="time and peak memory of the deadlines sweep")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="portfolio size (picks bench/out/contracts-N.db)")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--profile", action="store_true",
                        help="cProfile each sweep but the first real one (slower) and print hotspots")
    parser.add_argument("--phase-timeout", type=float, default=420.0, help="seconds before a sweep child is killed")
    parser.add_argument("--child", choices=["dry", "real"], help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.profile_out)

    from tests.support.fake_slack import FakeSlack
    from tests.support.server import contractbot_env

    source = (args.db or db_path(args.n)).resolve()
    if not source.exists():
        print(f"{source} is missing: run `python bench/seed.py --n {args.n}` first", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    work_db = OUT / "sweep.db"
    copy_db(source, work_db)
    print(f"bench_sweep: deadlines sweep over {source.name} (a fresh copy: {work_db.name})")
    results: list[dict[str, Any]] = []
    load_before = os.getloadavg()[0]
    t_start = time.perf_counter()
    with FakeSlack() as fake:
        env = contractbot_env(sqlite_url(work_db), fake.url, CONTRACTBOT_LOG_LEVEL="WARNING")
        for index, (label, mode) in enumerate(PHASES):
            # cProfile doubles the long first real run: profile the others only.
            prof = OUT / f"sweep-{index + 1}-{mode}.prof" if args.profile and label != "first real run" else None
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode]
            if prof:
                cmd += ["--profile-out", str(prof)]
            before = len(fake.calls("chat.postMessage"))
            with open(OUT / f"sweep-{index + 1}-{mode}.log", "w") as log:
                try:
                    done = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
                                          timeout=args.phase_timeout)
                except subprocess.TimeoutExpired:
                    print(f"  {label}: killed after {args.phase_timeout:.0f} s (see {log.name})")
                    results.append({"label": label, "mode": mode, "timeout": True})
                    continue
            line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if done.returncode != 0 or line is None:
                print(f"  {label}: failed (exit {done.returncode}); see {OUT / f'sweep-{index + 1}-{mode}.log'}")
                results.append({"label": label, "mode": mode, "failed": True})
                continue
            figures = json.loads(line[len("RESULT "):])
            posted_to = Counter(c["args"].get("channel") for c in fake.calls("chat.postMessage")[before:])
            figures.update(label=label, fake_posts=len(fake.calls("chat.postMessage")) - before,
                           destinations=len(posted_to), max_per_destination=max(posted_to.values(), default=0))
            results.append(figures)
            print(f"  {label:<36} {secs(figures['seconds'])} (CPU {secs(figures['cpu_s'])})  planned {figures['planned']:,}, "
                  f"posted {figures['posted']:,}, rolled {figures['rolled']:,}, "
                  f"no channel {figures['skipped_no_channel']:,}; {figures['fake_posts']:,} messages to "
                  f"{figures['destinations']:,} destinations (at most {figures['max_per_destination']} to one); peak RSS {mb(figures['maxrss_kib'])} "
                  f"(before the sweep {mb(figures['rss_before_kib'])})", flush=True)
            if prof:
                print_profile(prof)
            fake.clear()
    total = time.perf_counter() - t_start

    rows = []
    for r in results:
        if "seconds" not in r:
            rows.append([r["label"], "timeout" if r.get("timeout") else "failed", "", "", "", "", "", ""])
            continue
        target = ""
        if r["label"].startswith(STEADY):
            target = f"< {TARGET_STEADY_S:.0f} s: {'OK' if r['seconds'] < TARGET_STEADY_S else 'MISSED'}"
        rows.append([r["label"], secs(r["seconds"]), secs(r["cpu_s"]), f"{r['planned']:,}", f"{r['posted']:,}",
                     mb(r["rss_before_kib"]), mb(r["maxrss_kib"]) +
                     ("" if r["maxrss_kib"] < TARGET_PEAK_KIB else " (> 200 MB)"), target])
    print()
    print(table(rows, ["sweep", "time", "CPU", "planned", "posted", "RSS before", "peak RSS", "target"]))
    steady = [r for r in results if r["label"].startswith(STEADY) and "seconds" in r]
    if steady:
        median = statistics.median(r["seconds"] for r in steady)
        median_cpu = statistics.median(r["cpu_s"] for r in steady)
        verdict = "OK" if median < TARGET_STEADY_S else "MISSED"
        print(f"\n  steady-state sweep: median {secs(median)} wall, {secs(median_cpu)} CPU over {len(steady)} runs "
              f"— target < {TARGET_STEADY_S:.0f} s: {verdict}")
    peaks = [r["maxrss_kib"] for r in results if "maxrss_kib" in r]
    if peaks:
        worst = max(peaks)
        print(f"\n  peak RSS of a sweep process: {mb(worst)} — target < 200 MB: "
              f"{'OK' if worst < TARGET_PEAK_KIB else 'MISSED'}")
        grow = max(r["maxrss_kib"] - r["rss_before_kib"] for r in results if "maxrss_kib" in r)
        print(f"  the sweep itself adds up to {mb(grow)} over the process it runs in (the scheduler runs it "
              f"inside `contractbot serve`: add this to serve's peak)")
    # Waiting for a CPU shows as wall time well above CPU time (the load average lags by a minute).
    busy = any(r["seconds"] > 1.15 * r["cpu_s"] for r in steady)
    print(f"  bench_sweep took {total:.0f} s; load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after,"
          f" on {os.cpu_count()} CPUs{' (other work was running: wall times include waiting for a CPU)' if busy else ''}")
    write_result(f"sweep-{source.stem}", {"db": str(source), "runs": results, "seconds": total,
                           "steady_median_s": statistics.median(r["seconds"] for r in steady) if steady else None,
                           "steady_median_cpu_s": statistics.median(r["cpu_s"] for r in steady) if steady else None,
                           "peak_kib": max(peaks) if peaks else None, "loadavg": load_before, "busy": busy})
    return 0


if __name__ == "__main__":
    sys.exit(main())
