"""The `deadlines` sweep: roll ended contracts forward, then post each due deadline alert once.

Run daily by the scheduler, by hand (`contractbot jobs run deadlines [--at] [--dry-run]`), by any
number of replicas at once: what is due is read from the database, and each alert is claimed in
the ledger before it is posted.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.deadlines import days_left, decide_threshold
from bot.render import alert_groups as render_groups
from bot.render import alert_messages
from bot.render.common import Message
from bot.settings import Settings
from jobs import recovery
from jobs.failures import Failures
from jobs.pacing import Pacer, round_robin
from jobs.posting import Outcome, destination, post_claimed, post_group, warn_unroutable, worker_name
from storage import alert_state, alerts, contracts
from storage.isolated import read_each
from storage.models import Contract

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
    groups: list[tuple[str, int]] = field(default_factory=list)  # (channel, alerts in one grouped message)
    failures: list[str] = field(default_factory=list)  # lines naming what failed, for `jobs run`


@contextmanager
def _within(rehearsal: Session) -> Iterator[Session]:
    """A dry run's stand-in for `factory.begin()`: the rehearsal session, rolled back on an error."""
    try:
        yield rehearsal
    except BaseException:
        rehearsal.rollback()
        raise


def roll_ended(factory: sessionmaker[Session], *, today: date, now: datetime, failures: Failures | None = None,
               rehearsal: Session | None = None) -> list[tuple[str, str]]:
    """Tacit renewals, expiries and terminations, one contract per transaction; one that fails is
    reported and the others still roll. With `rehearsal` (a dry run's session, which its caller rolls
    back) the rolls happen in that session instead, so that planning sees them, and nothing is committed."""
    def transaction() -> AbstractContextManager[Session]:
        return factory.begin() if rehearsal is None else _within(rehearsal)

    rolled = []
    with transaction() as session:
        ids = contracts.ended_in_force(session, today=today)
    for contract_id in ids:
        try:
            with transaction() as session:
                contract = contracts.get_by_id(session, contract_id=contract_id)
                if contract is None:
                    continue
                action = contracts.roll_if_ended(session, contract=contract, today=today, now=now)
                if action:
                    rolled.append((contract.reference, action))
        except StaleDataError:
            logger.info("contract %s was rolled by another worker", contract_id)
        except Exception as exc:  # noqa: BLE001 - one bad contract never stops the sweep
            if failures is None:
                raise
            with factory() if rehearsal is None else nullcontext(rehearsal) as session:
                failures.record(contracts.reference_of(session, contract_id=contract_id), "roll", exc)
    return rolled


def plan(session: Session, *, settings: Settings, today: date, now: datetime,
         failures: Failures | None = None) -> list[Planned]:
    horizon = date.fromordinal(today.toordinal() + max(settings.deadline_thresholds))
    candidates, unreadable = read_each(session, contracts.alertable_stmt(horizon), key=Contract.id,
                                       label=Contract.reference)
    for reference, exc in unreadable:
        if failures is None:
            raise exc
        failures.record(reference, "read", exc)
    handled = alerts.handled_deadline_thresholds(session, among=contracts.alertable_condition(horizon), now=now)
    planned = []
    for contract in candidates:
        try:
            if contract.alerts_snoozed_until is not None and now < contract.alerts_snoozed_until:
                continue
            decision = decide_threshold(contract.act_by, today, settings.deadline_thresholds,
                                        handled.get((contract.id, contract.end_date.isoformat()), set()))
        except Exception as exc:  # noqa: BLE001
            if failures is None:
                raise
            failures.record(contract.reference, "plan", exc)
            continue
        if decision.post is None:
            continue
        channel = destination(contract.channel, contract.owner, settings.alert_channel)
        planned.append(Planned(contract.id, contract.reference, decision.post, decision.superseded,
                               contract.end_date, contract.act_by, channel))
    return planned


def _row(item: Planned, threshold: int) -> dict[str, Any]:
    return dict(key=alerts.deadline_key(item.contract_id, item.end, threshold), kind=KIND,
                contract_id=item.contract_id, due_on=item.act_by,
                detail=alert_state.record(threshold=threshold, end=item.end.isoformat()))


def claim_all(factory: sessionmaker[Session], items: list[Planned], *, worker: str,
              now: datetime) -> list[tuple[int, Planned]]:
    """Claim the alerts of `items` in batched transactions (committed); (alert id, item) of those won.
    The thresholds an item supersedes are recorded with its claim, as with a single alert."""
    won: list[tuple[int, Planned]] = []
    for start in range(0, len(items), alerts.BATCH):
        chunk = items[start:start + alerts.BATCH]
        with factory.begin() as session:
            keys = alerts.claim_many(session, rows=[_row(item, item.threshold) for item in chunk], worker=worker,
                                     now=now)
            mine = [item for item in chunk if alerts.deadline_key(item.contract_id, item.end, item.threshold) in keys]
            alerts.supersede_many(session, worker=worker, now=now,
                                  rows=[_row(item, t) for item in mine for t in item.superseded])
        won += [(keys[alerts.deadline_key(item.contract_id, item.end, item.threshold)], item) for item in mine]
    return won


def _group_message(factory: sessionmaker[Session], claimed: list[tuple[int, Planned]], *, settings: Settings,
                   today: date) -> Message:
    # Most urgent first; the same order as storage.alerts.posted_together (due_on = act-by, contract id).
    ordered = sorted(claimed, key=lambda pair: (pair[1].act_by, pair[1].contract_id))
    with factory() as session:
        shown = []
        for alert_id, item in ordered[:render_groups.SHOWN]:
            contract = contracts.get_by_id(session, contract_id=item.contract_id)
            if contract is not None:
                shown.append(render_groups.GroupItem(alert_id, contract))
        message = render_groups.deadline_group(settings.language, shown, today=today, total=len(ordered),
                                               last_act_by=ordered[-1][1].act_by)
    return message


def sweep(factory: sessionmaker[Session], client: WebClient | None, *, settings: Settings, now: datetime,
          dry_run: bool = False, metrics=None,
          pending: recovery.PendingMarks | None = None) -> SweepReport:
    """Roll, plan, claim and post. More than `settings.alert_group_over` alerts due for one destination
    go out as one grouped message; posts are paced per channel (`settings.post_interval`)."""
    today = now.astimezone(settings.tz).date()
    report = SweepReport()
    failures = Failures("deadlines", metrics)
    if dry_run:  # the same rolls and plan in one session that is rolled back: nothing is recorded
        with factory() as session:
            try:
                report.rolled = roll_ended(factory, today=today, now=now, failures=failures, rehearsal=session)
                report.planned = plan(session, settings=settings, today=today, now=now, failures=failures)
            finally:
                session.rollback()
        per_channel = Counter(item.channel for item in report.planned if item.channel is not None)
        report.groups = [(channel, n) for channel, n in per_channel.items() if n > settings.alert_group_over]
        report.failures = failures.lines()
        return report
    assert client is not None, "only a dry run goes without a Slack client"
    report.rolled = roll_ended(factory, today=today, now=now, failures=failures)
    with factory.begin() as session:
        report.planned = plan(session, settings=settings, today=today, now=now, failures=failures)
    worker = worker_name()
    queues: dict[str, list[Planned]] = defaultdict(list)
    for item in report.planned:
        if item.channel is None:
            report.skipped_no_channel.append(item.reference)
        else:
            queues[item.channel].append(item)
    units: dict[str, list[tuple[bool, list[tuple[int, Planned]]]]] = {}  # channel → (grouped?, alerts) posts
    for channel, items in queues.items():
        try:
            claimed = claim_all(factory, items, worker=worker, now=now)
            if len(claimed) > settings.alert_group_over:  # (a single post checks its own: post_claimed)
                settled = recovery.settle_stale(factory, client, kind=KIND, destination=channel, now=now,
                                                metrics=metrics, alert_ids=[alert_id for alert_id, _ in claimed])
                report.outcomes += [Outcome(alerts.deadline_key(item.contract_id, item.end, item.threshold), channel,
                                            "", True) for alert_id, item in claimed if alert_id in settled]
                claimed = [pair for pair in claimed if pair[0] not in settled]
        except Exception as exc:  # noqa: BLE001 - a database error on one destination's batch
            failures.record(channel, "claim", exc)
            continue
        if len(claimed) > settings.alert_group_over:
            units[channel] = [(True, claimed)]
            report.groups.append((channel, len(claimed)))
        else:
            units[channel] = [(False, [pair]) for pair in claimed]
    pacer = Pacer(settings.post_interval)
    for channel, (grouped, unit) in round_robin(units):
        if not grouped:
            report.outcomes.append(_post_one(factory, client, unit[0], channel=channel, settings=settings,
                                             today=today, now=now, metrics=metrics, pending=pending, pacer=pacer,
                                             failures=failures))
            continue
        try:
            message = _group_message(factory, unit, settings=settings, today=today)
        except Exception as exc:  # noqa: BLE001
            with factory.begin() as session:
                alerts.mark_failed_many(session, alert_ids=[alert_id for alert_id, _ in unit], error=str(exc))
            failures.record(channel, "group", exc)
            continue
        report.outcomes += post_group(factory, client, kind=KIND, channel=channel, message=message, now=now,
                                      metrics=metrics, pending=pending, pacer=pacer, keys={
                                          alerts.deadline_key(item.contract_id, item.end, item.threshold): alert_id
                                          for alert_id, item in unit})
    warn_unroutable(KIND, report.skipped_no_channel)
    report.failures = failures.lines()
    return report


def _post_one(factory: sessionmaker[Session], client: WebClient, pair: tuple[int, Planned], *, channel: str,
              settings: Settings, today: date, now: datetime, metrics, pacer: Pacer,
              pending: recovery.PendingMarks | None, failures: Failures) -> Outcome:
    alert_id, item = pair
    try:
        with factory.begin() as session:
            alert = alerts.get(session, alert_id=alert_id)
            contract = contracts.get_by_id(session, contract_id=item.contract_id)
            assert alert is not None and contract is not None
            message = alert_messages.deadline(alert, contract, lang=settings.language, today=today)
    except Exception as exc:  # noqa: BLE001 - released: the next sweep tries again
        with factory.begin() as session:
            alerts.mark_failed(session, alert_id=alert_id, error=str(exc))
        failures.record(item.reference, "render", exc)
        return Outcome(alerts.deadline_key(item.contract_id, item.end, item.threshold), channel, "", False, str(exc))
    return post_claimed(factory, client, alert=alert, channel=channel, message=message, now=now, metrics=metrics,
                        pending=pending, pacer=pacer)


def describe(report: SweepReport, *, today: date) -> list[str]:
    """Lines for `jobs run deadlines` (and --dry-run): what was rolled and what was (or would be) posted,
    grouped messages, and anything that failed (named by reference)."""
    lines = [f"{ref}: {action.replace('_', ' ')}" for ref, action in report.rolled]
    for item in report.planned:
        left = days_left(item.act_by, today)
        lines.append(f"{item.reference}: deadline alert {item.threshold}d (act by {item.act_by}, {left} days left)"
                     f" → {item.channel or 'no channel'}")
    for channel, count in report.groups:  # (a dry run says what a real run would group)
        lines.append(f"{channel}: {count} deadline alerts in one grouped message")
    for outcome in report.outcomes:
        lines.append(f"{outcome.key}: {'posted' if outcome.posted else 'FAILED ' + (outcome.error or '')}")
    lines += report.failures
    return lines
