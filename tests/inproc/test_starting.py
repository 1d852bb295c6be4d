"""While `serve` or Socket Mode is starting (its upgrade to head still running, the lifecycle not ready),
the app reaches no table: a command is answered "temporarily unavailable, nothing was changed" and
writes nothing, even where the tables are already there — a write landing between two migrations
would go into a schema half-way to head and could make the next migration fail. Once ready, the same
command works. The gate itself (storage.db.refuse_sessions_until) is checked on its own too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.clock import FixedClock
from bot.lifecycle import Lifecycle
from storage.db import SchemaNotReady, database_unavailable, open_database, refuse_sessions_until
from storage.models import AuditEvent, Contract
from tests.conftest import make_settings
from tests.inproc.conftest import InProcess
from tests.support.fake_slack import FakeSlack

UNAVAILABLE = "temporarily unavailable"
ADD = 'add START-1 title:"Starting" vendor:Acme end:2030-01-31'


@pytest.fixture
def starting(session_factory: sessionmaker[Session], db_url: str) -> Iterator[InProcess]:
    """The app as `serve` builds it, with its lifecycle not ready yet (the database is at head already)."""
    with FakeSlack() as fake:
        settings = make_settings(db_url, fake.url)
        life = Lifecycle(ready=False)
        clock = FixedClock(datetime(2026, 6, 15, 10, tzinfo=UTC))
        app, _runtime = create_app(settings, session_factory, clock, lifecycle=life)
        yield InProcess(app, fake, clock, session_factory, settings, life)


def _rows(factory: sessionmaker[Session]) -> tuple[int, int]:
    with Session(factory.kw["bind"]) as session:  # a session of its own: not gated
        return (session.scalar(select(func.count()).select_from(Contract)) or 0,
                session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_a_command_while_starting_changes_nothing_and_works_once_ready(starting: InProcess) -> None:
    answer = starting.command(ADD)
    assert UNAVAILABLE in answer["text"] and "START-1" not in answer["text"], answer
    assert answer.get("response_type") == "ephemeral"
    assert _rows(starting.session_factory) == (0, 0)

    assert starting.life is not None
    starting.life.ready.set()  # the upgrade is done
    answer = starting.command(ADD)
    assert "START-1" in answer["text"] and UNAVAILABLE not in answer["text"], answer
    assert _rows(starting.session_factory) == (1, 1)


def test_the_gate_refuses_each_session_before_any_statement_until_ready(db_url: str) -> None:
    engine, factory = open_database(db_url)
    try:
        ready = Lifecycle(ready=False).ready
        refuse_sessions_until(factory, ready)
        with pytest.raises(SchemaNotReady) as refused:
            with factory.begin() as session:
                session.execute(text("SELECT 1"))
        assert database_unavailable(refused.value)
        with engine.connect() as connection:  # the upgrade's way in (the engine) is not gated
            assert connection.execute(text("SELECT 1")).scalar() == 1
        ready.set()
        with factory.begin() as session:
            assert session.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
