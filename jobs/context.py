"""What a job needs: settings, the database, a Slack client, the clock and metrics."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.metrics import Metrics
from bot.settings import Settings
from jobs.recovery import PendingMarks


@dataclass(slots=True)
class JobContext:
    settings: Settings
    session_factory: sessionmaker[Session]
    client: WebClient | None
    clock: Clock
    metrics: Metrics
    # Alert marks this process could not write during a database outage (jobs.recovery), per context.
    pending: PendingMarks = field(default_factory=PendingMarks)
