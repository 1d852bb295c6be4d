"""The `sla` sweep (every minute): "at risk" at 75 % of a response or resolution target and
"breached" at 100 %, each exactly once per incident and target, mentioning the contract owner.

The due and warning instants were computed when the incident was recorded (business clock
included), so the sweep is a query on indexed columns. If both levels are due at once (the bot
was down), only "breached" is posted and "at risk" is superseded.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.render import alert_messages
from bot.settings import Settings
from jobs.failures import Failures
from jobs.pacing import Pacer, round_robin
from jobs.posting import Outcome, destination, post_claimed, warn_unroutable, worker_name
from jobs.recovery import PendingMarks
from storage import alert_state, alerts, incidents
from storage.isolated import read_each
from storage.models import Incident

logger = logging.getLogger(__name__)
KIND = "sla"
LEVELS = ("at_risk", "breached")


def sla_key(incident_id: int, target: str, level: str) -> str:
    return f"sla:{incident_id}:{target}:{level}"


@dataclass(slots=True)
class Planned:
    incident_id: int
    number: str
    target: str  # response | resolution
    level: str  # at_risk | breached
    superseded: tuple[str, ...]
    channel: str | None


@dataclass(slots=True)
class SlaReport:
    planned: list[Planned] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _due_levels(incident: Incident, target: str, now: datetime) -> list[str]:
    if target == "response":
        if incident.acked_at is not None or incident.response_warn_at is None:
            return []
        warn, due = incident.response_warn_at, incident.response_due_at
    else:
        if incident.resolve_warn_at is None:
            return []
        warn, due = incident.resolve_warn_at, incident.resolve_due_at
    levels = []
    if warn is not None and now >= warn:
        levels.append("at_risk")
    if due is not None and now >= due:
        levels.append("breached")
    return levels


def plan(session: Session, *, settings: Settings, now: datetime, failures: Failures | None = None) -> list[Planned]:
    candidates, unreadable = read_each(session, incidents.at_risk_stmt(now=now), key=Incident.id, label=Incident.id,
                                       scalars=True)
    for incident_id, exc in unreadable:
        if failures is None:
            raise exc
        failures.record(f"INC-{incident_id}", "read", exc)
    handled = alerts.handled_keys(session, kind=KIND, subject_ids=[i.id for i in candidates], now=now)
    snoozed = alerts.snoozed_subjects(session, kind=KIND, subject_ids=[i.id for i in candidates],
                                      today=settings.today(now))
    planned = []
    for incident in candidates:
        if incident.id in snoozed:  # an alert of it was snoozed: quiet until then, then the next level due
            continue
        try:
            planned += _plan_one(incident, handled, settings=settings, now=now)
        except Exception as exc:  # noqa: BLE001 - one bad incident never stops the sweep
            if failures is None:
                raise
            failures.record(incident.number, "plan", exc)
    return planned


def _plan_one(incident: Incident, handled: set[str], *, settings: Settings, now: datetime) -> list[Planned]:
    planned = []
    channel = destination(incident.contract.channel, incident.contract.owner, settings.alert_channel)
    for target in ("response", "resolution"):
        levels = _due_levels(incident, target, now)
        keys = {level: sla_key(incident.id, target, level) for level in levels}
        if "breached" in keys and keys["breached"] in handled:
            continue
        pending = [level for level in levels if keys[level] not in handled]
        if not pending:
            continue
        post = pending[-1]  # the most serious level due
        superseded = tuple(keys[level] for level in pending[:-1])
        planned.append(Planned(incident.id, incident.number, target, post, superseded, channel))
    return planned


def sweep(factory: sessionmaker[Session], client: WebClient | None, *, settings: Settings, now: datetime,
          dry_run: bool = False, metrics=None,
          pending: PendingMarks | None = None) -> SlaReport:
    report = SlaReport()
    failures = Failures("sla", metrics)
    with factory.begin() as session:
        report.planned = plan(session, settings=settings, now=now, failures=failures)
    if dry_run:
        report.failures = failures.lines()
        return report
    assert client is not None, "only a dry run goes without a Slack client"
    worker = worker_name()
    pacer = Pacer(settings.post_interval)
    warn_unroutable(KIND, [item.number for item in report.planned if item.channel is None])
    queues: dict[str, list[Planned]] = defaultdict(list)
    for item in report.planned:
        if item.channel is not None:
            queues[item.channel].append(item)
    for _channel, item in round_robin(queues):  # paced per channel: interleave the channels
        try:
            outcome = _claim_and_post(factory, client, item, settings=settings, worker=worker, now=now,
                                      metrics=metrics, pending=pending, pacer=pacer)
        except Exception as exc:  # noqa: BLE001 - reported; the claim (if any) was rolled back: retried
            failures.record(item.number, "post", exc)
            continue
        if outcome is not None:
            report.outcomes.append(outcome)
    report.failures = failures.lines()
    return report


def _claim_and_post(factory: sessionmaker[Session], client: WebClient, item: Planned, *, settings: Settings,
                    worker: str, now: datetime, metrics, pacer: Pacer, pending: PendingMarks | None) -> Outcome | None:
    with factory.begin() as session:
        incident = session.get(Incident, item.incident_id)
        assert incident is not None
        detail = alert_state.record(target=item.target, level=item.level)
        alert = alerts.claim(session, key=sla_key(item.incident_id, item.target, item.level), kind=KIND,
                             contract_id=incident.contract_id, subject_id=incident.id, due_on=None,
                             detail=detail, worker=worker, now=now)
        if alert is None:
            return None
        alerts.supersede(session, kind=KIND, worker=worker, now=now, keys=[
            (key, incident.contract_id, None, {"target": item.target, "level": "at_risk"})
            for key in item.superseded], subject_id=incident.id)
        message = alert_messages.sla(alert, incident, lang=settings.language, settings=settings)
    assert item.channel is not None
    return post_claimed(factory, client, alert=alert, channel=item.channel, message=message, now=now,
                        metrics=metrics, pending=pending, pacer=pacer)


def describe(report: SlaReport) -> list[str]:
    lines = [f"{p.number}: {p.target} {p.level.replace('_', ' ')} → {p.channel or 'no channel'}"
             for p in report.planned]
    lines += [f"{o.key}: {'posted' if o.posted else 'FAILED ' + (o.error or '')}" for o in report.outcomes]
    return lines + report.failures
