"""`/contract report`, its chart, the App Home and the weekly `digest`, end to end: signed HTTP into
`contractbot serve` (in the test process, see tests/e2e/helpers.py) (and `jobs run digest`, one of them a real process) with the fake Slack Web API, on SQLite and
PostgreSQL, in English and French."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient

from bot.clock import SystemClock
from bot.metrics import Metrics
from jobs.context import JobContext
from jobs.registry import run_job
from storage.db import open_database
from tests.conftest import TOKEN, make_settings
from tests.e2e.cli_helpers import cli, ledger, posts, write_csv
from tests.e2e.helpers import BACKENDS, Bot, assert_no_traceback, section_texts, start_bot, today, uid
from tests.support.fake_slack import FakeSlack
from tests.support.inproc import cli_here
from tests.support.server import contractbot_env

pytestmark = pytest.mark.slow
PARIS = ZoneInfo("Europe/Paris")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    yield from start_bot(request, tmp_path_factory, CONTRACTBOT_ALERT_CHANNEL="CDIGEST")


def _uploads_to(fake: FakeSlack, channel: str) -> list[dict]:
    return [c for c in fake.calls("files.completeUploadExternal") if c["args"].get("channel_id") == channel]


def test_report_in_english_counts_the_portfolio_and_uploads_the_chart(bot: Bot) -> None:
    vendor = f"Bigvendor{uid()}"
    ref = f"REP-{uid()}"
    start = (today() - timedelta(days=400)).isoformat()
    bot.add(ref, f'title:"Hosting" vendor:{vendor} start:{start} end:{(today() + timedelta(days=500)).isoformat()} '
                 f'value:900000000 owner:<@U1>')
    amended = bot.command(f'amend {ref} value:950000000 note:"avenant 1"')
    assert amended.get("response_type") == "in_channel", amended["text"]

    answer = bot.command("report", channel="CREP1")
    text = answer["text"]
    assert answer.get("response_type") == "ephemeral"
    assert "Portfolio report" in text and "Under management:" in text and "Amendments signed:" in text
    assert "Financial trajectory" in text and "a year earlier" in text and "Top vendors" in text
    assert f"1. {vendor} — €950,000,000.00" in text  # the largest vendor, at its amended value
    assert "in force on the month's first day" in text  # each figure says how it was counted
    assert "Service credits:" in text and "Crises handled:" in text and "Disputes:" in text
    assert "Obligations met:" in text and "on time = done on or before the due date" in text
    assert "Price revisions applied:" in text and "effect = revised annual value" in text
    assert 0 < len(answer["blocks"]) <= 50
    assert "Financial trajectory" in section_texts(answer)

    [done] = bot.wait_for("files.completeUploadExternal", predicate=lambda c: c["args"].get("channel_id") == "CREP1")
    file_id = done["args"]["files"][0]["id"]
    assert bot.fake.uploads[file_id].startswith(PNG_MAGIC) and len(bot.fake.uploads[file_id]) > 5000
    assert_no_traceback(bot.fake)
    bot.fake.assert_valid_messages()


def test_report_in_french_with_a_french_period(bot: Bot) -> None:
    bot.fake.locales["UFRREP"] = "fr-FR"
    answer = bot.command("rapport les 12 derniers mois", user="UFRREP", channel="CREP2")
    text = answer["text"]
    assert "Rapport du portefeuille" in text and "Sous gestion" in text and "Trajectoire financière" in text
    assert "un an plus tôt" in text and "Avenants signés" in text
    assert "Obligations remplies" in text and "Révisions de prix appliquées" in text
    bot.wait_for("files.completeUploadExternal", predicate=lambda c: c["args"].get("channel_id") == "CREP2")
    quarter = bot.command("report ce trimestre", user="UFRREP", channel="CREP2")
    first_month = 3 * ((today().month - 1) // 3) + 1
    months = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.']
    assert f"1 {months[first_month - 1]}" in quarter["text"]
    bot.wait_for("files.completeUploadExternal", count=2, predicate=lambda c: c["args"].get("channel_id") == "CREP2")


def test_a_failed_upload_never_loses_the_text(bot: Bot) -> None:
    before = len(bot.fake.calls("files.getUploadURLExternal"))
    bot.fake.fail_next("files.getUploadURLExternal")
    answer = bot.command("report last month", channel="CREP3")
    assert "Portfolio report" in answer["text"] and "Financial trajectory" in answer["text"]
    bot.wait_for("files.getUploadURLExternal", count=before + 1)
    assert _uploads_to(bot.fake, "CREP3") == []
    # The next report uploads again.
    bot.command("report 2026", channel="CREP3")
    bot.wait_for("files.completeUploadExternal", predicate=lambda c: c["args"].get("channel_id") == "CREP3")
    assert_no_traceback(bot.fake)


def test_a_period_it_cannot_read_gets_the_usage_and_no_chart(bot: Bot) -> None:
    answer = bot.command("report someday maybe", channel="CREP4")
    assert answer.get("response_type") == "ephemeral"
    assert "can't read the period" in answer["text"] and "/contract report [period]" in answer["text"]
    assert "Traceback" not in answer["text"]
    bot.add(f"REP-{uid()}", f"title:Charted vendor:Chartvendor end:{(today() + timedelta(days=200)).isoformat()} "
                            "value:12000")  # something to draw, whichever tests ran before
    bot.command("report", channel="CREP4")  # a good one: its chart is the only one in CREP4
    bot.wait_for("files.completeUploadExternal", predicate=lambda c: c["args"].get("channel_id") == "CREP4")
    assert len(_uploads_to(bot.fake, "CREP4")) == 1


@pytest.mark.parametrize(("user", "locale", "words"), [("UHOMEEN", "en-US", ("Your decisions due", "Portfolio indicators", "No obligation of yours")),
                                                      ("UHOMEFR", "fr-FR", ("Vos décisions", "Indicateurs du portefeuille",
                                                                            "Aucune obligation à vous"))])
def test_app_home_shows_the_persons_decisions_and_the_indicators(bot: Bot, user: str, locale: str,
                                                                 words: tuple[str, str, str]) -> None:
    bot.fake.locales[user] = locale
    mine, other = f"HOME-{uid()}", f"HOME-{uid()}"
    end = (today() + timedelta(days=20)).isoformat()
    bot.add(mine, f"title:Mine vendor:Homevendor end:{end} value:1000 owner:<@{user}>")
    bot.add(other, f"title:Theirs vendor:Homevendor end:{end} value:1000 owner:<@USOMEONE>")
    status, _ = bot.event({"type": "app_home_opened", "user": user, "channel": "DHOME", "tab": "home"})
    assert status == 200
    [call] = bot.wait_for("views.publish", predicate=lambda c: c["args"].get("user_id") == user)
    view = call["args"]["view"]
    view = view if isinstance(view, dict) else __import__("json").loads(view)
    assert view["type"] == "home" and 0 < len(view["blocks"]) <= 100
    shown = section_texts(view)
    assert words[0] in shown and words[1] in shown and words[2] in shown
    assert mine in shown and other not in shown


# ---- the digest: exactly once per ISO week over seven simulated weeks ---------------------------------
# Seven Mondays hold every case once or more: a second replica's run (weeks 1 and 5), restarts midweek (weeks 2
# and 7), a Sunday-night dry run (week 3), a failed post retried (week 5), and a month boundary. A quarter's
# later weeks repeated these (and drew a chart each, 0.7 s of CPU): issue 7.
def _portfolio_csv(path: Path) -> Path:
    return write_csv(path, [
        {"reference": "DG-1", "title": "Hosting", "vendor": "Hostco", "start_date": "2026-01-01",
         "end_date": "2027-02-15", "notice": "1mo", "renewal": "auto", "term": "1y", "annual_value": "120000"},
        {"reference": "DG-2", "title": "Licences", "vendor": "Softco", "start_date": "2026-06-01",
         "end_date": "2027-03-20", "annual_value": "30000", "currency": "USD"},
        {"reference": "DG-3", "title": "Support", "vendor": "Helpco", "end_date": "2027-12-31",
         "annual_value": "45000"},
    ])


WEEKS = 7


def _iso_week(moment: datetime) -> str:
    year, week, _ = moment.astimezone(PARIS).isocalendar()
    return f"{year}-W{week:02d}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_digest_is_posted_once_per_iso_week_over_seven_weeks(backend: str, request: pytest.FixtureRequest,
                                                               fake_slack: FakeSlack, tmp_path: Path) -> None:
    url = request.getfixturevalue("sqlite_head_url" if backend == "sqlite" else "pg_head_url")
    env = contractbot_env(url, fake_slack.url, CONTRACTBOT_ALERT_CHANNEL="CDIGEST")
    cli_here(["import", "contracts", str(_portfolio_csv(tmp_path / "p.csv"))], env)

    # 4 Jan – 15 Feb 2027: each Monday's scheduled run at 09:00 (in this process, through the job registry as the
    # scheduler calls it), a second replica's run a minute later on some Mondays; separate `jobs run`
    # runs (restarts: bot.cli.main in this process, with their own engine and context) midweek and on a
    # Sunday night as a dry run; a real `jobs run` process after a failed post.
    engine, factory = open_database(url)
    settings = make_settings(url, fake_slack.url, alert_channel="CDIGEST")
    ctx = JobContext(settings, factory, WebClient(token=TOKEN, base_url=fake_slack.url), SystemClock(), Metrics())
    mondays = [date(2027, 1, 4) + timedelta(weeks=n) for n in range(WEEKS)]
    runs: list[tuple[datetime, bool, bool]] = []  # (when, dry run, in a new process)
    for n, monday in enumerate(mondays):
        nine = datetime.combine(monday, datetime.min.time(), PARIS).replace(hour=9)
        if n == 2:
            runs.append((nine - timedelta(hours=9, minutes=30), True, True))  # Sunday 23:30, dry run
        runs.append((nine, False, False))
        if n % 4 == 0:
            runs.append((nine + timedelta(minutes=1), False, False))
        if n % 5 == 1:
            runs.append((nine + timedelta(days=2, hours=5), False, True))
    failed_week = _iso_week(datetime(2027, 2, 1, 9, tzinfo=PARIS))
    outputs = []
    try:
        for moment, dry, new_process in list(runs):
            failing = _iso_week(moment) == failed_week and (moment.hour, moment.minute) == (9, 0)
            if failing:
                fake_slack.fail_next("chat.postMessage")  # the Monday run fails; a later run that week retries
            if new_process:  # `contractbot jobs run` through its entry point, with its own engine and context
                args = ["jobs", "run", "digest", "--at", moment.astimezone(PARIS).replace(tzinfo=None).isoformat()]
                outputs.append(cli_here(args + (["--dry-run"] if dry else []), env).stdout)
            else:
                outputs.append("\n".join(run_job("digest", ctx, now=moment.astimezone(UTC), dry_run=dry)))
            if failing:  # a real new process (the wire) retries the failed week
                retry = moment + timedelta(hours=6)
                runs.append((retry, False, True))
                outputs.append(cli(["jobs", "run", "digest", "--at",
                                    retry.astimezone(PARIS).replace(tzinfo=None).isoformat()], env,
                                   process=True).stdout)
    finally:
        engine.dispose()

    # The reference: the ISO weeks of the (non-dry) runs, from the standard library's calendar.
    expected_weeks = sorted({_iso_week(moment) for moment, dry, _ in runs if not dry})
    assert len(expected_weeks) == WEEKS
    digests = posts(fake_slack, "CDIGEST")
    titles = Counter(next(w for w in expected_weeks if f"week {w}" in c["args"]["text"]) for c in digests)
    assert titles == Counter({w: (2 if w == failed_week else 1) for w in expected_weeks}), titles  # 1 failed + 1 ok
    rows = [r for r in ledger(url) if r.key.startswith("digest:")]
    assert sorted(r.key for r in rows) == [f"digest:{w}" for w in expected_weeks]
    assert {r.state for r in rows} == {"posted"}
    assert [r.attempts for r in rows if r.key == f"digest:{failed_week}"] == [2]
    # Each posted digest comes with its chart, in the same channel; the dry run recorded and posted nothing.
    assert len(_uploads_to(fake_slack, "CDIGEST")) == WEEKS
    assert sum("dry run, nothing recorded" in out for out in outputs) == 1
    assert sum("FAILED" in out for out in outputs) == 1
    assert sum("already posted this week" in out for out in outputs) == len(runs) - 1 - WEEKS - 1
    first = digests[0]["args"]
    assert len(first["blocks"]) <= 50
    assert "Decisions due in the next 30 days" in first["text"] and "DG-1" in first["text"]
    assert "Indicators, last 12 months" in first["text"] and "Committed annual spend" in first["text"]
    # obligations and price revisions have their sections (empty in this portfolio) and their indicators
    assert "No obligation overdue or due in the next 30 days." in first["text"]
    assert "No price revision due in the next 30 days." in first["text"]
    assert "*Obligations met:* 0 on time · 0 late" in first["text"] and "*Price revisions applied:* 0" in first["text"]
    fake_slack.assert_valid_messages()
    assert_no_traceback(fake_slack)
