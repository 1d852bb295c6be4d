"""Promises of the outside interface (docs: /work/shared/spec/interface.md) found untested or differing
by the audit of 2026-12-01, each checked through the CLI entry point in this process (`cli_here`)."""

from __future__ import annotations

import io
from pathlib import Path

from bot.shell import run_shell
from tests.conftest import make_settings
from tests.e2e.cli_helpers import write_csv
from tests.support.inproc import cli_here
from tests.support.server import contractbot_env

HEADER = ("reference,title,vendor,type,status,start_date,end_date,notice,renewal,term,annual_value,currency,"
          "owner,channel")


def test_csv_owner_and_channel_are_any_slack_ids_even_short_ones(db_url: str, tmp_path: Path) -> None:
    """"`owner` a Slack user ID, `channel` a Slack channel ID": `U123` and `C123` are IDs (as in a mention)."""
    env = contractbot_env(db_url, "http://127.0.0.1:9/api/")
    rows = [{"reference": "ID-1", "title": "Short ids", "vendor": "Acme", "end_date": "2027-06-30",
             "owner": "U123", "channel": "C123"},
            {"reference": "ID-2", "title": "Long ids", "vendor": "Acme", "end_date": "2027-06-30",
             "owner": "U0123ABCDEF", "channel": "C0123ABCDEF"}]
    imported = cli_here(["import", "contracts", str(write_csv(tmp_path / "ids.csv", rows))], env)
    assert imported.stdout == "imported: 2 created, 0 updated, 0 unchanged\n", imported
    exported = cli_here(["export", "contracts"], env).stdout.splitlines()
    assert exported[0].startswith(HEADER)
    assert exported[1].split(",")[12:14] == ["U123", "C123"]
    assert exported[2].split(",")[12:14] == ["U0123ABCDEF", "C0123ABCDEF"]


def test_deadline_thresholds_come_from_the_environment(db_url: str, tmp_path: Path) -> None:
    """`CONTRACTBOT_DEADLINE_THRESHOLDS` (default `90,60,30,14,7,1,0`): the days before the act-by date at
    which a deadline alert is posted."""
    rows = [{"reference": "TH-1", "title": "Thresholds", "vendor": "Acme", "end_date": "2027-03-31"}]
    plain = contractbot_env(db_url, "http://127.0.0.1:9/api/")
    cli_here(["import", "contracts", str(write_csv(tmp_path / "th.csv", rows))], plain)
    at_45_days = ["jobs", "run", "deadlines", "--at", "2027-02-14T09:00", "--dry-run"]  # act-by 31 March
    assert "TH-1: deadline alert 60d (act by 2027-03-31, 45 days left)" in cli_here(at_45_days, plain).stdout
    custom = contractbot_env(db_url, "http://127.0.0.1:9/api/", CONTRACTBOT_DEADLINE_THRESHOLDS="45,3")
    assert "TH-1: deadline alert 45d (act by 2027-03-31, 45 days left)" in cli_here(at_45_days, custom).stdout
    at_46_days = ["jobs", "run", "deadlines", "--at", "2027-02-13T09:00", "--dry-run"]
    assert "TH-1" not in cli_here(at_46_days, custom).stdout
    assert "TH-1: deadline alert 60d" in cli_here(at_46_days, plain).stdout


def test_a_second_shell_session_on_the_same_database_still_answers_questions(db_url: str) -> None:
    """`contractbot shell`: "type … a DM-style question" — and "anything not understood gets a short help —
    never silence". Each session numbered its messages' event ids from 1, so a second session on the same
    database took its questions for Slack re-deliveries of the first one's and said nothing."""
    settings = make_settings(db_url)
    answers = []
    for _session in range(2):
        out = io.StringIO()
        run_shell(settings, load_demo=False, stdin=io.StringIO("what renews next month?\nblah blah\nquit\n"),
                  out=out)
        answers.append(out.getvalue())
    for text in answers:
        assert "Renewals and deadlines" in text, text
        assert "I answer questions about your IT contracts" in text, text
