"""`contractbot import contracts` then `export contracts` (through `bot.cli.main`, `cli`), on SQLite and PostgreSQL: each
duration comes back exactly as written (`1y`, `2w`, `90d`, `12mo`, `6mo`; `12 mois` in its short notation
`12mo`), blank cells as the interface page writes its defaults (`notice` `0d`, `term` `12mo`); a re-import
writing the same value in another unit is no change (nothing recorded, the stored text stays), another value
in any unit is an update."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli_helpers import cli, export, history, write_csv
from tests.support.fake_slack import FakeSlack
from tests.support.server import contractbot_env

BASE = {"title": "Support", "vendor": "Acme", "end_date": "2027-06-30"}
WRITTEN = [  # reference, notice, term, lead as written in the file; then as exported
    ("DUR-1", "90d", "1y", "2w", ("90d", "1y", "2w")),
    ("DUR-2", "2w", "12mo", "0d", ("2w", "12mo", "0d")),
    ("DUR-3", "6mo", "6mo", "15d", ("6mo", "6mo", "15d")),
    ("DUR-4", "12 mois", "1 an", "2 semaines", ("12mo", "1y", "2w")),
    ("DUR-5", "", "", "", ("0d", "12mo", "0d")),  # blank cells: the defaults (lead: CONTRACTBOT_LEAD_TIME, 0d)
]


def _rows(written: list[tuple[str, str, str, str, tuple[str, str, str]]]) -> list[dict[str, str]]:
    return [{**BASE, "reference": ref, "notice": notice, "term": term, "lead": lead}
            for ref, notice, term, lead, _shown in written]


def test_durations_are_exported_as_written_and_an_equal_value_in_another_unit_is_no_change(
        db_url: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    env = contractbot_env(db_url, fake_slack.url)
    result = cli(["import", "contracts", str(write_csv(tmp_path / "a.csv", _rows(WRITTEN), lead=True))], env)
    assert "5 created" in result.stdout
    exported = export(env)
    for ref, _notice, _term, _lead, shown in WRITTEN:
        assert (exported[ref]["notice"], exported[ref]["term"], exported[ref]["lead"]) == shown, ref
    assert history(db_url, "DUR-4")[0][2]["term"] == [None, "1y"]  # the history records it as written too

    # the same values in other units (and one real change): unchanged rows record nothing, texts stay
    again = [("DUR-1", "90 jours", "12mo", "14d", ("90d", "1y", "2w")),
             ("DUR-2", "14d", "1y", "0mo", ("2w", "12mo", "0d")),
             ("DUR-3", "6 months", "6mo", "15d", ("6mo", "6mo", "15d")),
             ("DUR-4", "1y", "12mo", "14d", ("12mo", "1y", "2w")),
             ("DUR-5", "0w", "1 an", "", ("0d", "12mo", "0d"))]
    changed = [*again[:4], ("DUR-5", "0w", "2y", "", ("0d", "2y", "0d"))]
    result = cli(["import", "contracts", str(write_csv(tmp_path / "b.csv", _rows(again), lead=True))], env)
    assert "0 created, 0 updated, 5 unchanged" in result.stdout
    result = cli(["import", "contracts", str(write_csv(tmp_path / "c.csv", _rows(changed), lead=True))], env)
    assert "0 created, 1 updated, 4 unchanged" in result.stdout
    exported = export(env)
    for ref, _notice, _term, _lead, shown in changed:
        assert (exported[ref]["notice"], exported[ref]["term"], exported[ref]["lead"]) == shown, ref
    assert [event[0] for event in history(db_url, "DUR-1")] == ["create"]
    assert [(event[0], event[2]) for event in history(db_url, "DUR-5")][1:] == [
        ("import_update", {"term": ["12mo", "2y"]})]

    # and the export imports back as it is: nothing changes
    (tmp_path / "export.csv").write_text(cli(["export", "contracts"], env).stdout, encoding="utf-8")
    result = cli(["import", "contracts", str(tmp_path / "export.csv")], env)
    assert "0 created, 0 updated, 5 unchanged" in result.stdout
