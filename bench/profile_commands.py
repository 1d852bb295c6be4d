"""Where a slash command spends its time, in-process (no HTTP, no Slack): cProfile around
handlers.dispatch.run_command for the same query mix as bench_http.

    PYTHONPATH=. python bench/profile_commands.py [--n 100000] [--m 60] [--top 15]

Prints, per command kind, the mean CPU time per call (time.process_time: the machine may be shared) and the top functions by own time and by
cumulative time. Read-only: works on a copy of the seeded database.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import DEFAULT_N, OUT, copy_db, db_path, sqlite_url  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--m", type=int, default=60, help="calls per command kind")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--only", default=None, help="only the commands whose name contains this (e.g. renewals)")
    args = parser.parse_args(argv)
    source = (args.db or db_path(args.n)).resolve()
    if not source.exists():
        print(f"{source} is missing: run `python bench/seed.py --n {args.n}` first", file=sys.stderr)
        return 2
    work_db = OUT / "profile.db"
    copy_db(source, work_db)

    from bench_http import sample_queries

    from bot.clock import SystemClock
    from bot.metrics import Metrics
    from bot.settings import Settings
    from handlers.dispatch import run_command
    from handlers.runtime import Caller, Runtime
    from storage.db import open_database

    settings = Settings(database_url=sqlite_url(work_db), timezone="Europe/Paris")
    engine, factory = open_database(settings.database_url)
    runtime = Runtime(settings=settings, session_factory=factory, clock=SystemClock(), metrics=Metrics())
    caller = Caller(user_id="U0MGR0000", channel_id="C0BENCH", lang="en")
    queries = sample_queries(source, args.m + 10, random.Random(7))
    work = {name: [(command, text) for _kind, command, text in items[10:]] for name, items in queries.items()
            if args.only is None or args.only in name}
    for items in queries.values():
        for _kind, command, text in items[:10]:
            run_command(runtime, caller, command, text)  # warm-up: imports, compiled SQL, babel data

    for kind, calls in work.items():
        profiler = cProfile.Profile(time.process_time)  # CPU time: what the GIL is held for, less sensitive to load
        started = time.process_time()
        profiler.enable()
        for name, text in calls:
            reply = run_command(runtime, caller, name, text)
            assert not reply.is_error, (name, text, reply)
        profiler.disable()
        unprofiled = time.process_time()
        for name, text in calls:
            run_command(runtime, caller, name, text)
        plain = (time.process_time() - unprofiled) / len(calls)
        profiled = (unprofiled - started) / len(calls)
        print(f"\n=== {kind}: {len(calls)} calls, {plain * 1000:.1f} ms CPU per call "
              f"({profiled * 1000:.1f} ms under cProfile) — e.g. {calls[0][0]} {calls[0][1]!r}")
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
            body = out.getvalue()
            start = body.find("   ncalls")
            print(f"--- by {order}\n{body[start:].rstrip()}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
