"""The `revisions` sweep: 30 days before a contract's revision date, the computed revision (or the index
value still missing) in the contract's channel (else CONTRACTBOT_ALERT_CHANNEL), with an Apply button.

Due clauses are read with one indexed range query on `next_revision_on`; those already in the ledger
are left out before anything heavier is loaded, so a steady-state run over a large portfolio is two
small queries. Each alert is claimed in the ledger before it is posted (exactly once, any number of
replicas); one bad contract is logged and the rest go out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.render import revisions as render
from bot.revision import IndexPoint
from bot.settings import Settings
from jobs.posting import Outcome, post_claimed, warn_unroutable, worker_name
from jobs.recovery import PendingMarks
from storage import alert_state, alerts, contracts, indices, revisions
from storage.models import Alert, Contract, RevisionClause

logger = logging.getLogger(__name__)
KIND = "revision"
LEAD_DAYS = 30


def revision_key(contract_id: int, effective_on: date) -> str:
    return f"revision:{contract_id}:{effective_on.isoformat()}"


@dataclass(slots=True)
class Planned:
    contract_id: int
    reference: str
    effective_on: date
    channel: str | None
    summary: str  # "→ 1,845.32" or "missing syntec 2026-11"


@dataclass(slots=True)
class SweepReport:
    planned: list[Planned] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    skipped_no_channel: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _unhandled(session: Session, *, horizon: date, now: datetime) -> list[tuple[int, date]]:
    """(contract id, revision date) due by `horizon` whose alert is not in the ledger (or must be retried)."""
    due = session.execute(select(RevisionClause.contract_id, RevisionClause.next_revision_on)
                          .join(Contract, Contract.id == RevisionClause.contract_id)
                          .where(revisions.due_condition(horizon))
                          .order_by(RevisionClause.next_revision_on, RevisionClause.contract_id)).all()
    if not due:
        return []
    handled = set(session.scalars(
        select(Alert.key).join(RevisionClause, RevisionClause.contract_id == Alert.contract_id)
        .where(Alert.kind == KIND, RevisionClause.next_revision_on <= horizon,
               alerts.still_handled(now))))
    return [(cid, on) for cid, on in due if revision_key(cid, on) not in handled]


def _summary(comp: revisions.Computation) -> str:
    if comp.outcome is None:
        return "missing " + ", ".join(f"{comp.clause.index_name} {m:%Y-%m}" for m in comp.missing)
    return f"{comp.current} → {comp.outcome.new_value}"


def plan(session: Session, *, settings: Settings, today: date, now: datetime, report: SweepReport
         ) -> dict[str, dict[date, IndexPoint]]:
    """Fill `report.planned`; return the index values read (the posting loop reuses them)."""
    horizon = date.fromordinal(today.toordinal() + LEAD_DAYS)
    pending = _unhandled(session, horizon=horizon, now=now)
    if not pending:
        return {}
    clauses = {c.contract_id: c for c in session.scalars(
        select(RevisionClause).where(RevisionClause.contract_id.in_([cid for cid, _ in pending])))}
    points = indices.get_points(session, names={c.index_name for c in clauses.values()})
    for contract_id, effective_on in pending:
        clause = clauses.get(contract_id)
        try:
            assert clause is not None
            comp = revisions.compute_with(clause.contract, clause, points.get(clause.index_name, {}), at=effective_on)
            channel = clause.contract.channel or settings.alert_channel
            report.planned.append(Planned(contract_id, clause.contract.reference, effective_on, channel,
                                          _summary(comp)))
        except Exception:  # one bad row never stops the job
            logger.exception("revision alert for contract %s could not be prepared", contract_id)
            report.failed.append(str(contract_id))
    return points


def sweep(factory: sessionmaker[Session], client: WebClient | None, *, settings: Settings, now: datetime,
          dry_run: bool = False, metrics=None,
          pending: PendingMarks | None = None) -> SweepReport:
    today = now.astimezone(settings.tz).date()
    report = SweepReport()
    with factory.begin() as session:
        points = plan(session, settings=settings, today=today, now=now, report=report)
    if dry_run:
        return report
    assert client is not None, "only a dry run goes without a Slack client"
    worker = worker_name()
    lang = settings.language
    for item in report.planned:
        if item.channel is None:
            report.skipped_no_channel.append(item.reference)
            continue
        try:
            with factory.begin() as session:
                alert = alerts.claim(session, key=revision_key(item.contract_id, item.effective_on), kind=KIND,
                                     contract_id=item.contract_id, due_on=item.effective_on,
                                     detail=alert_state.record(effective_on=item.effective_on.isoformat()), worker=worker, now=now)
                if alert is None:
                    continue  # another worker has it
                contract = contracts.get_by_id(session, contract_id=item.contract_id)
                clause = revisions.get_clause(session, contract_id=item.contract_id)
                assert contract is not None and clause is not None
                comp = revisions.compute_with(contract, clause, points.get(clause.index_name, {}),
                                              at=item.effective_on)
                message = render.alert(lang, comp, alert_id=alert.id, today=today)
        except Exception:
            logger.exception("revision alert for %s not claimed", item.reference)
            report.failed.append(item.reference)
            continue
        report.outcomes.append(post_claimed(factory, client, alert=alert, channel=item.channel, message=message,
                                            now=now, metrics=metrics, pending=pending))
    warn_unroutable(KIND, report.skipped_no_channel)
    return report


def describe(report: SweepReport) -> list[str]:
    lines = [f"{p.reference}: revision on {p.effective_on} ({p.summary}) → {p.channel or 'no channel'}"
             for p in report.planned]
    lines += [f"{o.key}: {'posted' if o.posted else 'FAILED ' + (o.error or '')}" for o in report.outcomes]
    lines += [f"{ref}: ERROR (see the log)" for ref in report.failed]
    return lines
