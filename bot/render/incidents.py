"""Incidents: the record with its due times, the incident card, lists, and SLA alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.i18n import fmt_date, t
from bot.render.common import (
    MAX_BLOCKS,
    Message,
    context,
    fields_section,
    header,
    lines_sections,
    mrkdwn_escape,
    section,
    who,
)
from bot.render.ids import ActionId
from bot.sla import outcome


def when(lang: str, moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(tz)
    return local.strftime("%d/%m/%Y %H:%M") if lang == "fr" else local.strftime("%Y-%m-%d %H:%M")


def _name(incident: Any) -> str:
    contract = incident.contract
    return (f"{incident.number} · {incident.priority} · {mrkdwn_escape(contract.reference)} "
            f"{mrkdwn_escape(contract.title)}")


def _target(duration: Any) -> str:
    return "—" if duration is None else duration.written()


def _due_lines(lang: str, incident: Any, tz: ZoneInfo) -> list[str]:
    if incident.response_due_at is None:
        return [t(lang, "inc_no_sla", priority=incident.priority)]
    clock = t(lang, f"clock_{incident.clock}")
    return [
        t(lang, "inc_response_due", target=_target(incident.response_target),
          due=when(lang, incident.response_due_at, tz), clock=clock),
        t(lang, "inc_resolution_due", target=_target(incident.resolution_target),
          due=when(lang, incident.resolve_due_at, tz), clock=clock),
    ]


def recorded(lang: str, incident: Any, tz: ZoneInfo) -> Message:
    head = t(lang, "inc_recorded", number=incident.number, priority=incident.priority,
             ref=mrkdwn_escape(incident.contract.reference), title=mrkdwn_escape(incident.contract.title),
             summary=mrkdwn_escape(incident.summary), user=who(incident.opened_by),
             opened=when(lang, incident.opened_at, tz))
    lines = _due_lines(lang, incident, tz)
    body = "\n".join([head, *lines])
    return Message(text=body.replace("*", ""), blocks=[section(body)])


def changed(lang: str, key: str, incident: Any, tz: ZoneInfo, *, now: datetime) -> Message:
    at = incident.resolved_at if key == "inc_resolved" else incident.acked_at
    head = t(lang, key, number=incident.number, ref=mrkdwn_escape(incident.contract.reference), at=when(lang, at, tz),
             user=who(incident.resolved_by if key == "inc_resolved" else incident.acked_by))
    lines = [head] + _outcomes(lang, incident, now=now)
    body = "\n".join(lines)
    return Message(text=body.replace("*", ""), blocks=[section(body)])


def _outcomes(lang: str, incident: Any, *, now: datetime) -> list[str]:
    if incident.response_due_at is None:
        return []
    response = outcome(incident.acked_at or incident.resolved_at, incident.response_due_at, now)
    resolution = outcome(incident.resolved_at, incident.resolve_due_at, now)
    return [t(lang, "inc_response_outcome", outcome=t(lang, f"outcome_{response}")),
            t(lang, "inc_resolution_outcome", outcome=t(lang, f"outcome_{resolution}"))]


def card(lang: str, incident: Any, tz: ZoneInfo, *, now: datetime) -> Message:
    pairs = [
        (t(lang, "f_status"), t(lang, f"inc_status_{incident.status}")),
        (t(lang, "f_opened"), f"{when(lang, incident.opened_at, tz)} · {who(incident.opened_by)}"),
        (t(lang, "f_acked"), f"{when(lang, incident.acked_at, tz)}" + (f" · {who(incident.acked_by)}"
                                                                       if incident.acked_by else "")),
        (t(lang, "f_resolved"), f"{when(lang, incident.resolved_at, tz)}" + (f" · {who(incident.resolved_by)}"
                                                                             if incident.resolved_by else "")),
    ]
    lines = _due_lines(lang, incident, tz) + _outcomes(lang, incident, now=now)
    if incident.resolution_note:
        lines.append(f"_{mrkdwn_escape(incident.resolution_note)}_")
    blocks = [header(_name(incident)), section(mrkdwn_escape(incident.summary)), fields_section(pairs),
              context("\n".join(lines))]
    text = "\n".join([_name(incident), mrkdwn_escape(incident.summary)] + [f"{a}: {b}" for a, b in pairs] + lines)
    return Message(text=text.replace("*", ""), blocks=blocks)


def listing(lang: str, rows: Sequence[Any], total: int, tz: ZoneInfo, *, title: str, now: datetime) -> Message:
    if not rows:
        return Message(text=f"{title}\n{t(lang, 'inc_list_empty')}", blocks=[header(title),
                                                                            section(t(lang, "inc_list_empty"))])
    lines = []
    for incident in rows:
        due = ""
        if incident.status != "resolved" and incident.resolve_due_at is not None:
            late = now > incident.resolve_due_at
            due = " · " + t(lang, "inc_overdue" if late else "inc_due_short", due=when(lang, incident.resolve_due_at, tz))
        lines.append(f"*{incident.number}* {incident.priority} · {mrkdwn_escape(incident.contract.reference)} · "
                     f"{mrkdwn_escape(incident.summary[:120])} · {t(lang, f'inc_status_{incident.status}')}"
                     f" · {when(lang, incident.opened_at, tz)}{due}")
    blocks: list[Any] = [header(title)] + lines_sections(lines, budget=MAX_BLOCKS - 2)
    if total > len(rows):
        blocks.append(context(t(lang, "more_not_shown", n=total - len(rows))))
    return Message(text="\n".join([title] + [line.replace("*", "") for line in lines]), blocks=blocks)


def sla_alert(lang: str, incident: Any, *, target: str, level: str, alert_id: int, tz: ZoneInfo,
              acknowledged_by: str | None = None, snoozed_by: str | None = None,
              snoozed_until: date | None = None) -> Message:
    due = incident.response_due_at if target == "response" else incident.resolve_due_at
    body = t(lang, f"sla_alert_{level}", owner=who(incident.contract.owner), number=incident.number,
             priority=incident.priority, ref=mrkdwn_escape(incident.contract.reference),
             title=mrkdwn_escape(incident.contract.title), target=t(lang, f"target_{target}"),
             due=when(lang, due, tz), summary=mrkdwn_escape(incident.summary[:300]))
    blocks: list[Any] = [section(body)]
    notes = []
    if acknowledged_by:
        notes.append(t(lang, "alert_acked", user=who(acknowledged_by)))
    if snoozed_by and snoozed_until:
        notes.append(t(lang, "alert_snoozed", user=who(snoozed_by), until=fmt_date(lang, snoozed_until)))
    blocks.append(ActionsBlock(elements=[
        ButtonElement(text=t(lang, "btn_ack"), action_id=ActionId.ALERT_ACK, value=str(alert_id)),
        ButtonElement(text=t(lang, "btn_snooze"), action_id=ActionId.ALERT_SNOOZE, value=str(alert_id)),
        ButtonElement(text=t(lang, "btn_open_incident", number=incident.number), action_id=ActionId.SHOW_INCIDENT,
                      value=incident.number),
    ]))
    if notes:
        blocks.append(context("\n".join(notes)))
    return Message(text="\n".join([body.replace("*", ""), *notes]), blocks=blocks)
