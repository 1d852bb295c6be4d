"""Prometheus metrics of one app instance (own registry, so tests can build several apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


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
        self.sweep_failures = Counter("contractbot_sweep_failures_total",
                                      "Contracts or incidents a sweep could not handle (the rest still went out)",
                                      ["job"], registry=self.registry)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
