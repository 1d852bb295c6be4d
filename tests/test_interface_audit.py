"""Promises of the outside interface (docs: /work/shared/spec/interface.md) found untested or differing
by the audit of 2026-12-01, each checked through the CLI entry point in this process (`cli_here`)."""

from __future__ import annotations

from pathlib import Path

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
