"""`contractbot` at the shell, on SQLite and PostgreSQL: db upgrade, import/export of contracts (CSV and
iCalendar), and the jobs commands (list, run, --at, --dry-run, errors).

What the process shows (argv, exit codes, stdout and stderr: `db upgrade`, a first import, the exports, `jobs
list`, the refused invocations) runs in real processes on SQLite (`wire_cli`); what an import or a run does
to the data (bad rows, a re-import, --dry-run and --at) runs the same entry point in the test process
(`cli`), as on PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from icalendar import Calendar

from bot.render.contracts import history as render_history
from storage import audit, contracts
from storage.db import open_database
from tests.e2e.cli_helpers import (
    PARIS,
    cli,
    cli_parallel,
    export,
    ledger,
    parse_export,
    posts,
    wire_cli,
    write_csv,
)
from tests.support.fake_slack import FakeSlack
from tests.support.server import contractbot_env

FULL = {"reference": "CTR-1", "title": "Oracle DB support, premium", "vendor": "Oracle", "type": "support",
        "status": "active",
            "start_date": "2024-01-01", "end_date": "2027-03-31", "notice": "3mo", "renewal": "auto", "term": "1y",
            "annual_value": "120000.50", "currency": "USD", "owner": "U0123ABC", "channel": "C0123ABC"}
MINIMAL = {"reference": "CTR-2", "title": "Société Générale — “badge” readers", "vendor": "Acme",
           "end_date": "2027-06-30"}


def test_db_upgrade_succeeds_twice(empty_db_url: str, fake_slack: FakeSlack) -> None:
    db_url = empty_db_url
    env = contractbot_env(db_url, fake_slack.url)
    for _ in range(2):
        result = wire_cli(["db", "upgrade"], env)
        assert "up to date" in result.stdout
    engine = sa.create_engine(db_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    finally:
        engine.dispose()
    assert {"contracts", "alerts", "audit_events", "alembic_version"} <= tables
    assert len(versions) == 1 and versions[0]


def test_import_creates_rows_and_blank_cells_take_the_defaults(db_url: str, fake_slack: FakeSlack,
                                                              tmp_path: Path) -> None:
    env = contractbot_env(db_url, fake_slack.url, CONTRACTBOT_CURRENCY="chf")
    # Excel's "CSV UTF-8": a byte-order mark and CRLF line ends.
    path = write_csv(tmp_path / "contracts.csv", [{**FULL, "lead": "15d"}, MINIMAL], lead=True, bom=True, crlf=True)
    result = wire_cli(["import", "contracts", str(path)], env)
    assert "2 created" in result.stdout

    rows = export(env)
    assert set(rows) == {"CTR-1", "CTR-2"}
    full = rows["CTR-1"]
    for column, value in FULL.items():
        assert full[column] == value, (column, full[column])
    assert full["lead"] == "15d"
    minimal = rows["CTR-2"]
    assert (minimal["title"], minimal["vendor"], minimal["end_date"]) == (MINIMAL["title"], "Acme", "2027-06-30")
    assert minimal["type"] == "other"
    assert minimal["status"] == "active"
    assert minimal["renewal"] == "manual"
    assert minimal["notice"] == "0d"
    assert minimal["term"] == "12mo"  # the default as the interface page writes it
    assert minimal["currency"] == "CHF"  # CONTRACTBOT_CURRENCY
    assert minimal["lead"] == "0d"  # CONTRACTBOT_LEAD_TIME's default
    assert minimal["start_date"] == minimal["annual_value"] == minimal["owner"] == minimal["channel"] == ""


def test_bad_rows_are_all_reported_with_their_line_and_nothing_is_imported(db_url: str, fake_slack: FakeSlack,
                                                                          tmp_path: Path) -> None:
    env = contractbot_env(db_url, fake_slack.url)
    first = write_csv(tmp_path / "first.csv", [{"reference": "KEEP-1", "title": "Kept", "vendor": "Acme",
                                                "end_date": "2028-01-31"}])
    cli(["import", "contracts", str(first)], env)

    bad = write_csv(tmp_path / "bad.csv", [
        {"reference": "NEW-1", "title": "Good row", "vendor": "Acme", "end_date": "2027-06-30"},              # line 2
        {"reference": "BAD-DATE", "title": "x", "vendor": "Acme", "end_date": "2027-13-45"},                   # line 3
        {"reference": "BAD-ORDER", "title": "x", "vendor": "Acme", "start_date": "2027-06-01",
             "end_date": "2027-01-01"},                                                                   # line 4
        {"reference": "BAD-DUR", "title": "x", "vendor": "Acme", "end_date": "2027-06-30",
         "notice": "3 bananas"},  # line 5
        {"reference": "BAD-TYPE", "title": "x", "vendor": "Acme", "end_date": "2027-06-30",
         "type": "spaceship"},  # line 6
        {"reference": "new-1", "title": "Same ref, other case", "vendor": "Acme", "end_date": "2027-06-30"},    # line 7
        {"reference": "NO-END", "title": "x", "vendor": "Acme"},                                             # line 8
        {"reference": "KEEP-1", "title": "Changed title", "vendor": "Acme", "end_date": "2028-01-31"},          # line 9
    ])
    result = cli(["import", "contracts", str(bad)], env, expect=None)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    reported = {int(m.group(1)): m.group(2) for m in re.finditer(r"bad\.csv:(\d+): (.+)", output)}
    assert set(reported) == {3, 4, 5, 6, 7, 8}, output
    assert "2027-13-45" in reported[3]
    assert "before" in reported[4] and "start" in reported[4]
    assert "3 bananas" in reported[5]
    assert "spaceship" in reported[6]
    assert "new-1" in reported[7].lower() and re.search(r"\b2\b", reported[7])  # names the first one's line
    assert "end_date" in reported[8] and "required" in reported[8]
    assert "nothing was imported" in output

    rows = export(env)
    assert set(rows) == {"KEEP-1"}  # NEW-1 (a good row) was not imported either
    assert rows["KEEP-1"]["title"] == "Kept"  # and the good update of KEEP-1 was not applied


def test_reimport_of_a_changed_row_updates_it_and_says_so_in_its_history(db_url: str, fake_slack: FakeSlack,
                                                                        tmp_path: Path) -> None:
    env = contractbot_env(db_url, fake_slack.url)
    rows = [{"reference": "UPD-1", "title": "Firewall maintenance", "vendor": "Fortinet", "end_date": "2027-09-30",
             "notice": "60d", "annual_value": "10000"},
            {"reference": "UPD-2", "title": "Printers", "vendor": "Canon", "end_date": "2027-10-31"}]
    cli(["import", "contracts", str(write_csv(tmp_path / "a.csv", rows))], env)
    rows[0] = {**rows[0], "end_date": "2028-09-30", "annual_value": "12500"}
    result = cli(["import", "contracts", str(write_csv(tmp_path / "b.csv", rows))], env)
    assert "0 created, 1 updated, 1 unchanged" in result.stdout

    exported = export(env)
    assert exported["UPD-1"]["end_date"] == "2028-09-30"
    assert exported["UPD-1"]["annual_value"] == "12500.00"
    assert exported["UPD-2"]["end_date"] == "2027-10-31"
    assert exported["UPD-2"]["currency"] == "EUR"  # the default without CONTRACTBOT_CURRENCY

    engine, factory = open_database(db_url)
    try:
        with factory() as session:
            contract = contracts.get_by_reference(session, reference="UPD-1")
            assert contract is not None
            events = audit.get_all(session, entity_type="contract", entity_id=contract.id)
            card = render_history("en", contract, events, tz=PARIS)  # what `/contract history UPD-1` shows
            unchanged = contracts.get_by_reference(session, reference="UPD-2")
            assert unchanged is not None
            unchanged_actions = [e.action for e in audit.get_all(session, entity_type="contract",
                                                                 entity_id=unchanged.id)]
    finally:
        engine.dispose()
    assert [e.action for e in events] == ["create", "import_update"]
    assert events[-1].actor == "import"
    assert events[-1].changes["end_date"] == ["2027-09-30", "2028-09-30"]
    assert "updated by import" in card.text and "2028-09-30" in card.text
    assert unchanged_actions == ["create"]  # an identical row records nothing


def test_export_ics_then_csv_round_trip(db_url: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    env = contractbot_env(db_url, fake_slack.url)
    rows = [{**FULL, "lead": "15d"}, MINIMAL,
            {"reference": "CTR-3", "title": 'Quoted "title", with commas', "vendor": "Orange Business",
             "type": "telecom", "end_date": "2028-12-31", "notice": "90d", "renewal": "none",
             "annual_value": "99.99", "currency": "GBP", "lead": "2w"},
            {"reference": "OLD-1", "title": "Terminated one", "vendor": "Acme", "status": "terminated",
             "end_date": "2027-05-31"}]
    wire_cli(["import", "contracts", str(write_csv(tmp_path / "in.csv", rows, lead=True))], env)
    ics, csv_out = cli_parallel([(["export", "contracts", "--format", "ics"], env, 0),
                                 (["export", "contracts"], env, 0)])

    # iCalendar: one all-day event for the act-by date and one for the end of each contract in force.
    calendar = Calendar.from_ical(ics.stdout)
    assert calendar.name == "VCALENDAR"
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    by_ref: dict[str, dict[date, str]] = {}
    for event in events:
        summary = str(event["SUMMARY"])
        ref = next(r for r in ("CTR-1", "CTR-2", "CTR-3", "OLD-1") if r in summary)
        start = event.decoded("DTSTART")
        assert isinstance(start, date) and not isinstance(start, datetime)  # all-day
        assert event.decoded("DTEND") == start + timedelta(days=1)
        by_ref.setdefault(ref, {})[start] = summary
    assert "OLD-1" not in by_ref  # terminated: nothing to decide
    # CTR-1: end 31 Mar 2027, notice 3 months → notice deadline 31 Dec 2026, lead 15 days → act by 16 Dec 2026.
    assert set(by_ref["CTR-1"]) == {date(2026, 12, 16), date(2027, 3, 31)}
    assert "act" in by_ref["CTR-1"][date(2026, 12, 16)].lower()
    assert "end" in by_ref["CTR-1"][date(2027, 3, 31)].lower()
    # CTR-3: end 31 Dec 2028, notice 90 days → 2 Oct 2028, lead 2 weeks → act by 18 Sep 2028.
    assert set(by_ref["CTR-3"]) == {date(2028, 9, 18), date(2028, 12, 31)}
    # CTR-2: no notice, no lead → act-by and end on the same day, still two events.
    assert sum(1 for e in events if "CTR-2" in str(e["SUMMARY"])) == 2
    assert set(by_ref["CTR-2"]) == {date(2027, 6, 30)}
    assert len({str(e["UID"]) for e in events}) == len(events) == 6

    # CSV round trip: what was exported imports back as no change at all.
    first = csv_out.stdout
    assert set(parse_export(first)) == {"CTR-1", "CTR-2", "CTR-3", "OLD-1"}
    again = tmp_path / "exported.csv"
    again.write_text(first, encoding="utf-8")
    result = wire_cli(["import", "contracts", str(again)], env)
    second = wire_cli(["export", "contracts"], env).stdout
    # Re-importing what was exported is not a change: no update, no "updated by import" in any history…
    assert "0 created, 0 updated, 4 unchanged" in result.stdout
    # …and the data reads back the same.
    assert parse_export(second) == parse_export(first)
    assert second == first


def test_jobs_list_names_the_deadlines_job_and_its_next_run(db_url: str, fake_slack: FakeSlack) -> None:
    env = contractbot_env(db_url, fake_slack.url)
    output = wire_cli(["jobs", "list"], env).stdout
    line = next((ln for ln in output.splitlines() if ln.split()[:1] == ["deadlines"]), None)
    assert line is not None, output
    match = re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?[+-]\d{2}:\d{2}", line)
    assert match, line
    next_run = datetime.fromisoformat(match.group(0))
    now = datetime.now(PARIS)
    assert now < next_run <= now + timedelta(days=1)
    local = next_run.astimezone(PARIS)
    assert (local.hour, local.minute) == (9, 0)
    assert next_run.utcoffset() == local.utcoffset()  # printed in the organisation's time zone


def _end_date(url: str, reference: str) -> date:
    engine, factory = open_database(url)
    try:
        with factory() as session:
            contract = contracts.get_by_reference(session, reference=reference)
            assert contract is not None
            return contract.end_date
    finally:
        engine.dispose()


def test_dry_run_records_nothing_and_at_runs_as_of_that_time(db_url: str, fake_slack: FakeSlack,
                                                            tmp_path: Path) -> None:
    env = contractbot_env(db_url, fake_slack.url)
    rows = [{"reference": "DRY-1", "title": "Backup SaaS", "vendor": "Veeam", "end_date": "2027-01-25",
             "channel": "C0DRY001"},
            {"reference": "ROLL-1", "title": "Antivirus", "vendor": "Eset", "end_date": "2027-01-10", "renewal": "auto",
             "term": "1y", "channel": "C0DRY002"}]
    cli(["import", "contracts", str(write_csv(tmp_path / "in.csv", rows))], env)

    dry = cli(["jobs", "run", "deadlines", "--at", "2027-01-15T09:00", "--dry-run"], env).stdout
    assert re.search(r"DRY-1: deadline alert 14d .*10 days left.*C0DRY001", dry), dry
    assert re.search(r"ROLL-1: tacit renewal", dry), dry
    assert not fake_slack.calls("chat.postMessage")
    assert ledger(db_url) == []
    assert _end_date(db_url, "ROLL-1") == date(2027, 1, 10)  # the roll was not recorded either

    real = cli(["jobs", "run", "deadlines", "--at", "2027-01-15T09:00"], env).stdout
    assert _end_date(db_url, "ROLL-1") == date(2028, 1, 10)
    assert "posted" in real and "FAILED" not in real, real
    [post] = posts(fake_slack, "C0DRY001")
    assert "DRY-1" in post["args"]["text"] and "10 days left" in post["args"]["text"]
    assert not posts(fake_slack, "C0DRY002")
    [row] = [r for r in ledger(db_url) if r.state == "posted"]
    assert (row.reference, row.threshold, row.channel) == ("DRY-1", 14, "C0DRY001")

    # A later clock: the 1-day threshold (the 7-day one it skipped is not posted as well).
    later = cli(["jobs", "run", "deadlines", "--at", "2027-01-24T09:00"], env).stdout
    assert "DRY-1: deadline alert 1d" in later
    assert len(posts(fake_slack, "C0DRY001")) == 2
    assert "1 day left" in posts(fake_slack, "C0DRY001")[-1]["args"]["text"]
    fake_slack.assert_valid_messages()


# The argument checks below come before any database work: SQLite only, to keep the suite fast.
def test_bad_job_invocations_exit_2_with_a_clear_message(sqlite_url: str, fake_slack: FakeSlack) -> None:
    env = contractbot_env(sqlite_url, fake_slack.url)
    no_token = {k: v for k, v in env.items() if k != "SLACK_BOT_TOKEN"}
    unknown, bad_at, missing, dry = cli_parallel([
        (["jobs", "run", "nope"], env, 2),
        (["jobs", "run", "deadlines", "--at", "next tuesday-ish"], env, 2),
        (["jobs", "run", "deadlines"], no_token, 2),
        (["jobs", "run", "deadlines", "--dry-run"], no_token, 0),
    ])
    assert "unknown job" in unknown.stderr and "nope" in unknown.stderr and "deadlines" in unknown.stderr
    assert "--at" in bad_at.stderr and "next tuesday-ish" in bad_at.stderr
    assert "SLACK_BOT_TOKEN" in missing.stderr and "--dry-run" in missing.stderr
    assert "nothing due" in dry.stdout
    assert not fake_slack.calls("chat.postMessage")


def test_run_with_an_empty_token_is_no_token(sqlite_url: str, fake_slack: FakeSlack) -> None:
    """`SLACK_BOT_TOKEN=` (set but empty, as compose files and CI secrets leave it) is no token either."""
    env = contractbot_env(sqlite_url, fake_slack.url, SLACK_BOT_TOKEN="")
    result = wire_cli(["jobs", "run", "deadlines"], env, expect=None)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "SLACK_BOT_TOKEN" in result.stderr
