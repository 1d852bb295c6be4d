"""From a command's text to a Reply, the same for Slack, DMs and the local shell.

Every verb parses, makes one service call in one transaction, and renders. Bad input becomes a
clear ephemeral message with the usage; a database that cannot be reached becomes "temporarily
unavailable, nothing was changed"; anything else unexpected is logged with a correlation id and
the person is told so — never a stack trace.

Light commands take `Runtime.work_slot`, heavy ones (exports, reports) `Runtime.heavy_slot` and, in
`serve`, a child process (handlers.lanes): nobody waits behind a slow command. In `serve`, light
commands move to a child process of their own too once they queue (handlers.lanes.LightLane).
"""

from __future__ import annotations

import logging
import uuid

from bot.contract_input import InputError
from bot.errors import DomainError
from bot.grammar import GrammarError
from bot.i18n import t
from bot.render.common import error, notice
from handlers.commands import COMMANDS
from handlers.errors import explain
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime

logger = logging.getLogger(__name__)

# (command, first word) pairs whose answer reads the whole portfolio.
HEAVY = {("/contract", "export"), ("/contract", "report"), ("/contract", "rapport")}


def is_heavy(name: str, text: str) -> bool:
    words = text.split(maxsplit=1)
    return bool(words) and (name, words[0].lower()) in HEAVY


def run_command(rt: Runtime, caller: Caller, name: str, text: str) -> Reply:
    if name not in COMMANDS:
        return Reply(notice(t(caller.lang, "unknown_command", command=name)), is_error=True)
    heavy = is_heavy(name, text)
    with rt.metrics.command_seconds.labels(name).time():
        if rt.starting:  # nothing read or written, in this process or a lane's child, before the schema is at head
            reply, outcome = unavailable(caller.lang), "unavailable"
        elif heavy:
            with rt.heavy_slot:
                if rt.heavy_lane is not None:
                    reply, outcome = rt.heavy_lane.run(caller, name, text, now=rt.now())
                else:
                    reply, outcome = execute(rt, caller, name, text)
        else:
            reply, outcome = _light(rt, caller, name, text)
    rt.metrics.commands.labels(name, outcome).inc()
    return reply


def _light(rt: Runtime, caller: Caller, name: str, text: str) -> tuple[Reply, str]:
    """In the light lane's child once it is ready (it queues them); else here, one at a time — and an
    answer that has to wait for another starts the lane, for the next ones."""
    lane = rt.light_lane
    if lane is not None and lane.ready:
        answered = lane.run(caller, name, text, now=rt.now())
        if answered is not None:
            return answered
    if not rt.work_slot.acquire(blocking=False):
        if lane is not None:
            lane.start()
        rt.work_slot.acquire()
    try:
        return execute(rt, caller, name, text)
    finally:
        rt.work_slot.release()


def execute(rt: Runtime, caller: Caller, name: str, text: str) -> tuple[Reply, str]:
    """Run one command here and now: its reply and outcome (ok, refused, unavailable, error)."""
    try:
        return COMMANDS[name](rt, caller, text), "ok"
    except (DomainError, InputError, GrammarError) as exc:
        return Reply(error(caller.lang, explain(caller.lang, exc), command=name), is_error=True), "refused"
    except Exception as exc:
        if rt.unavailable(exc):
            logger.warning("command %s: database unavailable (%s); nothing was changed", name, type(exc).__name__)
            return unavailable(caller.lang), "unavailable"
        return internal_error(caller.lang, f"command {name} failed"), "error"


def unavailable(lang: str) -> Reply:
    return Reply(notice(t(lang, "http_unavailable")), is_error=True)


def internal_error(lang: str, what: str) -> Reply:
    correlation = uuid.uuid4().hex[:8]
    logger.exception("%s [%s]", what, correlation, extra={"correlation_id": correlation})
    return Reply(notice(t(lang, "internal_error", id=correlation)), is_error=True)
