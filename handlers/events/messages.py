"""Direct messages and mentions: understood questions get the slash command's answer; anything
else gets a short help with examples — never silence, never a stack trace."""

from __future__ import annotations

import logging

from slack_bolt import Ack, Say
from slack_sdk import WebClient

from bot import bounds
from bot.i18n import t
from bot.questions import understand
from bot.render.common import Message, context, section
from bot.render.contracts import not_found
from handlers.dispatch import run_command, unavailable
from handlers.runtime import Caller, Runtime
from storage import contracts
from storage import events as event_log

logger = logging.getLogger(__name__)


def dm_help(lang: str) -> Message:
    body = t(lang, "dm_help")
    return Message(text=body, blocks=[section(t(lang, "dm_help_intro")), context(t(lang, "dm_help_examples"))])


def answer(runtime: Runtime, caller: Caller, text: str) -> Message:
    if len(text) > bounds.MAX_TEXT:  # refused before any parsing or search (spec: oversize text)
        problem = t(caller.lang, "err_text_too_long", limit=bounds.MAX_TEXT)
        return Message(text=f"{problem}\n\n{dm_help(caller.lang).text}",
                       blocks=[section(f":warning: {problem}"), *dm_help(caller.lang).blocks])
    intent = understand(text, tz=runtime.settings.tz, now=runtime.now())
    if intent is None:
        return dm_help(caller.lang)
    if intent.command == "/contract" and intent.text.startswith("status "):
        query = intent.text.removeprefix("status ")
        with runtime.session_factory.begin() as session:
            found = contracts.search(session, query=query)
        if not found.contracts:  # a guessed search that matched nothing: the question was not understood
            missed, help_ = not_found(caller.lang, query, found.suggestions), dm_help(caller.lang)
            return Message(text=f"{missed.text}\n\n{help_.text}", blocks=[*missed.blocks, *help_.blocks])
    reply = run_command(runtime, caller, intent.command, intent.text)
    return reply.message if reply.message is not None else dm_help(caller.lang)


def _first_time(runtime: Runtime, body: dict) -> bool | None:
    """True the first time an event is seen, False for a re-delivery; None when the database cannot say
    (it is down): then the process's memory of the last hour's events decides, and the answer is
    "temporarily unavailable"."""
    event_id = body.get("event_id")
    if not event_id:
        return True
    if runtime.recent_events.seen(event_id):
        return False
    try:
        with runtime.session_factory.begin() as session:
            first = event_log.remember(session, event_id=event_id, now=runtime.now())
    except Exception as exc:
        if not runtime.unavailable(exc):
            raise
        logger.warning("event %s: database unavailable (%s); answered from memory", event_id, type(exc).__name__)
        return None if runtime.recent_events.remember(event_id) else False
    return first and runtime.recent_events.remember(event_id)


def _handle(body: dict, event: dict, client: WebClient, say: Say, runtime: Runtime) -> None:
    if event.get("bot_id") or event.get("subtype"):
        return
    first = _first_time(runtime, body)
    if first is False:
        return
    user = event.get("user") or ""
    caller = Caller(user_id=user, channel_id=event.get("channel"), lang=runtime.language_for(client, user))
    try:
        message = answer(runtime, caller, event.get("text") or "") if first else unavailable(caller.lang).message
    except Exception as exc:
        if not runtime.unavailable(exc):
            raise
        logger.warning("a question was not answered: database unavailable (%s)", type(exc).__name__)
        message = unavailable(caller.lang).message
    assert message is not None
    thread = event.get("thread_ts") if event.get("channel_type") != "im" else None
    say(**message.to_dict(), thread_ts=thread or (event.get("ts") if event.get("type") == "app_mention" else None))


def on_direct_message(ack: Ack, body: dict, event: dict, client: WebClient, say: Say, runtime: Runtime) -> None:
    ack()
    _handle(body, event, client, say, runtime)


def on_mention(ack: Ack, body: dict, event: dict, client: WebClient, say: Say, runtime: Runtime) -> None:
    ack()
    _handle(body, event, client, say, runtime)


def ignore_other_messages(ack: Ack) -> None:
    ack()
