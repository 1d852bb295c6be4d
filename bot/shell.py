"""`contractbot shell`: type `/contract status CTR-…`, `/renewals next 90 days`, a question, or
`jobs run deadlines [--at …]`; replies and alerts are printed as text."""

from __future__ import annotations

import shlex
import sys
import uuid
from typing import TextIO

from pydantic import SecretStr
from slack_bolt.request import BoltRequest

from bot import demo
from bot.app import create_app
from bot.cli_support import job_context, parse_at
from bot.clock import SystemClock
from bot.settings import Settings
from bot.terminal import TerminalSlack, blocks_to_text
from handlers.events.app_home import home_message
from jobs.registry import JOBS, run_job
from storage.db import open_database

BANNER = """contractbot shell — the bot's real handlers, with Slack replaced by this terminal.
Try:  /contract status CTR-ORA-001   /contract oracle   /renewals next 30 days   /renewals en mars
      when does the Microsoft contract end?   quels contrats arrivent à échéance en mars ?
      /dispute list   /dispute show DSP-1   open disputes for Oracle   litiges en cours
      /obligation list   /obligation show OBL-1   overdue obligations   obligations en retard
      /index syntec   /contract revise CTR-CAP-001   /contract report last quarter   jobs run obligations --dry-run
      jobs run deadlines [--at 2027-01-15T09:00] [--dry-run]      home [U…]      report [period]      help      quit
"""
USER, CHANNEL = "U0SHELLUSER", "C0SHELL"


def _slash(app, terminal: TerminalSlack, line: str) -> None:
    command, _, text = line.partition(" ")
    body = {"type": None, "command": command, "text": text.strip(), "user_id": USER, "user_name": "you",
            "channel_id": CHANNEL, "channel_name": "shell", "team_id": "TLOCAL", "trigger_id": "",
            "response_url": terminal.response_url(), "api_app_id": "ALOCAL"}
    response = app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    if response.status == 404:
        terminal.out.write(f"unknown command {command}; try /contract or /renewals\n")


def _message(app, line: str, counter: int, session_tag: str) -> None:
    """A DM, as Slack's event: its event id is this session's own (the bot drops an event id it has already
    seen as a re-delivery, and that memory is in the database: a second session must not reuse the first's)."""
    event = {"type": "message", "channel_type": "im", "channel": "D0SHELL", "user": USER, "text": line,
             "ts": f"{counter}.0001"}
    body = {"type": "event_callback", "team_id": "TLOCAL", "api_app_id": "ALOCAL", "event": event,
            "event_id": f"EvSHELL{session_tag}x{counter}", "authorizations": [{"user_id": "UCONTRACTBOT", "is_bot": True}]}
    app.dispatch(BoltRequest(body=body, mode="socket_mode"))


def _jobs(settings: Settings, factory, terminal: TerminalSlack, words: list[str]) -> None:
    if len(words) < 3 or words[1] != "run" or words[2] not in JOBS:
        terminal.out.write(f"usage: jobs run {{{'|'.join(JOBS)}}} [--at ISO-DATETIME] [--dry-run]\n")
        return
    at = words[words.index("--at") + 1] if "--at" in words and words.index("--at") + 1 < len(words) else None
    try:
        clock = parse_at(at, settings)
    except ValueError:
        terminal.out.write(f"--at {at!r} is not an ISO datetime\n")
        return
    ctx = job_context(settings, factory, clock)
    for line in run_job(words[2], ctx, now=clock.now(), dry_run="--dry-run" in words) or ["nothing due"]:
        terminal.out.write(line + "\n")


def _home(runtime, terminal: TerminalSlack, settings: Settings, user: str) -> None:
    """The App Home as `user` (default: you) would see it: `home U0DEMOANNE`."""
    message = home_message(runtime, user=user, lang=settings.language)
    terminal.out.write(blocks_to_text(message.to_dict()["blocks"], message.text) + "\n")


def run_shell(settings: Settings, *, load_demo: bool = True, stdin: TextIO = sys.stdin,
              out: TextIO = sys.stdout) -> int:
    terminal = TerminalSlack(out, locale=f"{settings.language}-{settings.language.upper()}")
    settings = settings.model_copy(update={"slack_api_url": terminal.url, "slack_bot_token": None})
    settings = settings.model_copy(update={"slack_bot_token": SecretStr("xoxb-local-shell")})
    engine, factory = open_database(settings.database_url)
    clock = SystemClock()
    if load_demo:
        with factory.begin() as session:
            added = demo.load_demo(session, settings=settings, now=clock.now())
        if added:
            out.write(f"(demo portfolio loaded: {added} contracts)\n")
    app, _runtime = create_app(settings, factory, clock, request_verification=False, process_before_response=True)
    out.write(BANNER)
    counter, session_tag = 0, uuid.uuid4().hex[:12]
    try:
        while True:
            out.write("\n> ")
            out.flush()
            line = stdin.readline()
            if not line:
                break
            line = line.strip()
            counter += 1
            if not line:
                continue
            if line in ("quit", "exit", ":q"):
                break
            if line.startswith("/"):
                _slash(app, terminal, line)
            elif line.split()[0] == "home":
                _home(_runtime, terminal, settings, (line.split() + [USER])[1])
            elif line.split()[0] in ("report", "rapport"):
                _slash(app, terminal, "/contract " + line)
            elif line.startswith("jobs"):
                _jobs(settings, factory, terminal, shlex.split(line))
            else:
                _message(app, line, counter, session_tag)
    finally:
        terminal.close()
        engine.dispose()  # the session's connections are closed when it ends (it may run inside a test process)
    return 0
