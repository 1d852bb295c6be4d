"""`contractbot demo --reset` then `contractbot shell` (a real process, reading the tour on its stdin), on
SQLite and PostgreSQL: the tour a
newcomer takes (App Home, the report, disputes, obligations, an index, a price revision, the help, questions
in English and French) renders every answer, never an error or a traceback."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.cli_helpers import cli
from tests.support.fake_slack import FakeSlack
from tests.support.server import contractbot_env, run_cli

pytestmark = pytest.mark.slow

# (what is typed, words its answer shows)
TOUR = [
    ("home", ["Your contracts", "Portfolio indicators, last 12 months", "*Obligations met:*",
              "*Price revisions applied:*"]),
    ("home U0DEMOANNE", ["*Your decisions due in the next 30 days*", "*Your obligations overdue or due in the next "
                         "30 days*", "CTR-ATO-001"]),
    ("report", ["Portfolio report", "Financial trajectory", "*Obligations met:*", "on time = done on or before",
                "*Price revisions applied:*", "effect = revised annual value"]),
    ("/dispute list", ["Open disputes (", "DSP-"]),
    ("/obligation list", ["Obligations to do (", "OBL-1", "overdue"]),
    ("/index syntec", ["syntec: the last 12 value(s)"]),
    ("/contract revise CTR-CAP-001", ["Price revision of CTR-CAP-001", "P0 =", "S0 = syntec", "New annual value"]),
    ("/contract help", ["/contract indexation <REF>", "/contract revise <REF>", "/contract report [period]"]),
    ("help", ["open disputes for Oracle", "overdue obligations for Orange"]),
    ("obligations en retard", ["Overdue obligations (1)", "OBL-1"]),
    ("overdue obligations for Orange", ["Overdue obligations — orange (0)"]),
    ("obligations à venir pour Capgemini", ["Obligations due soon or overdue — capgemini", "OBL-3"]),
    ("litiges en cours", ["Open disputes (", "DSP-"]),
]
PROBLEMS = ("Traceback", "went wrong", "I did not understand", "unknown command", "matches several contracts")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_demo_tour_in_the_shell_renders_every_answer(backend: str, request: pytest.FixtureRequest,
                                                          fake_slack: FakeSlack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'tour.db'}"
    else:
        postgres = request.getfixturevalue("postgres")
        if postgres is None:
            pytest.skip("no PostgreSQL binaries on this machine (CI installs them)")
        url = postgres.create_database("tour_" + uuid.uuid4().hex[:12])
    env = contractbot_env(url, fake_slack.url, CONTRACTBOT_LANGUAGE="en")
    cli(["db", "upgrade"], env)
    assert "demo portfolio" in cli(["demo", "--reset"], env).stdout
    result = run_cli(["shell", "--no-demo"], env, input_text="".join(line + "\n" for line, _ in TOUR) + "quit\n")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "/dispute list" in output.split("\n> ", 1)[0]  # the banner's "Try:" lines give dispute examples
    answers = output.split("\n> ")[1:]  # one answer after each prompt
    assert len(answers) >= len(TOUR)
    for (line, words), answer in zip(TOUR, answers, strict=False):
        for problem in PROBLEMS:
            assert problem not in answer, f"{line!r} answered:\n{answer}"
        for word in words:
            assert word in answer, f"{line!r} answered:\n{answer}"
