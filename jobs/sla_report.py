"""The `sla-report` job (1st of the month, 08:00): last month's SLA compliance and service credits
per contract with SLA terms or incidents, posted once in the contract's channel (or the alert channel)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dates import Period, month_period
from bot.deadlines import Status
from bot.render import sla as render
from bot.settings import Settings
from jobs.failures import Failures
from jobs.pacing import Pacer
from jobs.posting import Outcome, destination, post_claimed, worker_name
from jobs.recovery import PendingMarks
from storage import alert_state, alerts, contracts
from storage.models import Incident, SlaPolicy, SlaTerm
from storage.sla_reports import compliance

logger = logging.getLogger(__name__)
KIND = "sla_report"


@dataclass(slots=True)
class MonthlyReport:
    period: Period | None = None
    planned: list[tuple[str, str | None]] = field(default_factory=list)  # (reference, channel)
    outcomes: list[Outcome] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def previous_month(now: datetime, settings: Settings) -> Period:
    first = now.astimezone(settings.tz).date().replace(day=1)
    last_month = first - timedelta(days=1)
    return month_period(last_month.year, last_month.month, settings.tz)


def _contract_ids(session: Session, period: Period) -> list[int]:
    with_terms = select(SlaTerm.contract_id)
    with_policy = select(SlaPolicy.contract_id)
    with_incidents = select(Incident.contract_id).where(Incident.opened_at >= period.start,
                                                        Incident.opened_at < period.end)
    ids = set(session.scalars(with_terms)) | set(session.scalars(with_policy)) | set(session.scalars(with_incidents))
    return sorted(ids)


def sweep(factory: sessionmaker[Session], client: WebClient | None, *, settings: Settings, now: datetime,
          dry_run: bool = False, metrics=None,
          pending: PendingMarks | None = None) -> MonthlyReport:
    period = previous_month(now, settings)
    report = MonthlyReport(period=period)
    month = period.first_day.strftime("%Y-%m")
    worker = worker_name()
    failures = Failures("sla-report", metrics)
    pacer = Pacer(settings.post_interval)
    with factory.begin() as session:
        ids = _contract_ids(session, period)
    for contract_id in ids:
        try:
            outcome = _report_one(factory, client, contract_id, report=report, settings=settings, period=period,
                                  month=month, worker=worker, now=now, dry_run=dry_run, metrics=metrics,
                                  pending=pending, pacer=pacer)
        except Exception as exc:  # noqa: BLE001 - one bad contract never stops the job; its claim rolled back
            with factory() as session:
                failures.record(contracts.reference_of(session, contract_id=contract_id), "report", exc)
            continue
        if outcome is not None:
            report.outcomes.append(outcome)
    report.failures = failures.lines()
    return report


def _report_one(factory: sessionmaker[Session], client: WebClient | None, contract_id: int, *,
                report: MonthlyReport, settings: Settings, period: Period, month: str, worker: str, now: datetime,
                dry_run: bool, metrics, pacer: Pacer, pending: PendingMarks | None) -> Outcome | None:
    with factory.begin() as session:
        contract = contracts.get_by_id(session, contract_id=contract_id)
        if contract is None or contract.status == Status.DRAFT:
            return None
        channel = destination(contract.channel, contract.owner, settings.alert_channel)
        report.planned.append((contract.reference, channel))
        if dry_run or channel is None:
            return None
        alert = alerts.claim(session, key=f"{KIND}:{contract_id}:{month}", kind=KIND, contract_id=contract_id,
                             due_on=date.fromisoformat(f"{month}-01"), detail=alert_state.record(month=month), worker=worker,
                             now=now)
        if alert is None:
            return None
        figures = compliance(session, contract=contract, start=period.start, end=period.end, now=now)
        message = render.report(settings.language, figures, period=period, tz=settings.tz)
    assert client is not None
    return post_claimed(factory, client, alert=alert, channel=channel, message=message, now=now, metrics=metrics,
                        pending=pending, pacer=pacer)


def describe(report: MonthlyReport) -> list[str]:
    month = report.period.first_day.strftime("%Y-%m") if report.period else "?"
    lines = [f"{ref}: SLA report {month} → {channel or 'no channel'}" for ref, channel in report.planned]
    lines += [f"{o.key}: {'posted' if o.posted else 'FAILED ' + (o.error or '')}" for o in report.outcomes]
    return lines + report.failures
