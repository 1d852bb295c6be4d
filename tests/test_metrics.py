"""Metrics a sweep leaves behind: alerts claimed / posted / failed per job, the run's duration and last
success time, Slack API errors by method and status; and every documented name is exposed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from bot.app import web_client
from bot.clock import SystemClock
from bot.metrics import Metrics
from bot.settings import Settings
from jobs.context import JobContext
from jobs.registry import run_job
from storage.db import open_database
from tests.conftest import make_settings
from tests.e2e.cli_helpers import day, write_csv
from tests.support.fake_slack import FakeSlack
from tests.support.inproc import cli_here
from tests.support.server import ROOT, contractbot_env


def value(metrics: Metrics, name: str, **labels: str) -> float:
    text = metrics.exposition().decode()
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))  # the exposition sorts labels
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_a_sweep_counts_claimed_posted_failed_duration_last_success_and_slack_errors(
        db_url: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    env = contractbot_env(db_url, fake_slack.url)
    rows = [{"reference": f"MET-{n}", "title": "Metered", "vendor": "Acme", "end_date": day(10).isoformat(),
             "channel": f"C0MET000{n}"} for n in (1, 2, 3)]
    cli_here(["import", "contracts", str(write_csv(tmp_path / "a.csv", rows))], env)
    settings: Settings = make_settings(db_url, fake_slack.url)
    engine, factory = open_database(db_url)
    metrics = Metrics()
    ctx = JobContext(settings=settings, session_factory=factory, client=web_client(settings, metrics),
                     clock=SystemClock(), metrics=metrics)
    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    # A 500 is retried twice by the client (bot.slack_retry): three in a row make the post fail.
    fake_slack.fail_status("chat.postMessage", n=3, status=500)
    before = datetime.now(UTC).timestamp()
    try:
        run_job("deadlines", ctx)
    finally:
        engine.dispose()
    job = {"job": "deadlines"}
    assert value(metrics, "contractbot_job_alerts_total", **job, outcome="claimed") == 3
    assert value(metrics, "contractbot_job_alerts_total", **job, outcome="posted") == 1
    assert value(metrics, "contractbot_job_alerts_total", **job, outcome="failed") == 2
    assert value(metrics, "contractbot_job_duration_seconds_count", **job) == 1
    assert value(metrics, "contractbot_job_last_success_timestamp_seconds", **job) >= before
    assert value(metrics, "contractbot_slack_api_errors_total", method="chat.postMessage", status="200",
                 error="channel_not_found") == 1
    # The call that failed after its retries is counted under its status.
    assert value(metrics, "contractbot_slack_api_errors_total", method="chat.postMessage", status="500",
                 error="http_500") >= 1
    assert value(metrics, "contractbot_job_runs_total", **job, outcome="ok") == 1


def test_every_metric_named_in_the_operations_guide_is_exposed() -> None:
    exposed = set(re.findall(r"^# HELP (\S+)", Metrics().exposition().decode(), re.MULTILINE))
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(contractbot_[a-z_]+)`", guide))
    base = {re.sub(r"_(total|count|sum|bucket)$", "", name) for name in documented}
    assert {"contractbot_job_alerts", "contractbot_job_duration_seconds", "contractbot_sweep_failures",
            "contractbot_slack_api_errors", "contractbot_job_last_success_timestamp_seconds"} <= base
    for name in exposed:
        if name.endswith("_created"):
            continue  # prometheus_client's companion series of each counter and histogram
        assert re.sub(r"_total$", "", name) in base, f"{name} is not documented in docs/operations.md"
