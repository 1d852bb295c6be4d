"""Re-rendering a posted alert of any kind from its ledger row (after a button changed its state)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.render.common import Message
from bot.settings import Settings
from jobs import deadlines, disputes, obligations, sla
from storage import contracts
from storage.models import Alert, Dispute, Incident, Obligation


def render_alert(session: Session, alert: Alert, *, settings: Settings, now: datetime) -> Message | None:
    if alert.kind == deadlines.KIND and alert.contract_id is not None:
        grouped = deadlines.build_group_message(session, alert, lang=settings.language,
                                                today=now.astimezone(settings.tz).date())
        if grouped is not None:
            return grouped
        contract = contracts.get_by_id(session, contract_id=alert.contract_id)
        if contract is None:
            return None
        return deadlines.build_message(alert, contract, lang=settings.language,
                                       today=now.astimezone(settings.tz).date())
    if alert.kind == sla.KIND and alert.subject_id is not None:
        incident = session.get(Incident, alert.subject_id)
        return sla.build_message(alert, incident, lang=settings.language, settings=settings) if incident else None
    if alert.kind == disputes.KIND and alert.subject_id is not None:
        dispute = session.get(Dispute, alert.subject_id)
        return disputes.build_message(alert, dispute, settings=settings) if dispute else None
    if alert.kind == obligations.KIND and alert.subject_id is not None:
        obligation = session.get(Obligation, alert.subject_id)
        return obligations.build_message(alert, obligation, lang=settings.language,
                                         today=now.astimezone(settings.tz).date()) if obligation else None
    return None
