"""The `disputes` job (daily 09:00): a DM reminder for each open dispute with no update for 14 days.

To the contract's owner, else whoever opened the dispute; with buttons "Add an update" and "Snooze
7 days". One reminder per stale period: the period starts 14 days after the dispute's last change
(or when a snooze ends, if later) and that instant is part of the alert's key in the ledger, so the
reminder is claimed once across restarts, hand runs and replicas. One bad row never stops the job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.disputes import reminder_due_from
from bot.i18n import language_of
from bot.render import alert_messages
from bot.settings import Settings
from jobs.posting import Outcome, post_claimed, warn_unroutable, worker_name
from jobs.recovery import PendingMarks
from storage import alert_state, alerts, disputes
from storage.models import Dispute

logger = logging.getLogger(__name__)
KIND = "dispute_stale"


def stale_key(dispute_id: int, due_from: datetime) -> str:
    return f"{KIND}:{dispute_id}:{due_from.astimezone(UTC).isoformat(timespec='seconds')}"


def _is_user(value: str | None) -> bool:
    return bool(value) and value[:1] in "UW" and value[1:].isalnum()  # type: ignore[index]


def recipient_of(dispute: Dispute) -> str | None:
    """The contract's owner, else whoever opened the dispute (when that was a person)."""
    if dispute.contract.owner:
        return dispute.contract.owner
    return dispute.opened_by if _is_user(dispute.opened_by) else None


@dataclass(slots=True)
class Planned:
    dispute_id: int
    number: str
    key: str
    due_from: datetime
    recipient: str | None


@dataclass(slots=True)
class DisputesReport:
    planned: list[Planned] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def plan(session: Session, *, now: datetime) -> list[Planned]:
    candidates = disputes.stale_candidates(session, now=now)
    handled = alerts.handled_keys(session, kind=KIND, subject_ids=[d.id for d in candidates], now=now)
    planned = []
    for dispute in candidates:
        due_from = reminder_due_from(dispute.last_activity_at, dispute.reminder_snoozed_until)
        key = stale_key(dispute.id, due_from)
        if now >= due_from and key not in handled:
            planned.append(Planned(dispute.id, dispute.number, key, due_from, recipient_of(dispute)))
    return planned


def _language(client: WebClient | None, user: str, default: str) -> str:
    """The person's Slack locale when it is English or French, else CONTRACTBOT_LANGUAGE."""
    if client is None:
        return default
    try:
        return language_of((client.users_info(user=user, include_locale=True).get("user") or {}).get("locale"),
                           default)
    except Exception:  # a lookup that fails must not stop the reminder
        logger.warning("users.info failed for %s", user, exc_info=True)
        return default


def sweep(factory: sessionmaker[Session], client: WebClient | None, *, settings: Settings, now: datetime,
          dry_run: bool = False, metrics=None,
          pending: PendingMarks | None = None) -> DisputesReport:
    report = DisputesReport()
    with factory.begin() as session:
        report.planned = plan(session, now=now)
    if dry_run or client is None:
        return report
    worker = worker_name()
    warn_unroutable(KIND, [item.number for item in report.planned if item.recipient is None])
    for item in report.planned:
        if item.recipient is None:
            continue
        try:
            lang = _language(client, item.recipient, settings.language)
            with factory.begin() as session:
                dispute = disputes.get_by_id(session, dispute_id=item.dispute_id)
                if dispute is None:
                    continue
                detail = alert_state.record(recipient=item.recipient, lang=lang,
                                            due_from=item.due_from.astimezone(UTC).isoformat())
                alert = alerts.claim(session, key=item.key, kind=KIND, contract_id=dispute.contract_id,
                                     subject_id=dispute.id, due_on=None, detail=detail, worker=worker, now=now)
                if alert is None:
                    continue
                message = alert_messages.dispute_reminder(alert, dispute, settings=settings)
            report.outcomes.append(post_claimed(factory, client, alert=alert, channel=item.recipient,
                                                message=message, now=now, metrics=metrics, pending=pending))
        except Exception as exc:  # one bad row never stops the job
            logger.exception("dispute reminder %s failed", item.number)
            report.errors.append(f"{item.number}: {type(exc).__name__}")
    return report


def describe(report: DisputesReport) -> list[str]:
    lines = [f"{p.number}: stale since {p.due_from.isoformat(timespec='minutes')} → {p.recipient or 'nobody'}"
             for p in report.planned]
    lines += [f"{o.key}: {'posted' if o.posted else 'FAILED ' + (o.error or '')}" for o in report.outcomes]
    lines += [f"ERROR {e}" for e in report.errors]
    return lines
