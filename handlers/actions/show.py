"""Show buttons: a contract from a pick list (as `/contract status REF`), an incident from an SLA alert."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from handlers.deliver import caller_from, deliver
from handlers.dispatch import run_command
from handlers.runtime import Runtime


def on_show_contract(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    reference = body["actions"][0]["value"]
    reply = run_command(runtime, caller, "/contract", f"status {reference}")
    deliver(reply, caller=caller, client=client, respond=respond)


def on_show_incident(ack: Ack, body: dict, client: WebClient, respond: Respond, runtime: Runtime) -> None:
    ack()
    caller = caller_from(runtime, client, body)
    reply = run_command(runtime, caller, "/incident", f"show {body['actions'][0]['value']}")
    deliver(reply, caller=caller, client=client, respond=respond)
