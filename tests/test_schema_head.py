"""`upgrade` recognises a database at head without Alembic (a start-up cost every process paid), and
anything else still goes through Alembic: an empty database is migrated, an unknown revision refused."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import text

from storage.db import SCHEMA_HEAD, alembic_config, make_engine, schema_version, upgrade
from tests.support.server import ROOT

# Runs `upgrade` in a fresh interpreter (this one has long imported Alembic) and says whether it did.
_PROBE = """
import sys
from storage.db import make_engine, upgrade
engine = make_engine(sys.argv[1])
upgrade(engine)
engine.dispose()
print("alembic loaded" if "alembic" in sys.modules else "alembic not loaded")
"""


def _upgrade_in_a_new_process(url: str) -> str:
    done = subprocess.run([sys.executable, "-c", _PROBE, url], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_schema_head_is_alembics_head() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert scripts.get_heads() == [SCHEMA_HEAD]


def test_a_database_at_head_is_recognised_without_loading_alembic(db_url: str) -> None:
    assert _upgrade_in_a_new_process(db_url) == "alembic not loaded"


def test_an_empty_database_is_migrated_to_head_through_alembic(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            assert schema_version(connection) is None
    finally:
        engine.dispose()
    assert _upgrade_in_a_new_process(empty_db_url) == "alembic loaded"  # the positive control of the test above
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            assert schema_version(connection) == SCHEMA_HEAD
            assert connection.execute(text("SELECT count(*) FROM contracts")).scalar_one() == 0
    finally:
        engine.dispose()


def test_a_database_at_an_unknown_revision_is_still_refused(db_url: str) -> None:
    """A database newer than this code (a later release migrated it) is not taken for one at head."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(CommandError, match="9999"):
            upgrade(engine)
    finally:
        engine.dispose()
