"""`contractbot import contracts FILE.csv`: time and peak memory on a big file (issue 6).

    PYTHONPATH=. python bench/bench_import.py [--rows 100000] [--update] [--db PATH]

Writes a deterministic CSV of N contracts (bench/out/import-N.csv: ~300 vendors, every column
filled in the forms people use — ISO dates, `90d`/`3mo` notices, `120k`/`"120 000 €"` values, owners,
channels), then runs the real CLI in a child process on a fresh SQLite database (bench/out/import.db):
wall time, rows/s, the child's CPU time (user + system) and peak RSS (ru_maxrss). `--update` imports
the same file a second time (every reference exists: the update path, all rows unchanged). Targets:
100,000 rows in under 10 s; under 300 MB for 500,000 rows (`--rows 500000`).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import OUT, ROOT, child_env, mb, secs, sqlite_url, write_result  # noqa: E402

TARGET_100K_S = 10.0
TARGET_500K_KIB = 300 * 1024
HEADER = ["reference", "title", "vendor", "type", "status", "start_date", "end_date", "notice", "renewal", "term",
          "annual_value", "currency", "owner", "channel", "lead"]
TYPES = ["license", "saas", "maintenance", "support", "tma", "managed_services", "consulting", "hardware",
         "telecom", "cloud", "other"]


def write_csv(path: Path, rows: int, seed: int = 6) -> None:
    rng = random.Random(seed)
    vendors = [f"Vendor {i:03d} {rng.choice(['Systems', 'Cloud', 'Télécom', 'Services'])}" for i in range(300)]
    today = date(2026, 12, 1)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            start = today - timedelta(days=rng.randint(30, 1500))
            end = today + timedelta(days=rng.randint(-200, 1100))
            if end <= start:
                end = start + timedelta(days=365)
            writer.writerow([
                f"IMP-{i:07d}", f"{rng.choice(TYPES)} contract {i}", vendors[int(rng.paretovariate(1.2)) % 300],
                rng.choice(TYPES), rng.choice(["active"] * 8 + ["negotiating", "notice_given"]),
                start.isoformat(), end.isoformat(), rng.choice(["", "30d", "90d", "3mo", "6mo"]),
                rng.choice(["auto", "manual", "none"]), rng.choice(["", "12mo", "1y", "3y"]),
                rng.choice(["", "120k", "45000", "1 250 000 €", "9800.50"]), rng.choice(["", "EUR", "USD"]),
                f"U{rng.randint(0, 59):08d}", rng.choice(["", "", f"C{rng.randint(0, 40):08d}"]),
                rng.choice(["", "0d", "15d", "1mo"]),
            ])


def run_import(csv_path: Path, db: Path) -> dict:
    env = child_env(DATABASE_URL=sqlite_url(db), CONTRACTBOT_LOG_LEVEL="WARNING")
    env.pop("SLACK_BOT_TOKEN", None)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot.cli", "import", "contracts", str(csv_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
    return {"seconds": seconds, "cpu_seconds": cpu, "exit": done.returncode, "output": done.stdout.strip()[-200:],
            "maxrss_kib": peak if peak > before else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="time and peak memory of `contractbot import contracts`")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--update", action="store_true", help="import the same file again (update path)")
    parser.add_argument("--db", type=Path, default=OUT / "import.db")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = OUT / f"import-{args.rows}.csv"
    if not csv_path.exists():
        write_csv(csv_path, args.rows)
    for suffix in ("", "-wal", "-shm"):
        Path(str(args.db) + suffix).unlink(missing_ok=True)
    # schema first (as `contractbot db upgrade` would), so the figure is the import's own
    subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], cwd=ROOT, check=True, capture_output=True,
                   env=child_env(DATABASE_URL=sqlite_url(args.db)))
    load = os.getloadavg()[0]
    print(f"bench_import: {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) into a fresh SQLite database; "
          f"load average {load:.1f}")
    runs = {"first import": run_import(csv_path, args.db)}
    if args.update:
        runs["same file again (updates)"] = run_import(csv_path, args.db)
    for label, r in runs.items():
        rate = args.rows / r["seconds"] if r["seconds"] else 0
        print(f"  {label:<28} {secs(r['seconds'])} ({rate:,.0f} rows/s; CPU {secs(r['cpu_seconds'])}), "
              f"peak RSS {mb(r['maxrss_kib'])}, "
              f"exit {r['exit']}: {r['output']}")
    write_result(f"import-{args.rows}", {"rows": args.rows, "runs": runs, "loadavg": load,
                                        "busy": load > 1.0})
    return 0 if all(r["exit"] == 0 for r in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
