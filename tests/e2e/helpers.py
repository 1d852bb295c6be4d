"""Shared helpers for the end-to-end modules: one `contractbot serve` + FakeSlack per module and backend.

Only Slack's network boundary is faked (FakeSlack) and the requests Slack would send are signed like
Slack signs them (tests.support.signed); everything else is the real product. Two tiers of server
(`served`), the wire once as with the CLI (`cli()` in tests/e2e/cli_helpers.py):

- in the test process (the default; tests/support/inproc_server.py, `ServeHere`): the product's own
  parts (`bot.serving.build_service`) behind waitress on loopback, in a thread — the requests still go
  over HTTP, signed, through the edge checks and Bolt into the real database, the answers out to FakeSlack,
  exports and reports through the heavy lane's forked child. For the modules that test what the bot
  answers: a new interpreter would only add ~2 s of CPU per module and backend.
- a real `contractbot serve` process (`process=True`; tests/support/server.py, `Serve`): where the
  process is what is tested — SIGTERM and the drain, restarts, a start on an unreachable or empty
  database, the log a real process writes (tokens and bodies never logged), replicas at once, Socket
  Mode, the smoke test (test_smoke_http, test_http_edge, test_events_and_health, test_faults*,
  test_light_lane, test_exactly_once, test_socket_mode).
"""

from __future__ import annotations

import itertools
import json
import shutil
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import SECRET, lent_at_head
from tests.support.fake_slack import FakeSlack
from tests.support.inproc_server import ServeHere
from tests.support.server import Serve, contractbot_env
from tests.support.signed import post_action, post_command, post_event

TZ = ZoneInfo("Europe/Paris")  # contractbot_env sets CONTRACTBOT_TIMEZONE=Europe/Paris
BACKENDS = ["sqlite", "postgresql"]
_seq = itertools.count(1)


def uid() -> str:
    """A short unique token for references, vendors and title words (one server serves a whole module)."""
    return uuid.uuid4().hex[:6].upper()


def today() -> date:
    """Today in the organisation's time zone (the server reads the same wall clock)."""
    return datetime.now(TZ).date()


class Bot:
    """A running server, its FakeSlack, and helpers to talk to it like Slack does."""

    def __init__(self, server: Serve | ServeHere, fake: FakeSlack, backend: str) -> None:
        self.server = server
        self.fake = fake
        self.backend = backend

    # ---- diagnostics ---------------------------------------------------------------------------
    def log_tail(self, n: int = 4000) -> str:
        return self.server.output()[-n:]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0, predicate: Any = None) -> list[dict]:
        try:
            return self.fake.wait_for(method, count=count, timeout=timeout, predicate=predicate)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- server log tail ---\n{self.log_tail()}") from None

    # ---- slash commands ------------------------------------------------------------------------
    def send_command(self, text: str, *, command: str = "/contract", user: str = "U1", channel: str = "C1",
                     trigger_id: str = "T.1", **kwargs: Any) -> tuple[int, str, str]:
        """POST a signed slash command; return (HTTP status, body, response_url tag)."""
        tag = f"r{next(_seq)}-{uid()}"
        status, body = post_command(self.server.events_url, kwargs.pop("secret", SECRET), command, text,
                                    user_id=user, channel_id=channel, response_url=self.fake.response_url(tag),
                                    trigger_id=trigger_id, **kwargs)
        return status, body, tag

    def answer(self, tag: str, timeout: float = 30.0) -> dict[str, Any]:
        calls = self.wait_for("response_url", timeout=timeout, predicate=lambda c: c["path"] == f"/response/{tag}")
        return calls[-1]["args"]

    def command(self, text: str, *, command: str = "/contract", user: str = "U1", channel: str = "C1",
                trigger_id: str = "T.1") -> dict[str, Any]:
        """A signed slash command whose answer comes back through response_url; return that answer."""
        status, body, tag = self.send_command(text, command=command, user=user, channel=channel,
                                              trigger_id=trigger_id)
        assert status == 200, (status, body, self.log_tail())
        assert "Traceback" not in body
        return self.answer(tag)

    def add(self, reference: str, options: str, *, user: str = "U1") -> dict[str, Any]:
        """`/contract add` that must succeed (confirmed in the channel)."""
        answer = self.command(f"add {reference} {options}", user=user)
        assert answer.get("response_type") == "in_channel", answer.get("text")
        assert reference in answer["text"], answer["text"]
        return answer

    # ---- interactivity and events ----------------------------------------------------------------
    def action(self, payload: dict[str, Any]) -> tuple[int, str]:
        return post_action(self.server.events_url, SECRET, payload)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
              ) -> tuple[int, str]:
        envelope = {
            "token": "verification-token", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event": event, "event_id": event_id or f"Ev{uid()}{next(_seq)}", "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        }
        return post_event(self.server.events_url, SECRET, envelope, retry_num=retry_num)

    def get(self, path: str) -> tuple[int, str, str]:
        """GET a path of the server; return (status, content type, body)."""
        try:
            with urllib.request.urlopen(self.server.base + path, timeout=10) as resp:
                return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
        except urllib.error.HTTPError as err:
            with err:
                return err.code, err.headers.get("Content-Type", ""), err.read().decode()


def backend_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, prefix: str = "e2e", *,
                migrated: bool = True) -> str:
    """A fresh database for the backend a module-scoped fixture is parametrized with (BACKENDS): a copy of the
    session's database at head (tests/conftest.py), or with `migrated=False` an empty one, which the server
    then migrates as it starts (test_events_and_health.py keeps that path on the wire; so do `db upgrade` in
    test_cli.py and Socket Mode). A copy spares each module's server the whole migration (~0.5 s of CPU); on
    PostgreSQL one lent by the session's pool (tests/support/pg_pool.py) spares the copy too."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp(prefix) / "contractbot.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    postgres = request.getfixturevalue("postgres")
    if postgres is None:
        pytest.skip("no PostgreSQL binaries on this machine (CI installs them)")
    if migrated:
        return lent_at_head(request, postgres)  # given back after the module's server stopped
    name = f"{prefix}_" + uuid.uuid4().hex[:12]
    url = str(postgres.create_database(name))
    request.addfinalizer(lambda: postgres.drop_database(name))
    return url


def served(env: dict[str, str], *, process: bool = False) -> Serve | ServeHere:
    """`contractbot serve --no-scheduler` with `env`, started and healthy: in this process, or with `process`
    a real process (the two tiers: module docstring)."""
    return Serve(env) if process else ServeHere(env)


@dataclass
class Stack:
    """A running server with its database URL, environment (for CLI runs) and FakeSlack."""

    url: str
    fake: FakeSlack
    env: dict[str, str]
    serve: Serve | ServeHere


def serve_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, prefix: str, *,
                locales: dict[str, str] | None = None, process: bool = False, **env: str) -> Iterator[Stack]:
    """Body of a module-scoped fixture parametrized over BACKENDS: database, FakeSlack (with these users'
    Slack locales), and `contractbot serve` with `env` on top of the test environment (in this process, or
    with `process` a real one: `served`)."""
    url = backend_url(request, tmp_path_factory, prefix)
    with FakeSlack() as fake:
        fake.locales.update(locales or {})
        environment = contractbot_env(url, fake.url, **env)
        serve = served(environment, process=process)
        try:
            yield Stack(url, fake, environment, serve)
        finally:
            serve.stop()


def start_bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, *, migrated: bool = True,
              process: bool = False, **env: str) -> Iterator[Bot]:
    """Body of a module-scoped fixture parametrized over BACKENDS: a fresh database (see `backend_url`), a
    FakeSlack, a server (in this process, or with `process` a real one: `served`)."""
    backend = request.param
    url = backend_url(request, tmp_path_factory, migrated=migrated)
    with FakeSlack() as fake:
        server = served(contractbot_env(url, fake.url, **env), process=process)
        try:
            yield Bot(server, fake, backend)
        finally:
            server.stop()


def raw_post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    """POST exactly these headers (no signing): for requests that lack Slack's signature headers."""
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode(errors="replace")


def assert_no_traceback(fake: FakeSlack) -> None:
    """No call the product made to Slack (answers, posts, uploads) carries a stack trace."""
    for call in fake.calls():
        dumped = json.dumps(call["args"], default=str)
        assert "Traceback" not in dumped and 'File "' not in dumped, call


def section_texts(message: dict[str, Any]) -> str:
    """Every text of a message's blocks, joined (to check the Block Kit body, not only the fallback)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks", []))
    return "\n".join(out)


def view_submission(view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str = "U1") -> dict[str, Any]:
    """A view_submission payload for `view` (as opened by views.open) with state `values` per block_id."""
    state = {block_id: {block_id: element} for block_id, element in values.items()}
    return {
        "type": "view_submission", "team": {"id": "T1", "domain": "test"},
        "user": {"id": user, "username": f"user_{user.lower()}", "name": f"user_{user.lower()}", "team_id": "T1"},
        "api_app_id": "A1", "token": "verification-token", "trigger_id": f"T.view.{uid()}",
        "view": {**view, "id": view.get("id", "V1"), "team_id": "T1", "app_id": "A1", "bot_id": "BBOT",
                 "state": {"values": state}, "hash": "h1"},
        "response_urls": [], "is_enterprise_install": False,
    }


def text_input(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def date_input(value: str) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": value}


def select_input(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}}
