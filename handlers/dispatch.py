"""From a command's text to a Reply, the same for Slack, DMs and the local shell.

Every verb parses, makes one service call in one transaction, and renders. Bad input becomes a
clear ephemeral message with the usage; anything unexpected is logged with a correlation id and
the person is told so — never a stack trace.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.contract_input import InputError
from bot.errors import DomainError
from bot.grammar import GrammarError
from bot.i18n import t
from bot.render.common import Message, error, notice
from handlers.errors import UserError, explain
from handlers.runtime import Caller, Runtime

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Reply:
    message: Message | None = None
    public: bool = False  # in the channel rather than only to the person
    view: dict[str, Any] | None = None  # a modal to open
    file: tuple[str, str] | None = None  # (file name, text) sent to the person
    posts: list[tuple[str, Message]] = field(default_factory=list)  # also posted in these channels
    is_error: bool = False
    # Draws (file name, PNG bytes, title), or None; called after the text is out, then uploaded where it was asked.
    image: Callable[[], tuple[str, bytes, str] | None] | None = None


CommandFn = Callable[[Runtime, Caller, str], Reply]
COMMANDS: dict[str, CommandFn] = {}


def command(name: str) -> Callable[[CommandFn], CommandFn]:
    def register(fn: CommandFn) -> CommandFn:
        COMMANDS[name] = fn
        return fn

    return register


def run_command(rt: Runtime, caller: Caller, name: str, text: str) -> Reply:
    fn = COMMANDS.get(name)
    if fn is None:
        return Reply(notice(t(caller.lang, "unknown_command", command=name)), is_error=True)
    outcome = "ok"
    with rt.work_slot, rt.metrics.command_seconds.labels(name).time():
        try:
            reply = fn(rt, caller, text)
        except (DomainError, InputError, GrammarError) as exc:
            outcome = "refused"
            reply = Reply(error(caller.lang, explain(caller.lang, exc), command=name), is_error=True)
        except Exception:
            outcome = "error"
            correlation = uuid.uuid4().hex[:8]
            logger.exception("command %s failed [%s]", name, correlation)
            reply = Reply(notice(t(caller.lang, "internal_error", id=correlation)), is_error=True)
    rt.metrics.commands.labels(name, outcome).inc()
    return reply


def require_manager(rt: Runtime, caller: Caller) -> None:
    if not rt.settings.is_manager(caller.user_id):
        raise UserError("err_forbidden")
