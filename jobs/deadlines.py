"""The `deadlines` sweep: roll ended contracts forward, then post each due deadline alert once.

Run daily by the scheduler, by hand (`contractbot jobs run deadlines [--at] [--dry-run]`), by any
number of replicas at once: what is due is read from the database, and each alert is claimed in
the ledger before it is posted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.deadlines import days_left, decide_threshold
from bot.render import alerts as render
from bot.render.common import Message
from bot.settings import Settings
from jobs.posting import Outcome, destination, post_claimed, warn_unroutable, worker_name
from storage import alerts, contracts
from storage.models import Alert, Contract

logger = logging.getLogger(__name__)
KIND = "deadline"


@dataclass(slots=True)
class Planned:
    contract_id: int
    reference: str
    threshold: int
    superseded: tuple[int, ...]
    end: date
    act_by: date
    channel: str | None


@dataclass(slots=True)
class SweepReport:
    rolled: list[tuple[str, str]] = field(default_factory=list)  # (reference, action)
    planned: list[Planned] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    skipped_no_channel: list[str] = field(default_factory=list)


def build_message(alert: Alert, contract: Contract, *, lang: str, today: date,
                  settled: str | None = None) -> Message:
    detail = alert.detail or {}
    until = detail.get("snoozed_until")
    state = render.AlertState(
        acknowledged_by=alert.acknowledged_by,
        acknowledged_at=alert.acknowledged_at,
        snoozed_by=detail.get("snoozed_by"),
        snoozed_until=date.fromisoformat(until) if until else None,
        settled=settled or detail.get("settled"),
    )
    return render.deadline(lang, contract, threshold=int(detail.get("threshold", 0)), alert_id=alert.id,
                           today=today, state=state)


def roll_ended(factory: sessionmaker[Session], *, today: date, now: datetime) -> list[tuple[str, str]]:
    """Tacit renewals, expiries and terminations, one contract per transaction."""
    rolled = []
    with factory.begin() as session:
        ids = contracts.ended_in_force(session, today=today)
    for contract_id in ids:
        try:
            with factory.begin() as session:
                contract = contracts.get_by_id(session, contract_id=contract_id)
                if contract is None:
                    continue
                action = contracts.roll_if_ended(session, contract=contract, today=today, now=now)
                if action:
                    rolled.append((contract.reference, action))
        except StaleDataError:
            logger.info("contract %s was rolled by another worker", contract_id)
    return rolled


def plan(session: Session, *, settings: Settings, today: date, now: datetime) -> list[Planned]:
    horizon = date.fromordinal(today.toordinal() + max(settings.deadline_thresholds))
    candidates = contracts.alertable(session, horizon=horizon)
    handled = alerts.handled_deadline_thresholds(session, among=contracts.alertable_condition(horizon), now=now)
    planned = []
    for contract in candidates:
        if contract.alerts_snoozed_until is not None and now < contract.alerts_snoozed_until:
            continue
        decision = decide_threshold(contract.act_by, today, settings.deadline_thresholds,
                                    handled.get((contract.id, contract.end_date.isoformat()), set()))
        if decision.post is None:
            continue
        channel = destination(contract.channel, contract.owner, settings.alert_channel)
        planned.append(Planned(contract.id, contract.reference, decision.post, decision.superseded,
                               contract.end_date, contract.act_by, channel))
    return planned


def sweep(factory: sessionmaker[Session], client: WebClient | None, *, settings: Settings, now: datetime,
          dry_run: bool = False, metrics=None) -> SweepReport:  # type: ignore[no-untyped-def]
    today = now.astimezone(settings.tz).date()
    report = SweepReport()
    if dry_run:
        session = factory()
        try:
            for contract_id in contracts.ended_in_force(session, today=today):
                contract = contracts.get_by_id(session, contract_id=contract_id)
                action = contracts.roll_if_ended(session, contract=contract, today=today, now=now) if contract else None
                if contract is not None and action:
                    report.rolled.append((contract.reference, action))
            report.planned = plan(session, settings=settings, today=today, now=now)
        finally:
            session.rollback()
            session.close()
        return report
    report.rolled = roll_ended(factory, today=today, now=now)
    with factory.begin() as session:
        report.planned = plan(session, settings=settings, today=today, now=now)
    worker = worker_name()
    for item in report.planned:
        if item.channel is None:
            report.skipped_no_channel.append(item.reference)
            continue
        with factory.begin() as session:
            alert = alerts.claim(
                session, key=alerts.deadline_key(item.contract_id, item.end, item.threshold), kind=KIND,
                contract_id=item.contract_id, due_on=item.act_by,
                detail={"threshold": item.threshold, "end": item.end.isoformat()}, worker=worker, now=now)
            if alert is None:
                continue  # another worker has it
            alerts.supersede(session, kind=KIND, worker=worker, now=now, keys=[
                (alerts.deadline_key(item.contract_id, item.end, t), item.contract_id, item.act_by,
                 {"threshold": t, "end": item.end.isoformat()}) for t in item.superseded])
            contract = contracts.get_by_id(session, contract_id=item.contract_id)
            assert contract is not None
            message = build_message(alert, contract, lang=settings.language, today=today)
        report.outcomes.append(post_claimed(factory, client, alert=alert, channel=item.channel,
                                            message=message, now=now, metrics=metrics))
    warn_unroutable(KIND, report.skipped_no_channel)
    return report


def describe(report: SweepReport, *, today: date) -> list[str]:
    """Lines for `jobs run deadlines` (and --dry-run): what was rolled and what was (or would be) posted."""
    lines = [f"{ref}: {action.replace('_', ' ')}" for ref, action in report.rolled]
    for item in report.planned:
        left = days_left(item.act_by, today)
        lines.append(f"{item.reference}: deadline alert {item.threshold}d (act by {item.act_by}, {left} days left)"
                     f" → {item.channel or 'no channel'}")
    for outcome in report.outcomes:
        lines.append(f"{outcome.key}: {'posted' if outcome.posted else 'FAILED ' + (outcome.error or '')}")
    return lines
