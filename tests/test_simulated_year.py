"""A simulated year of the `deadlines` job on a seeded random portfolio, against the fake Slack.

The sweep runs at 09:00 Europe/Paris on 365 consecutive days, about a fifth of them skipped (the bot
was down). What was posted is compared with a reference computed here, independently of the product:
each contract's successive terms (anchor + n × term, month ends clamped, tacit renewals only for
`renewal:auto`), each term's act-by date, and the alert ladder's "buckets" — threshold t owns the days
[act_by − t, act_by − t_next), the smallest threshold the days up to the term's end — clipped to the
days the term is the contract's current one. t must be posted exactly once, on the first run day in its
bucket, if there is one, and never otherwise.
"""

from __future__ import annotations

import calendar
import random
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import event

from bot.contract_input import ContractFields
from bot.durations import Duration, parse_duration
from bot.i18n import fmt_date
from bot.settings import Settings
from jobs.deadlines import sweep
from storage import alerts, audit, contracts
from storage.contracts import Defaults
from storage.db import open_database
from tests.support.fake_slack import FakeSlack
from tests.support.reference import ref_minus, ref_term_end

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC
START = date(2027, 1, 4)
DAYS = 365
LADDER = [90, 60, 30, 14, 7, 1, 0]
SEED = 20270104
ALERT_CHANNEL = "C0ALERTS1"


# --------------------------------------------------------------------------------------------------
# the reference








def expected_posts(spec: dict, run_days: list[date]) -> dict[tuple[str, date, int], date]:
    """(reference, term end, threshold) → the run day it must be posted on."""
    anchor, term = spec["end"], parse_duration(spec["term"])
    notice, lead = parse_duration(spec["notice"]), parse_duration(spec["lead"])
    # which term is current on each run day
    current: dict[int, list[date]] = {}
    k = 0
    for day in run_days:
        if spec["renewal"] == "auto":
            while ref_term_end(anchor, term, k) < day:
                k += 1
        elif anchor < day:
            break  # expired: no more alerts
        current.setdefault(k, []).append(day)
    out = {}
    for k, days in current.items():
        end = ref_term_end(anchor, term, k)
        act = ref_minus(ref_minus(end, notice), lead)
        for i, t in enumerate(LADDER):
            start = act - timedelta(days=t)
            stop = act - timedelta(days=LADDER[i + 1]) if i + 1 < len(LADDER) else end + timedelta(days=1)
            inside = [d for d in days if start <= d < stop]
            if inside:
                out[(spec["reference"], end, t)] = inside[0]
    return out


# --------------------------------------------------------------------------------------------------
# the portfolio and the run


def portfolio(rng: random.Random) -> list[dict]:
    specs = []
    for i in range(37):
        end = START + timedelta(days=rng.randint(0, 456))
        if rng.random() < 0.25:  # month ends, to exercise clamping
            end = date(end.year, end.month, calendar.monthrange(end.year, end.month)[1])
        specs.append({
            "reference": f"SIM-{i:03d}",
            "end": end,
            "notice": rng.choice(["0d", "0d", "15d", "30d", "45d", "1mo", "2mo", "3mo", "90d", "6mo"]),
            "lead": f"{rng.randint(0, 30)}d",
            "term": rng.choice(["1mo", "1mo", "2mo", "3mo", "6mo", "1y", "1y", "30d", "90d"]),
            "renewal": rng.choices(["auto", "manual", "none"], weights=[5, 3, 2])[0],
            "owner": f"U0OWN{i:04d}",
            "channel": f"C0CH{i:05d}" if rng.random() < 0.4 else None,
        })
    # and a few month ends renewing monthly through short months (31 Jan → 28 Feb → 31 Mar …)
    for i, (end, term, notice) in enumerate([(date(2027, 1, 31), "1mo", "0d"), (date(2027, 3, 31), "1mo", "1mo"),
                                             (date(2027, 5, 30), "3mo", "0d")], start=len(specs)):
        specs.append({"reference": f"SIM-{i:03d}", "end": end, "notice": notice, "lead": "0d", "term": term,
                      "renewal": "auto", "owner": f"U0OWN{i:04d}", "channel": None})
    return specs


def at_nine(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=PARIS).astimezone(UTC)


def test_a_simulated_year_posts_each_due_alert_exactly_once(sqlite_head_url: str) -> None:
    rng = random.Random(SEED)
    specs = portfolio(rng)
    run_days = [START + timedelta(days=i) for i in range(DAYS) if rng.random() >= 0.2]
    assert 0.7 * DAYS < len(run_days) < 0.9 * DAYS
    by_ref = {s["reference"]: s for s in specs}

    engine, factory = open_database(sqlite_head_url)
    # Test speed only: WAL without an fsync per commit (SQLite's usual synchronous=NORMAL). The schema,
    # the product's own pragmas and every query stay as in production.
    engine.dispose()
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA synchronous=NORMAL"))
    try:
        with FakeSlack() as fake:
            # One message per alert here, unpaced: this test follows each alert to its own message. Grouping
            # many alerts for one destination, and pacing, are tested in tests/test_scale_alerts.py.
            settings = Settings(database_url=sqlite_head_url, slack_api_url=fake.url, timezone="Europe/Paris",
                                alert_channel=ALERT_CHANNEL, alert_group_over=1_000_000, post_interval=0)
            ids: dict[str, int] = {}
            with factory.begin() as session:
                for spec in specs:
                    values = ContractFields(
                        reference=spec["reference"], title=f"Service {spec['reference']}", vendor="Vendor",
                        end=spec["end"], notice=parse_duration(spec["notice"]), lead=parse_duration(spec["lead"]),
                        term=parse_duration(spec["term"]), renewal=spec["renewal"], owner=spec["owner"],
                        channel=spec["channel"],
                        given={"reference", "title", "vendor", "end", "notice", "lead", "term", "renewal", "owner"}
                        | ({"channel"} if spec["channel"] else set()))
                    contract = contracts.create(session, values=values, defaults=Defaults("EUR", Duration()),
                                                actor="U0ADMIN01", now=at_nine(START) - timedelta(days=1))
                    ids[spec["reference"]] = contract.id
            ref_of = {cid: ref for ref, cid in ids.items()}

            client = WebClient(base_url=fake.url, token="xoxb-x")
            calls_by_day: dict[date, list[dict]] = {}
            seen = 0
            for day in run_days:
                report = sweep(factory, client, settings=settings, now=at_nine(day))
                assert all(o.posted for o in report.outcomes)
                calls = fake.calls("chat.postMessage")
                calls_by_day[day] = [c["args"] for c in calls[seen:]]
                seen = len(calls)
            fake.assert_valid_messages()
            total_calls = len(fake.calls("chat.postMessage"))

        with factory() as session:
            rows = alerts.get_all(session, kind="deadline")
            ledger_posted: dict[tuple[str, date, int], date] = {}
            for row in rows:
                assert row.state in ("posted", "superseded"), (row.key, row.state)
                if row.state != "posted":
                    continue
                _, cid, end, threshold = row.key.split(":")
                key = (ref_of[int(cid)], date.fromisoformat(end), int(threshold))
                assert key not in ledger_posted, f"{key} posted twice"
                assert row.posted_at is not None
                ledger_posted[key] = row.posted_at.astimezone(PARIS).date()
            final = {ref: contracts.get_by_id(session, contract_id=cid) for ref, cid in ids.items()}
            events = {ref: [(e.action, e.at.astimezone(PARIS).date())
                            for e in audit.get_all(session, entity_type="contract", entity_id=cid)]
                      for ref, cid in ids.items()}
            actions = {ref: [action for action, _ in evs] for ref, evs in events.items()}

        expected: dict[tuple[str, date, int], date] = {}
        for spec in specs:
            expected.update(expected_posts(spec, run_days))

        # the ledger says exactly what the reference says, on the right day
        assert sorted(set(ledger_posted) - set(expected)) == [], "posted but not expected"
        assert sorted(set(expected) - set(ledger_posted)) == [], "expected but not posted"
        assert ledger_posted == expected

        # Slack received exactly those messages: one per posted ledger row, on its day, in its place
        assert total_calls == len(ledger_posted)
        slack_posts: Counter[tuple[str, date]] = Counter()
        for day, day_calls in calls_by_day.items():
            for args in day_calls:
                refs = set(re.findall(r"SIM-\d{3}", args["text"]))
                assert len(refs) == 1, args["text"]
                ref = refs.pop()
                slack_posts[(ref, day)] += 1
                spec = by_ref[ref]
                assert args["channel"] == (spec["channel"] or ALERT_CHANNEL)
                assert f"<@{spec['owner']}>" in args["text"]
                (end,) = [e for (r, e, _), d in expected.items() if r == ref and d == day]
                assert fmt_date("en", end) in args["text"]
        assert max(slack_posts.values()) == 1  # at most one alert per contract and day
        assert slack_posts == Counter((ref, d) for (ref, _, _), d in expected.items())

        # contracts end the year where their terms say
        last_day = run_days[-1]
        for ref, spec in by_ref.items():
            contract = final[ref]
            term = parse_duration(spec["term"])
            if spec["renewal"] == "auto":
                n = 0
                while ref_term_end(spec["end"], term, n) < last_day:
                    n += 1
                assert (contract.end_date, contract.renewals_since_anchor, contract.status) == (
                    ref_term_end(spec["end"], term, n), n, "active"), ref
                assert contract.end_anchor == spec["end"]
                # rolled on the first run day after each end (the end day itself is still in force)
                roll_days = sorted({min(d for d in run_days if d > ref_term_end(spec["end"], term, k))
                                    for k in range(n)})
                assert [d for action, d in events[ref] if action == "tacit_renewal"] == roll_days, ref
            else:
                ended = [d for d in run_days if d > spec["end"]]
                assert contract.status == ("expired" if ended else "active"), ref
                assert contract.end_date == spec["end"]
                assert events[ref][1:] == ([("expired", ended[0])] if ended else []), ref

        # the portfolio exercised what it should
        assert any(t == 0 for (_, _, t) in expected) and any(t == 90 for (_, _, t) in expected)
        assert sum(a.count("tacit_renewal") for a in actions.values()) >= 10
        print(f"\nsimulated year: {len(run_days)} sweeps, {len(ledger_posted)} deadline alerts posted, "
              f"{sum(a.count('tacit_renewal') for a in actions.values())} tacit renewals")
    finally:
        engine.dispose()
