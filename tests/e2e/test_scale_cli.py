"""Issue 6 at the shell (`contractbot` through `bot.cli.main`, `cli`; SQLite and PostgreSQL): a contract whose data was broken
behind the bot's back is named in `contractbot jobs run`'s output, and every other alert still goes out."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.e2e.cli_helpers import cli, posts, write_csv
from tests.support.fake_slack import FakeSlack
from tests.support.server import contractbot_env


def test_jobs_run_names_a_poisoned_contract_and_posts_the_others(db_url: str, fake_slack: FakeSlack,
                                                                 tmp_path: Path) -> None:
    env = contractbot_env(db_url, fake_slack.url)
    rows = [{"reference": f"GOOD-{i}", "title": "Support", "vendor": "Acme", "end_date": "2027-01-25",
             "channel": f"C0GOOD00{i}"} for i in range(3)]
    rows.append({"reference": "POISON-1", "title": "Support", "vendor": "Acme", "end_date": "2027-01-25",
                 "channel": "C0POISON1"})
    cli(["import", "contracts", str(write_csv(tmp_path / "in.csv", rows))], env)
    engine = sa.create_engine(db_url)
    with engine.begin() as connection:  # the input checks would refuse this: write it straight in SQL
        connection.execute(sa.text("UPDATE contracts SET end_date = '102025-01-01' WHERE reference = 'POISON-1'"))
    engine.dispose()

    result = cli(["jobs", "run", "deadlines", "--at", "2027-01-15T09:00"], env)

    assert "POISON-1: FAILED (deadlines" in result.stdout, result.stdout
    for i in range(3):
        assert len(posts(fake_slack, f"C0GOOD00{i}")) == 1
    assert not posts(fake_slack, "C0POISON1")
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:  # plain SQL: the ORM cannot load the poisoned row either
        posted = set(connection.execute(sa.text(
            "SELECT c.reference FROM alerts a JOIN contracts c ON c.id = a.contract_id WHERE a.state = 'posted'"
        )).scalars())
    engine.dispose()
    assert posted == {"GOOD-0", "GOOD-1", "GOOD-2"}
