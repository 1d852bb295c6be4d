"""HTTP latency of slash commands: `contractbot serve` on the seeded portfolio vs a bare Bolt app.

    PYTHONPATH=. python bench/bench_http.py [--n 100000] [--m 300] [--clients 4]

Starts, on loopback only: the FakeSlack (tests.support.fake_slack), a real `contractbot serve
--no-scheduler` subprocess (tests.support.server.Serve) on a copy of the seeded database, and
bench/bare_app.py — a Bolt app that only acks, behind the same server stack (SlackRequestHandler on
waitress, 8 threads). After a warm-up it sends M signed requests of each of issue 6's four commands
(`/contract status <ref>`, `/contract status <title words>`, `/renewals next 30 days`,
`/contract list vendor:<name>`), first one request at a time, then from C concurrent clients (closed loop: each client waits for its answer before the next
request). For each it reports:

- ack: the HTTP acknowledgement latency (what Slack's 3-second limit applies to), for both apps;
- answer: from sending the request until the reply reaches the fake's response_url (contractbot
  only: that is the latency the person sees).

Every loop is bounded by count (M) and by --phase-timeout seconds, and stops by itself.
Results go to stdout and bench/out/http-contracts-N.json; server logs to bench/out/.
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
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    BENCH,
    DEFAULT_N,
    OUT,
    ROOT,
    SECRET,
    SLACK_ACK_LIMIT,
    child_env,
    copy_db,
    db_path,
    mb,
    ms,
    percentile,
    sqlite_url,
    table,
    vm_hwm_kib,
    write_result,
)

from tests.support.fake_slack import FakeSlack  # noqa: E402
from tests.support.server import Serve, contractbot_env, free_port, stop_process  # noqa: E402
from tests.support.signed import post_command  # noqa: E402

TARGET_RATIO = 1.5
USERS = [f"U0MGR{i:04d}" for i in range(8)]
INTERNAL_ERROR = "Something went wrong on our side"


@dataclass
class Sample:
    app: str
    kind: str  # exact | vendor | title | renewals
    ack: float  # seconds
    answer: float | None  # seconds until the reply reached response_url (None: bare app, or none came)
    status: int
    error: str | None = None


@dataclass
class Phase:
    """One command in one mode; in the sequential mode it holds both apps' samples, interleaved."""

    name: str
    mode: str
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    stopped_early: bool = False
    cpu: dict[str, float] = field(default_factory=dict)  # app -> server CPU seconds during the phase

    def view(self, app: str) -> "AppView":
        return AppView(self, app, [s for s in self.samples if s.app == app])


@dataclass
class AppView:
    phase: Phase
    app: str
    samples: list[Sample]

    def acks(self, kind: str | None = None) -> list[float]:
        return [s.ack for s in self.samples if s.status == 200 and (kind is None or s.kind == kind)]

    def answers(self, kind: str | None = None) -> list[float]:
        return [s.answer for s in self.samples if s.answer is not None and (kind is None or s.kind == kind)]

    def errors(self) -> int:
        return sum(1 for s in self.samples if s.status != 200 or s.error)

    def summary(self) -> dict[str, Any]:
        acks, answers = self.acks(), self.answers()
        cpu = self.phase.cpu.get(self.app)
        out: dict[str, Any] = {
            "command": self.phase.name, "app": self.app, "mode": self.phase.mode, "n": len(self.samples),
            "errors": self.errors(), "wall_s": self.phase.wall, "stopped_early": self.phase.stopped_early,
            "cpu_per_request": cpu / len(self.samples) if cpu is not None and self.samples else None,
            "ack_p50": percentile(acks, 50), "ack_p99": percentile(acks, 99), "ack_max": max(acks, default=None),
            "answer_p50": percentile(answers, 50) if answers else None,
            "answer_p99": percentile(answers, 99) if answers else None,
            "answer_max": max(answers, default=None),
        }
        kinds = sorted({s.kind for s in self.samples})
        if len(kinds) > 1:
            out["by_kind"] = {k: {"n": len(self.acks(k)), "ack_p50": percentile(self.acks(k), 50),
                                  "ack_p99": percentile(self.acks(k), 99),
                                  "answer_p50": percentile(self.answers(k), 50) if self.answers(k) else None,
                                  "answer_p99": percentile(self.answers(k), 99) if self.answers(k) else None}
                              for k in kinds}
        return out


class BareApp:
    """bench/bare_app.py in a subprocess, logging to bench/out/."""

    def __init__(self, slack_url: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(OUT / f"bare-app-{self.port}.log", "w+")
        env = child_env(SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-test-token")
        self.process = subprocess.Popen(
            [sys.executable, str(BENCH / "bare_app.py"), "--port", str(self.port), "--slack-api-url", slack_url],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("bare app exited early:\n" + self.output())
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("bare app did not start:\n" + self.output())

    @property
    def events_url(self) -> str:
        return f"{self.base}/slack/events"

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        stop_process(self.process, self.log)


def sample_queries(db: Path, m: int, rng: random.Random) -> dict[str, list[tuple[str, str, str]]]:
    """The four commands of issue 6, M each, as (kind, command, text): exact references (`/contract
    status IMP-…`), title words (`/contract status <words>`), `/renewals next 30 days` and
    `/contract list vendor:<name>`. References, words and vendors are drawn from random contracts, so
    big vendors and common words come up as often as they would in a real portfolio."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        count = con.execute("SELECT max(id) FROM contracts").fetchone()[0]
        rows = [con.execute("SELECT c.reference, c.title, v.name FROM contracts c JOIN vendors v ON v.id = c.vendor_id"
                            " WHERE c.id = ?", (rng.randint(1, count),)).fetchone() for _ in range(3 * m)]
    con.close()
    exact, words, vendors = [], [], []
    for i, (reference, title, vendor) in enumerate(rows):
        if i % 3 == 0:
            exact.append(("exact", "/contract", f"status {reference if rng.random() < 0.7 else reference.lower()}"))
        elif i % 3 == 1:
            picked = [w for w in title.replace("(", " ").replace(")", " ").split() if len(w) > 2]
            words.append(("words", "/contract",
                          "status " + " ".join(rng.sample(picked, k=min(len(picked), rng.choice((1, 2, 2, 3)))))))
        else:
            vendors.append(("vendor", "/contract", f'list vendor:"{vendor}"'))
    return {COMMANDS[0]: exact, COMMANDS[1]: words, COMMANDS[2]: [("renewals", "/renewals", "next 30 days")] * m,
            COMMANDS[3]: vendors}


COMMANDS = ("/contract status <ref>", "/contract status <words>", "/renewals next 30 days",
            "/contract list vendor:…")


class Client:
    """Sends signed slash commands like Slack and, for contractbot, waits for the response_url answer."""

    def __init__(self, app: str, fake: FakeSlack, url: str, pid: int, *, wait_answer: bool,
                 answer_timeout: float = 10.0) -> None:
        self.app, self.fake, self.url, self.pid = app, fake, url, pid
        self.wait_answer, self.answer_timeout = wait_answer, answer_timeout
        self._seq = iter(range(10**9))
        self._lock = threading.Lock()

    def send(self, kind: str, command: str, text: str, user: str) -> Sample:
        with self._lock:
            tag = f"b{next(self._seq)}-{os.getpid()}"
        wall0 = time.time()
        t0 = time.perf_counter()
        try:
            status, body = post_command(self.url, SECRET, command, text, user_id=user, channel_id="C0BENCH",
                                        response_url=self.fake.response_url(tag))
        except OSError as exc:  # a timeout or a refused connection: counted as an error
            return Sample(self.app, kind, time.perf_counter() - t0, None, 0, type(exc).__name__)
        ack = time.perf_counter() - t0
        if status != 200 or not self.wait_answer:
            return Sample(self.app, kind, ack, None, status, None if status == 200 else f"HTTP {status}: {body[:80]}")
        try:
            calls = self.fake.wait_for("response_url", timeout=self.answer_timeout,
                                       predicate=lambda c: c["path"] == f"/response/{tag}")
        except AssertionError:
            return Sample(self.app, kind, ack, None, status, "no answer")
        call = calls[-1]
        text_out = str(call["args"].get("text", "")) if isinstance(call["args"], dict) else ""
        error = "internal error" if INTERNAL_ERROR in text_out else None
        return Sample(self.app, kind, ack, call["at"] - wall0, status, error)


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process and of its live children (Linux /proc: serve's lanes), in seconds."""
    own = _cpu_ticks(pid)
    if own is None:
        return None
    ticks = own[0] + sum((_cpu_ticks(child) or (0, 0))[0] for child in children(pid))
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The live descendants of `pid` (Linux /proc): serve's lanes' fork server and the children it forked."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        ticks = _cpu_ticks(int(stat.parent.name))
        if ticks is not None:
            parents.setdefault(ticks[1], []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu_ticks(pid: int) -> tuple[int, int] | None:
    """(utime + stime, parent pid) of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12]), int(fields[1])
    except (OSError, IndexError, ValueError):
        return None


def run_phase(phase: Phase, work: list[tuple[Client, str, str, str]], *, clients: int, timeout: float) -> Phase:
    """Send `work` ((client, kind, command, text) …) from `clients` closed-loop workers; stop after `timeout` s."""
    deadline = time.monotonic() + timeout
    items = iter(enumerate(work))
    lock = threading.Lock()
    apps = {client.app: client for client, *_ in work}
    cpu_before = {app: cpu_seconds(client.pid) for app, client in apps.items()}

    def worker() -> list[Sample]:
        done = []
        while time.monotonic() < deadline:
            with lock:
                nxt = next(items, None)
            if nxt is None:
                break
            i, (client, kind, command, text) = nxt
            done.append(client.send(kind, command, text, USERS[(i // len(apps)) % len(USERS)]))
        return done

    started = time.perf_counter()
    if clients == 1:
        phase.samples = worker()
    else:
        with ThreadPoolExecutor(clients) as pool:
            for part in pool.map(lambda _: worker(), range(clients)):
                phase.samples.extend(part)
    phase.wall = time.perf_counter() - started
    phase.stopped_early = len(phase.samples) < len(work)
    for app, client in apps.items():
        after, before = cpu_seconds(client.pid), cpu_before[app]
        if after is not None and before is not None:
            phase.cpu[app] = after - before
    for client in apps.values():
        client.fake.clear()  # keep the fake's call list short: wait_for scans it
    return phase


def interleave(*lists: list) -> list:  # type: ignore[type-arg]
    return [item for group in zip(*lists, strict=False) for item in group]


def flag(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds >= SLACK_ACK_LIMIT:
        return "  << OVER Slack's 3 s"
    if seconds >= 1.0:
        return "  << near Slack's 3 s"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="HTTP ack and answer latency, contractbot vs a bare Bolt app")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="portfolio size (picks bench/out/contracts-N.db)")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--m", type=int, default=200, help="requests per command, mode and app (default 200)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients in the concurrent mode")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per command and app")
    parser.add_argument("--phase-timeout", type=float, default=90.0, help="seconds per phase before it stops")
    parser.add_argument("--modes", default="sequential,concurrent", help="which modes to run (comma-separated)")
    parser.add_argument("--serve-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for `contractbot serve` (for experiments), repeatable")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--commands", default="all",
                        help=f"which commands (comma-separated among: {', '.join(COMMANDS)}), default all")
    args = parser.parse_args(argv)
    source = (args.db or db_path(args.n)).resolve()
    if not source.exists():
        print(f"{source} is missing: run `python bench/seed.py --n {args.n}` first", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    for old_log in [*OUT.glob("contractbot-serve-*.log"), *OUT.glob("bare-app-*.log")]:
        old_log.unlink()  # one run's server logs only
    work_db = OUT / "http.db"
    copy_db(source, work_db)
    os.environ["TMPDIR"] = str(OUT)  # tests.support.server.Serve writes its log there
    rng = random.Random(args.seed)
    queries = sample_queries(source, args.m + args.warmup, rng)
    warm_items = [item for items in queries.values() for item in items[:args.warmup // 2]]
    commands = {name: items[args.warmup:] for name, items in queries.items() if name in args.commands.split(",")
                or args.commands == "all"}

    phases: list[Phase] = []
    load_before = os.getloadavg()
    print(f"bench_http: {source.name}, M={args.m} per command, mode and app, {args.clients} concurrent clients, "
          f"warm-up {args.warmup}, phase timeout {args.phase_timeout:.0f} s; "
          f"load average {load_before[0]:.2f} on {os.cpu_count()} CPUs")
    t_start = time.perf_counter()
    with FakeSlack() as fake:
        extra = dict(item.split("=", 1) for item in args.serve_env)
        env = contractbot_env(sqlite_url(work_db), fake.url, **{"CONTRACTBOT_LOG_LEVEL": "WARNING", **extra})
        server = Serve(env)
        bare = None
        try:
            bare = BareApp(fake.url)
            bot = Client("contractbot", fake, server.events_url, server.process.pid, wait_answer=True)
            base = Client("bare Bolt", fake, bare.events_url, bare.process.pid, wait_answer=False)

            def on(client: Client, items: list[tuple[str, str, str]]) -> list[tuple[Client, str, str, str]]:
                return [(client, *item) for item in items]

            # Concurrent, as the measured load will be: contractbot starts its light lane's child when
            # answers queue (handlers.lanes.LightLane), once per process — here, not in a measured phase.
            run_phase(Phase("warm-up", ""), on(bot, warm_items) + on(base, warm_items), clients=args.clients,
                      timeout=args.phase_timeout)
            time.sleep(3)  # the child starts in the background (~1 s of CPU)

            def report(phase: Phase) -> None:
                phases.append(phase)
                for app in ("contractbot", "bare Bolt"):
                    s = phase.view(app).summary()
                    if not s["n"]:
                        continue
                    answer = f", answer p50 {ms(s['answer_p50'])} p99 {ms(s['answer_p99'])}" \
                        if s["answer_p50"] is not None else ""
                    cpu = f", server CPU {ms(s['cpu_per_request'])}/req" if s["cpu_per_request"] is not None else ""
                    print(f"  {phase.mode:<10} {phase.name:<26} {app:<11} n={s['n']:<4} ack p50 {ms(s['ack_p50'])} "
                          f"p99 {ms(s['ack_p99'])}{answer}{cpu}  errors={s['errors']}"
                          f"{'  (stopped at the phase timeout)' if s['n'] < args.m else ''}", flush=True)

            modes = args.modes.split(",")
            for label, items in commands.items():
                if "sequential" not in modes:
                    break
                # One request at a time, the two apps interleaved: both see the same machine load.
                report(run_phase(Phase(label, "sequential"), interleave(on(bot, items), on(base, items)),
                                 clients=1, timeout=args.phase_timeout))
            mode = f"{args.clients} clients"
            for label, items in commands.items():
                if "concurrent" not in modes:
                    break
                # Concurrent: one app at a time, so the baseline does not share the CPUs with contractbot's work.
                phase = Phase(label, mode)
                run_phase(phase, on(bot, items), clients=args.clients, timeout=args.phase_timeout)
                other = run_phase(Phase(label, mode), on(base, items), clients=args.clients,
                                  timeout=args.phase_timeout)
                phase.samples += other.samples
                phase.cpu.update(other.cpu)
                phase.stopped_early |= other.stopped_early
                report(phase)
            serve_hwm = vm_hwm_kib(server.process.pid)
            lanes_hwm = [vm_hwm_kib(pid) or 0 for pid in children(server.process.pid)]
            bare_hwm = vm_hwm_kib(bare.process.pid)
        finally:
            if bare is not None:
                bare.stop()
            server.stop()
    total = time.perf_counter() - t_start
    load_after = os.getloadavg()

    rows, ratios, summaries = [], [], []
    for phase in phases:
        bot_s, bare_s = phase.view("contractbot").summary(), phase.view("bare Bolt").summary()
        summaries += [bot_s, bare_s]
        for s in (bot_s, bare_s):
            rows.append([phase.name, phase.mode, s["app"], s["n"], ms(s["ack_p50"]), ms(s["ack_p99"]) + flag(s["ack_p99"]),
                         ms(s["answer_p50"]) if s["answer_p50"] is not None else "n/a",
                         (ms(s["answer_p99"]) + flag(s["answer_p99"])) if s["answer_p99"] is not None else "n/a",
                         ms(s["cpu_per_request"]) if s["cpu_per_request"] is not None else "?", s["errors"]])
        if bare_s["ack_p99"] and bot_s["ack_p99"]:
            ratios.append({"command": phase.name, "mode": phase.mode, "contractbot_p99": bot_s["ack_p99"],
                           "bare_p99": bare_s["ack_p99"], "ratio": bot_s["ack_p99"] / bare_s["ack_p99"]})
    print()
    print(table(rows, ["command", "mode", "app", "n", "ack p50", "ack p99", "answer p50", "answer p99",
                       "server CPU/req", "errors"]))
    print()
    for r in ratios:
        verdict = "OK" if r["ratio"] <= TARGET_RATIO else "MISSED"
        print(f"  p99 ack ratio contractbot/bare, {r['command']}, {r['mode']}: {r['ratio']:.2f} "
              f"({ms(r['contractbot_p99'])} / {ms(r['bare_p99'])}) — target ≤ {TARGET_RATIO}: {verdict}")
    for phase in phases:
        view = phase.view("contractbot")
        for kind in sorted({s.kind for s in view.samples}):
            if kind == "renewals":
                continue
            print(f"  {phase.mode:<10} {phase.name} [{kind:<6}] n={len(view.acks(kind)):<4} "
                  f"ack p99 {ms(percentile(view.acks(kind), 99))}, answer p50 {ms(percentile(view.answers(kind), 50))}"
                  f" p99 {ms(percentile(view.answers(kind), 99))}")
    print(f"  peak RSS (VmHWM) after the load: contractbot serve {mb(serve_hwm)} (its lanes' children: "
          f"{', '.join(mb(k) for k in lanes_hwm) or 'none'}), bare Bolt app {mb(bare_hwm)}")
    busy = load_before[0] > (os.cpu_count() or 1) / 2  # before: this bench adds ~2 busy processes itself
    print(f"  load average {load_before[0]:.2f} before, {load_after[0]:.2f} after, on {os.cpu_count()} CPUs"
          f"{' — other work was running: latencies include waiting for a CPU' if busy else ''}")
    print(f"  bench_http took {total:.0f} s")
    write_result(f"http-{source.stem}", {"db": str(source), "m": args.m, "clients": args.clients, "phases": summaries,
                          "ratios": ratios, "serve_vmhwm_kib": serve_hwm, "bare_vmhwm_kib": bare_hwm,
                          "loadavg": [load_before[0], load_after[0]], "busy": busy, "cpus": os.cpu_count(), "seconds": total})
    return 0


if __name__ == "__main__":
    sys.exit(main())
