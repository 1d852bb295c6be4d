"""The `obligations` sweep: post each due obligation alert once (thresholds before the due date, then a
weekly reminder while overdue), to the obligation's owner (else the contract's), mentioned, in the
contract's channel, else CONTRACTBOT_ALERT_CHANNEL, else by DM.

What is due is read through an index (`obligations.next_alert_on <= today`), not by scanning every
obligation; each alert is claimed in the ledger (storage.alerts) before it is posted, so replicas, a
hand-run job and restarts post it once. `next_alert_on` only moves after a successful post, so a failed
post or a worker that died is retried by the next sweep. One bad row never stops the job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot import obligations as rules
from bot.render import alert_messages
from bot.settings import Settings
from jobs.posting import Outcome, destination, post_claimed, warn_unroutable, worker_name
from jobs.recovery import PendingMarks
from storage import alert_state, alerts, obligations
from storage.models import Obligation

logger = logging.getLogger(__name__)
KIND = obligations.KIND


@dataclass(slots=True)
class Planned:
    obligation_id: int
    number: str
    reference: str
    due: date
    level: int
    superseded: tuple[int, ...]
    handled: set[int]
    channel: str | None


@dataclass(slots=True)
class SweepReport:
    planned: list[Planned] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    skipped_no_channel: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (OBL number, error)


def plan(session: Session, *, settings: Settings, today: date, now: datetime, fix: bool,
         failed: list[tuple[str, str]] | None = None) -> list[Planned]:
    candidates = obligations.due_for_alert(session, today=today)
    handled = obligations.handled_levels(session, obligation_ids=[o.id for o in candidates], now=now)
    planned = []
    for obligation in candidates:
        try:
            item = _plan_one(session, obligation, handled, settings=settings, today=today, now=now, fix=fix)
        except Exception as exc:  # one bad row never stops the job
            logger.exception("obligation %s could not be planned; carrying on", obligation.number)
            if failed is not None:
                failed.append((obligation.number, type(exc).__name__))
            continue
        if item is not None:
            planned.append(item)
    return planned


def _plan_one(session: Session, obligation: Obligation, handled: dict[tuple[int, str], set[int]], *,
              settings: Settings, today: date, now: datetime, fix: bool) -> Planned | None:
    thresholds = settings.obligation_thresholds
    if obligation.state != rules.OPEN:
        return None
    if obligation.snoozed_until is not None and now < obligation.snoozed_until:
        return None
    seen = handled.get((obligation.id, obligation.due_on.isoformat()), set())
    decision = rules.decide(obligation.due_on, today, thresholds, seen)
    if decision.post is None:
        if fix:  # nothing due after all (posted by a worker that stopped before moving the date)
            obligations.advance_alerts(session, obligation_id=obligation.id, due=obligation.due_on,
                                       thresholds=thresholds, handled=seen)
        return None
    contract = obligation.contract
    channel = destination(contract.channel, obligation.owner or contract.owner, settings.alert_channel)
    return Planned(obligation.id, obligation.number, contract.reference, obligation.due_on, decision.post,
                   decision.superseded, set(seen), channel)


def _post_one(factory: sessionmaker[Session], client: WebClient, item: Planned, *, settings: Settings,
              today: date, now: datetime, worker: str, metrics,
              pending: PendingMarks | None) -> Outcome | None:
    detail = alert_state.record(level=item.level, due=item.due.isoformat(), number=item.number)
    with factory.begin() as session:
        alert = alerts.claim(session, key=obligations.alert_key(item.obligation_id, item.due, item.level), kind=KIND,
                             contract_id=None, subject_id=item.obligation_id, due_on=item.due, detail=detail,
                             worker=worker, now=now)
        if alert is None:
            return None  # another worker has it
        alerts.supersede(session, kind=KIND, worker=worker, now=now, subject_id=item.obligation_id, keys=[
            (obligations.alert_key(item.obligation_id, item.due, level), None, item.due, alert_state.record(**{**detail, "level": level}))
            for level in item.superseded])
        obligation = obligations.get_by_id(session, obligation_id=item.obligation_id)
        assert obligation is not None
        alert.contract_id = obligation.contract_id
        message = alert_messages.obligation(alert, obligation, lang=settings.language, today=today)
    assert item.channel is not None
    outcome = post_claimed(factory, client, alert=alert, channel=item.channel, message=message, now=now,
                           metrics=metrics, pending=pending)
    handled = item.handled | {item.level, *item.superseded}
    with factory.begin() as session:
        if outcome.posted:
            obligations.advance_alerts(session, obligation_id=item.obligation_id, due=item.due,
                                       thresholds=settings.obligation_thresholds, handled=handled)
    return outcome


def sweep(factory: sessionmaker[Session], client: WebClient | None, *, settings: Settings, now: datetime,
          dry_run: bool = False, metrics=None,
          pending: PendingMarks | None = None) -> SweepReport:
    today = now.astimezone(settings.tz).date()
    report = SweepReport()
    if dry_run:
        session = factory()
        try:
            report.planned = plan(session, settings=settings, today=today, now=now, fix=False,
                                  failed=report.failed)
        finally:
            session.rollback()
            session.close()
        return report
    with factory.begin() as session:
        report.planned = plan(session, settings=settings, today=today, now=now, fix=True, failed=report.failed)
    worker = worker_name()
    for item in report.planned:
        if item.channel is None:
            report.skipped_no_channel.append(item.number)
            continue
        try:
            assert client is not None, "no Slack client"
            outcome = _post_one(factory, client, item, settings=settings, today=today, now=now, worker=worker,
                                metrics=metrics, pending=pending)
        except Exception as exc:  # one bad row never stops the job
            logger.exception("obligation alert for %s failed; carrying on", item.number)
            report.failed.append((item.number, type(exc).__name__))
            continue
        if outcome is not None:
            report.outcomes.append(outcome)
    warn_unroutable(KIND, report.skipped_no_channel)
    return report


def describe(report: SweepReport, *, today: date) -> list[str]:
    """Lines for `jobs run obligations` (and --dry-run)."""
    lines = []
    for item in report.planned:
        left = (item.due - today).days
        kind = f"{item.level}d" if item.level >= 0 else f"overdue reminder (week {-item.level // 7})"
        lines.append(f"{item.number} ({item.reference}): obligation alert {kind} (due {item.due}, {left} days left)"
                     f" → {item.channel or 'no channel'}")
    for outcome in report.outcomes:
        lines.append(f"{outcome.key}: {'posted' if outcome.posted else 'FAILED ' + (outcome.error or '')}")
    for number, error in report.failed:
        lines.append(f"{number}: FAILED ({error}); the other obligations went on")
    return lines
