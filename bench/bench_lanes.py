"""Nobody waits behind a slow command: `/contract status` answer latency, idle vs during 100k exports.

    PYTHONPATH=. python bench/bench_lanes.py [--n 100000] [--m 200]

Starts, on loopback only, the FakeSlack and a real `contractbot serve --no-scheduler` on a copy of
the seeded portfolio (bench/seed.py). Phase "idle": M signed `/contract status <exact reference>`,
one at a time; the answer latency runs from sending the request until the reply reaches the fake's
response_url (what the person sees). Phase "during export": the same M requests while a second client
keeps a `/contract export` of the whole portfolio running (the next one is sent as soon as the
previous file has been uploaded); only status samples taken while an export was running are kept.

Target (issue 6): status answer p99 during an export ≤ 2 × its idle p99. Every loop is bounded by
count and time. Results go to stdout and bench/out/lanes-contracts-N.json.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    DEFAULT_N,
    OUT,
    ROOT,
    SECRET,
    copy_db,
    db_path,
    ms,
    percentile,
    sqlite_url,
    table,
    write_result,
)

from tests.support.fake_slack import FakeSlack  # noqa: E402
from tests.support.server import Serve, contractbot_env  # noqa: E402
from tests.support.signed import post_command  # noqa: E402

TARGET_RATIO = 2.0


class Exporter(threading.Thread):
    """Keeps one `/contract export` running until stopped; records when each one ran."""

    def __init__(self, serve: Serve, fake: FakeSlack, limit: float) -> None:
        super().__init__(name="exporter", daemon=True)
        self.serve, self.fake, self.limit = serve, fake, limit
        self.stop_event = threading.Event()
        self.running = threading.Event()
        self.durations: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        n, deadline = 0, time.monotonic() + self.limit
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            n += 1
            tag = f"export-{n}-{os.getpid()}"
            t0 = time.perf_counter()
            self.running.set()
            status, _ = post_command(self.serve.events_url, SECRET, "/contract", "export", user_id="U0EXPORT",
                                     channel_id="C0BENCH", response_url=self.fake.response_url(tag))
            if status != 200:
                self.errors.append(f"HTTP {status}")
                continue
            try:
                self.fake.wait_for("response_url", timeout=300, predicate=lambda c, t=tag: c["path"] == f"/response/{t}")
                self.durations.append(time.perf_counter() - t0)
            except AssertionError:
                self.errors.append("no answer")
        self.running.clear()


def status_samples(serve: Serve, fake: FakeSlack, refs: list[str], *, phase: str, during: Exporter | None,
                   limit: float) -> tuple[list[float], int]:
    """Answer latencies of `/contract status REF`, one at a time; (latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + limit
    for i, ref in enumerate(refs):
        if time.monotonic() > deadline:
            break
        if during is not None and not during.running.is_set():
            break
        tag = f"status-{phase}-{i}-{os.getpid()}"
        wall0 = time.time()
        status, _ = post_command(serve.events_url, SECRET, "/contract", f"status {ref}", user_id="U0STATUS",
                                 channel_id="C0BENCH", response_url=fake.response_url(tag))
        if status != 200:
            errors += 1
            continue
        try:
            call = fake.wait_for("response_url", timeout=30, predicate=lambda c, tag=tag: c["path"] == f"/response/{tag}")[-1]
        except AssertionError:
            errors += 1
            continue
        if ref not in str(call["args"].get("text", "")):
            errors += 1
        latencies.append(call["at"] - wall0)
        time.sleep(0.02)  # a person's pace, not a flood: the lane, not the queue, is measured
    return latencies, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="status answer p99, idle vs during a whole-portfolio export")
    parser.add_argument("--n", type=int, default=DEFAULT_N)
    parser.add_argument("--m", type=int, default=200, help="status requests per phase")
    parser.add_argument("--phase-timeout", type=float, default=240.0)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    seeded = db_path(args.n)
    if not seeded.exists():
        print(f"seeding {seeded} ...", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "seed.py"), "--n", str(args.n)], check=True, cwd=ROOT)
    db = OUT / f"lanes-contracts-{args.n}.db"
    copy_db(seeded, db)
    with sqlite3.connect(db) as conn:
        refs = [r for (r,) in conn.execute("SELECT reference FROM contracts")]
    conn.close()
    rng = random.Random(args.seed)
    print(f"load average before: {os.getloadavg()}", flush=True)

    with FakeSlack() as fake:
        serve = Serve(contractbot_env(sqlite_url(db), fake.url))
        try:
            warm, _ = status_samples(serve, fake, rng.sample(refs, 20), phase="warm", during=None, limit=60)
            idle, idle_errors = status_samples(serve, fake, rng.sample(refs, args.m), phase="idle", during=None,
                                               limit=args.phase_timeout)
            exporter = Exporter(serve, fake, limit=args.phase_timeout + 300)
            exporter.start()
            exporter.running.wait(10)
            time.sleep(1.0)  # the export is under way in the heavy lane
            busy, busy_errors = status_samples(serve, fake, rng.sample(refs, args.m), phase="busy", during=exporter,
                                               limit=args.phase_timeout)
            exporter.stop_event.set()
            exporter.join(timeout=400)
        finally:
            serve.stop()

    idle_p99, busy_p99 = percentile(idle, 99), percentile(busy, 99)
    ratio = busy_p99 / idle_p99 if idle and busy else float("nan")
    rows = [
        ["status answer, idle", len(idle), ms(percentile(idle, 50)), ms(idle_p99), idle_errors, ""],
        ["status answer, during export", len(busy), ms(percentile(busy, 50)), ms(busy_p99), busy_errors,
         f"ratio {ratio:.2f} (target ≤ {TARGET_RATIO:.1f}) {'OK' if ratio <= TARGET_RATIO else 'MISSED'}"],
        [f"/contract export of {args.n:,}", len(exporter.durations),
         ms(percentile(exporter.durations, 50)), ms(max(exporter.durations, default=float("nan"))),
         len(exporter.errors), "(p50 / max)"],
    ]
    print(table(rows, ["what", "n", "p50", "p99", "errors", ""]))
    print(f"load average after: {os.getloadavg()}")
    write_result(f"lanes-contracts-{args.n}", {
        "idle_p50": percentile(idle, 50), "idle_p99": idle_p99, "busy_p50": percentile(busy, 50),
        "busy_p99": busy_p99, "ratio": ratio, "target": TARGET_RATIO, "exports": exporter.durations,
        "errors": {"idle": idle_errors, "busy": busy_errors, "export": exporter.errors},
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
