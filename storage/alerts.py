"""The alert ledger: claim an alert before posting it, so it is posted exactly once.

Claiming is an `INSERT … ON CONFLICT DO NOTHING` of the alert's unique key (SQLite and PostgreSQL):
of several replicas, a hand-run job and a restarted process, one insert wins. A post that fails
marks the row `failed`; the next sweep reclaims it with a conditional UPDATE (again one winner).
A claim left by a process that died before posting is reclaimed once it is `STALE_CLAIM` old.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from storage import alert_state
from storage.inserts import dialect_insert
from storage.models import Alert, Contract

logger = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
CLAIMED, POSTED, FAILED, SUPERSEDED = "claimed", "posted", "failed", "superseded"


def deadline_key(contract_id: int, end: date, threshold: int) -> str:
    return f"deadline:{contract_id}:{end.isoformat()}:{threshold}"


def _insert_new(session: Session, row: dict[str, Any]) -> bool:
    """True when this row was inserted; RETURNING, because psycopg reports rowcount -1 for
    INSERT … ON CONFLICT DO NOTHING."""
    stmt = dialect_insert(session, Alert).values(**row).on_conflict_do_nothing(index_elements=["key"])
    return session.execute(stmt.returning(Alert.id)).first() is not None


def claim(session: Session, *, key: str, kind: str, contract_id: int | None, due_on: date | None,
          detail: dict[str, Any], worker: str, now: datetime, subject_id: int | None = None) -> Alert | None:
    """The alert row if this worker now owns it, else None. Commit before posting."""
    row = dict(key=key, kind=kind, contract_id=contract_id, subject_id=subject_id, state=CLAIMED, due_on=due_on,
               detail=detail, claimed_at=now, claimed_by=worker, attempts=0)
    if not _insert_new(session, row) and key not in _reclaim(session, keys=[key], worker=worker, now=now):
        return None
    return session.scalar(select(Alert).where(Alert.key == key).execution_options(populate_existing=True))


def claim_token(claimed_by: str, claimed_at: datetime) -> str:
    """What names one claim (a worker at an instant): written in the metadata of the message it posted,
    and kept in the alert's record when the claim goes stale, so a later sweep can recognise that message."""
    return f"{claimed_at.astimezone(UTC).isoformat(timespec='microseconds')} {claimed_by}"


def _reclaim(session: Session, *, keys: Sequence[str], worker: str, now: datetime) -> dict[str, int]:
    """Take over the existing rows of `keys` that are `failed`, or `claimed` more than STALE_CLAIM ago
    (conditional UPDATEs: of several workers one wins each); key → id of those won. A stale claim is
    kept in the alert's record (`stale_claim`, `stale_since`): its post may have gone out before the
    process could mark it, and the sweep looks for it before posting again."""
    won: dict[str, int] = {}
    for start in range(0, len(keys), BATCH):
        chunk = keys[start:start + BATCH]
        stale = session.execute(select(Alert.id, Alert.key, Alert.claimed_by, Alert.claimed_at, Alert.detail).where(
            Alert.key.in_(chunk), Alert.state == CLAIMED, Alert.claimed_at < now - STALE_CLAIM)).all()
        for id_, key, claimed_by, claimed_at, detail in stale:
            record = dict(detail or {})
            record["stale_since"] = record.get("stale_since") or claimed_at.astimezone(UTC).isoformat()
            record["stale_claim"] = claim_token(claimed_by, claimed_at)
            taken = session.execute(
                update(Alert)
                .where(Alert.id == id_, Alert.state == CLAIMED, Alert.claimed_by == claimed_by,
                       Alert.claimed_at < now - STALE_CLAIM)
                .values(state=CLAIMED, claimed_at=now, claimed_by=worker, detail=alert_state.record(**record))
                .returning(Alert.id)
                .execution_options(synchronize_session=False)).first()
            if taken is not None:
                won[key] = id_
        reclaimed = session.execute(
            update(Alert)
            .where(Alert.key.in_(chunk), Alert.state == FAILED)
            .values(state=CLAIMED, claimed_at=now, claimed_by=worker)
            .returning(Alert.key, Alert.id)
            .execution_options(synchronize_session=False))
        won.update({key: id_ for key, id_ in reclaimed})
    return won


def stale_claims(session: Session, *, alert_ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """Alert id → (key, stale claim token, ISO time of the first stale claim) of those among `alert_ids`
    whose record says an earlier claim went stale (their post may already be in Slack)."""
    found: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(alert_ids), BATCH):
        for id_, key, detail in session.execute(select(Alert.id, Alert.key, Alert.detail).where(
                Alert.id.in_(alert_ids[start:start + BATCH]))):
            record = dict(detail or {})
            if record.get("stale_claim") and record.get("stale_since"):
                found[id_] = (key, record["stale_claim"], record["stale_since"])
    return found


def supersede(session: Session, *, keys: Iterable[tuple[str, int | None, date | None, dict[str, Any]]], worker: str,
              now: datetime, kind: str, subject_id: int | None = None) -> None:
    """Mark alerts that will never be posted because a more urgent one was (insert-if-absent)."""
    for key, contract_id, due_on, detail in keys:
        _insert_new(session, dict(key=key, kind=kind, contract_id=contract_id, subject_id=subject_id,
                                  state=SUPERSEDED, due_on=due_on, detail=detail, claimed_at=now, claimed_by=worker,
                                  attempts=0))


def mark_posted(session: Session, *, alert_id: int, channel: str, ts: str, now: datetime) -> None:
    session.execute(update(Alert).where(Alert.id == alert_id)
                    .values(state=POSTED, posted_at=now, channel=channel, ts=ts, attempts=Alert.attempts + 1))


def mark_failed(session: Session, *, alert_id: int, error: str) -> None:
    session.execute(update(Alert).where(Alert.id == alert_id)
                    .values(state=FAILED, last_error=error[:500], attempts=Alert.attempts + 1))


def get(session: Session, *, alert_id: int) -> Alert | None:
    return session.get(Alert, alert_id)


def acknowledge(session: Session, *, alert: Alert, user: str, now: datetime) -> None:
    alert.acknowledged_by = user
    alert.acknowledged_at = now


def still_handled(now: datetime) -> ColumnElement[bool]:
    """The one definition of an alert row that keeps a sweep from claiming it again: posted,
    superseded, or claimed less than `STALE_CLAIM` ago (a failed post, or a claim whose process died,
    is claimed again)."""
    return and_(Alert.state != FAILED, or_(Alert.state != CLAIMED, Alert.claimed_at >= now - STALE_CLAIM))


def handled_keys(session: Session, *, kind: str, subject_ids: Sequence[int], now: datetime) -> set[str]:
    """Keys of the `kind` alerts about these subjects (incidents, disputes…) that are still handled."""
    keys: set[str] = set()
    for start in range(0, len(subject_ids), 900):
        keys.update(session.scalars(select(Alert.key).where(
            Alert.kind == kind, Alert.subject_id.in_(subject_ids[start:start + 900]), still_handled(now))))
    return keys


def snoozed_subjects(session: Session, *, kind: str, subject_ids: Sequence[int], today: date) -> set[int]:
    """The subjects (incidents…) one of whose posted `kind` alerts was snoozed until after `today`. Only the
    two columns it needs are read; a `detail` no alert writes counts as not snoozed and is logged: one bad
    row never stops the sweep that asks."""
    found: set[int] = set()
    for start in range(0, len(subject_ids), 900):
        for subject_id, detail in session.execute(select(Alert.subject_id, Alert.detail).where(
                Alert.kind == kind, Alert.subject_id.in_(subject_ids[start:start + 900]), Alert.state == POSTED)):
            try:
                until = alert_state.read_detail(detail).snoozed_until_date
            except (TypeError, ValueError):
                logger.warning("%s alert of subject %s: unreadable detail, taken as not snoozed", kind, subject_id)
                continue
            if until is not None and until > today and subject_id is not None:
                found.add(subject_id)
    return found


def handled_deadline_thresholds(session: Session, *, among: ColumnElement[bool], now: datetime
                                ) -> dict[tuple[int, str], set[int]]:
    """(contract id, term end ISO) → thresholds posted, superseded or being posted right now, for the
    contracts matching `among` (one joined query, not one per chunk of ids)."""
    handled: dict[tuple[int, str], set[int]] = defaultdict(set)
    stmt = (select(Alert.key).join(Contract, Contract.id == Alert.contract_id)
            .where(Alert.kind == "deadline", among, still_handled(now)))
    for (key,) in session.execute(stmt):
        _, contract_id, end, threshold = key.split(":")
        handled[(int(contract_id), end)].add(int(threshold))
    return handled


def get_all(session: Session, *, kind: str | None = None) -> Sequence[Alert]:
    stmt = select(Alert).order_by(Alert.id)
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    return session.scalars(stmt).all()


# --- batched claims (a first sweep over a big portfolio claims thousands of alerts) ---

BATCH = 500


def _ledger_rows(rows: Sequence[dict[str, Any]], *, state: str, worker: str, now: datetime) -> list[dict[str, Any]]:
    return [dict(key=r["key"], kind=r["kind"], contract_id=r.get("contract_id"), subject_id=r.get("subject_id"),
                 state=state, due_on=r.get("due_on"), detail=r["detail"], claimed_at=now, claimed_by=worker,
                 attempts=0) for r in rows]


def claim_many(session: Session, *, rows: Sequence[dict[str, Any]], worker: str, now: datetime) -> dict[str, int]:
    """Claim many alerts at once (same rules as `claim`): key → id of the alerts this worker now owns.
    Each row has key, kind, contract_id, due_on, detail (and optionally subject_id). Commit before posting.
    One executemany `INSERT … ON CONFLICT DO NOTHING RETURNING` (SQLAlchemy batches it), then one
    conditional UPDATE for the keys already there (failed, or claimed by a process that died)."""
    if not rows:
        return {}
    connection = session.connection()
    stmt = dialect_insert(session, Alert.__table__).on_conflict_do_nothing(index_elements=["key"]).returning(
        Alert.__table__.c.key, Alert.__table__.c.id)
    won = {key: id_ for key, id_ in connection.execute(stmt, _ledger_rows(rows, state=CLAIMED, worker=worker,
                                                                          now=now))}
    rest = [r["key"] for r in rows if r["key"] not in won]
    won.update(_reclaim(session, keys=rest, worker=worker, now=now))
    return won


def supersede_many(session: Session, *, rows: Sequence[dict[str, Any]], worker: str, now: datetime) -> None:
    """`supersede` for many rows (insert-if-absent, one executemany)."""
    if rows:
        stmt = dialect_insert(session, Alert.__table__).on_conflict_do_nothing(index_elements=["key"])
        session.connection().execute(stmt, _ledger_rows(rows, state=SUPERSEDED, worker=worker, now=now))


def mark_posted_many(session: Session, *, alert_ids: Sequence[int], channel: str, ts: str, now: datetime,
                     claimed_by: str | None = None) -> None:
    """Alerts posted together in one grouped message: they share its channel and ts. With `claimed_by`,
    only those still claimed by that worker (a mark written late, after an outage: a row another worker
    has reclaimed since is that worker's to settle)."""
    mine = (Alert.state == CLAIMED, Alert.claimed_by == claimed_by) if claimed_by is not None else ()
    for start in range(0, len(alert_ids), BATCH):
        session.execute(update(Alert).where(Alert.id.in_(alert_ids[start:start + BATCH]), *mine)
                        .values(state=POSTED, posted_at=now, channel=channel, ts=ts, attempts=Alert.attempts + 1)
                        .execution_options(synchronize_session=False))


def mark_failed_many(session: Session, *, alert_ids: Sequence[int], error: str) -> None:
    for start in range(0, len(alert_ids), BATCH):
        session.execute(update(Alert).where(Alert.id.in_(alert_ids[start:start + BATCH]))
                        .values(state=FAILED, last_error=error[:500], attempts=Alert.attempts + 1)
                        .execution_options(synchronize_session=False))


def posted_together(session: Session, *, alert: Alert, limit: int) -> tuple[Sequence[Alert], int]:
    """The first `limit` alerts of the grouped message this alert was posted in (most urgent first, as
    the message shows them) and how many it holds; ([alert], 1) for an alert posted on its own."""
    if not alert.ts or not alert.channel:
        return [alert], 1
    same = (Alert.channel == alert.channel, Alert.ts == alert.ts, Alert.kind == alert.kind)
    total = session.scalar(select(func.count()).select_from(Alert).where(*same)) or 1
    if total == 1:
        return [alert], 1
    first = session.scalars(select(Alert).where(*same).order_by(Alert.due_on, Alert.contract_id).limit(limit)).all()
    return first, total


def group_last_due(session: Session, *, alert: Alert) -> date | None:
    """The furthest due date of the grouped message this alert was posted in."""
    return session.scalar(select(func.max(Alert.due_on)).where(Alert.channel == alert.channel, Alert.ts == alert.ts,
                                                               Alert.kind == alert.kind))
