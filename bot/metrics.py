"""Prometheus metrics of one app instance (own registry, so tests can build several apps).

Every name is documented in docs/operations.md ("Metrics"); keep the two in step.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter("contractbot_commands_total", "Slash commands handled", ["command", "outcome"],
                                registry=self.registry)
        self.command_seconds = Histogram("contractbot_command_seconds", "Time to answer a command", ["command"],
                                         registry=self.registry)
        self.alerts = Counter("contractbot_alerts_total", "Alerts by outcome", ["kind", "outcome"],
                              registry=self.registry)
        self.job_runs = Counter("contractbot_job_runs_total", "Scheduled job runs", ["job", "outcome"],
                                registry=self.registry)
        # --- trust-http ---
        self.job_alerts = Counter("contractbot_job_alerts_total",
                                  "Alerts a job claimed in the ledger, then posted or failed to post",
                                  ["job", "outcome"], registry=self.registry)
        self.job_seconds = Histogram("contractbot_job_duration_seconds", "Wall time of one job run", ["job"],
                                     buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
                                     registry=self.registry)
        self.job_last_success = Gauge("contractbot_job_last_success_timestamp_seconds",
                                      "Unix time at which the job last finished without error", ["job"],
                                      registry=self.registry)
        # Incremented by the sweeps for each item (contract, incident…) whose handling failed while the
        # rest of the sweep went on; the job run itself may still count as "ok".
        self.sweep_failures = Counter("contractbot_sweep_failures_total", "Items a sweep could not handle",
                                      ["job"], registry=self.registry)
        self.slack_api_errors = Counter("contractbot_slack_api_errors_total",
                                        "Slack Web API calls that failed, by method, HTTP status ('network' "
                                        "when no answer came) and Slack's error code", ["method", "status", "error"],
                                        registry=self.registry)
        self.requests_refused = Counter("contractbot_requests_refused_total",
                                        "Requests to /slack/events refused before Bolt saw them", ["reason"],
                                        registry=self.registry)
        self.database_up = Gauge("contractbot_database_up", "1 when the last database check answered, else 0",
                                 registry=self.registry)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
