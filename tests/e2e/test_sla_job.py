"""The `sla` and `sla-report` jobs and `import sla`, run for real through `contractbot`'s entry point on a
database prepared with the product's own services (SQLite and PostgreSQL), posting to the fake Slack.

One timeline per backend, shared by the tests: its `jobs run sla` steps run `bot.cli.main` in the test
process (tests/support/inproc.py: a process start per step was most of this file's time), its first
monthly report and `import sla` a real `python -m bot.cli` process (the wire: exit code, stdout).
P1 terms 24x7, response 30 min, resolution 4 h, all incidents opened at T unless said otherwise.

    L  the ladder: nothing at 73 %, "at risk" at 75 %, nothing at 99 % nor on a re-run, "breached" at
       100 %; the same for the resolution target (3 h, 4 h)
    G  opened 5 h before T: the first run comes after a gap, so only "breached" is posted, per target
    A  acknowledged at T+10 min: no response alert; the resolution target still alerts
    R  resolved at T+20 min: never an alert
    N  on a contract with no SLA terms: recorded, never an alert; its monthly report says no SLA is set
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.contract_input import ContractFields
from bot.durations import Duration
from bot.settings import Settings
from storage import alerts as ledger
from storage import contracts, incidents, sla_terms
from storage.db import open_database
from storage.models import Contract, Incident
from tests.e2e.helpers import backend_url
from tests.support.fake_slack import FakeSlack
from tests.support.inproc import cli_here
from tests.support.server import contractbot_env, run_cli

pytestmark = pytest.mark.slow

UTC = UTC
T = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Paris
OWNER = "UOWNER1"
ROOM = "CSLAJOB"
P1_TERMS = sla_terms.TermInput(priority="P1", response=Duration(minutes=30), resolution=Duration(minutes=240),
                               clock="24x7", credit_pct=Decimal(5))
REPORT_AT = datetime(2026, 7, 1, 8, 0, tzinfo=timezone(timedelta(hours=2)))  # the 1st of next month, 08:00 Paris

#: (label, offset after T, new alerts expected: (incident, target, level))
LADDER: list[tuple[str, timedelta, list[tuple[str, str, str]]]] = [
    ("73 %", timedelta(minutes=22), [("G", "response", "BREACHED"), ("G", "resolution", "BREACHED")]),
    ("75 %", timedelta(minutes=22, seconds=30), [("L", "response", "AT RISK")]),
    ("99 %", timedelta(minutes=29, seconds=42), []),
    ("100 %", timedelta(minutes=30), [("L", "response", "BREACHED")]),
    ("100 % again", timedelta(minutes=30), []),
    ("resolution 75 %", timedelta(hours=3), [("L", "resolution", "AT RISK"), ("A", "resolution", "AT RISK")]),
    ("resolution 100 %", timedelta(hours=4), [("L", "resolution", "BREACHED"), ("A", "resolution", "BREACHED")]),
]


def add_contract(session: Session, ref: str, *, channel: str | None = ROOM, owner: str | None = OWNER,
                 value: Decimal | None = Decimal(120000)) -> Contract:
    values = ContractFields(reference=ref, title=f"Managed WAN {ref}", vendor="Orange", end=date(2030, 12, 31),
                            value=value, owner=owner, channel=channel,
                            given={"reference", "title", "vendor", "end", "value", "owner", "channel"})
    return contracts.create(session, values=values, defaults=contracts.Defaults(currency="EUR", lead=Duration()),
                            actor="UADMIN", now=T - timedelta(days=30))


def open_incident(session: Session, contract: Contract, settings: Settings, *, at: datetime = T,
                  priority: str = "P1", summary: str = "WAN down at the Lyon site") -> Incident:
    return incidents.create(session, contract=contract, priority=priority, summary=summary, opened_at=at,
                            actor="UREPORTER", now=at, calendar=settings.calendar)


def cli_ok(env: dict[str, str], args: list[str], *, process: bool = False) -> str:
    """`contractbot ARGS`: in this process, or a real process when `process`."""
    result = run_cli(args, env) if process else cli_here(args, env, expect=None)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output, output
    return result.stdout


@dataclass
class Run:
    label: str
    stdout: str
    posts: list[dict[str, Any]]  # chat.postMessage calls this run made


@dataclass
class Timeline:
    backend: str
    numbers: dict[str, str]
    runs: list[Run] = field(default_factory=list)

    def run(self, label: str) -> Run:
        return next(r for r in self.runs if r.label == label)

    @property
    def sla_posts(self) -> list[dict[str, Any]]:
        return [p for r in self.runs if not r.label.startswith("report") for p in r.posts]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def timeline(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Timeline]:
    url = backend_url(request, tmp_path_factory, "slajob")
    settings = Settings(database_url=url, timezone="Europe/Paris", holidays="FR")  # type: ignore[call-arg]
    engine, factory = open_database(url)
    numbers: dict[str, str] = {}
    with factory.begin() as session:
        wan = add_contract(session, "CTR-WAN")
        sla_terms.set_term(session, contract=wan, term=P1_TERMS, actor="UADMIN", now=T - timedelta(days=1))
        sla_terms.set_policy(session, contract=wan, availability_target=Decimal("99.9"),
                             availability_credit_pct=Decimal(10), cap_pct=Decimal(15), actor="UADMIN",
                             now=T - timedelta(days=1))
        numbers["L"] = open_incident(session, wan, settings).number
        numbers["G"] = open_incident(session, wan, settings, at=T - timedelta(hours=5), summary="Gap outage").number
        acked = open_incident(session, wan, settings, summary="Acknowledged in time")
        incidents.acknowledge(session, incident=acked, at=T + timedelta(minutes=10), actor="UVENDOR",
                              now=T + timedelta(minutes=10))
        numbers["A"] = acked.number
        fixed = open_incident(session, wan, settings, summary="Fixed in twenty minutes")
        incidents.resolve(session, incident=fixed, at=T + timedelta(minutes=20), note=None, actor="UVENDOR",
                          now=T + timedelta(minutes=20))
        numbers["R"] = fixed.number
        bare = add_contract(session, "CTR-BARE", channel=None, owner=None)
        numbers["N"] = open_incident(session, bare, settings, priority="P2", summary="Printer down").number
        assert (incidents.get_by_number(session, number=numbers["N"]).response_due_at) is None
        add_contract(session, "CTR-QUIET")  # no SLA, no incident: no report
    with FakeSlack() as fake:
        # No pacing between two posts to one channel (a second each by default; tests/test_scale_alerts.py):
        # this timeline is about which alert goes out when, and the pauses were half its time.
        env = contractbot_env(url, fake.url, CONTRACTBOT_HOLIDAYS="FR", CONTRACTBOT_ALERT_CHANNEL="CALERTS",
                              CONTRACTBOT_POST_INTERVAL="0")
        line = Timeline(request.param, numbers)

        def run(label: str, args: list[str], *, process: bool = False) -> None:
            before = len(fake.calls("chat.postMessage"))
            out = cli_ok(env, args, process=process)
            line.runs.append(Run(label, out, [c["args"] for c in fake.calls("chat.postMessage")[before:]]))

        for label, offset, _expected in LADDER:
            run(label, ["jobs", "run", "sla", "--at", (T + offset).isoformat()])
        with factory.begin() as session:  # the vendor fixes everything at T+5h
            for name in ("L", "G", "A"):
                incident = incidents.get_by_number(session, number=numbers[name])
                incidents.resolve(session, incident=incident, at=T + timedelta(hours=5), note=None,
                                  actor="UVENDOR", now=T + timedelta(hours=5))
        run("report", ["jobs", "run", "sla-report", "--at", REPORT_AT.isoformat()], process=True)
        run("report again", ["jobs", "run", "sla-report", "--at", (REPORT_AT + timedelta(hours=3)).isoformat()])
        line.fake = fake  # type: ignore[attr-defined]
        yield line
    engine.dispose()


def action_ids(message: dict[str, Any]) -> list[str]:
    return [element["action_id"] for block in message["blocks"] if block["type"] == "actions"
            for element in block["elements"]]


def describe(line: Timeline, message: dict[str, Any]) -> tuple[str, str, str]:
    """(incident name, target, level) of an SLA alert."""
    text = message["text"]
    name = next(n for n, number in line.numbers.items() if f"{number} P" in text)
    target = "response" if "the response target" in text else "resolution"
    level = "AT RISK" if "AT RISK" in text else "BREACHED"
    return name, target, level


# --------------------------------------------------------------------------------------------------
# the sla job


@pytest.mark.parametrize("label, offset, expected", LADDER, ids=[step[0] for step in LADDER])
def test_sla_ladder(timeline: Timeline, label: str, offset: timedelta, expected: list[tuple[str, str, str]]) -> None:
    run = timeline.run(label)
    got = sorted(describe(timeline, p) for p in run.posts)
    assert got == sorted(expected), (label, run.stdout, [p["text"] for p in run.posts])
    if not expected:
        assert "nothing due" in run.stdout, run.stdout
    for name, target, level in expected:
        assert f"{timeline.numbers[name]}: {target} {level.lower()}" in run.stdout


def test_each_alert_is_posted_once(timeline: Timeline) -> None:
    alerts = [describe(timeline, p) for p in timeline.sla_posts]
    assert len(alerts) == 8
    assert len(set(alerts)) == len(alerts), alerts


def test_alerts_mention_the_owner_and_carry_buttons(timeline: Timeline) -> None:
    assert timeline.sla_posts
    for message in timeline.sla_posts:
        name, target, level = describe(timeline, message)
        text = message["text"]
        assert message["channel"] == ROOM
        assert text.startswith(f"<@{OWNER}> {timeline.numbers[name]} P1 on CTR-WAN"), text
        assert f"the {target} target is {level}" in text
        assert action_ids(message) == ["alert_ack", "alert_snooze", "incident_show"]
        show = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]][2]
        assert show["value"] == timeline.numbers[name]


def test_due_time_is_said_in_the_organisations_zone(timeline: Timeline) -> None:
    first = timeline.run("75 %").posts[0]["text"]
    assert "due 2026-06-10 12:30" in first, first  # T + 30 min = 10:30 UTC = 12:30 in Paris (CEST)


def test_after_a_gap_only_breached_is_posted(timeline: Timeline) -> None:
    gap = [describe(timeline, p) for p in timeline.sla_posts if describe(timeline, p)[0] == "G"]
    assert sorted(gap) == [("G", "resolution", "BREACHED"), ("G", "response", "BREACHED")]


def test_acknowledged_resolved_and_unsupported_incidents_stay_quiet(timeline: Timeline) -> None:
    alerts = [describe(timeline, p) for p in timeline.sla_posts]
    assert [a for a in alerts if a[0] == "A"] == [("A", "resolution", "AT RISK"), ("A", "resolution", "BREACHED")]
    assert not [a for a in alerts if a[0] in ("R", "N")]
    texts = "\n".join(p["text"] for p in timeline.sla_posts)
    assert timeline.numbers["R"] + " " not in texts and timeline.numbers["N"] + " " not in texts


# --------------------------------------------------------------------------------------------------
# the monthly report


def test_report_is_posted_once_per_contract_with_sla_or_incidents(timeline: Timeline) -> None:
    first, again = timeline.run("report"), timeline.run("report again")
    assert sorted(p["channel"] for p in first.posts) == ["CALERTS", ROOM], first.stdout
    assert "CTR-QUIET" not in first.stdout
    assert again.posts == [], again.stdout


def test_report_figures_to_the_cent(timeline: Timeline) -> None:
    report = next(p for p in timeline.run("report").posts if p["channel"] == ROOM)["text"]
    # June: 30 × 1440 = 43,200 min; P1 downtime [T−5h, T+5h) = 600 min → 98.611 % < 99.9 %
    for expected in ("SLA — CTR-WAN Managed WAN CTR-WAN — June 2026",
                     "P1: 4 incident(s) · response 2 met, 2 breached · resolution 1 met, 3 breached",
                     "credit: 3 breached incident(s) × 5 % × monthly fee €10,000.00 = €1,500.00",
                     "Availability: 98.611 % — 600 min of P1 downtime over 43,200 min. Target 99.9 %.",
                     "below target: credit 10 % × monthly fee €10,000.00 = €1,000.00",
                     "Credits before cap: €2,500.00. Cap 15 % of the monthly fee = €1,500.00. (capped)",
                     "Service credits due: €1,500.00"):
        assert expected in report, f"missing: {expected}\n--- got ---\n{report}"


def test_report_of_a_contract_without_sla_says_so(timeline: Timeline) -> None:
    bare = next(p for p in timeline.run("report").posts if p["channel"] == "CALERTS")["text"]
    assert "No SLA is set for CTR-BARE." in bare
    assert "P2: 1 incident(s)" in bare


def test_every_message_is_valid(timeline: Timeline) -> None:
    timeline.fake.assert_valid_messages()  # type: ignore[attr-defined]


def test_claiming_an_sla_alert_is_exclusive(session_factory: sessionmaker[Session]) -> None:
    """What "posted exactly once" rests on, on each backend: the first claim of a key wins, the
    second gets nothing (the jobs above post only what they claimed)."""
    with session_factory.begin() as session:
        contract = add_contract(session, "CTR-CLAIM")
        contract_id = contract.id
    claims = []
    for worker in ("replica-1", "replica-2"):
        with session_factory.begin() as session:
            alert = ledger.claim(session, key="sla:1:response:at_risk", kind="sla", contract_id=contract_id,
                                 subject_id=1, due_on=None, detail={"target": "response", "level": "at_risk"},
                                 worker=worker, now=T)
            claims.append(None if alert is None else alert.claimed_by)
    assert claims == ["replica-1", None]


# --------------------------------------------------------------------------------------------------
# import sla FILE.csv (file handling only: SQLite is enough)


def import_sla(env: dict[str, str], path: Path) -> subprocess.CompletedProcess[str]:
    result = run_cli(["import", "sla", str(path)], env)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def terms_of(factory: sessionmaker[Session], ref: str) -> list[tuple[str, str, str, str, Decimal | None]]:
    with factory.begin() as session:
        contract = contracts.get_by_reference(session, reference=ref)
        assert contract is not None
        return [(t.priority, t.response.canonical(), t.resolution.canonical(), t.clock, t.credit_pct)
                for t in sla_terms.get_terms(session, contract_id=contract.id)]


def test_import_sla_is_all_or_nothing_with_line_numbers(sqlite_head_url: str, tmp_path: Path) -> None:
    engine, factory = open_database(sqlite_head_url)
    with factory.begin() as session:
        add_contract(session, "CTR-CSV")
    env = contractbot_env(sqlite_head_url, "http://127.0.0.1:9/api/")

    bad = tmp_path / "sla.csv"
    bad.write_text("reference,priority,response,resolution,clock,credit_pct\n"
                   "CTR-CSV,P1,30min,4h,24x7,5\n"  # 2: good
                   "CTR-NOPE,P1,30min,4h,24x7,5\n"  # 3: unknown reference
                   "CTR-CSV,P9,30min,4h,24x7,5\n"  # 4: bad priority
                   "CTR-CSV,P2,soon,8h,business,2\n"  # 5: bad duration
                   "ctr-csv,p1,1h,8h,24x7,2\n"  # 6: duplicate of line 2
                   "CTR-CSV,P3,4h,24h,office,1\n"  # 7: bad clock
                   "CTR-CSV,P4,8h,1mo,business,1\n"  # 8: a month is not an SLA target
                   "CTR-CSV,P4,8h,72h,business,150\n",  # 9: bad percentage
                   encoding="utf-8")
    result = import_sla(env, bad)
    assert result.returncode == 1, result.stdout + result.stderr
    rows = result.stderr.splitlines()
    for line, what in ((3, "reference:"), (4, "priority:"), (5, "response:"), (6, "line 2"), (7, "clock:"),
                       (8, "resolution:"), (9, "credit_pct:")):
        assert any(row.startswith(f"{bad}:{line}: ") and what in row for row in rows), (line, result.stderr)
    assert f"{bad}:2:" not in result.stderr
    assert "import refused: 7 bad row(s); nothing was imported" in result.stderr
    assert terms_of(factory, "CTR-CSV") == []

    good = tmp_path / "good.csv"
    good.write_text("\ufeffreference,priority,response,resolution,clock,credit_pct\r\n"
                    "CTR-CSV,P1,30min,4h,24x7,5\r\n"
                    "ctr-csv,P2,60min,8h,business,\r\n", encoding="utf-8")
    result = import_sla(env, good)
    assert result.returncode == 0, result.stderr
    assert "imported: 2 SLA term(s) set" in result.stdout
    assert terms_of(factory, "CTR-CSV") == [("P1", "30min", "4h", "24x7", Decimal(5)),
                                            ("P2", "1h", "8h", "business", None)]
    engine.dispose()
