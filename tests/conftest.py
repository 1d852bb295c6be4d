"""Shared fixtures: databases (SQLite always, PostgreSQL on loopback when its binaries exist — and
always under CI), the fake Slack Web API, settings, and a running `contractbot serve`.

Run from the repository root (`make test` does): tests import `tests.support…`.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from storage.db import open_database
from tests.support.fake_slack import FakeSlack
from tests.support.pg_pool import DatabasePool
from tests.support.postgres import PostgresServer, find_bindir

IN_CI = os.environ.get("CI", "").lower() == "true"
SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules that take seconds (the end-to-end ones, and those marked `slow`) run first, the rest in
    their usual order: `make test` hands whole modules to its workers in this order (`--dist loadfile
    --no-loadscope-reorder`), so the run ends on modules of short tests and the workers finish together
    instead of one waiting on the other's last long module."""
    def takes_seconds(item: pytest.Item) -> bool:
        return "/e2e/" in item.nodeid or item.get_closest_marker("slow") is not None

    items.sort(key=lambda item: not takes_seconds(item))  # stable: each module's tests stay in order


#: The xdist controller's PostgreSQL, for its workers (`PostgresServer.describe()`, as JSON).
SHARED_POSTGRES = "CONTRACTBOT_TEST_SHARED_POSTGRES"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist the controller starts one PostgreSQL for all its workers (they inherit the
    environment it sets here, before they are spawned) and stops it at the end: one initdb and one
    start (~2.4 s of CPU) instead of one per worker. Each test's databases have names of their own."""
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", default=None):
        return
    if find_bindir() is None:
        return
    server = PostgresServer()
    if server.start():  # if not, each worker tries its own (and fails under CI)
        config.stash[_SHARED_KEY] = server
        os.environ[SHARED_POSTGRES] = json.dumps(server.describe())


def pytest_unconfigure(config: pytest.Config) -> None:
    server = config.stash.get(_SHARED_KEY, None)
    if server is not None:
        os.environ.pop(SHARED_POSTGRES, None)
        server.stop()


_SHARED_KEY = pytest.StashKey[PostgresServer]()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    shared = os.environ.get(SHARED_POSTGRES)
    if shared:  # the controller's (pytest_configure above), which it stops
        yield PostgresServer.attach(**json.loads(shared))
        return
    if find_bindir() is None:
        if IN_CI:
            pytest.fail("CI must test PostgreSQL, but no PostgreSQL binaries were found")
        yield None
        return
    server = PostgresServer()
    if not server.start():
        if IN_CI:
            pytest.fail("PostgreSQL did not start")
        yield None
        return
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per test session (per xdist worker): fresh databases are copies."""
    path = tmp_path_factory.mktemp("template") / "contractbot.db"
    engine, _ = open_database(f"sqlite:///{path}")
    engine.dispose()  # the last connection closed: the WAL is checkpointed into the file, which is all there is
    return path


@pytest.fixture(scope="session")
def migrated_postgres(postgres: PostgresServer | None) -> str | None:
    """A PostgreSQL database migrated to head once per test session: fresh databases use it as TEMPLATE."""
    if postgres is None:
        return None
    name = "template_head_" + uuid.uuid4().hex[:8]
    engine, _ = open_database(postgres.create_database(name))
    engine.dispose()  # CREATE DATABASE … TEMPLATE needs the template without connections
    return name


@pytest.fixture(scope="session")
def pg_pool(postgres: PostgresServer | None) -> DatabasePool | None:
    """Databases at head lent to one test at a time and emptied when given back (tests/support/pg_pool.py)."""
    return None if postgres is None else DatabasePool(postgres)


def lent_at_head(request: pytest.FixtureRequest, server: PostgresServer) -> str:
    """The URL of a PostgreSQL database at head lent by the session's pool, given back when `request`'s
    scope ends (a test, or a module's server after it stopped)."""
    pool = request.getfixturevalue("pg_pool")
    name = pool.lend(request.getfixturevalue("migrated_postgres"))
    request.addfinalizer(lambda: pool.give_back(name))
    return server.url_for(name)


def fresh_database(request: pytest.FixtureRequest, tmp_path: Path, *, migrated: bool) -> str:
    """A new database for the backend `request.param` names: at head (a copy of the session's migrated one;
    on PostgreSQL, or one an earlier test gave back and the pool made new again: tests/support/pg_pool.py)
    or empty (for the tests of the migrations themselves)."""
    if request.param == "sqlite":
        path = tmp_path / "contractbot.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    server = request.getfixturevalue("postgres")
    if server is None:
        pytest.skip("no PostgreSQL binaries on this machine (CI installs them)")
    if migrated:
        return lent_at_head(request, server)
    name = "t_" + uuid.uuid4().hex[:12]
    url = server.create_database(name, template="template0")
    request.addfinalizer(lambda: server.drop_database(name))
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database URL at the schema's head, once per backend. Every migration ran to build it (once
    per session); `empty_db_url` is for the tests that run the migrations themselves."""
    return fresh_database(request, tmp_path, migrated=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL (no table, no alembic_version), once per backend."""
    return fresh_database(request, tmp_path, migrated=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'contractbot.db'}"


@pytest.fixture
def sqlite_head_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    """A fresh SQLite database at the schema's head (a copy of the session's migrated one, not ~0.5 s of
    migrations), for the tests that need one on SQLite only."""
    path = tmp_path / "contractbot.db"
    shutil.copyfile(migrated_sqlite, path)
    return f"sqlite:///{path}"


@pytest.fixture
def pg_head_url(request: pytest.FixtureRequest, postgres: PostgresServer | None) -> str:
    """A PostgreSQL database at the schema's head, for the tests that run on PostgreSQL only (lent by the
    session's pool, as `db_url`'s are)."""
    if postgres is None:
        pytest.skip("no PostgreSQL binaries on this machine (CI installs them)")
    return lent_at_head(request, postgres)


@pytest.fixture
def session_factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine, factory = open_database(db_url)
    yield factory
    engine.dispose()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def make_settings(db_url: str, slack_url: str = "http://127.0.0.1:9/api/", **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        database_url=db_url, slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=slack_url,
        timezone="Europe/Paris", alert_channel="CALERTS",
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(db_url: str, fake_slack: FakeSlack) -> Settings:
    return make_settings(db_url, fake_slack.url)


def at(text: str) -> datetime:
    """An aware UTC datetime from ISO text (tests' fixed clocks)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
