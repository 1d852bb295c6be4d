"""The shortest end-to-end path: signed slash commands into a running `serve`, answers out through
response_url to the fake Slack, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.conftest import SECRET
from tests.e2e.helpers import BACKENDS, Bot, start_bot
from tests.support.fake_slack import FakeSlack
from tests.support.server import Serve
from tests.support.signed import post_command


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """One server per backend for the module: the tests use distinct references."""
    # The smoke test of the real process (the tier: tests/e2e/helpers.py).
    yield from start_bot(request, tmp_path_factory, process=True)


@pytest.fixture
def server(bot: Bot) -> Serve:
    return bot.server


@pytest.fixture
def fake_slack(bot: Bot) -> FakeSlack:
    return bot.fake


def _answer(fake: FakeSlack, tag: str) -> dict:
    calls = fake.wait_for("response_url", predicate=lambda c: c["path"].endswith(tag))
    return calls[-1]["args"]


def test_add_then_status_round_trip(server: Serve, fake_slack: FakeSlack) -> None:
    status, _ = post_command(server.events_url, SECRET, "/contract",
                             'add CTR-1 title:"Oracle DB support" vendor:Oracle end:2030-03-31 notice:3mo '
                             "renewal:auto term:1y value:120k lead:15d",
                             response_url=fake_slack.response_url("add"))
    assert status == 200
    confirmed = _answer(fake_slack, "add")
    assert confirmed["response_type"] == "in_channel"
    assert "CTR-1" in confirmed["text"]
    post_command(server.events_url, SECRET, "/contract", "status ctr-1", response_url=fake_slack.response_url("st"))
    card = _answer(fake_slack, "st")
    assert card["response_type"] == "ephemeral"
    # notice deadline 31 Dec 2029 (31 Mar − 3 months), act-by 16 Dec 2029 (− 15 days lead)
    assert "31 Dec 2029" in card["text"] and "16 Dec 2029" in card["text"]
    fake_slack.assert_valid_messages()


def test_bad_signature_is_refused_and_changes_nothing(server: Serve, fake_slack: FakeSlack) -> None:
    status, _ = post_command(server.events_url, "wrong-secret", "/contract", "add CTR-9 title:x vendor:y end:2030-01-01",
                             response_url=fake_slack.response_url("bad"))
    assert status == 401
    post_command(server.events_url, SECRET, "/contract", "status CTR-9", response_url=fake_slack.response_url("chk"))
    assert "No contract found" in _answer(fake_slack, "chk")["text"]
