"""What the `contractbot` sub-commands and the local shell share: the operator's error, a job's
context and the `--at` clock.

Composition root, imported by `bot.commands_cli`, `bot.shell` and `bot.index_import`, so none of
them imports another's private helpers (no cycle cli ↔ commands_cli ↔ shell).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, FixedClock, SystemClock
from bot.settings import Settings

if TYPE_CHECKING:
    from jobs.context import JobContext


class CliError(Exception):
    """A problem the operator can fix; printed without a traceback, exit code 2."""


def job_context(settings: Settings, factory: sessionmaker[Session], clock: Clock) -> JobContext:
    """The context every job runs with: Slack only when a bot token is set."""
    # Imported here, not with the module: the sub-commands that run no job (import, export, db, demo) then
    # load neither the Slack client nor the metrics (~0.05 s of start-up CPU; docs/performance.md).
    from bot.metrics import Metrics
    from bot.slack_client import web_client
    from jobs.context import JobContext

    client = web_client(settings) if settings.slack_bot_token else None
    return JobContext(settings=settings, session_factory=factory, client=client, clock=clock, metrics=Metrics())


def parse_at(text: str | None, settings: Settings) -> FixedClock | SystemClock:
    """`--at ISO-DATETIME` (org time zone when it has none) as a fixed clock; none: the system clock.
    Raises ValueError when the text is not an ISO datetime."""
    if not text:
        return SystemClock()
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.tz)
    return FixedClock(moment)
