"""A simulated year of the `revisions` job over indexed contracts, against the fake Slack Web API.

The sweep runs at 09:00 Europe/Paris on about 300 days of a year (the others the bot was down). When
an alert is posted, the manager applies that revision on the same day for most contracts (decided by
a seeded coin), which moves the clause to its next date. What was posted is compared with a reference
computed here without the product: revision dates are first + k × every, stepped month by month
(tests.support.reference); the alert for a date is due on the first run day no earlier than 30 days
before it, once the previous revision was applied, and must be posted exactly once."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient

from bot.contract_input import ContractFields
from bot.durations import Duration
from bot.revision_input import read_clause
from bot.settings import Settings
from jobs.revisions import sweep
from storage import alerts, contracts, indices, revisions
from storage.db import open_database
from tests.support.fake_slack import FakeSlack
from tests.support.reference import ref_add_months

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

PARIS = ZoneInfo("Europe/Paris")
START = date(2027, 1, 4)
DAYS = 365
SEED = 20270105
ALERT_CHANNEL = "C0ALERTS2"


def at_nine(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=PARIS).astimezone(UTC)


def expected(specs: list[dict], run_days: list[date]) -> dict[tuple[str, date], date]:
    """(reference, revision date) → the run day its alert must be posted on."""
    out: dict[tuple[str, date], date] = {}
    for spec in specs:
        k = spec["k0"]
        pending, posted = ref_add_months(spec["first"], k * spec["every"]), False
        for day in run_days:
            if not posted and day >= pending - timedelta(days=30):
                out[(spec["reference"], pending)] = day
                posted = True
                if spec["applies"]:
                    k += 1
                    pending, posted = ref_add_months(spec["first"], k * spec["every"]), False
    return out


def test_a_simulated_year_posts_each_revision_alert_exactly_once(db_url: str) -> None:
    rng = random.Random(SEED)
    run_days = [START + timedelta(days=i) for i in range(DAYS) if rng.random() >= 0.2]
    specs = []
    for i in range(24):
        first = START + timedelta(days=rng.randint(-60, 300))
        if rng.random() < 0.3:  # month ends, to exercise clamping
            first = ref_add_months(first.replace(day=1), 1) - timedelta(days=1)
        specs.append({"reference": f"IDX-{i:03d}", "first": first, "every": rng.choice([1, 3, 6, 12, 12]),
                      "mode": rng.choice(["base", "chained"]), "applies": rng.random() < 0.75,
                      "channel": f"C0IX{i:05d}" if rng.random() < 0.5 else None})
    engine, factory = open_database(db_url)
    try:
        with FakeSlack() as fake:
            settings = Settings(database_url=db_url, slack_api_url=fake.url, timezone="Europe/Paris",
                                alert_channel=ALERT_CHANNEL)
            created = at_nine(START) - timedelta(days=1)
            with factory.begin() as session:
                month = date(2025, 1, 1)
                while month < date(2029, 1, 1):  # the index, every month
                    indices.set_value(session, name="syntec", month=month, value=Decimal(280 + rng.randint(0, 400) / 10),
                                      published_on=None, actor="U0MGR", now=created)
                    month = ref_add_months(month, 1)
                for spec in specs:
                    values = ContractFields(reference=spec["reference"], title="Indexed", vendor="Vendor",
                                            end=date(2030, 12, 31), value=Decimal("120000"), channel=spec["channel"],
                                            given={"reference", "title", "vendor", "end", "value"}
                                            | ({"channel"} if spec["channel"] else set()))
                    contract = contracts.create(session, values=values, defaults=contracts.Defaults("EUR", Duration()),
                                                actor="U0MGR", now=created)
                    given = read_clause({"index": "syntec", "base": "2025-01", "first": spec["first"].isoformat(),
                                         "every": f"{spec['every']}mo", "mode": spec["mode"]}, tz=PARIS, now=created)
                    clause, _ = revisions.set_clause(session, contract=contract, given=given, actor="U0MGR",
                                                     now=created, today=START)
                    spec["k0"] = clause.next_k
                    assert clause.next_revision_on == ref_add_months(spec["first"], clause.next_k * spec["every"])
                    assert clause.next_revision_on >= START
            by_ref = {s["reference"]: s for s in specs}
            client = WebClient(base_url=fake.url, token="xoxb-x")
            posted_on: dict[tuple[str, date], date] = {}
            posted_to: dict[tuple[str, date], str] = {}
            keys: Counter[str] = Counter()
            seen = 0
            for day in run_days:
                if day in (run_days[40], run_days[41]):  # a failed post is retried the next run, not lost
                    fake.fail_next("chat.postMessage")
                report = sweep(factory, client, settings=settings, now=at_nine(day))
                again = sweep(  # a second replica (or a hand-run job) a few minutes later
                    factory, client, settings=settings, now=at_nine(day) + timedelta(minutes=5))
                calls = fake.calls("chat.postMessage")[seen:]
                seen += len(calls)
                for outcome in report.outcomes + again.outcomes:
                    if not outcome.posted:
                        continue
                    _, cid, on = outcome.key.split(":")
                    keys[outcome.key] += 1
                    with factory.begin() as session:
                        contract = contracts.get_by_id(session, contract_id=int(cid))
                        ref, effective = contract.reference, date.fromisoformat(on)
                        posted_on.setdefault((ref, effective), day)
                        posted_to[(ref, effective)] = outcome.channel
                        if by_ref[ref]["applies"]:
                            clause = revisions.get_clause(session, contract_id=contract.id)
                            comp = revisions.compute(session, contract=contract, clause=clause, at=effective)
                            revisions.apply(session, comp=comp, actor="U0MGR", now=at_nine(day))
                for call in calls:
                    assert re.search(r"IDX-\d{3}", call["args"]["text"])
                    assert "revision_apply" in str(call["args"]["blocks"])
            assert all(n == 1 for n in keys.values()), [k for k, n in keys.items() if n > 1]
            want = expected(specs, run_days)
            # the two failed posts were retried on the next run day
            assert set(posted_on) == set(want)
            late = {k for k in want if posted_on[k] != want[k]}
            assert len(late) <= 2
            for key in late:
                assert 0 < (posted_on[key] - want[key]).days <= 7
            for (ref, _), channel in posted_to.items():
                assert channel == (by_ref[ref]["channel"] or ALERT_CHANNEL)
            assert len(want) > 40  # the year exercised many revisions
            with factory.begin() as session:
                ledger = alerts.get_all(session, kind="revision")
                assert sorted(a.key for a in ledger if a.state == alerts.POSTED) == sorted(keys)
    finally:
        engine.dispose()
