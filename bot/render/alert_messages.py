"""An alert's message, of any kind, built from its ledger row: what the sweeps post and what a
button re-renders after it changed the alert (both handlers and jobs use it; it reads through the
session it is given and opens none)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.render import alert_groups as render_groups
from bot.render import alerts as render_deadlines
from bot.render import disputes as render_disputes
from bot.render import incidents as render_incidents
from bot.render import obligations as render_obligations
from bot.render.common import Message
from bot.settings import Settings
from storage import alert_state, alerts, contracts
from storage.models import Alert, Contract, Dispute, Incident, Obligation


def deadline_state(alert: Alert) -> render_deadlines.AlertState:
    record = alert_state.read(alert)
    return render_deadlines.AlertState(
        acknowledged_by=alert.acknowledged_by,
        acknowledged_at=alert.acknowledged_at,
        snoozed_by=record.snoozed_by,
        snoozed_until=record.snoozed_until_date,
        settled=record.settled,
    )


def deadline_group(session: Session, alert: Alert, *, lang: str, today: date) -> Message | None:
    """The grouped message `alert` was posted in, re-rendered from the ledger (after a button was
    pressed on one of its contracts); None when the alert was posted on its own."""
    members, total = alerts.posted_together(session, alert=alert, limit=render_groups.SHOWN)
    if total <= 1:
        return None
    items = []
    for member in members:
        contract = contracts.get_by_id(session, contract_id=member.contract_id) if member.contract_id else None
        if contract is not None:
            items.append(render_groups.GroupItem(member.id, contract, deadline_state(member)))
    return render_groups.deadline_group(lang, items, today=today, total=total,
                                        last_act_by=alerts.group_last_due(session, alert=alert))


def deadline(alert: Alert, contract: Contract, *, lang: str, today: date) -> Message:
    return render_deadlines.deadline(lang, contract, threshold=alert_state.read(alert).threshold or 0,
                                     alert_id=alert.id, today=today, state=deadline_state(alert))


def sla(alert: Alert, incident: Incident, *, lang: str, settings: Settings) -> Message:
    record = alert_state.read(alert)
    return render_incidents.sla_alert(lang, incident, target=str(record.target), level=str(record.level), alert_id=alert.id,
                                      tz=settings.tz, acknowledged_by=alert.acknowledged_by,
                                      snoozed_by=record.snoozed_by, snoozed_until=record.snoozed_until_date)


def dispute_reminder(alert: Alert, dispute: Dispute, *, settings: Settings) -> Message:
    record = alert_state.read(alert)
    return render_disputes.stale_reminder(record.lang or settings.language, dispute, alert_id=alert.id,
                                          recipient=record.recipient, now=alert.claimed_at, tz=settings.tz,
                                          settled=record.settled)


def obligation(alert: Alert, obligation: Obligation, *, lang: str, today: date) -> Message:
    record = alert_state.read(alert)
    state = render_obligations.AlertState(snoozed_by=record.snoozed_by, snoozed_until=record.snoozed_until_date,
                                          settled=record.settled)
    return render_obligations.alert(lang, obligation, due=record.due_date or obligation.due_on, alert_id=alert.id,
                                    today=today, state=state)


def render_alert(session: Session, alert: Alert, *, settings: Settings, today: date) -> Message | None:
    """The message a posted alert shows now; None when what it is about is gone."""
    if alert.kind == alert_state.DEADLINE and alert.contract_id is not None:
        grouped = deadline_group(session, alert, lang=settings.language, today=today)
        if grouped is not None:
            return grouped
        contract = contracts.get_by_id(session, contract_id=alert.contract_id)
        return deadline(alert, contract, lang=settings.language, today=today) if contract else None
    if alert.kind == alert_state.SLA and alert.subject_id is not None:
        incident = session.get(Incident, alert.subject_id)
        return sla(alert, incident, lang=settings.language, settings=settings) if incident else None
    if alert.kind == alert_state.DISPUTE_STALE and alert.subject_id is not None:
        dispute = session.get(Dispute, alert.subject_id)
        return dispute_reminder(alert, dispute, settings=settings) if dispute else None
    if alert.kind == alert_state.OBLIGATION and alert.subject_id is not None:
        found = session.get(Obligation, alert.subject_id)
        return obligation(alert, found, lang=settings.language, today=today) if found else None
    return None
