"""The slash-command listener: ack, then the command from the table (`handlers.commands.COMMANDS`)."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.i18n import t
from bot.render.common import notice
from handlers.acking import ack_first
from handlers.commands import SLASH_COMMANDS
from handlers.deliver import caller_from, deliver
from handlers.dispatch import run_command
from handlers.reply import Reply
from handlers.runtime import Runtime


def on_slash_command(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext,
                     runtime: Runtime) -> None:
    ack()  # Slack allows 3 seconds: acknowledge first, answer through response_url
    caller = caller_from(runtime, client, body)
    reply = run_command(runtime, caller, body["command"], body.get("text") or "")
    deliver(reply, caller=caller, client=client, respond=respond)


# Declared in manifest.yml (the whole spec) but not built yet: acknowledged and answered plainly, so
# Slack never shows a timeout.
NOT_YET_BUILT: tuple[str, ...] = ()


def on_not_yet_built(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    deliver(Reply(notice(t(caller.lang, "not_yet", command=body["command"])), is_error=True), caller=caller,
            client=client, respond=respond)


def register(app: App) -> None:
    for name in SLASH_COMMANDS:
        app.command(name)(ack_first(on_slash_command))
    for name in NOT_YET_BUILT:
        app.command(name)(ack_first(on_not_yet_built))
