"""The `disputes` job: a simulated quarter of daily 09:00 runs (some days the bot is down), with restarts,
hand runs and dry runs, against a reference computed here without the product's code; plus a failed
DM that is retried and does not stop the others.

Reference: a dispute that is neither settled nor closed comes due for a reminder 14 days after its last
change (or when a snooze ends, if later); it is reminded exactly once per such instant, at the first
real run at or after it.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.contract_input import ContractFields
from bot.durations import Duration
from jobs.disputes import sweep
from storage import alerts, contracts, disputes
from storage.contracts import Defaults
from storage.db import open_database
from tests.conftest import make_settings
from tests.support.fake_slack import FakeSlack

PARIS = ZoneInfo("Europe/Paris")
START = date(2027, 1, 4)
DAYS = 91
SEED = 8_2027
OWNER = "U0OWNERA1"
OPENER = "U0OPENER3"


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS).astimezone(UTC)


def d(n: int) -> date:
    return START + timedelta(days=n)


# dispute name → contract ("A" has an owner, "B" none), then scripted changes: (day, action, status)
SCRIPT: dict[str, tuple[str, list[tuple[int, str, str | None]]]] = {
    "never-touched": ("A", []),
    "noted-often": ("A", [(10, "note", None), (30, "note", None), (31, "move", "negotiating")]),
    "snoozed": ("B", []),  # snoozed 2 hours after its first reminder (driven below)
    "closed-on-20": ("A", [(20, "close", None)]),
    "settled-on-5": ("A", [(5, "move", "settled")]),
    "escalated-on-50": ("A", [(50, "move", "escalated"), (70, "move", "litigation")]),
}


def reference(run_instants: list[datetime], opened: datetime) -> dict[str, list[datetime]]:
    """name → the instants its reminders must be posted at (independent of the product)."""
    out: dict[str, list[datetime]] = {}
    for name, (_, changes) in SCRIPT.items():
        last, snooze, active, posted_for = opened, None, True, set()
        events = sorted((at(d(day), 8), action, status) for day, action, status in changes)
        out[name] = []
        for run in run_instants:
            while events and events[0][0] <= run:
                when, action, status = events.pop(0)
                last = when
                if action == "close" or status in ("settled", "closed"):
                    active = False
            if not active:
                continue
            due = last + timedelta(days=14)
            if snooze is not None and snooze > due:
                due = snooze
            if run >= due and due not in posted_for:
                posted_for.add(due)
                out[name].append(run)
                if name == "snoozed" and snooze is None:
                    snooze = run + timedelta(hours=2) + timedelta(days=7)
    return out


def test_a_simulated_quarter_reminds_each_stale_period_exactly_once(db_url: str) -> None:
    rng = random.Random(SEED)
    run_days = [d(i) for i in range(DAYS) if rng.random() >= 0.2]
    hand_runs = set(run_days[3::7])  # someone runs `jobs run disputes` by hand in the afternoon
    dry_runs = set(run_days[5::10])
    opened = at(d(-1), 8)
    with FakeSlack() as fake:
        settings = make_settings(db_url, fake.url)
        client = WebClient(base_url=fake.url, token="xoxb-x")
        engine, factory = open_database(db_url)
        ids: dict[str, int] = {}
        with factory.begin() as session:
            made = {}
            for key, owner in (("A", OWNER), ("B", None)):
                values = ContractFields(reference=f"SIMD-{key}", title=f"Managed service {key}", vendor="Acme",
                                        end=date(2029, 1, 1), owner=owner, value=Decimal(120000),
                                        given={"reference", "title", "vendor", "end", "value"}
                                        | ({"owner"} if owner else set()))
                made[key] = contracts.create(session, values=values, defaults=Defaults("EUR", Duration()),
                                             actor="U0ADMIN01", now=opened)
            for name, (key, _) in SCRIPT.items():
                dispute = disputes.create(session, contract=made[key], summary=f"Claim {name}",
                                          amount_claimed=Decimal(1000), actor=OPENER, now=opened)
                ids[name] = dispute.id
        name_of = {v: k for k, v in ids.items()}
        pending = sorted(((at(d(day), 8), name, action, status) for name, (_, changes) in SCRIPT.items()
                          for day, action, status in changes), key=lambda e: e[0])
        run_instants: list[datetime] = []
        snoozed_at: datetime | None = None
        for i, day in enumerate(run_days):
            if i and i % 15 == 0:  # a restart: a new engine and sessions, nothing kept in memory
                engine.dispose()
                engine, factory = open_database(db_url)
            instants = [at(day, 9)] + ([at(day, 15)] if day in hand_runs else [])
            for now in instants:
                with factory.begin() as session:  # the changes people made before this run
                    while pending and pending[0][0] <= now:
                        when, name, action, status = pending.pop(0)
                        dispute = disputes.get_by_id(session, dispute_id=ids[name])
                        assert dispute is not None
                        if action == "close":
                            disputes.close(session, dispute=dispute, outcome="paid", recovered=Decimal(600),
                                           force=False, actor=OWNER, now=when)
                        else:
                            disputes.update(session, dispute=dispute, status=status, note="news", actor=OWNER,
                                            now=when)
                    if snoozed_at is not None and snoozed_at <= now:
                        dispute = disputes.get_by_id(session, dispute_id=ids["snoozed"])
                        assert dispute is not None
                        disputes.snooze(session, dispute=dispute, until=snoozed_at + timedelta(days=7),
                                        actor=OPENER, now=snoozed_at)
                        snoozed_at = None
                mark = len(fake.calls("chat.postMessage"))
                report = sweep(factory, client, settings=settings, now=now)
                run_instants.append(now)
                assert all(o.posted for o in report.outcomes) and not report.errors
                for call in fake.calls("chat.postMessage")[mark:]:
                    mentioned = re.findall(r"DSP-(\d+)\b", call["args"]["text"])
                    if mentioned == [str(ids["snoozed"])] and not _was_snoozed(factory, ids["snoozed"]):
                        snoozed_at = now + timedelta(hours=2)  # the recipient presses "Snooze 7 days"
            if day in dry_runs:
                with factory() as session:
                    before = len(alerts.get_all(session))
                mark = len(fake.calls())
                sweep(factory, client, settings=settings, now=at(day, 12), dry_run=True)
                with factory() as session:
                    assert len(alerts.get_all(session)) == before  # a dry run records nothing
                assert fake.calls()[mark:] == []  # and posts nothing
        fake.assert_valid_messages()
        dms = fake.calls("chat.postMessage")

        expected = reference(run_instants, opened)
        with factory() as session:
            rows = alerts.get_all(session, kind="dispute_stale")
        engine.dispose()

    posted: dict[str, list[datetime]] = defaultdict(list)
    for row in rows:
        assert row.state == "posted", (row.key, row.state)
        assert row.posted_at is not None
        posted[name_of[row.subject_id]].append(row.posted_at)
    assert len({row.key for row in rows}) == len(rows)
    assert {n: sorted(v) for n, v in posted.items()} == {n: v for n, v in expected.items() if v}
    # Slack got exactly those DMs, each to the contract's owner, else to whoever opened the dispute
    assert len(dms) == len(rows)
    per_dispute: dict[str, int] = defaultdict(int)
    for call in dms:
        (number,) = set(re.findall(r"DSP-\d+", call["args"]["text"]))
        name = name_of[int(number[4:])]
        per_dispute[name] += 1
        assert call["args"]["channel"] == (OPENER if SCRIPT[name][0] == "B" else OWNER)
        assert {e["action_id"] for b in call["args"]["blocks"] if b["type"] == "actions" for e in b["elements"]} == {
            "dispute_update", "dispute_snooze"}
    assert dict(per_dispute) == {n: len(v) for n, v in expected.items() if v}
    # the quarter exercised what it should: one reminder for a dispute nobody touched, none once settled,
    # a new period after each change, and one after a snooze
    assert len(expected["never-touched"]) == 1 and expected["settled-on-5"] == []
    assert len(expected["noted-often"]) == 2 and len(expected["snoozed"]) == 2
    assert len(expected["closed-on-20"]) == 1 and len(expected["escalated-on-50"]) >= 2


def _was_snoozed(factory, dispute_id: int) -> bool:  # type: ignore[no-untyped-def]
    with factory() as session:
        dispute = disputes.get_by_id(session, dispute_id=dispute_id)
        return dispute is not None and dispute.reminder_snoozed_until is not None


def test_a_failed_dm_is_retried_and_does_not_stop_the_others(db_url: str) -> None:
    with FakeSlack() as fake:
        settings = make_settings(db_url, fake.url)
        client = WebClient(base_url=fake.url, token="xoxb-x")
        engine, factory = open_database(db_url)
        opened = at(date(2027, 3, 1), 10)
        with factory.begin() as session:
            values = ContractFields(reference="RETRY-1", title="Hosting", vendor="Acme", end=date(2029, 1, 1),
                                    owner=OWNER, given={"reference", "title", "vendor", "end", "owner"})
            contract = contracts.create(session, values=values, defaults=Defaults("EUR", Duration()),
                                        actor="U0ADMIN01", now=opened)
            first = disputes.create(session, contract=contract, summary="one", amount_claimed=None, actor=OWNER,
                                    now=opened).id
            second = disputes.create(session, contract=contract, summary="two", amount_claimed=None, actor=OWNER,
                                     now=opened).id
        fake.fail_next("chat.postMessage")
        now = at(date(2027, 3, 16), 9)
        report = sweep(factory, client, settings=settings, now=now)
        assert [o.posted for o in report.outcomes] == [False, True]  # the first failed, the second went out
        report = sweep(factory, client, settings=settings, now=now + timedelta(days=1))
        assert [o.posted for o in report.outcomes] == [True]  # retried, once
        assert sweep(factory, client, settings=settings, now=now + timedelta(days=2)).outcomes == []
        with factory() as session:
            states = sorted((r.subject_id, r.state, r.attempts) for r in alerts.get_all(session, kind="dispute_stale"))
        engine.dispose()
    assert states == [(first, "posted", 2), (second, "posted", 1)]
