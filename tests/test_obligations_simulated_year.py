"""A simulated year of the `obligations` job over a seeded random portfolio, against the fake Slack.

The sweep runs at 09:00 Europe/Paris on 365 consecutive days, about a fifth of them skipped (the bot was
down); at noon on some days people mark obligations done (a recurring one then moves to its next due date,
counted from its anchor). What was posted is compared with a reference computed here, independently of the
product: each occurrence's due date (anchor + n × every, months stepped one at a time and clamped), the days
it is the obligation's current one, and the alert buckets — level L (the thresholds 30, 7, 0, then −7, −14,
… while overdue) owns the days [due − L, due − next level). L must be posted exactly once, on the first run
day in its bucket while its occurrence is current, and never otherwise.
"""

from __future__ import annotations

import calendar
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import event

from bot.contract_input import ContractFields
from bot.durations import Duration, parse_duration
from bot.settings import Settings
from jobs.obligations import sweep
from storage import alerts, contracts, obligations
from storage.contracts import Defaults
from storage.db import open_database
from tests.support.fake_slack import FakeSlack
from tests.support.reference import ref_add_months

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

PARIS = ZoneInfo("Europe/Paris")
START = date(2027, 1, 4)
DAYS = 365
LADDER = [30, 7, 0]
SEED = 20270105
ALERT_CHANNEL = "C0ALERTS1"


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS)


def ref_due(anchor: date, every: str | None, n: int) -> date:
    if every is None:
        return anchor
    d = parse_duration(every)
    return ref_add_months(anchor, n * d.months) if d.months else anchor + timedelta(days=n * d.days)


def ref_levels(due: date, last_day: date) -> list[int]:
    levels = list(LADDER)
    k = 1
    while due + timedelta(days=7 * k) <= last_day:
        levels.append(-7 * k)
        k += 1
    return levels


def expected_posts(spec: dict, run_days: list[date]) -> dict[tuple[int, date, int], date]:
    """(spec index, due, level) → the run day it must be posted on."""
    out = {}
    start = run_days[0]
    for k, done_day in enumerate(spec["done_days"] + [None]):
        due = ref_due(spec["due"], spec["every"], k)
        current = [d for d in run_days if d >= start and (done_day is None or d <= done_day)]
        levels = ref_levels(due, run_days[-1])
        for i, level in enumerate(levels):
            lo = due - timedelta(days=level)
            hi = due - timedelta(days=levels[i + 1]) if i + 1 < len(levels) else run_days[-1] + timedelta(days=1)
            inside = [d for d in current if lo <= d < hi]
            if inside:
                out[(spec["index"], due, level)] = inside[0]
        if done_day is None or spec["every"] is None:
            break
        start = done_day + timedelta(days=1)
    return out


def portfolio(rng: random.Random) -> list[dict]:
    specs = []
    for i in range(60):
        due = START + timedelta(days=rng.randint(-20, 330))
        if rng.random() < 0.25:
            due = date(due.year, due.month, calendar.monthrange(due.year, due.month)[1])
        every = rng.choice([None, None, "1mo", "3mo", "6mo", "1y", "30d", "2w"])
        specs.append({"index": i, "due": due, "every": every, "contract": i % 20,
                      "owner": f"U0OBO{i:04d}" if rng.random() < 0.5 else None,
                      # how late (or early) people are; None: never done (weekly reminders go on)
                      "lateness": None if rng.random() < 0.2 else rng.randint(-8, 25)})
    return specs


def plan_done_days(spec: dict, last_day: date) -> list[date]:
    """The days a person marks each occurrence done (at noon), computed from the reference due dates."""
    days: list[date] = []
    if spec["lateness"] is None:
        return days
    k, previous = 0, START - timedelta(days=1)
    while True:
        due = ref_due(spec["due"], spec["every"], k)
        day = max(due + timedelta(days=spec["lateness"]), previous + timedelta(days=1), START)
        if day > last_day:
            return days
        days.append(day)
        if spec["every"] is None:
            return days
        previous, k = day, k + 1


def test_a_simulated_year_posts_each_obligation_alert_exactly_once(sqlite_head_url: str) -> None:
    rng = random.Random(SEED)
    specs = portfolio(rng)
    run_days = [START + timedelta(days=i) for i in range(DAYS) if rng.random() >= 0.2]
    last_day = START + timedelta(days=DAYS - 1)
    for spec in specs:
        spec["done_days"] = plan_done_days(spec, last_day)
    done_on: dict[date, list[dict]] = {}
    for spec in specs:
        for day in spec["done_days"]:
            done_on.setdefault(day, []).append(spec)

    engine, factory = open_database(sqlite_head_url)
    engine.dispose()
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA synchronous=NORMAL"))
    try:
        with FakeSlack() as fake:
            settings = Settings(database_url=sqlite_head_url, slack_api_url=fake.url, timezone="Europe/Paris",
                                alert_channel=ALERT_CHANNEL)
            created = at(START - timedelta(days=1), 9)
            ids: dict[int, int] = {}
            channels: dict[int, str | None] = {}
            with factory.begin() as session:
                made = []
                for c in range(20):
                    channel = f"C0OBCH{c:04d}" if c % 3 == 0 else None
                    values = ContractFields(reference=f"OSIM-{c:03d}", title=f"Service {c}", vendor="Vendor",
                                            end=START + timedelta(days=900), owner=f"U0COWN{c:04d}", channel=channel,
                                            given={"reference", "title", "vendor", "end", "owner"}
                                            | ({"channel"} if channel else set()))
                    made.append(contracts.create(session, values=values, defaults=Defaults("EUR", Duration()),
                                                 actor="U0ADMIN01", now=created))
                    channels[c] = channel
                for spec in specs:
                    obligation = obligations.create(
                        session, contract=made[spec["contract"]], what=f"Duty {spec['index']:03d}", due=spec["due"],
                        every=parse_duration(spec["every"]) if spec["every"] else None, owner=spec["owner"],
                        party="vendor", evidence_required=False, actor="U0ADMIN01", now=created, thresholds=LADDER)
                    ids[spec["index"]] = obligation.id
            index_of = {oid: i for i, oid in ids.items()}

            client = WebClient(base_url=fake.url, token="xoxb-x")
            calls_by_day: dict[date, list[dict]] = {}
            seen = 0
            for i in range(DAYS):
                day = START + timedelta(days=i)
                if day in run_days:
                    report = sweep(factory, client, settings=settings, now=at(day, 9))
                    assert report.failed == [] and all(o.posted for o in report.outcomes)
                    calls = fake.calls("chat.postMessage")
                    calls_by_day[day] = [c["args"] for c in calls[seen:]]
                    seen = len(calls)
                for spec in done_on.get(day, []):
                    with factory.begin() as session:
                        obligation = obligations.get_by_id(session, obligation_id=ids[spec["index"]])
                        assert obligation is not None
                        obligations.fulfil(session, obligation=obligation, evidence="ok", note=None, actor="U0X",
                                           now=at(day, 12), today=day, thresholds=LADDER)
            fake.assert_valid_messages()
            total_calls = len(fake.calls("chat.postMessage"))

        with factory() as session:
            ledger_posted: dict[tuple[int, date, int], date] = {}
            for row in alerts.get_all(session, kind="obligation"):
                assert row.state in ("posted", "superseded"), (row.key, row.state)
                if row.state != "posted":
                    continue
                _, oid, due, level = row.key.split(":")
                key = (index_of[int(oid)], date.fromisoformat(due), int(level))
                assert key not in ledger_posted, f"{key} posted twice"
                assert row.posted_at is not None
                ledger_posted[key] = row.posted_at.astimezone(PARIS).date()

        expected: dict[tuple[int, date, int], date] = {}
        for spec in specs:
            expected.update(expected_posts(spec, run_days))
        assert sorted(set(ledger_posted) - set(expected)) == [], "posted but not expected"
        assert sorted(set(expected) - set(ledger_posted)) == [], "expected but not posted"
        assert ledger_posted == expected

        # Slack received exactly those: one message per posted alert, on its day, to the right place and person
        assert total_calls == len(ledger_posted)
        slack_posts: Counter[tuple[int, date]] = Counter()
        by_index = {s["index"]: s for s in specs}
        for day, day_calls in calls_by_day.items():
            for args in day_calls:
                [oid] = {int(n) for n in re.findall(r"OBL-(\d+)", args["text"])}
                spec = by_index[index_of[oid]]
                slack_posts[(spec["index"], day)] += 1
                assert args["channel"] == (channels[spec["contract"]] or ALERT_CHANNEL)
                owner = spec["owner"] or f"U0COWN{spec['contract']:04d}"
                assert f"<@{owner}>" in args["text"]
        assert slack_posts == Counter((i, d) for (i, _, _), d in expected.items())

        # the year exercised what it should: thresholds, weekly reminders, recurrences, and gaps
        levels = Counter(level for (_, _, level) in expected)
        assert levels[30] and levels[7] and levels[0] and levels[-7] and levels[-14]
        assert sum(len(s["done_days"]) for s in specs if s["every"]) >= 30
        print(f"\nsimulated year: {len(run_days)} sweeps, {len(ledger_posted)} obligation alerts posted, "
              f"{sum(len(s['done_days']) for s in specs)} fulfilments")
    finally:
        engine.dispose()
