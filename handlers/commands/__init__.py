"""Slash commands: one Bolt listener per command, all routed through handlers.dispatch."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.commands import contract, incident, renewals, sla  # noqa: F401  (registers the verbs)
from handlers.deliver import caller_from, deliver
from handlers.dispatch import run_command
from handlers.runtime import Runtime

SLASH_COMMANDS = (contract.NAME, renewals.NAME, incident.NAME, sla.NAME)


def on_slash_command(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext,
                     runtime: Runtime) -> None:
    ack()  # Slack allows 3 seconds: acknowledge first, answer through response_url
    caller = caller_from(runtime, client, body)
    reply = run_command(runtime, caller, body["command"], body.get("text") or "")
    deliver(reply, caller=caller, client=client, respond=respond)


def register(app: App) -> None:
    for name in SLASH_COMMANDS:
        app.command(name)(on_slash_command)
