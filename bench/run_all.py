"""Run every benchmark and print a summary table (`make bench`).

    python bench/run_all.py [--n 100000] [--m 200] [--only http|sweep|sla|import|lanes|report|obligations|revisions]
                            [--no-big-import]

Seeds bench/out/contracts-N.db if it is missing (bench/seed.py), then runs bench/bench_http.py,
bench/bench_sweep.py, bench/bench_sla.py (SLA sweep and /sla), bench/bench_import.py (the CLI import,
then the 500,000-row memory run unless `--no-big-import`), bench/bench_lanes.py (/contract status while
a 100k export runs), bench/bench_report.py (/contract report and the digest), bench/bench_obligations.py
(the obligations sweep over 2 obligations per contract) and bench/bench_revisions.py, each in its own
process with the repo root on PYTHONPATH. Everything they
write (databases, server logs, JSON results) is under bench/out/, which git ignores. Figures only:
nothing here fails on a slow result; the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    BENCH,
    DEFAULT_N,
    OUT,
    ROOT,
    child_env,
    db_path,
    mb,
    ms,
    read_result,
    secs,
    table,
)


def run(script: str, *args: str) -> int:
    print(f"\n$ python bench/{script} {' '.join(args)}", flush=True)
    return subprocess.run([sys.executable, str(BENCH / script), *args], cwd=ROOT, env=child_env()).returncode


def summary(n: int) -> None:
    rows: list[list[str]] = []
    stem = db_path(n).stem
    http, sweep, sla = read_result(f"http-{stem}"), read_result(f"sweep-{stem}"), read_result(f"sla-{stem}")
    rows += http_rows(http)
    if sweep:
        for run_ in sweep["runs"]:
            if "seconds" not in run_ or "again" in run_["label"] or "3rd" in run_["label"]:
                continue
            first = run_["label"] == "first real run"
            rows.append([f"sweep: {run_['label']}", f"{secs(run_['seconds'])} (CPU {secs(run_['cpu_s'])}), "
                         f"{run_['posted']:,} posted", "< 60 s" if first else "",
                         ("OK" if run_["seconds"] < 60 else "MISSED") if first else ""])
            if first and "max_per_destination" in run_:
                rows.append(["  messages posted / destinations / most to one destination",
                             f"{run_['fake_posts']:,} / {run_['destinations']:,} / {run_['max_per_destination']}",
                             "a few per destination", "OK" if run_["max_per_destination"] <= 5 else "MISSED"])
        if sweep.get("steady_median_s") is not None:
            rows.append(["sweep steady state, median of 3 runs", secs(sweep["steady_median_s"]), "< 2 s",
                         "OK" if sweep["steady_median_s"] < 2 else "MISSED"])
        if sweep.get("peak_kib") is not None:
            rows.append(["sweep process peak RSS (ru_maxrss)", mb(sweep["peak_kib"]), "< 200 MB",
                         "OK" if sweep["peak_kib"] < 200 * 1024 else "MISSED"])
        if http and http.get("serve_vmhwm_kib") and sweep["runs"]:
            grow = max(r["maxrss_kib"] - r["rss_before_kib"] for r in sweep["runs"] if "maxrss_kib" in r)
            total = http["serve_vmhwm_kib"] + grow
            rows.append(["serve + the sweep its scheduler runs (estimate)", mb(total), "< 200 MB",
                         "OK" if total < 200 * 1024 else "MISSED"])
    rows += import_rows(read_result("import-100000"), read_result("import-500000"))
    rows += export_rows(read_result(f"lanes-contracts-{n}"))
    rows += sla_rows(sla)
    rows += obligation_rows(read_result(f"obligations-{n}"))
    rows += revisions_rows(read_result(f"revisions-{n}"))
    rows += report_rows(read_result(f"report-{stem}"))
    if rows:
        print(f"\n=== summary, {n:,} contracts ===")
        print(table(rows, ["figure", "value", "target", ""]))
        loads = ([f"HTTP {http['loadavg'][0]:.1f}"] if http else []) + (
            [f"sweep {sweep['loadavg']:.1f}"] if sweep and sweep.get("loadavg") is not None else []) + (
            [f"SLA {sla['loadavg']:.1f}"] if sla and sla.get("loadavg") is not None else [])
        busy = any(r.get("busy") for r in (http, sweep, sla) if r)
        print(f"(load average before the runs: {', '.join(loads)}"
              f"{' — other work was running, wall times are inflated' if busy else ''}; results in {OUT})")


ANSWER_P50_ONE_CLIENT = {"/contract status <words>": 0.030, "/renewals next 30 days": 0.030}  # issue 6
ANSWER_P99_FOUR_CLIENTS = 0.100


def http_rows(http: dict | None) -> list[list[str]]:
    """bench_http.py: per command and mode, the ack p99 ratio to a bare Bolt app (≤ 1.5) and the answer
    latency at the response_url (p50 ≤ 30 ms one client for word search and /renewals; p99 ≤ 100 ms
    with four clients for all four commands)."""
    rows: list[list[str]] = []
    if not http:
        return rows
    by = {(p["command"], p["mode"], p["app"]): p for p in http["phases"]}
    for r in http["ratios"]:
        bot = by[(r["command"], r["mode"], "contractbot")]
        rows.append([f"{r['command']}, {r['mode']}: ack p50 / p99",
                     f"{ms(bot['ack_p50'])} / {ms(bot['ack_p99'])}", "< 3 s (Slack)",
                     "OK" if bot["ack_p99"] < 3 else "MISSED"])
        rows.append(["  p99 ack ratio contractbot / bare Bolt", f"{r['ratio']:.2f}", "≤ 1.5",
                     "OK" if r["ratio"] <= 1.5 else "MISSED"])
        target, verdict = "", ""
        if r["mode"] == "sequential" and r["command"] in ANSWER_P50_ONE_CLIENT and bot["answer_p50"] is not None:
            limit = ANSWER_P50_ONE_CLIENT[r["command"]]
            target, verdict = f"p50 ≤ {limit * 1000:.0f} ms", "OK" if bot["answer_p50"] <= limit else "MISSED"
        elif r["mode"] != "sequential" and bot["answer_p99"] is not None:
            target = f"p99 ≤ {ANSWER_P99_FOUR_CLIENTS * 1000:.0f} ms"
            verdict = "OK" if bot["answer_p99"] <= ANSWER_P99_FOUR_CLIENTS else "MISSED"
        rows.append(["  answer via response_url p50 / p99",
                     f"{ms(bot['answer_p50'])} / {ms(bot['answer_p99'])}", target, verdict])
    rows.append(["serve peak RSS (VmHWM) after the HTTP load", mb(http.get("serve_vmhwm_kib")), "< 200 MB",
                 "OK" if (http.get("serve_vmhwm_kib") or 0) < 200 * 1024 else "MISSED"])
    return rows


def import_rows(small: dict | None, big: dict | None) -> list[list[str]]:
    """bench_import.py: 100,000 rows in under 10 s; under 300 MB for 500,000 rows."""
    rows: list[list[str]] = []
    if small:
        run_ = small["runs"]["first import"]
        rows.append(["import 100,000 contracts (CLI, fresh SQLite)",
                     f"{secs(run_['seconds'])} (CPU {secs(run_.get('cpu_seconds'))}), peak {mb(run_['maxrss_kib'])}",
                     "< 10 s",
                     "OK" if run_["seconds"] < 10 and run_["exit"] == 0 else "MISSED"])
        again = small["runs"].get("same file again (updates)")
        if again:
            rows.append(["  the same file again (every reference exists)",
                         f"{secs(again['seconds'])} (CPU {secs(again.get('cpu_seconds'))})", "", ""])
    if big:
        run_ = big["runs"]["first import"]
        rows.append(["import 500,000 contracts: peak RSS (and time)",
                     f"{mb(run_['maxrss_kib'])} ({secs(run_['seconds'])})", "< 300 MB",
                     "OK" if (run_["maxrss_kib"] or 0) < 300 * 1024 and run_["exit"] == 0 else "MISSED"])
    return rows


def export_rows(lanes: dict | None) -> list[list[str]]:
    """bench_lanes.py: `/contract status` answer p99 while a 100k `/contract export` runs, at most 2x idle."""
    if not lanes:
        return [["status p99 during a 100k export (bench_lanes.py)", "not run", "≤ 2× idle", ""]]
    return [["/contract status answer p99, idle / during a 100k export",
             f"{ms(lanes['idle_p99'])} / {ms(lanes['busy_p99'])} (ratio {lanes['ratio']:.2f})",
             f"ratio ≤ {lanes['target']:.1f}", "OK" if lanes["ratio"] <= lanes["target"] else "MISSED"]]


def sla_rows(sla: dict | None) -> list[list[str]]:
    """bench_sla.py's figures: the every-minute `sla` sweep over 10,000 open incidents, `/sla <contract>`."""
    rows: list[list[str]] = []
    sweep, http = (sla or {}).get("sweep"), (sla or {}).get("http")
    if sweep:
        for run_ in sweep["runs"]:
            if "seconds" in run_ and run_["label"] == "first real run":
                rows.append(["SLA sweep: first real run", f"{secs(run_['seconds'])} (CPU {secs(run_['cpu_s'])}), "
                             f"{run_['posted']:,} posted", "", ""])
        if sweep.get("steady_median_s") is not None:
            rows.append(["SLA sweep steady state (10,000 open), median of 3", secs(sweep["steady_median_s"]), "< 1 s",
                         "OK" if sweep["steady_median_s"] < 1 else "MISSED"])
        if sweep.get("peak_kib") is not None:
            rows.append(["SLA sweep process peak RSS (ru_maxrss)", mb(sweep["peak_kib"]), "< 200 MB",
                         "OK" if sweep["peak_kib"] < 200 * 1024 else "MISSED"])
    if http:
        by = {(p["mode"], p["app"]): p for p in http["phases"]}
        for r in http["ratios"]:
            bot = by[(r["mode"], "contractbot")]
            rows.append([f"/sla <contract, 5,000 incidents>, {r['mode']}: ack p50 / p99",
                         f"{ms(bot['ack_p50'])} / {ms(bot['ack_p99'])}", "< 3 s (Slack)",
                         "OK" if bot["ack_p99"] < 3 else "MISSED"])
            rows.append(["  p99 ack ratio contractbot / bare Bolt", f"{r['ratio']:.2f}", "≤ 1.5",
                         "OK" if r["ratio"] <= 1.5 else "MISSED"])
            rows.append(["  answer via response_url p50 / p99",
                         f"{ms(bot['answer_p50'])} / {ms(bot['answer_p99'])}", "", ""])
    return rows


def obligation_rows(result: dict | None) -> list[list[str]]:
    """bench_obligations.py's figures: the daily `obligations` sweep over 200,000 obligations."""
    rows: list[list[str]] = []
    if not result:
        return rows
    for run_ in result["runs"]:
        if "seconds" in run_ and run_["label"].startswith("first real run"):
            rows.append(["obligations sweep: first real run (a day's alerts)",
                         f"{secs(run_['seconds'])} (CPU {secs(run_['cpu_s'])}), {run_['posted']:,} posted", "", ""])
    if result.get("steady_median_s") is not None:
        rows.append(["obligations sweep steady state (200,000), median of 3", secs(result["steady_median_s"]),
                     "< 2 s", "OK" if result["steady_median_s"] < 2 else "MISSED"])
    if result.get("peak_kib") is not None:
        rows.append(["obligations sweep process peak RSS (ru_maxrss)", mb(result["peak_kib"]), "< 200 MB",
                     "OK" if result["peak_kib"] < 200 * 1024 else "MISSED"])
    return rows


def revisions_rows(result: dict | None) -> list[list[str]]:
    """bench_revisions.py's figures: the daily `revisions` sweep over N indexed contracts."""
    if not result:
        return []
    rows = [[f"revisions sweep: {r['label']}", f"{secs(r['seconds'])} (CPU {secs(r['cpu_s'])}), {r['posted']:,} posted",
             "", ""] for r in result["runs"] if r["label"] == "first real run"]
    rows.append(["revisions sweep steady state, median of 3", secs(result["steady_median_s"]), "< 2 s",
                 "OK" if result["steady_median_s"] < 2 else "MISSED"])
    rows.append(["revisions sweep peak RSS (ru_maxrss)", mb(result["peak_kib"]), "< 200 MB",
                 "OK" if result["peak_kib"] < 200 * 1024 else "MISSED"])
    return rows


def report_rows(report: dict | None) -> list[list[str]]:
    """bench_report.py's figures: `/contract report` at the response_url, the digest job, peak memory."""
    if not report:
        return []
    http = report["report"]
    rows = [["/contract report (12 months) at the response_url, p50 / max",
             f"{secs(http['answer_p50'])} / {secs(http['answer_max'])}", "< 2 s",
             "OK" if http["answer_max"] < 2 else "MISSED"],
            ["serve peak RSS (VmHWM) after the reports", mb(http.get("serve_vmhwm_kib")), "< 200 MB",
             "OK" if (http.get("serve_vmhwm_kib") or 0) < 200 * 1024 else "MISSED"]]
    for run_ in report["digest"]:
        if "seconds" in run_:
            rows.append([f"digest: {run_['label']}", f"{secs(run_['seconds'])}, peak RSS {mb(run_['maxrss_kib'])}",
                         "< 5 s, < 200 MB",
                         "OK" if run_["seconds"] < 5 and run_["maxrss_kib"] < 200 * 1024 else "MISSED"])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="seed if needed, then run every benchmark")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="portfolio size (default 100,000)")
    parser.add_argument("--m", type=int, default=200, help="HTTP requests per command, mode and app")
    parser.add_argument("--only", choices=["http", "sweep", "sla", "import", "lanes", "report", "obligations",
                                           "revisions"], default=None)
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows for the import bench")
    parser.add_argument("--no-big-import", dest="big_import", action="store_false",
                        help="skip the 500,000-row import (the memory target; a few minutes)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    status = 0
    if not db_path(args.n).exists():
        status |= run("seed.py", "--n", str(args.n))
    if args.only in (None, "http"):
        status |= run("bench_http.py", "--n", str(args.n), "--m", str(args.m))
    if args.only in (None, "sweep"):
        status |= run("bench_sweep.py", "--n", str(args.n))
    if args.only in (None, "sla"):
        status |= run("bench_sla.py", "--n", str(args.n))
    if args.only in (None, "import"):
        status |= run("bench_import.py", "--rows", str(args.import_rows), "--update")
        if args.big_import:
            status |= run("bench_import.py", "--rows", "500000")
    if args.only in (None, "lanes"):
        status |= run("bench_lanes.py", "--n", str(args.n))
    if args.only in (None, "report"):
        status |= run("bench_report.py", "--n", str(args.n))
    if args.only in (None, "obligations"):
        status |= run("bench_obligations.py", "--n", str(args.n))
    if args.only in (None, "revisions"):
        status |= run("bench_revisions.py", "--n", str(args.n))
    summary(args.n)
    print(f"\nall benchmarks took {time.perf_counter() - started:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
