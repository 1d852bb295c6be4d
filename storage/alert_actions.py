"""What a person does to a posted alert: acknowledge, snooze, settle, give notice. Every write of
an alert button (or form, or command acting on an alert) goes through here, audited.

Who may act is decided here from `is_manager` (the caller knows the settings); refusals are
`DomainError`s the presentation layer translates. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from sqlalchemy.orm import Session

from bot.errors import DomainError
from storage import alert_state, alerts, audit, contracts, obligations
from storage.models import Alert, Contract, Obligation


def get_alert(session: Session, *, alert_id: int) -> Alert:
    alert = alerts.get(session, alert_id=alert_id)
    if alert is None:
        raise DomainError("err_alert_gone")
    return alert


def get_deadline(session: Session, *, alert_id: int) -> tuple[Alert, Contract]:
    """A deadline alert and its contract; `err_alert_gone` when either is gone."""
    alert = get_alert(session, alert_id=alert_id)
    contract = contracts.get_by_id(session, contract_id=alert.contract_id) if alert.contract_id else None
    if contract is None:
        raise DomainError("err_alert_gone")
    return alert, contract


def _owner_or_manager(contract: Contract, actor: str, is_manager: bool) -> bool:
    """Acknowledge and Snooze: the contract's owner (whom the alert is for) or a manager (spec, Alerts)."""
    return is_manager or (bool(actor) and contract.owner == actor)


def acknowledge(session: Session, *, alert_id: int, actor: str, is_manager: bool, now: datetime) -> Alert:
    """The contract's owner (whom the alert is for) or a manager acknowledges a deadline or an SLA alert (spec,
    Alerts: "Acknowledge and Snooze may be pressed by the contract's owner or a manager")."""
    alert = get_alert(session, alert_id=alert_id)
    if alert.kind in (alert_state.DEADLINE, alert_state.SLA) and alert.contract_id is not None:
        contract = contracts.get_by_id(session, contract_id=alert.contract_id)
        if contract is not None and not _owner_or_manager(contract, actor, is_manager):
            raise DomainError("err_ack_forbidden")
    alerts.acknowledge(session, alert=alert, user=actor, now=now)
    audit.record(session, actor=actor, entity_type="alert", entity_id=alert.id, action="acknowledge", now=now)
    return alert


def snooze_deadline(session: Session, *, alert_id: int, actor: str, is_manager: bool, until: datetime,
                    tz: tzinfo, now: datetime) -> Alert:
    """No deadline alert for the contract before `until`; the alert says who snoozed it, until when."""
    alert, contract = get_deadline(session, alert_id=alert_id)
    if not _owner_or_manager(contract, actor, is_manager):
        raise DomainError("err_snooze_forbidden")
    before = contract.alerts_snoozed_until
    contract.alerts_snoozed_until = until
    mark_snoozed(alert, actor=actor, until=until.astimezone(tz).date())
    audit.record(session, actor=actor, entity_type="contract", entity_id=contract.id, action="snooze",
                 changes={"alerts_snoozed_until": (before, until)}, now=now)
    return alert


def snooze_sla(session: Session, *, alert_id: int, actor: str, is_manager: bool, until: datetime, tz: tzinfo,
               now: datetime) -> Alert:
    """No SLA alert for the incident before `until` (the `sla` sweep reads it from this alert, then posts the
    next level due); the contract's owner or a manager, as for a deadline. The alert says who, until when."""
    alert = get_alert(session, alert_id=alert_id)
    contract = contracts.get_by_id(session, contract_id=alert.contract_id) if alert.contract_id else None
    if contract is None or alert.subject_id is None:
        raise DomainError("err_alert_gone")
    if not _owner_or_manager(contract, actor, is_manager):
        raise DomainError("err_snooze_forbidden")
    mark_snoozed(alert, actor=actor, until=until.astimezone(tz).date())
    audit.record(session, actor=actor, entity_type="alert", entity_id=alert.id, action="snooze",
                 changes={"snoozed_until": (None, until)}, now=now)
    return alert


def snooze(session: Session, *, alert_id: int, actor: str, is_manager: bool, until: datetime, tz: tzinfo,
           now: datetime) -> Alert:
    """The Snooze button of a deadline or an SLA alert."""
    if get_alert(session, alert_id=alert_id).kind == alert_state.SLA:
        return snooze_sla(session, alert_id=alert_id, actor=actor, is_manager=is_manager, until=until, tz=tz, now=now)
    return snooze_deadline(session, alert_id=alert_id, actor=actor, is_manager=is_manager, until=until, tz=tz, now=now)


def snooze_obligation(session: Session, *, alert: Alert, obligation: Obligation, actor: str, until: datetime,
                      tz: tzinfo, now: datetime, thresholds: Sequence[int]) -> None:
    """The obligation's alerts wait until `until` (audited by its service); the alert says who, until when."""
    handled = obligations.handled_levels(session, obligation_ids=[obligation.id], now=now).get(
        (obligation.id, obligation.due_on.isoformat()), set())
    obligations.snooze(session, obligation=obligation, until=until, actor=actor, now=now, thresholds=thresholds,
                       handled=handled)
    mark_snoozed(alert, actor=actor, until=until.astimezone(tz).date())


def mark_snoozed(alert: Alert, *, actor: str, until: date) -> None:
    """What the alert shows after a snooze (the snooze itself is written by its aggregate's service)."""
    alert_state.update(alert, snoozed_by=actor, snoozed_until=until.isoformat())


def settle(session: Session, *, alert_id: int, settled: str) -> Alert | None:
    """The alert is settled (renewed, notice given, done…): its message shows `settled` and loses its
    buttons. None when the alert is gone (the change it reports was made anyway)."""
    alert = alerts.get(session, alert_id=alert_id)
    if alert is not None:
        alert_state.update(alert, settled=settled)
    return alert


def give_notice(session: Session, *, alert_id: int, actor: str, note: str, now: datetime, today: date) -> Contract:
    """Notice given from a deadline alert: the contract ends at its current end (audited as a terminate)."""
    _, contract = get_deadline(session, alert_id=alert_id)
    try:
        contracts.terminate(session, contract=contract, on=None, note=note, actor=actor, now=now, today=today)
    except contracts.ContractRuleError:
        raise DomainError("err_already_closed", ref=contract.reference, status=contract.status) from None
    return contract
