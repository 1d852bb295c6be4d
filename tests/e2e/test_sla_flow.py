"""Incidents and SLAs end to end: signed slash commands into `contractbot serve` (in the test
process, see tests/e2e/helpers.py), answers out
through response_url and the Web API to the fake Slack, on SQLite and PostgreSQL.

A contract worth 120,000 a year (monthly fee 10,000.00) gets P1/P2 terms and an availability policy;
incidents are recorded in the past of the current month (Europe/Paris) with explicit offsets, then
`/sla` must say every figure to the cent. Bad input is refused with the usage and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import BACKENDS, Bot, assert_no_traceback, section_texts, start_bot, uid

pytestmark = pytest.mark.slow

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC
OWNER = "UOWNER1"
ROOM = "CSLAROOM"
INCIDENT_USAGE = "/incident ack INC-<n>"
SLA_USAGE = "/sla set <contract> <P1..P4>"


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    yield from start_bot(request, tmp_path_factory, CONTRACTBOT_HOLIDAYS="FR", CONTRACTBOT_ALERT_CHANNEL="CALERTS")


@pytest.fixture(scope="module", params=["sqlite"])  # who may write does not depend on the database
def guarded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    yield from start_bot(request, tmp_path_factory, CONTRACTBOT_HOLIDAYS="FR", CONTRACTBOT_ALERT_CHANNEL="CALERTS",
                         CONTRACTBOT_MANAGERS="UMGR1")


# --------------------------------------------------------------------------------------------------
# time helpers: everything happens in the past of one month, in the organisation's zone


def iso(moment: datetime) -> str:
    """ISO with an explicit offset, e.g. 2026-11-23T11:42+01:00 (no ambiguity for the server)."""
    return moment.astimezone(PARIS).isoformat(timespec="minutes")


def shown(moment: datetime) -> str:
    """How the bot writes an instant in English: 2026-11-23 11:42, Paris time."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")


def month_bounds(day: date) -> tuple[datetime, datetime]:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return (datetime(first.year, first.month, 1, tzinfo=PARIS).astimezone(UTC),
            datetime(nxt.year, nxt.month, 1, tzinfo=PARIS).astimezone(UTC))


def refused(answer: dict[str, Any], *, says: str, usage: str) -> None:
    assert answer.get("response_type") == "ephemeral", answer
    assert says in answer["text"], answer["text"]
    assert "Usage" in answer["text"] and usage in answer["text"], answer["text"]
    assert "Traceback" not in answer["text"]


def number_in(text: str) -> str:
    match = re.search(r"INC-\d+", text)
    assert match, text
    return match.group(0)


def pct_text(value: Fraction) -> str:
    """The bot's percentage format: at most 3 decimals, trailing zeros dropped, then ` %`."""
    rounded = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.001"), ROUND_HALF_EVEN)
    return f"{rounded.normalize():f} %"


# --------------------------------------------------------------------------------------------------
# the scenario, played once per backend


@dataclass
class Scenario:
    ref: str
    other: str
    t0: datetime
    period_text: str  # "" for this month; "last month" in the first minutes of a month
    this_month: bool
    month_start: datetime
    month_end: datetime
    numbers: dict[str, str] = field(default_factory=dict)
    replies: dict[str, dict[str, Any]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def scenario(bot: Bot) -> Scenario:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    local_today = now.astimezone(PARIS).date()
    start, end = month_bounds(local_today)
    if end - now < timedelta(minutes=10):
        pytest.skip("a month is about to end in Europe/Paris: /sla 'this month' would move under the test")
    t0 = now - timedelta(minutes=150)
    this_month = t0 >= start
    if not this_month:  # the first hours of a month: play it in the middle of last month
        last = start.astimezone(PARIS).date() - timedelta(days=1)
        start, end = month_bounds(last)
        t0 = datetime(last.year, last.month, 15, 10, 0, tzinfo=PARIS).astimezone(UTC)
    s = Scenario(ref=f"CTR-SLA-{uid()}", other=f"CTR-NOSLA-{uid()}", t0=t0,
                 period_text="" if this_month else "last month", this_month=this_month, month_start=start,
                 month_end=end)
    bot.add(s.ref, f'title:"Orange WAN {s.ref}" vendor:Orange{uid()} end:2030-12-31 value:120000 '
                   f"owner:<@{OWNER}> channel:<#{ROOM}|wan>")
    bot.add(s.other, f'title:"Printer fleet {s.other}" vendor:Canon{uid()} end:2030-12-31 value:24k')

    for text in (f"set {s.ref} P1 response:30min resolve:4h clock:24x7 credit:5",
                 f"set {s.ref} P2 response:1h resolve:8h clock:business credit:2",
                 f"set {s.ref} availability:99.9 credit:10 cap:15"):
        answer = bot.command(text, command="/sla")
        assert answer["response_type"] == "in_channel", answer["text"]
        s.replies[text.split()[2]] = answer

    def at(minutes: int) -> str:
        return iso(t0 + timedelta(minutes=minutes))

    # name: (priority, summary, opened, acked, resolved) in minutes after t0
    plan = {
        "A": ("P1", "WAN down at the Lyon site", 0, 45, 60),  # response breached (45 > 30), resolution met
        "C": ("P2", "Slow VPN for the Lille office", 5, 15, 25),  # business clock, both met
        "B": ("P1", "Core router down", 30, 75, 90),  # response breached, overlaps A's outage
        "F": ("P1", "DNS outage", 40, 50, 70),  # met, inside the other outages
        "P": ("P3", "Printer queue stuck", 100, None, None),  # no P3 terms; stays open
    }
    for name, (priority, summary, opened, acked, resolved) in plan.items():
        reply = bot.command(f"{s.ref} {priority} {summary} since:{at(opened)}", command="/incident")
        assert reply["response_type"] == "in_channel", reply["text"]
        s.numbers[name] = number_in(reply["text"])
        s.replies[f"record {name}"] = reply
        if acked is not None:
            s.replies[f"ack {name}"] = bot.command(f"ack {s.numbers[name]} at:{at(acked)}", command="/incident")
        if resolved is not None:
            s.replies[f"resolve {name}"] = bot.command(
                f'resolve {s.numbers[name]} at:{at(resolved)} note:"fixed by the vendor"', command="/incident")
    # an incident on the contract without SLA terms (and without a channel: posted in CALERTS)
    reply = bot.command(f"{s.other} P1 Toner gone since:{at(10)}", command="/incident")
    s.numbers["D"] = number_in(reply["text"])
    s.replies["record D"] = reply
    bot.fake.assert_valid_messages()  # what the scenario sent; each test checks what it sends (valid_messages)
    return s


@pytest.fixture(autouse=True)
def valid_messages(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test ends by validating the messages sent while it ran (Block Kit, text fallback, no traceback)."""
    bots = [request.getfixturevalue(name) for name in ("bot", "guarded") if name in request.fixturenames]
    starts = [len(b.fake.calls()) for b in bots]
    yield
    for b, start in zip(bots, starts, strict=True):
        b.fake.assert_valid_messages(since=start)
        assert_no_traceback(b.fake)


# --------------------------------------------------------------------------------------------------
# recording, acknowledging, resolving


def test_sla_set_confirms_the_terms(bot: Bot, scenario: Scenario) -> None:
    terms = bot.command(f"terms {scenario.ref}", command="/sla")["text"].replace("*", "")
    assert "P1: response 30min, resolution 4h, 24x7 clock, credit 5 % per breached incident" in terms
    assert "P2: response 1h, resolution 8h, business hours clock, credit 2 % per breached incident" in terms
    assert "Availability target 99.9 %, credit 10 % when below; cap 15 % of the monthly fee" in terms
    assert "99.9 %" in scenario.replies["availability:99.9"]["text"]


def test_record_reply_shows_both_due_times(bot: Bot, scenario: Scenario) -> None:
    t0 = scenario.t0
    a = scenario.replies["record A"]["text"]
    assert f"{scenario.numbers['A']} P1 recorded on {scenario.ref}" in a
    assert f"opened {shown(t0)}" in a
    assert f"Response (30min, 24x7) due {shown(t0 + timedelta(minutes=30))}." in a
    assert f"Resolution (4h, 24x7) due {shown(t0 + timedelta(hours=4))}." in a
    c = scenario.replies["record C"]["text"]
    assert "Response (1h, business hours) due " in c and "Resolution (8h, business hours) due " in c
    assert "Response (30min" in section_texts(scenario.replies["record A"])  # the Block Kit body says it too


def test_record_is_posted_in_the_contracts_channel_else_the_alert_channel(bot: Bot, scenario: Scenario) -> None:
    for name in ("A", "B", "C", "F", "P"):
        number = scenario.numbers[name]
        posts = bot.wait_for("chat.postMessage", predicate=lambda c, n=number: n + " " in c["args"].get("text", ""))
        assert [p["args"]["channel"] for p in posts] == [ROOM], (name, posts)
    number = scenario.numbers["D"]
    posts = bot.wait_for("chat.postMessage", predicate=lambda c: number + " " in c["args"].get("text", ""))
    assert [p["args"]["channel"] for p in posts] == ["CALERTS"]


def test_contract_without_sla_still_records_and_says_so(bot: Bot, scenario: Scenario) -> None:
    reply = scenario.replies["record D"]
    assert reply["response_type"] == "in_channel"
    assert "No SLA is set for P1 on this contract" in reply["text"]
    assert "due" not in reply["text"]
    report = bot.command(f"{scenario.other} {scenario.period_text}", command="/sla")["text"]
    assert f"No SLA is set for {scenario.other}." in report


def test_ack_and_resolve_say_the_outcome(bot: Bot, scenario: Scenario) -> None:
    t0 = scenario.t0
    ack_a = scenario.replies["ack A"]
    assert ack_a["response_type"] == "in_channel"
    assert f"{scenario.numbers['A']} ({scenario.ref}) acknowledged at {shown(t0 + timedelta(minutes=45))}" in ack_a["text"]
    assert "Response target: BREACHED." in ack_a["text"]
    resolve_a = scenario.replies["resolve A"]["text"]
    assert f"resolved at {shown(t0 + timedelta(minutes=60))}" in resolve_a
    assert "Response target: BREACHED." in resolve_a and "Resolution target: met." in resolve_a
    resolve_c = scenario.replies["resolve C"]["text"]
    assert "Response target: met." in resolve_c and "Resolution target: met." in resolve_c


def test_incident_show_and_list(bot: Bot, scenario: Scenario) -> None:
    a = bot.command(f"show {scenario.numbers['A']}", command="/incident")
    assert a["response_type"] == "ephemeral"
    for expected in ("Status: resolved", f"Acknowledged: {shown(scenario.t0 + timedelta(minutes=45))}",
                     f"Resolved: {shown(scenario.t0 + timedelta(minutes=60))}", "WAN down at the Lyon site",
                     "Response target: BREACHED.", "Resolution target: met.", "fixed by the vendor"):
        assert expected in a["text"], (expected, a["text"])
    open_list = bot.command(f"list {scenario.ref}", command="/incident")["text"]
    assert f"Open incidents (1) — {scenario.ref}" in open_list
    assert scenario.numbers["P"] in open_list and scenario.numbers["A"] not in open_list
    everything = bot.command(f"list {scenario.ref} all", command="/incident")["text"]
    assert f"Incidents (5) — {scenario.ref}" in everything
    assert all(scenario.numbers[n] in everything for n in "ABCFP")


def test_sla_breaches_lists_the_late_incidents_only(bot: Bot, scenario: Scenario) -> None:
    text = bot.command("breaches", command="/sla")["text"]
    assert "SLA breaches (" in text
    listed = set(re.findall(r"INC-\d+", text))
    assert {scenario.numbers["A"], scenario.numbers["B"]} <= listed
    assert not {scenario.numbers["C"], scenario.numbers["F"], scenario.numbers["P"]} & listed


# --------------------------------------------------------------------------------------------------
# the figures, to the cent


def test_sla_report_figures_to_the_cent(bot: Bot, scenario: Scenario) -> None:
    answer = bot.command(f"{scenario.ref} {scenario.period_text}".strip(), command="/sla")
    text = answer["text"]
    month_minutes = int((scenario.month_end - scenario.month_start).total_seconds()) // 60
    downtime = 90  # A [0, 60) ∪ B [30, 90) ∪ F [40, 70) = [0, 90)
    availability = Fraction(month_minutes - downtime, month_minutes) * 100
    month_name = scenario.month_start.astimezone(PARIS).strftime("%B %Y")
    expected = [
        f"SLA — {scenario.ref} Orange WAN {scenario.ref} — {month_name}",
        "P1: 3 incident(s) · response 1 met, 2 breached · resolution 3 met, 0 breached",
        "credit: 2 breached incident(s) × 5 % × monthly fee €10,000.00 = €1,000.00",
        "P2: 1 incident(s) · response 1 met, 0 breached · resolution 1 met, 0 breached",
        "P3: 1 incident(s) · response 0 met, 0 breached · resolution 0 met, 0 breached",
        f"Availability: {pct_text(availability)} — 90 min of P1 downtime over {month_minutes:,} min. Target 99.9 %.",
        "below target: credit 10 % × monthly fee €10,000.00 = €1,000.00",
        "Monthly fee = annual value €120,000.00 / 12 = €10,000.00.",
        "Credits before cap: €2,000.00. Cap 15 % of the monthly fee = €1,500.00. (capped)",
        "Service credits due: €1,500.00",
    ]
    for line in expected:
        assert line in text, f"missing: {line}\n--- got ---\n{text}"
    assert "P2: 1 incident(s) · response 1 met, 0 breached · resolution 1 met, 0 breached\n" in text + "\n"  # no credit
    assert "€1,500.00" in section_texts(answer)
    assert answer["response_type"] == "ephemeral"


def test_contract_card_shows_open_incidents_and_sla_this_month(bot: Bot, scenario: Scenario) -> None:
    if not scenario.this_month:
        pytest.skip("the incidents were played last month (first hours of a month)")
    card = bot.command(f"status {scenario.ref}")["text"]
    month_minutes = int((scenario.month_end - scenario.month_start).total_seconds()) // 60
    availability = pct_text(Fraction(month_minutes - 90, month_minutes) * 100)
    assert "Open incidents: 1" in card, card
    assert f"SLA this month: 5 incident(s), 2 breached, availability {availability} · credits due €1,500.00" in card
    other = bot.command(f"status {scenario.other}")["text"]
    assert "SLA this month: no SLA set" in other  # its P1 (no clocks) is still open


# --------------------------------------------------------------------------------------------------
# bad input: a clear ephemeral message with the usage, and nothing changed


def test_resolve_before_opened_is_refused(bot: Bot, scenario: Scenario) -> None:
    number = bot.command(f"{scenario.other} P2 Scanner offline since:{iso(scenario.t0 + timedelta(minutes=20))}",
                         command="/incident")["text"]
    number = number_in(number)
    answer = bot.command(f"resolve {number} at:{iso(scenario.t0)}", command="/incident")
    refused(answer, says="The time of the resolution is before", usage=INCIDENT_USAGE)
    card = bot.command(f"show {number}", command="/incident")["text"]
    assert "Status: open" in card and "Resolved: —" in card


def test_ack_after_resolve_is_refused(bot: Bot, scenario: Scenario) -> None:
    number = number_in(bot.command(f"{scenario.other} P2 Badge reader down since:{iso(scenario.t0)}",
                                   command="/incident")["text"])
    resolved_at = scenario.t0 + timedelta(minutes=20)
    assert "resolved at" in bot.command(f"resolve {number} at:{iso(resolved_at)}", command="/incident")["text"]
    answer = bot.command(f"ack {number} at:{iso(resolved_at + timedelta(minutes=5))}", command="/incident")
    refused(answer, says=f"The acknowledgement would be after the resolution ({shown(resolved_at)})",
            usage=INCIDENT_USAGE)
    card = bot.command(f"show {number}", command="/incident")["text"]
    assert "Acknowledged: —" in card and "Status: resolved" in card


def test_a_time_in_the_future_is_refused(bot: Bot, scenario: Scenario) -> None:
    before = bot.command(f"list {scenario.ref} all", command="/incident")["text"].splitlines()[0]
    future = iso(datetime.now(UTC) + timedelta(hours=2))
    refused(bot.command(f"{scenario.ref} P1 Not yet since:{future}", command="/incident"),
            says="The time of the start is in the future", usage=INCIDENT_USAGE)
    refused(bot.command(f"ack {scenario.numbers['P']} at:{future}", command="/incident"),
            says="The time of the acknowledgement is in the future", usage=INCIDENT_USAGE)
    refused(bot.command(f"resolve {scenario.numbers['P']} at:{future}", command="/incident"),
            says="The time of the resolution is in the future", usage=INCIDENT_USAGE)
    assert bot.command(f"list {scenario.ref} all", command="/incident")["text"].splitlines()[0] == before
    card = bot.command(f"show {scenario.numbers['P']}", command="/incident")["text"]
    assert "Status: open" in card and "Acknowledged: —" in card


def test_unknown_incident_is_refused(bot: Bot, scenario: Scenario) -> None:
    for verb in ("ack", "resolve", "show"):
        refused(bot.command(f"{verb} INC-987654321", command="/incident"), says="There is no incident INC-987654321",
                usage=INCIDENT_USAGE)
    refused(bot.command("ack", command="/incident"), says="Which incident?", usage=INCIDENT_USAGE)


def test_bad_priority_and_bad_time_are_refused(bot: Bot, scenario: Scenario) -> None:
    before = bot.command(f"list {scenario.ref} all", command="/incident")["text"].splitlines()[0]
    refused(bot.command(f"{scenario.ref} P5 Something odd", command="/incident"), says="“P5” is not a priority",
            usage=INCIDENT_USAGE)
    refused(bot.command(f"{scenario.ref} P1 Something since:whenever-ish", command="/incident"),
            says="`since`: “whenever-ish” is not a time", usage=INCIDENT_USAGE)
    refused(bot.command(f"{scenario.ref} P1", command="/incident"), says="Give the contract, the priority",
            usage=INCIDENT_USAGE)
    assert bot.command(f"list {scenario.ref} all", command="/incident")["text"].splitlines()[0] == before


def test_bad_targets_and_percentages_are_refused(bot: Bot, scenario: Scenario) -> None:
    before = bot.command(f"terms {scenario.ref}", command="/sla")["text"]
    refused(bot.command(f"set {scenario.ref} P3 response:soon resolve:4h", command="/sla"),
            says="`response`: “soon” is not an SLA target", usage=SLA_USAGE)
    refused(bot.command(f"set {scenario.ref} P3 response:1mo resolve:4h", command="/sla"),
            says="`response`: “1mo” is not an SLA target", usage=SLA_USAGE)
    refused(bot.command(f"set {scenario.ref} P3 response:0min resolve:4h", command="/sla"),
            says="is not an SLA target", usage=SLA_USAGE)
    refused(bot.command(f"set {scenario.ref} P3 response:4h resolve:2x", command="/sla"),
            says="`resolve`: “2x” is not an SLA target", usage=SLA_USAGE)
    refused(bot.command(f"set {scenario.ref} P5 response:4h resolve:8h", command="/sla"),
            says="“P5” is not a priority", usage=SLA_USAGE)
    refused(bot.command(f"set {scenario.ref} P3 response:4h resolve:8h clock:office", command="/sla"),
            says="“office” is not a clock", usage=SLA_USAGE)
    refused(bot.command(f"set {scenario.ref} availability:101 cap:15", command="/sla"),
            says="`availability`: “101” is not a percentage", usage=SLA_USAGE)
    refused(bot.command(f"{scenario.ref} someday maybe", command="/sla"), says="is not a period", usage=SLA_USAGE)
    assert bot.command(f"terms {scenario.ref}", command="/sla")["text"] == before


# --------------------------------------------------------------------------------------------------
# managers only for /sla set when CONTRACTBOT_MANAGERS is set


def test_sla_set_by_a_non_manager_is_refused(guarded: Bot) -> None:
    ref = f"CTR-G-{uid()}"
    guarded.add(ref, f"title:Guarded vendor:V{uid()} end:2030-01-01 value:12k", user="UMGR1")
    refused(guarded.command(f"set {ref} P1 response:30min resolve:4h credit:5", command="/sla", user="U1"),
            says="Only contract managers may change contracts", usage=SLA_USAGE)
    refused(guarded.command(f"set {ref} availability:99.9 cap:15", command="/sla", user="U1"),
            says="Only contract managers may change contracts", usage=SLA_USAGE)
    assert f"No SLA is set for {ref}." in guarded.command(f"terms {ref}", command="/sla")["text"]
    # anyone may still record an incident; a manager may set the terms
    assert "No SLA is set for P1" in guarded.command(f"{ref} P1 Down", command="/incident", user="U1")["text"]
    ok = guarded.command(f"set {ref} P1 response:30min resolve:4h credit:5", command="/sla", user="UMGR1")
    assert ok["response_type"] == "in_channel" and "P1: response 30min" in ok["text"].replace("*", "")
    guarded.fake.assert_valid_messages()


