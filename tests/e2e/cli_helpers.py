"""Helpers for the CLI, alert-button and exactly-once end-to-end tests: run `contractbot` (`cli`),
write contract CSV files, read the ledger and audit trail of the same database, build Slack payloads."""

from __future__ import annotations

import csv
import io
import subprocess
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from storage import alerts as ledger_store
from storage import audit, contracts
from storage.db import open_database
from tests.support.fake_slack import Call, FakeSlack
from tests.support.inproc import cli_here
from tests.support.server import run_cli

PARIS = ZoneInfo("Europe/Paris")
#: The spec's header (the optional `lead` column is added by `write_csv(..., lead=True)`).
COLUMNS = ["reference", "title", "vendor", "type", "status", "start_date", "end_date", "notice", "renewal", "term",
           "annual_value", "currency", "owner", "channel"]


def today() -> date:
    """Today in the organisation's time zone (the tests run the bot with CONTRACTBOT_TIMEZONE=Europe/Paris)."""
    return datetime.now(PARIS).date()


def day(offset: int) -> date:
    return today() + timedelta(days=offset)


def en_date(d: date) -> str:
    """How the bot writes a date in English (en_GB medium: `31 Dec 2029`)."""
    return f"{d.day} {d.strftime('%b')} {d.year}"


def cli(args: list[str], env: Mapping[str, str], *, expect: int | None = 0, process: bool = False
        ) -> subprocess.CompletedProcess[str]:
    """`contractbot ARGS`; never a traceback; exit code `expect` unless None.

    The steps of a module's story run `bot.cli.main` in this process (`cli_here`: the same entry point, its
    output and exit code, without the ~1 s of CPU of a new interpreter importing everything);
    `process=True` where the process itself is the point on every backend (a restart, processes at once,
    an unreachable database). The CLI's own module (test_cli.py) and the steps a module names as its wire
    use `wire_cli`."""
    result = run_cli(args, env) if process else cli_here(args, env, expect=None)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, f"traceback from {args}:\n{output}"
    if expect is not None:
        assert result.returncode == expect, f"{args} exited {result.returncode}, expected {expect}:\n{output}"
    return result


def wire_cli(args: list[str], env: Mapping[str, str], *, expect: int | None = 0
             ) -> subprocess.CompletedProcess[str]:
    """`cli`, the wire once and the backends twice: on SQLite a real `python -m bot.cli` process (its argv,
    exit code and streams), on PostgreSQL the same entry point in this process (what that run adds is the
    backend)."""
    return cli(args, env, expect=expect, process=not env["DATABASE_URL"].startswith("postgresql"))


def cli_parallel(runs: list[tuple[list[str], Mapping[str, str], int | None]]
                 ) -> list[subprocess.CompletedProcess[str]]:
    """Several independent `cli(args, env, expect=...)` runs at once (each its own process); results in order."""
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        futures = [pool.submit(cli, args, env, expect=expect, process=True) for args, env, expect in runs]
        return [f.result() for f in futures]


def write_csv(path: Path, rows: Iterable[Mapping[str, object]], *, lead: bool = False, bom: bool = False,
              crlf: bool = False) -> Path:
    columns = COLUMNS + (["lead"] if lead else [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(columns)
    for row in rows:
        unknown = set(row) - set(columns)
        assert not unknown, f"test bug: columns {unknown} not in the header"
        writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns])
    path.write_bytes(((("\ufeff" if bom else "") + out.getvalue())).encode("utf-8"))
    return path


def parse_export(text: str) -> dict[str, dict[str, str]]:
    """`export contracts` output → {reference: row}."""
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames is not None and reader.fieldnames[:len(COLUMNS)] == COLUMNS, reader.fieldnames
    return {row["reference"]: row for row in reader}


def export(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    return parse_export(cli(["export", "contracts"], env).stdout)


@dataclass(frozen=True)
class LedgerRow:
    key: str
    state: str
    contract_id: int | None
    reference: str | None
    threshold: int | None
    channel: str | None
    ts: str | None
    attempts: int
    acknowledged_by: str | None
    detail: dict[str, Any]
    id: int


def ledger(url: str) -> list[LedgerRow]:
    """Every alert row of the database at `url` (read in-process, in a separate engine)."""
    engine, factory = open_database(url)
    try:
        with factory() as session:
            refs = {c.id: c.reference for c in contracts.iter_all(session)}
            return [LedgerRow(a.key, a.state, a.contract_id, refs.get(a.contract_id) if a.contract_id else None,
                              (a.detail or {}).get("threshold"), a.channel, a.ts, a.attempts, a.acknowledged_by,
                              dict(a.detail or {}), a.id)
                    for a in ledger_store.get_all(session)]
    finally:
        engine.dispose()


def ledger_for(url: str, reference: str) -> list[LedgerRow]:
    return [row for row in ledger(url) if row.reference == reference]


def history(url: str, reference: str) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """The audit trail of one contract: (action, actor, changes, note), oldest first."""
    engine, factory = open_database(url)
    try:
        with factory() as session:
            contract = contracts.get_by_reference(session, reference=reference)
            assert contract is not None, f"{reference} not in the database"
            return [(e.action, e.actor, dict(e.changes or {}), e.note)
                    for e in audit.get_all(session, entity_type="contract", entity_id=contract.id)]
    finally:
        engine.dispose()


# ---- Slack side ----------------------------------------------------------------------------------
def posts(fake: FakeSlack, channel: str, since: int = 0) -> list[Call]:
    """chat.postMessage calls to `channel` (after the first `since` calls of the fake)."""
    return [c for c in fake.calls()[since:]
            if c["method"] == "chat.postMessage" and c["args"].get("channel") == channel]


def updates(fake: FakeSlack, channel: str, since: int = 0) -> list[Call]:
    return [c for c in fake.calls()[since:] if c["method"] == "chat.update" and c["args"].get("channel") == channel]


def buttons(args: Mapping[str, Any]) -> dict[str, str]:
    """{action_id: value} of every button in a message's blocks."""
    found = {}
    for block in args.get("blocks") or []:
        if block.get("type") == "actions":
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    found[element["action_id"]] = element.get("value")
    return found


def actions_block_id(args: Mapping[str, Any]) -> str:
    for block in args.get("blocks") or []:
        if block.get("type") == "actions":
            return str(block.get("block_id") or "alert_actions")
    raise AssertionError("the message has no actions block")


def block_actions(fake: FakeSlack, *, user: str, action_id: str, value: str, channel: str, message_ts: str,
                  message: Mapping[str, Any], tag: str, trigger_id: str = "13345224609.738474920.8088930838d88f008e0"
                  ) -> dict[str, Any]:
    """A block_actions payload as Slack sends it when `user` clicks a button of a bot message."""
    return {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "test"},
        "user": {"id": user, "username": f"user_{user.lower()}", "name": f"user_{user.lower()}", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "verification-token",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": trigger_id,
        "channel": {"id": channel, "name": "contracts"},
        "message": {"type": "message", "user": "UBOT", "bot_id": "BBOT", "ts": message_ts,
                    "text": message.get("text", ""), "blocks": message.get("blocks", [])},
        "state": {"values": {}},
        "response_url": fake.response_url(tag),
        "actions": [{"action_id": action_id, "block_id": actions_block_id(message), "value": value,
                     "type": "button", "action_ts": f"{time.time():.6f}",
                     "text": {"type": "plain_text", "text": action_id}}],
    }


def view_submission(*, user: str, view: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A view_submission payload for a view the app opened (`view` as views.open answered it)."""
    return {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "test"},
        "user": {"id": user, "username": f"user_{user.lower()}", "name": f"user_{user.lower()}", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "verification-token",
        "trigger_id": "13345224609.738474920.8088930838d88f008e1",
        "view": {
            "id": view.get("id", "V00000001"), "team_id": "T1", "type": "modal", "app_id": "A1", "bot_id": "BBOT",
            "callback_id": view["callback_id"], "private_metadata": view.get("private_metadata", ""),
            "title": view.get("title"), "blocks": view.get("blocks", []), "hash": view.get("hash", "h1"),
            "state": {"values": dict(values)},
        },
        "response_urls": [],
    }
